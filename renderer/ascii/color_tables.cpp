// The colour tables: each entry is the candidate nearest to its bin's centre by the redmean
// distance (compuphase's weighted RGB: 2 + r/256, 4, 2 + (255 - r)/256, r the mean red),
// evaluated exactly in integers so every platform builds the same table.
#include "renderer/ascii/color_tables.hpp"

#include <array>
#include <cstdlib>
#include <vector>

#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::renderer::ascii {
namespace detail {
namespace {

constexpr std::array<int, 6> kCubeLevels = {0, 95, 135, 175, 215, 255};
// xterm's defaults for 0..15.
constexpr std::array<Rgb8, 16> kBasic = {{{0, 0, 0},
                                          {205, 0, 0},
                                          {0, 205, 0},
                                          {205, 205, 0},
                                          {0, 0, 238},
                                          {205, 0, 205},
                                          {0, 205, 205},
                                          {229, 229, 229},
                                          {127, 127, 127},
                                          {255, 0, 0},
                                          {0, 255, 0},
                                          {255, 255, 0},
                                          {92, 92, 255},
                                          {255, 0, 255},
                                          {0, 255, 255},
                                          {255, 255, 255}}};

// Redmean distance times 16 between two colours given in doubled coordinates (0..510), so
// bin centres (x.5) are integers: (2048 + R1 + R2) dR^2 + 4096 dG^2 + (3068 - R1 - R2) dB^2.
std::int64_t distance2(int r1, int g1, int b1, int r2, int g2, int b2) {
    const std::int64_t dr = r1 - r2, dg = g1 - g2, db = b1 - b2;
    return (2048 + r1 + r2) * dr * dr + 4096 * dg * dg + (3068 - r1 - r2) * db * db;
}

int nearest_level(int v2) {  // the cube level index nearest to v2 (doubled); lower on ties
    int best = 0;
    for (int i = 1; i < 6; ++i) {
        if (std::abs(v2 - 2 * kCubeLevels[i]) < std::abs(v2 - 2 * kCubeLevels[best])) best = i;
    }
    return best;
}

// The nearest of 16..255 to (r2, g2, b2) in doubled coordinates; the lowest index on ties.
// For a given cube red level the weights are fixed, so green and blue are each nearest on
// their own: six cube candidates are exact; the 24 ramp greys are all tried.
std::uint8_t nearest256(int r2, int g2, int b2) {
    const int gi = nearest_level(g2);
    const int bi = nearest_level(b2);
    int best = -1;
    std::int64_t best_d = 0;
    for (int ri = 0; ri < 6; ++ri) {
        const std::int64_t d =
            distance2(r2, g2, b2, 2 * kCubeLevels[ri], 2 * kCubeLevels[gi], 2 * kCubeLevels[bi]);
        if (best < 0 || d < best_d) {
            best = 16 + 36 * ri + 6 * gi + bi;
            best_d = d;
        }
    }
    for (int i = 0; i < 24; ++i) {
        const int v = 2 * (8 + 10 * i);
        const std::int64_t d = distance2(r2, g2, b2, v, v, v);
        if (d < best_d) {
            best = 232 + i;
            best_d = d;
        }
    }
    return static_cast<std::uint8_t>(best);
}

std::uint8_t nearest16(int r2, int g2, int b2) {
    int best = 0;
    std::int64_t best_d = 0;
    for (int i = 0; i < 16; ++i) {
        const std::int64_t d =
            distance2(r2, g2, b2, 2 * kBasic[i].r, 2 * kBasic[i].g, 2 * kBasic[i].b);
        if (i == 0 || d < best_d) {
            best = i;
            best_d = d;
        }
    }
    return static_cast<std::uint8_t>(best);
}

}  // namespace

Rgb8 xterm_rgb(int index) {
    if (index < 0 || index > 255) return {};
    if (index < 16) return kBasic[index];
    if (index >= 232) {
        const auto v = static_cast<std::uint8_t>(8 + 10 * (index - 232));
        return {v, v, v};
    }
    const int i = index - 16;
    return {static_cast<std::uint8_t>(kCubeLevels[i / 36]),
            static_cast<std::uint8_t>(kCubeLevels[(i / 6) % 6]),
            static_cast<std::uint8_t>(kCubeLevels[i % 6])};
}

const std::uint8_t* xterm256_table() {
    static const std::vector<std::uint8_t> table = [] {
        std::vector<std::uint8_t> t(64 * 64 * 64);
        // Bin k holds 4k..4k+3: its centre 4k + 1.5 is 8k + 3 doubled.
        for (int r = 0; r < 64; ++r) {
            for (int g = 0; g < 64; ++g) {
                for (int b = 0; b < 64; ++b) {
                    t[r << 12 | g << 6 | b] = nearest256(8 * r + 3, 8 * g + 3, 8 * b + 3);
                }
            }
        }
        return t;
    }();
    return table.data();
}

const std::uint8_t* ansi16_table() {
    static const std::vector<std::uint8_t> table = [] {
        std::vector<std::uint8_t> t(32 * 32 * 32);
        // Bin k holds 8k..8k+7: its centre 8k + 3.5 is 16k + 7 doubled.
        for (int r = 0; r < 32; ++r) {
            for (int g = 0; g < 32; ++g) {
                for (int b = 0; b < 32; ++b) {
                    t[r << 10 | g << 5 | b] = nearest16(16 * r + 7, 16 * g + 7, 16 * b + 7);
                }
            }
        }
        return t;
    }();
    return table.data();
}

}  // namespace detail

std::uint8_t xterm256_of(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    const std::uint8_t i = detail::nearest_xterm256(detail::xterm256_table(), r, g, b);
    return i == 16 ? 235 : i;
}

std::uint8_t ansi16_of(std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    const std::uint8_t i = detail::nearest_ansi16(detail::ansi16_table(), r, g, b);
    return i == 0 ? 8 : i;
}

}  // namespace interleave::renderer::ascii
