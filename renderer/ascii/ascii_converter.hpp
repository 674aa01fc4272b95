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
// Out-of-range values are clamped when used (never asserted); options() returns them as given.
struct AsciiOptions {
    int cols = 60;               // cells across; 1..1000
    int rows = 40;               // cells down; 1..1000
    double font_aspect = 0.5;    // a cell's width / height; 0.1..10
    double saturation = 0.9;     // HSV saturation factor; 0..8
    double brightness = 1.4;     // HSV value factor (after contrast); 0..8
    double contrast = 1.2;       // on the HSV value, around mid grey (128); 0..8
    double gamma = 0.9;          // on the grey level that picks the character; 0.1..10
    ColorMode color = ColorMode::k256;
    int blur = 7;                // colour blur width in cells: 0 | 3 | 5 | 7 (odd, up to 15)
    bool half_block = false;     // "▀": foreground = top half, background = bottom half
                                 // (ignored in kMono, which has no colour to show halves)
    bool reverse = false;        // palette from blank to dense (light terminals)
    bool operator==(const AsciiOptions&) const = default;
};

// The palette, from dense to blank (the original's). A cell's grey level g (0..255, after
// gamma) picks kPalette[(255 - g) * 36 / 255] (the original's formula, rounded down): white
// is 'M', black is ' ', so bright content is dense on a dark terminal. `reverse` flips it.
inline constexpr std::string_view kPalette = "MWB8GRDNHESAVTOLPmevncray97stji1-/., ";
// The half block "▀" in UTF-8.
inline constexpr std::string_view kHalfBlock = "\xe2\x96\x80";

// One cell. `glyph` is a byte of kPalette, or 0 for the half block "▀". Colours by mode:
// k256 and k16 an index (0..255, 0..15), kTrueColor 0xRRGGBB, kMono 0. `bg` is used only in
// half-block mode. A blank glyph (' ') outside half-block mode shows no colour: convert()
// gives it fg 0 and the encoders write no colour escape for it.
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
    ~AsciiConverter();
    // A copy has its own state (a copy of the hysteresis levels): converters never share.
    AsciiConverter(const AsciiConverter& other);
    AsciiConverter& operator=(const AsciiConverter& other);
    AsciiConverter(AsciiConverter&&) noexcept;
    AsciiConverter& operator=(AsciiConverter&&) noexcept;

    // Converts `frame` into `out` (its storage reused: no allocation once sized). Each cell
    // is the area average (box filter) of its source rectangle: the frame is scaled to cover
    // the grid at the font aspect, centre-cropped. Alpha is ignored (treated as opaque).
    // Keeps the previous frame's cell averages and holds each cell at them while its new
    // average stays within 2 levels (of 255) in every channel, so still content with noise
    // does not shimmer. An empty frame converts as a black one (blank cells in glyph mode).
    void convert(const cpu::RgbaView& frame, TextFrame& out);
    // Changes size or look; the next convert starts afresh (no hysteresis across it).
    void set_options(const AsciiOptions& options);
    [[nodiscard]] const AsciiOptions& options() const { return options_; }

private:
    AsciiOptions options_;
    // Implementation state (tables, spans, scratch rows, the previous frame's levels).
    struct State;
    std::unique_ptr<State> state_;
};

// [SECTION] Encoders. Each replaces the contents of `out` (its capacity reused). A colour escape is written only
// when the colour changes (foreground and background together in one escape where both
// change); the colour state carries across rows; every frame ends with a reset (CSI 0m).
// Colours: k256 CSI 38;5;N m (background 48;5;N), kTrueColor CSI 38;2;R;G;B m (48;2;...),
// k16 CSI 30..37 / 90..97 m (40..47 / 100..107), kMono none. A frame whose cells do not
// number cols * rows writes nothing.

// Half-block cells are written as "▀" (fg top, bg bottom) or "▄" (the colours swapped),
// whichever needs fewer colour changes, and a cell whose halves match as a space on its
// background.

// A whole frame for a screen: [CSI ?2026h] CSI H, the rows joined by CR LF (none after the
// last row, so a grid as tall as the terminal does not scroll), CSI 0m [CSI ?2026l].
void encode_full(const TextFrame& frame, std::string& out, bool synchronized = true);
// Only the cells of `next` that differ from `prev` (same_shape required; otherwise a full
// frame), bracketed by synchronized output. Over an unchanged run the cursor moves by the
// cheapest of CSI n C (same row), CR LF (rows below), CSI r;c H, or rewriting a short gap;
// the colour state is tracked across moves (it starts at the default: the previous frame
// ended with a reset). Cell positions assume the grid at the screen's top left, as
// encode_full puts it. An unchanged frame writes nothing at all (out stays empty).
void encode_diff(const TextFrame& prev, const TextFrame& next, std::string& out,
                 bool synchronized = true);
// A frame for a pipe or file: no cursor movement, no screen switching; each row ends in CR LF
// (the colour reset before it, so each row stands alone), then one blank line (CR LF). In
// kMono there are no escapes at all: plain text.
void encode_plain(const TextFrame& frame, std::string& out);

// [SECTION] Colour mapping, exposed for tests.

// The nearest xterm-256 colour (cube levels 0, 95, 135, 175, 215, 255 and the grey ramp
// 232..255; never 0..15, which terminals redefine) by the "redmean" weighted RGB distance,
// looked up in a 64x64x64 table (nearest to the centre of each 4-level bin). Cube black (16)
// becomes 235 (grey 38) so dark glyphs stay visible; half-block cells keep true black.
[[nodiscard]] std::uint8_t xterm256_of(std::uint8_t r, std::uint8_t g, std::uint8_t b);
// The nearest of the 16 basic colours (0..15, xterm's default RGB values) by the same
// distance (a 32x32x32 table); black (0) becomes 8 (bright black) for visibility.
[[nodiscard]] std::uint8_t ansi16_of(std::uint8_t r, std::uint8_t g, std::uint8_t b);

}  // namespace interleave::renderer::ascii
