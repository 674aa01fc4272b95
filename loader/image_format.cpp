// Header probing for JPEG (TurboJPEG), WebP (libwebp) and PNG (libspng), without pixels.
#include "loader/image_format.hpp"


#include <algorithm>
#include <memory>
#include <vector>

#include <spng.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include "loader/file_io.hpp"

namespace interleave::loader {
namespace {

bool iequals_ext(std::string_view name, std::string_view ext) {
    if (name.size() < ext.size()) return false;
    const auto tail = name.substr(name.size() - ext.size());
    for (std::size_t i = 0; i < ext.size(); ++i) {
        char c = tail[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != ext[i]) return false;
    }
    return true;
}

struct TjDeleter {
    void operator()(void* handle) const { tjDestroy(handle); }
};

struct SpngDeleter {
    void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

Result<ImageHeader> parse_jpeg(std::span<const std::uint8_t> bytes, LayerEncoding encoding,
                               const ImageLimits& limits, const std::string& subject) {
    // One decompressor per call: the probe runs once per folder, off the hot path.
    std::unique_ptr<void, TjDeleter> tj(tjInitDecompress());
    if (!tj) return make_error(ErrorCode::kInternal, subject, "cannot create a JPEG decoder");
    int width = 0;
    int height = 0;
    int subsamp = 0;
    int colorspace = 0;
    if (tjDecompressHeader3(tj.get(), bytes.data(), static_cast<unsigned long>(bytes.size()),
                            &width, &height, &subsamp, &colorspace) != 0) {
        return make_error(ErrorCode::kBadFormat, subject, "not a readable JPEG ({}; {} bytes)",
                          tjGetErrorStr2(tj.get()), bytes.size());
    }
    return check_dimensions(width, height, encoding, limits, subject);
}

Result<ImageHeader> parse_webp(std::span<const std::uint8_t> bytes, const ImageLimits& limits,
                               const std::string& subject) {
    WebPBitstreamFeatures features{};
    const VP8StatusCode status = WebPGetFeatures(bytes.data(), bytes.size(), &features);
    if (status != VP8_STATUS_OK) {
        return make_error(ErrorCode::kBadFormat, subject,
                          "not a readable WebP (status {}; {} bytes)", static_cast<int>(status),
                          bytes.size());
    }
    if (features.has_animation) {
        return make_error(ErrorCode::kUnsupported, subject,
                          "animated WebP (expected one still image per frame file)");
    }
    auto header = check_dimensions(features.width, features.height, LayerEncoding::kWebp, limits,
                                   subject);
    if (header) header->has_alpha = features.has_alpha != 0;
    return header;
}

Result<ImageHeader> parse_png(std::span<const std::uint8_t> bytes, const ImageLimits& limits,
                              const std::string& subject) {
    std::unique_ptr<spng_ctx, SpngDeleter> ctx(spng_ctx_new(0));
    if (!ctx) return make_error(ErrorCode::kInternal, subject, "cannot create a PNG decoder");
    spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
    spng_ihdr ihdr{};
    if (const int rc = spng_get_ihdr(ctx.get(), &ihdr); rc != 0) {
        return make_error(ErrorCode::kBadFormat, subject, "not a readable PNG ({}; {} bytes)",
                          spng_strerror(rc), bytes.size());
    }
    if (ihdr.width > static_cast<std::uint32_t>(INT32_MAX) ||
        ihdr.height > static_cast<std::uint32_t>(INT32_MAX)) {
        return make_error(ErrorCode::kTooLarge, subject, "{}x{} px is beyond any limit",
                          ihdr.width, ihdr.height);
    }
    auto header = check_dimensions(static_cast<int>(ihdr.width), static_cast<int>(ihdr.height),
                                   LayerEncoding::kPng, limits, subject);
    if (header) {
        header->has_alpha = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ||
                            ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
        // tRNS may sit beyond the bytes we read; a short buffer only hides it.
        spng_trns trns{};
        if (!header->has_alpha && spng_get_trns(ctx.get(), &trns) == 0) header->has_alpha = true;
    }
    return header;
}

}  // namespace

FileKind file_kind_from_name(std::string_view filename) {
    if (iequals_ext(filename, ".jpg") || iequals_ext(filename, ".jpeg")) return FileKind::kJpeg;
    if (iequals_ext(filename, ".webp")) return FileKind::kWebp;
    if (iequals_ext(filename, ".png")) return FileKind::kPng;
    return FileKind::kOther;
}

std::string_view to_string(FileKind kind) {
    switch (kind) {
    case FileKind::kJpeg: return "jpeg";
    case FileKind::kWebp: return "webp";
    case FileKind::kPng: return "png";
    case FileKind::kOther: return "other";
    }
    return "other";
}

std::string_view to_string(LayerEncoding encoding) {
    switch (encoding) {
    case LayerEncoding::kSbsJpeg: return "sbs-jpeg";
    case LayerEncoding::kOpaqueJpeg: return "jpeg";
    case LayerEncoding::kWebp: return "webp";
    case LayerEncoding::kPng: return "png";
    }
    return "unknown";
}

LayerEncoding encoding_for(FileKind kind, bool jpeg_is_sbs) {
    switch (kind) {
    case FileKind::kWebp: return LayerEncoding::kWebp;
    case FileKind::kPng: return LayerEncoding::kPng;
    default: return jpeg_is_sbs ? LayerEncoding::kSbsJpeg : LayerEncoding::kOpaqueJpeg;
    }
}

std::optional<std::uint64_t> image_bytes(std::uint64_t width_px, std::uint64_t height_px,
                                         std::uint64_t bytes_per_px, std::uint64_t max_bytes) {
    std::uint64_t pixels = 0;
    std::uint64_t bytes = 0;
    if (__builtin_mul_overflow(width_px, height_px, &pixels) ||
        __builtin_mul_overflow(pixels, bytes_per_px, &bytes) || bytes > max_bytes) {
        return std::nullopt;
    }
    return bytes;
}

Result<ImageHeader> check_dimensions(int width_px, int height_px, LayerEncoding encoding,
                                     const ImageLimits& limits, const std::string& subject) {
    if (width_px <= 0 || height_px <= 0) {
        return make_error(ErrorCode::kBadFormat, subject, "header says {}x{} px", width_px,
                          height_px);
    }
    const auto w = static_cast<std::uint64_t>(width_px);
    const auto h = static_cast<std::uint64_t>(height_px);
    if (w > limits.max_side_px || h > limits.max_side_px) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "{}x{} px exceeds the limit of {} px on a side", w, h,
                          limits.max_side_px);
    }
    if (w * h > limits.max_pixels) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "{}x{} px = {} px exceeds the limit of {} px", w, h, w * h,
                          limits.max_pixels);
    }
    // The decoders take int row strides, and the largest buffer is the whole file as RGBA.
    constexpr std::uint64_t kMaxRowBytes = std::numeric_limits<int>::max();
    if (!image_bytes(w, 1, 4, kMaxRowBytes)) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "{} px wide needs {}-byte RGBA rows, more than the {} bytes a row may "
                          "have",
                          w, w * 4, kMaxRowBytes);
    }
    if (!image_bytes(w, h, 4, limits.max_buffer_bytes)) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "{}x{} px needs a {}-byte RGBA buffer, more than the {} bytes one "
                          "buffer may have on this platform",
                          w, h, w * h * 4, limits.max_buffer_bytes);
    }
    ImageHeader header;
    header.file_width_px = width_px;
    header.file_height_px = height_px;
    header.layer_width_px = width_px;
    header.layer_height_px = height_px;
    if (encoding == LayerEncoding::kSbsJpeg) {
        if (width_px % 2 != 0) {
            return make_error(ErrorCode::kBadFormat, subject,
                              "side-by-side JPEG of odd width {} px (expected an even width: "
                              "RGB left half, alpha mask right half)",
                              width_px);
        }
        header.layer_width_px = width_px / 2;
        header.has_alpha = true;
    }
    return header;
}

