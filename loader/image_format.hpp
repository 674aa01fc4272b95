// File kinds, layer encodings, header probing and the size limits checked before any pixel
// buffer is allocated. Thread: any (no shared state; each call opens its own file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace interleave::loader {

// What a file is, by its extension (case-insensitive): .jpg/.jpeg, .webp, .png.
enum class FileKind : std::uint8_t { kJpeg, kWebp, kPng, kOther };

[[nodiscard]] FileKind file_kind_from_name(std::string_view filename);
[[nodiscard]] std::string_view to_string(FileKind kind);

// How a file becomes one RGBA layer.
enum class LayerEncoding : std::uint8_t {
    kSbsJpeg,     // left half RGB, right half alpha mask (its luma); the layer is half as wide
    kOpaqueJpeg,  // plain JPEG, alpha 255
    kWebp,        // RGB or RGBA WebP
    kPng,         // gray, gray+alpha, RGB, RGBA or palette PNG
};

[[nodiscard]] std::string_view to_string(LayerEncoding encoding);
// JPEG files become kSbsJpeg or kOpaqueJpeg depending on the layer's setting.
[[nodiscard]] LayerEncoding encoding_for(FileKind kind, bool jpeg_is_sbs);

// The most bytes one pixel buffer can span on this platform (2 GiB - 1 with 32-bit
// pointers, as on armhf Raspberry Pi OS).
inline constexpr std::uint64_t kMaxBufferBytes =
    static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max());

// Refuse absurd headers before allocating: > 16384 px on a side or > 256 Mpx (10^6) per file,
// or a file whose decode needs a buffer larger than max_buffer_bytes. The largest buffer a
// decode needs is the whole file as RGBA (4 bytes a pixel; the SBS full-RGB path), so the
// check is width x height x 4, in 64-bit arithmetic. The default is what the platform can
// address; tests pass 32-bit figures to check the arithmetic on any platform.
struct ImageLimits {
    std::uint32_t max_side_px = 16384;
    std::uint64_t max_pixels = 256'000'000;
    std::uint64_t max_buffer_bytes = kMaxBufferBytes;
};

// Bytes of a width x height image of `bytes_per_px` bytes a pixel, computed in 64-bit
// arithmetic without overflow; nullopt when that is more than `max_bytes`. (A 32-bit size_t
// wraps 32768 x 32768 x 4 to 0.)
[[nodiscard]] std::optional<std::uint64_t> image_bytes(std::uint64_t width_px,
                                                       std::uint64_t height_px,
                                                       std::uint64_t bytes_per_px,
                                                       std::uint64_t max_bytes);

// What a header says, before any pixel is decoded.
struct ImageHeader {
    int file_width_px = 0;   // as stored (an SBS JPEG is twice the layer's width)
    int file_height_px = 0;
    int layer_width_px = 0;  // the RGBA layer it decodes to
    int layer_height_px = 0;
    bool has_alpha = false;  // SBS masks, RGBA WebP, PNG with alpha or tRNS
};

// Parses the header in `bytes` (the start of the file, or all of it) and checks the limits.
// `subject` names the file in errors.
[[nodiscard]] Result<ImageHeader> parse_header(std::span<const std::uint8_t> bytes,
                                               LayerEncoding encoding, const ImageLimits& limits,
                                               const std::string& subject);

// Reads as little of `file` as its header needs (64 KiB, more only for JPEGs whose frame
// header sits further in) and parses it.
[[nodiscard]] Result<ImageHeader> probe_file(const std::filesystem::path& file,
                                             LayerEncoding encoding, const ImageLimits& limits);

// Shared by the probe and the decoders: the limits, the buffer size and the SBS rules on raw
// dimensions. kTooLarge names the limit that was exceeded.
[[nodiscard]] Result<ImageHeader> check_dimensions(int width_px, int height_px,
                                                   LayerEncoding encoding,
                                                   const ImageLimits& limits,
                                                   const std::string& subject);

}  // namespace interleave::loader
