// Colour lookup tables for the ASCII converter: the nearest xterm-256 and basic-16 colour of
// an RGB triple by the redmean distance, built once per process on first use.
// Thread: any (built under a function-local static; read-only afterwards).
#pragma once

#include <cstdint>

namespace interleave::renderer::ascii::detail {

struct Rgb8 {
    std::uint8_t r = 0, g = 0, b = 0;
};

// xterm's RGB for a 256-colour index (0..15 xterm's defaults, then the cube and the ramp).
[[nodiscard]] Rgb8 xterm_rgb(int index);

// 64x64x64 entries, index (r >> 2) << 12 | (g >> 2) << 6 | (b >> 2): the nearest of 16..255
// (true black 16 kept; xterm256_of remaps it).
[[nodiscard]] const std::uint8_t* xterm256_table();
// 32x32x32 entries, index (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3): the nearest of 0..15
// (black 0 kept; ansi16_of remaps it).
[[nodiscard]] const std::uint8_t* ansi16_table();

[[nodiscard]] inline std::uint8_t nearest_xterm256(const std::uint8_t* table, unsigned r,
                                                   unsigned g, unsigned b) {
    return table[(r >> 2) << 12 | (g >> 2) << 6 | (b >> 2)];
}
[[nodiscard]] inline std::uint8_t nearest_ansi16(const std::uint8_t* table, unsigned r, unsigned g,
                                                 unsigned b) {
    return table[(r >> 3) << 10 | (g >> 3) << 5 | (b >> 3)];
}

}  // namespace interleave::renderer::ascii::detail
