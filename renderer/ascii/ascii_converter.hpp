// AsciiConverter: a composited RGBA frame to a grid of coloured text cells (the original
// project's look: cover scaling with a font aspect, HSV saturation and value, contrast, gamma,
// a palette ordered by density, xterm-256 colours), and the encoders that turn grids into
// terminal bytes: a whole frame, only the cells that changed, or a plain frame for a pipe.
// Thread: an AsciiConverter belongs to one thread at a time (a sink's); the encoders are pure
// functions, callable from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "renderer/cpu/rgba_view.hpp"

namespace interleave::renderer::ascii {

enum class ColorMode { k256, kTrueColor, k16, kMono };

// The original's defaults (ascii_constants.py), contrast applied (the original never did).
struct AsciiOptions {
    int cols = 60;               // cells across; 1..1000
    int rows = 40;               // cells down; 1..1000
    double font_aspect = 0.5;    // a cell's width / height
    double saturation = 0.9;     // HSV saturation factor
    double brightness = 1.4;     // HSV value factor
    double contrast = 1.2;       // around mid grey
    double gamma = 0.9;          // on the grey level that picks the character
    ColorMode color = ColorMode::k256;
    int blur = 7;                // colour blur width in cells: 0 | 3 | 5 | 7
    bool half_block = false;     // "▀": foreground = top half, background = bottom half
    bool reverse = false;        // palette from blank to dense (light terminals)
    bool operator==(const AsciiOptions&) const = default;
};

// The palette, from dense to blank (the original's).
inline constexpr std::string_view kPalette = "MWB8GRDNHESAVTOLPmevncray97stji1-/., ";

// One cell. `glyph` is a byte of kPalette, or 0 for the half block "▀". Colours by mode:
// k256 and k16 an index (0..255, 0..15), kTrueColor 0xRRGGBB, kMono 0. `bg` is used only in
// half-block mode.
struct Cell {
    char glyph = ' ';
    std::uint32_t fg = 0;
    std::uint32_t bg = 0;
    bool operator==(const Cell&) const = default;
};

// A converted frame: rows * cols cells, row-major.
struct TextFrame {
    int cols = 0;
    int rows = 0;
    ColorMode color = ColorMode::k256;
    bool half_block = false;
    std::vector<Cell> cells;
    // Same size and mode: a diff between the two is meaningful.
    [[nodiscard]] bool same_shape(const TextFrame& o) const {
        return cols == o.cols && rows == o.rows && color == o.color && half_block == o.half_block;
    }
};

class AsciiConverter {
public:
    explicit AsciiConverter(const AsciiOptions& options = {});

    // Converts `frame` into `out` (its storage reused: no allocation once sized). Keeps the
    // previous result to hold each cell's glyph and colour while its input moves less than a
    // quantisation step, so still content does not shimmer. An empty frame gives blank cells.
    void convert(const cpu::RgbaView& frame, TextFrame& out);
    // Changes size or look; the next convert starts afresh (no hysteresis across it).
    void set_options(const AsciiOptions& options);
    [[nodiscard]] const AsciiOptions& options() const { return options_; }

private:
    AsciiOptions options_;
    // Implementation state (scratch rows, the previous frame's levels) lives here.
    struct State;
    std::shared_ptr<State> state_;
};

// [SECTION] Encoders. Each appends to `out` (cleared first). A colour escape is written only
// when the colour changes; every frame ends with a reset (CSI 0m).

// A whole frame for a screen: [CSI ?2026h] CSI H, the rows joined by CR LF, CSI 0m [CSI ?2026l].
void encode_full(const TextFrame& frame, std::string& out, bool synchronized = true);
// Only the cells of `next` that differ from `prev` (same_shape required; otherwise a full
// frame), with cursor moves over unchanged runs, bracketed by synchronized output. An
// unchanged frame writes nothing at all (out stays empty).
void encode_diff(const TextFrame& prev, const TextFrame& next, std::string& out,
                 bool synchronized = true);
// A frame for a pipe or file: no cursor movement, no screen switching; each row ends in CR LF
// (the colour reset before it), then one blank line (CR LF).
void encode_plain(const TextFrame& frame, std::string& out);

// [SECTION] Colour mapping, exposed for tests.

// The nearest xterm-256 colour (cube levels 0, 95, 135, 175, 215, 255 and the grey ramp
// 232..255) by a perceptual distance; pure black maps to 235 (grey) so it stays visible.
[[nodiscard]] std::uint8_t xterm256_of(std::uint8_t r, std::uint8_t g, std::uint8_t b);
// The nearest of the 16 basic colours (0..15), black as 8 (bright black) for visibility.
[[nodiscard]] std::uint8_t ansi16_of(std::uint8_t r, std::uint8_t g, std::uint8_t b);

}  // namespace interleave::renderer::ascii
