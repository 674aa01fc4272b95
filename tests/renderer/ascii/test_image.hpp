// A small RGBA image for the ASCII converter tests. Thread: the test's.
#pragma once

#include <cstdint>
#include <vector>

#include "renderer/ascii/ascii_converter.hpp"
#include "renderer/cpu/rgba_view.hpp"

namespace interleave::renderer::ascii::test {

struct Rgb {
    std::uint8_t r = 0, g = 0, b = 0;
};

struct Image {
    int width = 0, height = 0;
    std::vector<std::uint8_t> pixels;
    Image(int w, int h, Rgb fill = {}) : width(w), height(h), pixels(std::size_t(w) * h * 4) {
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) set(x, y, fill);
        }
    }
    void set(int x, int y, Rgb c, std::uint8_t a = 255) {
        std::uint8_t* p = &pixels[(std::size_t(y) * width + x) * 4];
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
        p[3] = a;
    }
    [[nodiscard]] cpu::RgbaView view() const { return {pixels.data(), width, height, width * 4}; }
};

// Options that leave colours as they are: square cells, no grading, no blur.
inline AsciiOptions neutral(int cols, int rows, ColorMode color = ColorMode::k256) {
    AsciiOptions o;
    o.cols = cols;
    o.rows = rows;
    o.font_aspect = 1.0;
    o.saturation = 1.0;
    o.brightness = 1.0;
    o.contrast = 1.0;
    o.gamma = 1.0;
    o.blur = 0;
    o.color = color;
    return o;
}

inline TextFrame convert(const AsciiOptions& o, const Image& image) {
    AsciiConverter converter(o);
    TextFrame frame;
    converter.convert(image.view(), frame);
    return frame;
}

// The original's glyph for a grey level: (255 - g) / 255 * 36, rounded down.
inline char glyph_of(int grey) {
    return kPalette[std::size_t((255 - grey) * 36 / 255)];
}

inline constexpr Rgb kWhite{255, 255, 255}, kBlack{0, 0, 0}, kRed{255, 0, 0}, kGreen{0, 255, 0},
    kBlue{0, 0, 255};

}  // namespace interleave::renderer::ascii::test
