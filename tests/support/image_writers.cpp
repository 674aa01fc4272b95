// Encoders for generated test data: TurboJPEG, libwebp (simple and advanced API), libspng.
#include "tests/support/image_writers.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <spng.h>
#include <turbojpeg.h>
#include <webp/encode.h>

namespace interleave::test {
namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "test support: %s\n", what);
    std::abort();
}

// Small deterministic generator (xorshift32), so every run makes the same bytes.
struct Noise {
    std::uint32_t state;
    explicit Noise(std::uint32_t seed) : state(seed * 2654435761u + 1u) {}
    int next(int amplitude) {  // uniform in [-amplitude, amplitude]
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return static_cast<int>(state % static_cast<std::uint32_t>(2 * amplitude + 1)) - amplitude;
    }
};

std::uint8_t clamp8(double v) {
    return static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
}

std::uint32_t crc32(const std::uint8_t* data, std::size_t n) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void put_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

struct SpngDeleter {
    void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

std::vector<std::uint8_t> finish_png(spng_ctx* ctx, const void* pixels, std::size_t size) {
    if (spng_encode_image(ctx, pixels, size, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE) != 0) {
        fail("spng_encode_image failed");
    }
    std::size_t len = 0;
    int error = 0;
    void* buffer = spng_get_png_buffer(ctx, &len, &error);
    if (buffer == nullptr || error != 0) fail("spng_get_png_buffer failed");
    const auto* bytes = static_cast<const std::uint8_t*>(buffer);
    std::vector<std::uint8_t> out(bytes, bytes + len);
    std::free(buffer);
    return out;
}

}  // namespace

Image solid(int width, int height, std::initializer_list<std::uint8_t> value) {
    Image image(width, height, static_cast<int>(value.size()));
    for (std::size_t i = 0; i < image.pixels.size(); i += value.size()) {
        std::copy(value.begin(), value.end(), image.pixels.begin() + static_cast<long>(i));
    }
    return image;
}

Image quadrants(int width, int height, Rgb tl, Rgb tr, Rgb bl, Rgb br) {
    Image image(width, height, 3);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const bool right = x >= width / 2;
            const bool bottom = y >= height / 2;
            const Rgb c = bottom ? (right ? br : bl) : (right ? tr : tl);
            std::uint8_t* p = image.at(x, y);
            p[0] = c.r;
            p[1] = c.g;
            p[2] = c.b;
        }
    }
    return image;
}

Image mask_quadrants(int width, int height, std::uint8_t tl, std::uint8_t tr, std::uint8_t bl,
                     std::uint8_t br) {
    Image image(width, height, 1);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const bool right = x >= width / 2;
            const bool bottom = y >= height / 2;
            *image.at(x, y) = bottom ? (right ? br : bl) : (right ? tr : tl);
        }
    }
    return image;
}

Image photo_like(int width, int height, std::uint32_t seed, int neutral_edge_px) {
    Image image(width, height, 3);
    Noise noise(seed);
    const double phase = static_cast<double>(seed % 97) / 97.0 * 6.2831853;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double u = static_cast<double>(x) / width;
            const double v = static_cast<double>(y) / height;
            double r = 128 + 90 * std::sin(3.0 * u + phase) * std::cos(2.0 * v);
            double g = 110 + 70 * std::sin(2.0 * v + 1.3 * u + phase);
            double b = 140 + 80 * std::cos(2.5 * u - 1.7 * v + phase);
            const int edge = width - x;  // 1 at the last column
            if (neutral_edge_px > 0 && edge <= neutral_edge_px) {
                const double keep = static_cast<double>(edge - 1) / neutral_edge_px;
                const double gray = (r + g + b) / 3.0;
                r = gray + (r - gray) * keep;
                g = gray + (g - gray) * keep;
                b = gray + (b - gray) * keep;
            }
            const int n = noise.next(4);  // mild, shared by the channels like sensor luma noise
            std::uint8_t* p = image.at(x, y);
            p[0] = clamp8(r + n);
            p[1] = clamp8(g + n);
            p[2] = clamp8(b + n);
        }
    }
    return image;
}

