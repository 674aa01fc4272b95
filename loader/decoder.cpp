// Decoder: TurboJPEG (SBS through YUV planes + libyuv, or full RGBA), libwebp straight into
// the destination, libspng straight into the destination.
#include "loader/decoder.hpp"

#include <memory>
#include <new>

#include <libyuv/convert_argb.h>
#include <libyuv/planar_functions.h>
#include <spng.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include "loader/file_io.hpp"

namespace interleave::loader {
namespace {

// Warnings (a truncated stream, corrupt entropy data) are errors: a half-grey frame on screen
// is worse than keeping the last good one.
constexpr int kTjFlags = TJFLAG_STOPONWARNING;

struct SpngDeleter {
    void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

void threshold_mask_row(std::uint8_t* mask, int width) {
    for (int x = 0; x < width; ++x) mask[x] = mask[x] < kSbsAlphaThreshold ? 0 : mask[x];
}

// Before every decode call: the buffer holds what the decoder will write into it (`rows` rows
// of `stride` bytes, the last one `row_bytes` long), computed in 64 bits. A mismatch is our bug,
// not the file's, but it must never become a heap overflow: an Error, not an assert.
Result<void> check_room(std::size_t buffer_bytes, std::uint64_t stride, std::uint64_t row_bytes,
                        std::uint64_t rows, const char* what, const std::string& subject) {
    const auto before_last =
        rows == 0 ? std::nullopt : image_bytes(stride, rows - 1, 1, kMaxBufferBytes);
    if (!before_last || row_bytes > stride || *before_last + row_bytes > buffer_bytes) {
        return make_error(ErrorCode::kInternal, subject,
                          "{} buffer of {} bytes is too small for {} rows of {} bytes", what,
                          buffer_bytes, rows, stride);
    }
    return {};
}

}  // namespace

Result<void> check_expected(const ImageHeader& header, ExpectedSize expected,
                            const std::string& subject) {
    if ((expected.width_px > 0 && header.layer_width_px != expected.width_px) ||
        (expected.height_px > 0 && header.layer_height_px != expected.height_px)) {
        return make_error(ErrorCode::kWrongSize, subject,
                          "layer is {}x{} px, expected {}x{} px like the rest of its folder",
                          header.layer_width_px, header.layer_height_px, expected.width_px,
                          expected.height_px);
    }
    return {};
}

Decoder::Decoder(DecoderOptions options) : options_(options), tj_(tjInitDecompress()) {}

Decoder::~Decoder() {
    if (tj_ != nullptr) tjDestroy(tj_);
}

void* Decoder::jpeg_handle() {
    if (tj_ == nullptr) tj_ = tjInitDecompress();
    return tj_;
}

tl::unexpected<Error> Decoder::jpeg_failure(const char* what, std::size_t file_bytes,
                                            const std::string& subject) {
    const std::string reason = tjGetErrorStr2(tj_);
    // libjpeg-turbo 2.1's tjDecompressHeader3 returns from its error handler without aborting
    // the decompressor, which then stays mid-header and misreads later JPEGs ("Unsupported
    // marker type ...", "header says 0x0 px"). A handle that failed is never trusted again:
    // the next JPEG gets a new one (a few KB; failures are rare).
    tjDestroy(tj_);
    tj_ = nullptr;
    return make_error(ErrorCode::kBadFormat, subject, "{} ({}; {} bytes)", what, reason,
                      file_bytes);
}

Result<void> Decoder::resize_scratch(std::uint64_t bytes, const std::string& subject) {
    if (bytes > options_.limits.max_buffer_bytes || bytes > scratch_.max_size()) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "needs {} bytes of scratch, more than the {} bytes one buffer may have",
                          bytes, options_.limits.max_buffer_bytes);
    }
    try {
        scratch_.resize(static_cast<std::size_t>(bytes));  // grows only for the largest frame
    } catch (const std::bad_alloc&) {
        return make_error(ErrorCode::kTooLarge, subject, "cannot allocate {} bytes of scratch",
                          bytes);
    }
    return {};
}

Result<LayerImage> Decoder::decode_file(const std::filesystem::path& file,
                                        LayerEncoding encoding, BufferPool& pool,
                                        ExpectedSize expected) {
    if (auto read = read_file(file, options_.max_file_bytes, ReadMode::kWhole, file_); !read) {
        return tl::unexpected(read.error());
    }
    return decode_memory(file_, encoding, pool, file.string(), expected);
}

