// Scalar reference of the CPU compositor's fused blend pass: the definition that every SIMD
// target must match bit for bit. Thread: any (pure functions, no state).
#pragma once

#include <cstdint>

namespace interleave::renderer::cpu {

// The background colour, 0..255 per channel. Output alpha is always 255.
struct BgColour {
    std::uint8_t r = 4, g = 4, b = 4;  // the original project's default background
};

// Exact rounding of x / 255 to nearest for x in 0..65025 (255 * 255): with y = x + 128,
//   div255_round(x) = (y + (y >> 8)) >> 8  ==  (y * 257) >> 16.
// No tie exists (255 is odd), so "to nearest" needs no tie rule. Verified for all 65026
// values by tests/renderer/cpu/blend_test.cpp. The GL path matches within +-2.
[[nodiscard]] constexpr std::uint32_t div255_round(std::uint32_t x) {
    const std::uint32_t y = x + 128;
    return (y + (y >> 8)) >> 8;
}

// One stage of the blend: mix(c1, c2, a) on 8-bit values, rounded to nearest:
//   mix8(c1, c2, a) = div255_round(c1 * (255 - a) + c2 * a)
[[nodiscard]] constexpr std::uint8_t mix8(std::uint32_t c1, std::uint32_t c2, std::uint32_t a) {
    return static_cast<std::uint8_t>(div255_round(c1 * (255 - a) + c2 * a));
}

// The fused pass over one row of `width_px` pixels. Every input is tightly packed RGBA8 with
// straight alpha (the decoder already turned SBS JPEG and RGB sources into RGBA: alpha 255 for
// RGB, the SBS mask with values below 13, i.e. below 0.05, set to 0). Per channel c of r, g, b:
//   s       = mix8(bg.c, main.c, main.a)      stage 1, rounded to 8 bits
//   out.c   = mix8(s, float.c, float.a)       stage 2, rounded again
//   out.a   = 255
// i.e. out = mix(mix(bg, main.rgb, main.a), float.rgb, float.a) as in DESIGN.md.
// `out` may be the same buffer as `main_rgba` or `float_rgba` (in place); no other overlap.
void blend_row_scalar(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba,
                      BgColour bg, std::uint8_t* out_rgba, int width_px);

}  // namespace interleave::renderer::cpu