Result<ImageHeader> parse_header(std::span<const std::uint8_t> bytes, LayerEncoding encoding,
                                 const ImageLimits& limits, const std::string& subject) {
    if (bytes.empty()) return make_error(ErrorCode::kBadFormat, subject, "empty file (0 bytes)");
    switch (encoding) {
    case LayerEncoding::kSbsJpeg:
    case LayerEncoding::kOpaqueJpeg: return parse_jpeg(bytes, encoding, limits, subject);
    case LayerEncoding::kWebp: return parse_webp(bytes, limits, subject);
    case LayerEncoding::kPng: return parse_png(bytes, limits, subject);
    }
    return make_error(ErrorCode::kInternal, subject, "unknown layer encoding");
}

Result<ImageHeader> probe_file(const std::filesystem::path& file, LayerEncoding encoding,
                               const ImageLimits& limits) {
    constexpr std::size_t kPrefixBytes = 64 * 1024;
    std::vector<std::uint8_t> bytes;
    auto size = read_file(file, kPrefixBytes, ReadMode::kPrefix, bytes);
    if (!size) return tl::unexpected(size.error());
    auto header = parse_header(bytes, encoding, limits, file.string());
    const bool jpeg = encoding == LayerEncoding::kSbsJpeg || encoding == LayerEncoding::kOpaqueJpeg;
    if (!header && jpeg && *size > bytes.size() && header.error().code == ErrorCode::kBadFormat) {
        // Large EXIF/ICC segments can push the frame header past the prefix: read it all.
        if (auto full = read_file(file, *size, ReadMode::kPrefix, bytes); !full) {
            return tl::unexpected(full.error());
        }
        header = parse_header(bytes, encoding, limits, file.string());
    }
    return header;
}

}  // namespace interleave::loader
