// File kinds, layer encodings, header probing and the size limits checked before any pixel
// buffer is allocated. Thread: any (no shared state; each call opens its own file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
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

// Refuse absurd headers before allocating: > 16384 px on a side or > 256 Mpx (10^6) per file.
struct ImageLimits {
    std::uint32_t max_side_px = 16384;
    std::uint64_t max_pixels = 256'000'000;
};

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

// Shared by the probe and the decoders: the limits and the SBS rules on raw dimensions.
[[nodiscard]] Result<ImageHeader> check_dimensions(int width_px, int height_px,
                                                   LayerEncoding encoding,
                                                   const ImageLimits& limits,
                                                   const std::string& subject);

}  // namespace interleave::loader