Result<LayerImage> Decoder::decode_memory(std::span<const std::uint8_t> bytes,
                                          LayerEncoding encoding, BufferPool& pool,
                                          const std::string& subject, ExpectedSize expected) {
    if (bytes.empty()) return make_error(ErrorCode::kBadFormat, subject, "empty file (0 bytes)");
    switch (encoding) {
    case LayerEncoding::kSbsJpeg: return decode_jpeg(bytes, true, pool, subject, expected);
    case LayerEncoding::kOpaqueJpeg: return decode_jpeg(bytes, false, pool, subject, expected);
    case LayerEncoding::kWebp: return decode_webp(bytes, pool, subject, expected);
    case LayerEncoding::kPng: return decode_png(bytes, pool, subject, expected);
    }
    return make_error(ErrorCode::kInternal, subject, "unknown layer encoding");
}

Result<LayerImage> Decoder::acquire_layer(const ImageHeader& header, BufferPool& pool,
                                          const std::string& subject) {
    const auto bytes = image_bytes(static_cast<std::uint64_t>(header.layer_width_px),
                                   static_cast<std::uint64_t>(header.layer_height_px), 4,
                                   options_.limits.max_buffer_bytes);
    if (header.layer_width_px <= 0 || header.layer_height_px <= 0 || !bytes ||
        *bytes > kMaxBufferBytes) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "a {}x{} px RGBA layer is more than the {} bytes one buffer may have",
                          header.layer_width_px, header.layer_height_px,
                          options_.limits.max_buffer_bytes);
    }
    auto buffer = pool.wait_acquire(static_cast<std::size_t>(*bytes), options_.pool_timeout);
    if (!buffer) {
        return make_error(ErrorCode::kCancelled, subject,
                          "no pixel buffer free within {} ms (pool closed or every buffer busy)",
                          options_.pool_timeout.count());
    }
    LayerImage image;
    image.pixels = std::move(*buffer);
    image.width_px = header.layer_width_px;
    image.height_px = header.layer_height_px;
    if (auto ok = check_room(image.pixels.size(), image.stride_bytes(), image.stride_bytes(),
                             static_cast<std::uint64_t>(image.height_px), "layer", subject);
        !ok) {
        return tl::unexpected(ok.error());
    }
    return image;
}

Result<LayerImage> Decoder::decode_jpeg(std::span<const std::uint8_t> bytes, bool sbs,
                                        BufferPool& pool, const std::string& subject,
                                        ExpectedSize expected) {
    if (jpeg_handle() == nullptr) {
        return make_error(ErrorCode::kInternal, subject, "cannot create a JPEG decoder ({})",
                          tjGetErrorStr2(nullptr));
    }
    const auto size = static_cast<unsigned long>(bytes.size());
    int width = 0;
    int height = 0;
    int subsamp = 0;
    int colorspace = 0;
    if (tjDecompressHeader3(tj_, bytes.data(), size, &width, &height, &subsamp, &colorspace) !=
        0) {
        return jpeg_failure("not a readable JPEG", bytes.size(), subject);
    }
    const auto encoding = sbs ? LayerEncoding::kSbsJpeg : LayerEncoding::kOpaqueJpeg;
    auto header = check_dimensions(width, height, encoding, options_.limits, subject);
    if (!header) return tl::unexpected(header.error());
    if (auto ok = check_expected(*header, expected, subject); !ok) return tl::unexpected(ok.error());

    if (sbs) {
        const bool planar = colorspace == TJCS_YCbCr &&
                            (subsamp == TJSAMP_420 || subsamp == TJSAMP_422 ||
                             subsamp == TJSAMP_444);
        if (options_.sbs_via_planes && planar) {
            return decode_sbs_planes(bytes, *header, subsamp, pool, subject);
        }
        return decode_sbs_rgba(bytes, *header, pool, subject);
    }

    // acquire_layer checked the buffer for height rows of stride_bytes, as written here.
    auto image = acquire_layer(*header, pool, subject);
    if (!image) return image;
    if (tjDecompress2(tj_, bytes.data(), size, image->pixels.data(), width,
                      static_cast<int>(image->stride_bytes()), height, TJPF_RGBA,
                      kTjFlags) != 0) {
        return jpeg_failure("JPEG decode failed", bytes.size(), subject);
    }
    return image;
}

