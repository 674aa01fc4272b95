// rgba_near: tolerance checks that leave the evidence on disk when they fail.
#include "tests/support/image_compare.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "tests/support/temp_dir.hpp"

namespace interleave::test {

Rgba rgba_at(const std::uint8_t* pixels, int width, int x, int y) {
    const std::uint8_t* p = pixels + (static_cast<std::size_t>(y) * width + x) * 4;
    return {p[0], p[1], p[2], p[3]};
}

int max_channel_difference(const std::uint8_t* a, const std::uint8_t* b, int width, int height,
                           const PixelMask& checked) {
    int worst = 0;
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            if (checked && !checked(x, y)) continue;
            const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 4;
            for (int c = 0; c < 4; ++c) worst = std::max(worst, std::abs(a[i + c] - b[i + c]));
        }
    }
    return worst;
}

::testing::AssertionResult rgba_near(const std::uint8_t* actual, int width, int height,
                                     const Image& expected, int tolerance, std::string_view name,
                                     const PixelMask& checked) {
    if (expected.channels != 4 || expected.width != width || expected.height != height) {
        return ::testing::AssertionFailure()
               << name << ": expected a " << width << "x" << height << " RGBA reference, got "
               << expected.width << "x" << expected.height << "x" << expected.channels;
    }
    int bad = 0;
    int worst = 0;
    std::string first;
    Image diff(width, height, 4);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const std::size_t i = (static_cast<std::size_t>(y) * width + x) * 4;
            int d = 0;
            for (int c = 0; c < 4; ++c) {
                d = std::max(d, std::abs(actual[i + c] - expected.pixels[i + c]));
            }
            const bool check = !checked || checked(x, y);
            std::uint8_t* out = diff.at(x, y);
            out[0] = static_cast<std::uint8_t>(std::min(255, d * 8));
            out[1] = out[2] = 0;
            out[3] = 255;
            if (!check || d <= tolerance) continue;
            worst = std::max(worst, d);
            if (bad++ == 0) {
                const Rgba a = rgba_at(actual, width, x, y);
                const Rgba e = rgba_at(expected.pixels.data(), width, x, y);
                first = fmt::format("first at ({}, {}): got {},{},{},{} expected {},{},{},{}", x, y,
                                    a.r, a.g, a.b, a.a, e.r, e.g, e.b, e.a);
            }
        }
    }
    if (bad == 0) return ::testing::AssertionSuccess();

    // Leave the evidence where the test runner keeps temporary output.
    const std::filesystem::path dir =
        std::filesystem::path(::testing::TempDir()) / "interleave-image-failures";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    Image actual_image(width, height, 4);
    std::copy_n(actual, actual_image.pixels.size(), actual_image.pixels.begin());
    const auto actual_path = dir / fmt::format("{}-actual.png", name);
    const auto diff_path = dir / fmt::format("{}-diff.png", name);
    write_file(actual_path, encode_png(actual_image));
    write_file(diff_path, encode_png(diff));
    return ::testing::AssertionFailure()
           << name << ": " << bad << " pixels differ by more than " << tolerance << " (worst "
           << worst << "); " << first << "\n  actual: " << actual_path.string()
           << "\n  diff (red = 8 x difference): " << diff_path.string();
}

}  // namespace interleave::test
