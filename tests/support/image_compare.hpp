// Compares decoded RGBA layers against expected pixels with a stated tolerance. On failure it
// writes the actual image and a diff as PNGs and names both paths in the assertion message.
// Thread: any.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include <gtest/gtest.h>

#include "tests/support/image_writers.hpp"

namespace interleave::test {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 0;
};

// Reads pixel (x, y) of tightly packed RGBA.
[[nodiscard]] Rgba rgba_at(const std::uint8_t* pixels, int width, int x, int y);

// Which pixels to compare: true to check (x, y). Default: all.
using PixelMask = std::function<bool(int x, int y)>;

// Every checked pixel of `actual` (tightly packed RGBA, width x height) is within `tolerance`
// of `expected` (a 4-channel Image of the same size) on every channel.
[[nodiscard]] ::testing::AssertionResult rgba_near(const std::uint8_t* actual, int width,
                                                   int height, const Image& expected,
                                                   int tolerance, std::string_view name,
                                                   const PixelMask& checked = {});

// Largest per-channel difference between two RGBA images over the checked pixels.
[[nodiscard]] int max_channel_difference(const std::uint8_t* a, const std::uint8_t* b, int width,
                                         int height, const PixelMask& checked = {});

}  // namespace interleave::test