Image soft_mask(int width, int height, std::uint32_t seed) {
    Image image(width, height, 1);
    Noise noise(seed);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const double dx = (x - width * 0.5) / (width * 0.35);
            const double dy = (y - height * 0.5) / (height * 0.35);
            const double d = std::sqrt(dx * dx + dy * dy);  // 1 at the ellipse's edge
            const double ramp = std::clamp((1.3 - d) / 0.6, 0.0, 1.0);
            const double v = ramp <= 0.0 ? 0.0 : 255.0 * ramp + (ramp < 1.0 ? noise.next(2) : 0);
            *image.at(x, y) = clamp8(v);
        }
    }
    return image;
}

Image side_by_side(const Image& rgb, const Image& mask) {
    if (rgb.channels != 3 || mask.channels != 1 || rgb.width != mask.width ||
        rgb.height != mask.height) {
        fail("side_by_side wants an RGB image and a 1-channel mask of the same size");
    }
    Image out(rgb.width * 2, rgb.height, 3);
    for (int y = 0; y < rgb.height; ++y) {
        for (int x = 0; x < rgb.width; ++x) {
            std::copy_n(rgb.at(x, y), 3, out.at(x, y));
            const std::uint8_t m = *mask.at(x, y);
            std::uint8_t* p = out.at(rgb.width + x, y);
            p[0] = p[1] = p[2] = m;
        }
    }
    return out;
}

std::vector<std::uint8_t> encode_jpeg(const Image& image, int subsamp, int quality) {
    std::unique_ptr<void, decltype(&tjDestroy)> tj(tjInitCompress(), &tjDestroy);
    if (!tj) fail("tjInitCompress failed");
    int pixel_format = TJPF_RGB;
    if (image.channels == 1) {
        pixel_format = TJPF_GRAY;
        subsamp = TJSAMP_GRAY;
    } else if (image.channels != 3) {
        fail("encode_jpeg wants 1 or 3 channels");
    }
    unsigned char* out = nullptr;
    unsigned long size = 0;
    if (tjCompress2(tj.get(), image.pixels.data(), image.width, 0, image.height, pixel_format,
                    &out, &size, subsamp, quality, TJFLAG_ACCURATEDCT) != 0) {
        fail(tjGetErrorStr2(tj.get()));
    }
    std::vector<std::uint8_t> bytes(out, out + size);
    tjFree(out);
    return bytes;
}

std::vector<std::uint8_t> encode_sbs_jpeg(const Image& rgb, const Image& mask, int subsamp,
                                          int quality) {
    return encode_jpeg(side_by_side(rgb, mask), subsamp, quality);
}

std::vector<std::uint8_t> encode_webp_lossless(const Image& image) {
    if (image.channels != 3 && image.channels != 4) fail("encode_webp wants 3 or 4 channels");
    WebPConfig config;
    if (!WebPConfigInit(&config)) fail("WebPConfigInit failed");
    config.lossless = 1;
    config.exact = 1;  // keep the RGB of fully transparent pixels, so comparisons are exact
    config.method = 0;
    WebPPicture picture;
    if (!WebPPictureInit(&picture)) fail("WebPPictureInit failed");
    picture.use_argb = 1;
    picture.width = image.width;
    picture.height = image.height;
    const int stride = image.width * image.channels;
    const int ok = image.channels == 4
                       ? WebPPictureImportRGBA(&picture, image.pixels.data(), stride)
                       : WebPPictureImportRGB(&picture, image.pixels.data(), stride);
    if (!ok) fail("WebPPictureImport failed");
    WebPMemoryWriter writer;
    WebPMemoryWriterInit(&writer);
    picture.writer = WebPMemoryWrite;
    picture.custom_ptr = &writer;
    const int encoded = WebPEncode(&config, &picture);
    WebPPictureFree(&picture);
    if (!encoded) fail("WebPEncode failed");
    std::vector<std::uint8_t> bytes(writer.mem, writer.mem + writer.size);
    WebPMemoryWriterClear(&writer);
    return bytes;
}

