// Encoders that turn pixels into JPEG (plain and side-by-side), WebP and PNG bytes, plus the
// synthetic pictures tests decode and compare against. Thread: any (no shared state).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace interleave::test {

// Tightly packed 8-bit pixels: 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels.
struct Image {
    int width = 0;
    int height = 0;
    int channels = 3;
    std::vector<std::uint8_t> pixels;

    Image() = default;
    Image(int w, int h, int c)
        : width(w), height(h), channels(c),
          pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) *
                 static_cast<std::size_t>(c)) {}

    [[nodiscard]] std::uint8_t* at(int x, int y) {
        return pixels.data() + (static_cast<std::size_t>(y) * width + x) * channels;
    }
    [[nodiscard]] const std::uint8_t* at(int x, int y) const {
        return pixels.data() + (static_cast<std::size_t>(y) * width + x) * channels;
    }
};

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
};

// A picture of `channels` channels filled with one value per channel.
[[nodiscard]] Image solid(int width, int height, std::initializer_list<std::uint8_t> value);

// Four flat quadrants (top-left, top-right, bottom-left, bottom-right). With sizes that are
// multiples of 16, JPEG reproduces flat blocks within a few levels whatever the subsampling.
[[nodiscard]] Image quadrants(int width, int height, Rgb tl, Rgb tr, Rgb bl, Rgb br);
// A 1-channel mask of four flat quadrants.
[[nodiscard]] Image mask_quadrants(int width, int height, std::uint8_t tl, std::uint8_t tr,
                                   std::uint8_t bl, std::uint8_t br);

// Smooth gradients plus mild deterministic noise, like a photograph: what JPEG is made for.
// `neutral_edge_px` columns at the right edge fade to gray (neutral chroma), as SBS content
// does so that chroma upsampling cannot tint the mask across the seam.
[[nodiscard]] Image photo_like(int width, int height, std::uint32_t seed,
                               int neutral_edge_px = 0);
// A soft mask: 0 outside an ellipse, 255 inside, a smooth ramp between, mild noise.
[[nodiscard]] Image soft_mask(int width, int height, std::uint32_t seed);

// The left half is `rgb` (3 channels), the right half is `mask` (1 channel) as gray RGB.
[[nodiscard]] Image side_by_side(const Image& rgb, const Image& mask);

// TurboJPEG. `subsamp` is a TJSAMP_* value; a 1-channel image is always encoded as gray.
[[nodiscard]] std::vector<std::uint8_t> encode_jpeg(const Image& image, int subsamp,
                                                    int quality = 95);
// An SBS frame: side_by_side(rgb, mask) encoded as one JPEG.
[[nodiscard]] std::vector<std::uint8_t> encode_sbs_jpeg(const Image& rgb, const Image& mask,
                                                        int subsamp, int quality = 95);

// WebP from 3- or 4-channel pixels. Lossless keeps every value exactly (even the colour of
// fully transparent pixels); lossy is what content usually ships as.
[[nodiscard]] std::vector<std::uint8_t> encode_webp_lossless(const Image& image);
[[nodiscard]] std::vector<std::uint8_t> encode_webp_lossy(const Image& image, float quality = 90);

// 8-bit PNG: gray, gray+alpha, RGB or RGBA by the image's channel count.
[[nodiscard]] std::vector<std::uint8_t> encode_png(const Image& image);
// 8-bit palette PNG with a tRNS chunk giving each palette entry its alpha.
struct PaletteEntry {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
};
[[nodiscard]] std::vector<std::uint8_t> encode_png_palette(int width, int height,
                                                           std::span<const PaletteEntry> palette,
                                                           std::span<const std::uint8_t> indices);

// Rewrites a PNG's IHDR width and height and recomputes the chunk's CRC.
void patch_png_size(std::vector<std::uint8_t>& png, std::uint32_t width, std::uint32_t height);
// Rewrites a baseline JPEG's frame header (SOF0/1/2) height and width.
void patch_jpeg_size(std::vector<std::uint8_t>& jpeg, std::uint16_t width, std::uint16_t height);
// Rewrites a lossless WebP's (VP8L) width and height, 1..16384 each.
void patch_webp_size(std::vector<std::uint8_t>& webp, std::uint32_t width, std::uint32_t height);

// [SECTION] Damaged files: what a broken frame looks like on disk, for the bad-input tests.
enum class Damage {
    kEmpty,            // 0 bytes
    kTruncatedHeader,  // cut inside the headers (the first 20 bytes)
    kTruncatedBody,    // cut in the middle of the pixel data (the first half)
    kCorruptHeader,    // JPEG: SOI, a frame header with absurd values, then garbage; WebP: a
                       // broken VP8L signature; PNG: a broken IHDR CRC
    kCorruptBody,      // JPEG: end-of-image markers inside the entropy-coded data; WebP and
                       // PNG: the middle of the compressed data overwritten (PNG: CRC fixed,
                       // so the zlib stream itself is what is broken)
    kRandomBytes,      // 4 KiB of deterministic noise
    kText,             // a line of text named like an image
    kAbsurdSize,       // a valid file whose header claims 60000x60000 px (WebP: 16384x16384)
};
inline constexpr Damage kAllDamages[] = {
    Damage::kEmpty,       Damage::kTruncatedHeader, Damage::kTruncatedBody, Damage::kCorruptHeader,
    Damage::kCorruptBody, Damage::kRandomBytes,     Damage::kText,          Damage::kAbsurdSize};

[[nodiscard]] std::string_view to_string(Damage damage);

// A damaged copy of `good`, a JPEG, lossless WebP or PNG file (told apart by its first bytes).
// Aborts the test run when `good` is none of these.
[[nodiscard]] std::vector<std::uint8_t> damaged(std::span<const std::uint8_t> good,
                                                Damage damage);

}  // namespace interleave::test