Result<LayerImage> Decoder::decode_sbs_planes(std::span<const std::uint8_t> bytes,
                                              const ImageHeader& header, int subsamp,
                                              BufferPool& pool, const std::string& subject) {
    const int width = header.file_width_px;
    const int height = header.file_height_px;
    // Each plane is tjPlaneHeight rows of tjPlaneWidth bytes (the stride we pass), which is
    // what tjDecompressToYUVPlanes writes. Sizes in 64 bits: 32-bit size_t must not wrap.
    int strides[3];
    std::uint64_t offsets[3];
    std::uint64_t total = 0;
    for (int c = 0; c < 3; ++c) {
        strides[c] = tjPlaneWidth(c, width, subsamp);
        const int rows = tjPlaneHeight(c, height, subsamp);
        if (strides[c] <= 0 || rows <= 0) {
            return make_error(ErrorCode::kUnsupported, subject, "unsupported JPEG subsampling {}",
                              subsamp);
        }
        // total stays within max_buffer_bytes, so neither the sum nor the offsets can wrap.
        const std::uint64_t room = options_.limits.max_buffer_bytes - total;
        const auto plane = image_bytes(static_cast<std::uint64_t>(strides[c]),
                                       static_cast<std::uint64_t>(rows), 1, room);
        if (!plane) {
            return make_error(ErrorCode::kTooLarge, subject,
                              "{}x{} px YUV planes are more than the {} bytes one buffer may have",
                              width, height, options_.limits.max_buffer_bytes);
        }
        offsets[c] = total;
        total += *plane;
    }
    if (auto ok = resize_scratch(total, subject); !ok) return tl::unexpected(ok.error());
    unsigned char* planes[3] = {scratch_.data() + offsets[0], scratch_.data() + offsets[1],
                                scratch_.data() + offsets[2]};
    if (tjDecompressToYUVPlanes(tj_, bytes.data(), static_cast<unsigned long>(bytes.size()),
                                planes, width, strides, height, kTjFlags) != 0) {
        return jpeg_failure("JPEG decode failed", bytes.size(), subject);
    }
    auto image = acquire_layer(header, pool, subject);
    if (!image) return image;

    const int layer_w = header.layer_width_px;
    std::uint8_t* dst = image->pixels.data();
    const int dst_stride = static_cast<int>(image->stride_bytes());
    // libyuv writes "ARGB" as B,G,R,A in memory; swapping U and V and using the swapped
    // full-range (JFIF) BT.601 matrix gives R,G,B,A. Subsampled chroma is upsampled
    // bilinearly, as libjpeg-turbo's own (triangle) upsampling does, not by repetition.
    const libyuv::YuvConstants* jfif_rgba = &libyuv::kYvuJPEGConstants;
    int rc = 0;
    switch (subsamp) {
    case TJSAMP_420:
        rc = libyuv::I420ToARGBMatrixFilter(planes[0], strides[0], planes[2], strides[2],
                                            planes[1], strides[1], dst, dst_stride, jfif_rgba,
                                            layer_w, height, libyuv::kFilterBilinear);
        break;
    case TJSAMP_422:
        rc = libyuv::I422ToARGBMatrixFilter(planes[0], strides[0], planes[2], strides[2],
                                            planes[1], strides[1], dst, dst_stride, jfif_rgba,
                                            layer_w, height, libyuv::kFilterBilinear);
        break;
    default:
        rc = libyuv::J444ToABGR(planes[0], strides[0], planes[1], strides[1], planes[2],
                                strides[2], dst, dst_stride, layer_w, height);
        break;
    }
    if (rc != 0) {
        return make_error(ErrorCode::kInternal, subject, "colour conversion failed ({})", rc);
    }
    // The mask half's luma is the alpha: threshold it in place, then copy it into A.
    std::uint8_t* mask = planes[0] + layer_w;
    for (int y = 0; y < height; ++y) threshold_mask_row(mask + static_cast<std::size_t>(y) * strides[0], layer_w);
    libyuv::ARGBCopyYToAlpha(mask, strides[0], dst, dst_stride, layer_w, height);
    return image;
}