std::vector<std::uint8_t> encode_webp_lossy(const Image& image, float quality) {
    std::uint8_t* out = nullptr;
    const int stride = image.width * image.channels;
    std::size_t size = 0;
    if (image.channels == 4) {
        size = WebPEncodeRGBA(image.pixels.data(), image.width, image.height, stride, quality,
                              &out);
    } else if (image.channels == 3) {
        size = WebPEncodeRGB(image.pixels.data(), image.width, image.height, stride, quality,
                             &out);
    } else {
        fail("encode_webp wants 3 or 4 channels");
    }
    if (size == 0) fail("WebPEncode failed");
    std::vector<std::uint8_t> bytes(out, out + size);
    WebPFree(out);
    return bytes;
}

std::vector<std::uint8_t> encode_png(const Image& image) {
    std::unique_ptr<spng_ctx, SpngDeleter> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
    if (!ctx) fail("spng_ctx_new failed");
    spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
    spng_ihdr ihdr{};
    ihdr.width = static_cast<std::uint32_t>(image.width);
    ihdr.height = static_cast<std::uint32_t>(image.height);
    ihdr.bit_depth = 8;
    switch (image.channels) {
    case 1: ihdr.color_type = SPNG_COLOR_TYPE_GRAYSCALE; break;
    case 2: ihdr.color_type = SPNG_COLOR_TYPE_GRAYSCALE_ALPHA; break;
    case 3: ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR; break;
    case 4: ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA; break;
    default: fail("encode_png wants 1 to 4 channels");
    }
    if (spng_set_ihdr(ctx.get(), &ihdr) != 0) fail("spng_set_ihdr failed");
    return finish_png(ctx.get(), image.pixels.data(), image.pixels.size());
}

std::vector<std::uint8_t> encode_png_palette(int width, int height,
                                             std::span<const PaletteEntry> palette,
                                             std::span<const std::uint8_t> indices) {
    if (palette.empty() || palette.size() > 256 ||
        indices.size() != static_cast<std::size_t>(width) * static_cast<std::size_t>(height)) {
        fail("encode_png_palette: bad palette or index count");
    }
    std::unique_ptr<spng_ctx, SpngDeleter> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
    if (!ctx) fail("spng_ctx_new failed");
    spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
    spng_ihdr ihdr{};
    ihdr.width = static_cast<std::uint32_t>(width);
    ihdr.height = static_cast<std::uint32_t>(height);
    ihdr.bit_depth = 8;
    ihdr.color_type = SPNG_COLOR_TYPE_INDEXED;
    if (spng_set_ihdr(ctx.get(), &ihdr) != 0) fail("spng_set_ihdr failed");
    spng_plte plte{};
    spng_trns trns{};
    plte.n_entries = static_cast<std::uint32_t>(palette.size());
    trns.n_type3_entries = static_cast<std::uint32_t>(palette.size());
    for (std::size_t i = 0; i < palette.size(); ++i) {
        plte.entries[i] = {palette[i].r, palette[i].g, palette[i].b, 0};
        trns.type3_alpha[i] = palette[i].a;
    }
    if (spng_set_plte(ctx.get(), &plte) != 0) fail("spng_set_plte failed");
    if (spng_set_trns(ctx.get(), &trns) != 0) fail("spng_set_trns failed");
    return finish_png(ctx.get(), indices.data(), indices.size());
}

void patch_png_size(std::vector<std::uint8_t>& png, std::uint32_t width, std::uint32_t height) {
    // 8-byte signature, then IHDR: length (4), type (4), width (4), height (4), ... , CRC.
    constexpr std::size_t kType = 12;
    constexpr std::size_t kData = 16;
    constexpr std::size_t kIhdrLength = 13;
    if (png.size() < kData + kIhdrLength + 4 || png[kType] != 'I' || png[kType + 3] != 'R') {
        fail("patch_png_size: no IHDR where a PNG has it");
    }
    put_be32(&png[kData], width);
    put_be32(&png[kData + 4], height);
    put_be32(&png[kData + kIhdrLength], crc32(&png[kType], 4 + kIhdrLength));
}

