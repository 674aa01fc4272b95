// The ascii.* config keys as the converter's options, for the outputs that show text (the
// terminal and telnet sinks). Pure functions; any thread.
#pragma once

#include "config/config.hpp"
#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::app {

// The grid when neither ascii.size, the terminal nor the client tells one (the original's).
inline constexpr int kDefaultAsciiCols = 60;
inline constexpr int kDefaultAsciiRows = 40;
// The converter's limit on a side.
inline constexpr int kMaxAsciiCells = 1000;

struct CellSize {
    int cols = 0;
    int rows = 0;
    bool operator==(const CellSize&) const = default;
};

// The grid to draw: ascii.size when set (nonzero), else `viewer` (the terminal's TIOCGWINSZ or
// a telnet client's NAWS size) when both sides are positive, else 60x40. Each side is clamped
// to 1..1000.
[[nodiscard]] CellSize ascii_grid(const config::AsciiConfig& ascii, CellSize viewer);

// The converter's colour mode for ascii.color.
[[nodiscard]] renderer::ascii::ColorMode ascii_color_mode(config::AsciiColor color);

// ascii.* (look: font aspect, saturation, brightness, contrast, gamma, colour, blur, half
// block, reverse) with a grid of `cols` x `rows` cells (clamped to 1..1000).
[[nodiscard]] renderer::ascii::AsciiOptions ascii_options(const config::AsciiConfig& ascii,
                                                          int cols, int rows);
[[nodiscard]] inline renderer::ascii::AsciiOptions ascii_options(const config::AsciiConfig& ascii,
                                                                 CellSize grid) {
    return ascii_options(ascii, grid.cols, grid.rows);
}

}  // namespace interleave::app