Result<LayerImage> Decoder::decode_sbs_rgba(std::span<const std::uint8_t> bytes,
                                            const ImageHeader& header, BufferPool& pool,
                                            const std::string& subject) {
    const int width = header.file_width_px;
    const int height = header.file_height_px;
    const std::size_t row_bytes = static_cast<std::size_t>(width) * 4;  // < 2^31: checked
    const auto total = image_bytes(static_cast<std::uint64_t>(width),
                                   static_cast<std::uint64_t>(height), 4,
                                   options_.limits.max_buffer_bytes);
    if (!total) {
        return make_error(ErrorCode::kTooLarge, subject,
                          "a {}x{} px RGBA image is more than the {} bytes one buffer may have",
                          width, height, options_.limits.max_buffer_bytes);
    }
    if (auto ok = resize_scratch(*total, subject); !ok) return tl::unexpected(ok.error());
    if (auto ok = check_room(scratch_.size(), row_bytes, row_bytes,
                             static_cast<std::uint64_t>(height), "RGBA scratch", subject);
        !ok) {
        return tl::unexpected(ok.error());
    }
    if (tjDecompress2(tj_, bytes.data(), static_cast<unsigned long>(bytes.size()),
                      scratch_.data(), width, static_cast<int>(row_bytes), height, TJPF_RGBA,
                      kTjFlags) != 0) {
        return jpeg_failure("JPEG decode failed", bytes.size(), subject);
    }
    auto image = acquire_layer(header, pool, subject);
    if (!image) return image;
    const int layer_w = header.layer_width_px;
    for (int y = 0; y < height; ++y) {
        const std::uint8_t* src = scratch_.data() + static_cast<std::size_t>(y) * row_bytes;
        const std::uint8_t* mask = src + static_cast<std::size_t>(layer_w) * 4;
        std::uint8_t* dst = image->pixels.data() + static_cast<std::size_t>(y) * image->stride_bytes();
        for (int x = 0; x < layer_w; ++x) {
            const std::uint8_t m = mask[4 * x];  // red channel of the mask half
            dst[4 * x + 0] = src[4 * x + 0];
            dst[4 * x + 1] = src[4 * x + 1];
            dst[4 * x + 2] = src[4 * x + 2];
            dst[4 * x + 3] = m < kSbsAlphaThreshold ? 0 : m;
        }
    }
    return image;
}

Result<LayerImage> Decoder::decode_webp(std::span<const std::uint8_t> bytes, BufferPool& pool,
                                        const std::string& subject, ExpectedSize expected) {
    auto header = parse_header(bytes, LayerEncoding::kWebp, options_.limits, subject);
    if (!header) return tl::unexpected(header.error());
    if (auto ok = check_expected(*header, expected, subject); !ok) return tl::unexpected(ok.error());
    auto image = acquire_layer(*header, pool, subject);
    if (!image) return image;
    if (WebPDecodeRGBAInto(bytes.data(), bytes.size(), image->pixels.data(),
                           image->pixels.size(), static_cast<int>(image->stride_bytes())) ==
        nullptr) {
        return make_error(ErrorCode::kBadFormat, subject,
                          "WebP decode failed (truncated or corrupt data; {} bytes)", bytes.size());
    }
    return image;
}

Result<LayerImage> Decoder::decode_png(std::span<const std::uint8_t> bytes, BufferPool& pool,
                                       const std::string& subject, ExpectedSize expected) {
    auto header = parse_header(bytes, LayerEncoding::kPng, options_.limits, subject);
    if (!header) return tl::unexpected(header.error());
    if (auto ok = check_expected(*header, expected, subject); !ok) return tl::unexpected(ok.error());
    std::unique_ptr<spng_ctx, SpngDeleter> ctx(spng_ctx_new(0));
    if (!ctx) return make_error(ErrorCode::kInternal, subject, "cannot create a PNG decoder");
    spng_set_image_limits(ctx.get(), options_.limits.max_side_px, options_.limits.max_side_px);
    spng_set_chunk_limits(ctx.get(), 16u << 20, 64u << 20);
    spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
    std::size_t out_size = 0;
    if (const int rc = spng_decoded_image_size(ctx.get(), SPNG_FMT_RGBA8, &out_size); rc != 0) {
        return make_error(ErrorCode::kBadFormat, subject, "PNG decode failed ({}; {} bytes)",
                          spng_strerror(rc), bytes.size());
    }
    auto image = acquire_layer(*header, pool, subject);
    if (!image) return image;
    if (out_size != image->pixels.size()) {
        return make_error(ErrorCode::kInternal, subject, "PNG decoded size {} != {} expected",
                          out_size, image->pixels.size());
    }
    if (const int rc = spng_decode_image(ctx.get(), image->pixels.data(), out_size,
                                         SPNG_FMT_RGBA8, SPNG_DECODE_TRNS);
        rc != 0) {
        return make_error(ErrorCode::kBadFormat, subject, "PNG decode failed ({}; {} bytes)",
                          spng_strerror(rc), bytes.size());
    }
    return image;
}

}  // namespace interleave::loader