namespace {

enum class Container { kJpeg, kWebp, kPng };

Container container_of(std::span<const std::uint8_t> bytes) {
    if (bytes.size() >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8) return Container::kJpeg;
    if (bytes.size() >= 8 && bytes[0] == 0x89 && bytes[1] == 'P' && bytes[2] == 'N' &&
        bytes[3] == 'G') {
        return Container::kPng;
    }
    if (bytes.size() >= 25 && std::equal(bytes.begin(), bytes.begin() + 4, "RIFF") &&
        std::equal(bytes.begin() + 8, bytes.begin() + 16, "WEBPVP8L")) {
        return Container::kWebp;
    }
    fail("damaged() wants a JPEG, a lossless (VP8L) WebP or a PNG file");
}

// Offset of the first byte after a JPEG's start-of-scan header: where entropy-coded data begins.
std::size_t jpeg_scan_data(std::span<const std::uint8_t> jpeg) {
    std::size_t at = 2;
    while (at + 4 <= jpeg.size()) {
        if (jpeg[at] != 0xFF) fail("jpeg_scan_data: no marker where one belongs");
        const std::uint8_t marker = jpeg[at + 1];
        const std::size_t length = static_cast<std::size_t>(jpeg[at + 2]) << 8 | jpeg[at + 3];
        if (marker == 0xDA) return at + 2 + length;
        at += 2 + length;
    }
    fail("jpeg_scan_data: no start-of-scan marker");
}

// The offset of a PNG chunk's data, and its length.
struct PngChunk {
    std::size_t data = 0;
    std::size_t length = 0;
};

PngChunk find_png_chunk(std::span<const std::uint8_t> png, const char* type) {
    std::size_t at = 8;
    while (at + 12 <= png.size()) {
        const std::size_t length = static_cast<std::size_t>(png[at]) << 24 |
                                   static_cast<std::size_t>(png[at + 1]) << 16 |
                                   static_cast<std::size_t>(png[at + 2]) << 8 | png[at + 3];
        if (std::equal(type, type + 4, png.begin() + static_cast<long>(at + 4))) {
            return {at + 8, length};
        }
        at += 12 + length;
    }
    fail("find_png_chunk: chunk not found");
}

std::vector<std::uint8_t> noise_bytes(std::size_t count, std::uint32_t seed) {
    Noise noise(seed);
    std::vector<std::uint8_t> out(count);
    for (auto& b : out) b = static_cast<std::uint8_t>(noise.next(127) + 127);
    return out;
}

}  // namespace

void patch_jpeg_size(std::vector<std::uint8_t>& jpeg, std::uint16_t width, std::uint16_t height) {
    std::size_t at = 2;
    while (at + 9 <= jpeg.size() && jpeg[at] == 0xFF) {
        const std::uint8_t marker = jpeg[at + 1];
        const std::size_t length = static_cast<std::size_t>(jpeg[at + 2]) << 8 | jpeg[at + 3];
        if (marker >= 0xC0 && marker <= 0xC2) {
            // length (2), precision (1), height (2), width (2)
            jpeg[at + 5] = static_cast<std::uint8_t>(height >> 8);
            jpeg[at + 6] = static_cast<std::uint8_t>(height);
            jpeg[at + 7] = static_cast<std::uint8_t>(width >> 8);
            jpeg[at + 8] = static_cast<std::uint8_t>(width);
            return;
        }
        if (marker == 0xDA) break;
        at += 2 + length;
    }
    fail("patch_jpeg_size: no frame header before the scan");
}

void patch_webp_size(std::vector<std::uint8_t>& webp, std::uint32_t width, std::uint32_t height) {
    if (container_of(webp) != Container::kWebp || webp[20] != 0x2F || width < 1 ||
        width > 16384 || height < 1 || height > 16384) {
        fail("patch_webp_size: not a VP8L file, or a size beyond 1..16384");
    }
    // After the signature byte: 14 bits width - 1, 14 bits height - 1, alpha, 3 bits version,
    // least significant bit first.
    std::uint32_t bits = static_cast<std::uint32_t>(webp[21]) |
                         static_cast<std::uint32_t>(webp[22]) << 8 |
                         static_cast<std::uint32_t>(webp[23]) << 16 |
                         static_cast<std::uint32_t>(webp[24]) << 24;
    bits = (bits & ~0x0FFFFFFFu) | (width - 1) | (height - 1) << 14;
    for (int i = 0; i < 4; ++i) webp[21 + i] = static_cast<std::uint8_t>(bits >> (8 * i));
}

std::string_view to_string(Damage damage) {
    switch (damage) {
    case Damage::kEmpty: return "empty";
    case Damage::kTruncatedHeader: return "truncated-header";
    case Damage::kTruncatedBody: return "truncated-body";
    case Damage::kCorruptHeader: return "corrupt-header";
    case Damage::kCorruptBody: return "corrupt-body";
    case Damage::kRandomBytes: return "random-bytes";
    case Damage::kText: return "text";
    case Damage::kAbsurdSize: return "absurd-size";
    }
    return "unknown";
}

std::vector<std::uint8_t> damaged(std::span<const std::uint8_t> good, Damage damage) {
    const Container container = container_of(good);
    std::vector<std::uint8_t> bytes(good.begin(), good.end());
    switch (damage) {
    case Damage::kEmpty: return {};
    case Damage::kTruncatedHeader: bytes.resize(20); return bytes;
    case Damage::kTruncatedBody: bytes.resize(bytes.size() / 2); return bytes;
    case Damage::kRandomBytes: return noise_bytes(4096, 0xBAD);
    case Damage::kText: {
        const std::string_view text = "frame 7 goes here\n";
        return {text.begin(), text.end()};
    }
    case Damage::kCorruptHeader:
        switch (container) {
        case Container::kJpeg: {
            // SOI, then a baseline frame header claiming 65535x65535 px with three components,
            // then garbage where the tables and the scan belong.
            std::vector<std::uint8_t> out = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xFF,
                                             0xFF, 0xFF, 0xFF, 0x03, 0x01, 0x22, 0x00, 0x02,
                                             0x11, 0x01, 0x03, 0x11, 0x01};
            const auto garbage = noise_bytes(512, 0xC0);
            out.insert(out.end(), garbage.begin(), garbage.end());
            return out;
        }
        case Container::kWebp: bytes[20] = 0x00; return bytes;  // the VP8L signature (0x2F)
        case Container::kPng: bytes[29] ^= 0xFF; return bytes;  // the IHDR CRC
        }
        break;
    case Damage::kCorruptBody:
        switch (container) {
        case Container::kJpeg: {
            const std::size_t data = jpeg_scan_data(bytes);
            const std::size_t middle = data + (bytes.size() - 2 - data) / 2;
            for (std::size_t i = middle; i + 1 < bytes.size() - 2 && i < middle + 32; i += 2) {
                bytes[i] = 0xFF;
                bytes[i + 1] = 0xD9;
            }
            return bytes;
        }
        case Container::kWebp: {
            const std::size_t data = 25;
            const std::size_t middle = data + (bytes.size() - data) / 2;
            for (std::size_t i = middle; i < bytes.size() && i < middle + 16; ++i) bytes[i] ^= 0xA5;
            return bytes;
        }
        case Container::kPng: {
            const PngChunk idat = find_png_chunk(bytes, "IDAT");
            const std::size_t middle = idat.data + idat.length / 2;
            for (std::size_t i = middle; i < idat.data + idat.length && i < middle + 16; ++i) {
                bytes[i] ^= 0xA5;
            }
            put_be32(&bytes[idat.data + idat.length],
                     crc32(&bytes[idat.data - 4], 4 + idat.length));
            return bytes;
        }
        }
        break;
    case Damage::kAbsurdSize:
        switch (container) {
        case Container::kJpeg: patch_jpeg_size(bytes, 60000, 60000); return bytes;
        case Container::kWebp: patch_webp_size(bytes, 16384, 16384); return bytes;
        case Container::kPng: patch_png_size(bytes, 60000, 60000); return bytes;
        }
        break;
    }
    fail("damaged: unknown damage");
}

}  // namespace interleave::test
