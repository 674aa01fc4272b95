// The encoders: golden bytes of tiny frames in every colour mode and in half-block mode,
// built by hand here; diffs (cursor moves, colour state across jumps); plain frames.
#include <string>

#include <gtest/gtest.h>

#include "renderer/ascii/ascii_converter.hpp"
#include "tests/renderer/ascii/test_image.hpp"

namespace interleave::renderer::ascii {
namespace {

using test::convert;
using test::Image;
using test::kBlack;
using test::kBlue;
using test::kGreen;
using test::kRed;
using test::kWhite;
using test::neutral;

const std::string kSyncOn = "\x1b[?2026h";
const std::string kSyncOff = "\x1b[?2026l";
const std::string kHome = "\x1b[H";
const std::string kReset = "\x1b[0m";
const std::string kHalf = "\xe2\x96\x80";

// [white red / black white]: 'M' 231, '9' 196 (luma 76), ' ' (no colour), 'M' 231.
Image two_by_two() {
    Image image(2, 2);
    image.set(0, 0, kWhite);
    image.set(1, 0, kRed);
    image.set(0, 1, kBlack);
    image.set(1, 1, kWhite);
    return image;
}

std::string full(const TextFrame& f, bool sync = true) {
    std::string out = "stale";
    encode_full(f, out, sync);
    return out;
}

TEST(EncodeFull, Golden256) {
    const TextFrame f = convert(neutral(2, 2, ColorMode::k256), two_by_two());
    EXPECT_EQ(full(f), kSyncOn + kHome + "\x1b[38;5;231mM\x1b[38;5;196m9\r\n \x1b[38;5;231mM" +
                           kReset + kSyncOff);
    EXPECT_EQ(full(f, false),
              kHome + "\x1b[38;5;231mM\x1b[38;5;196m9\r\n \x1b[38;5;231mM" + kReset);
}

TEST(EncodeFull, GoldenTrueColor) {
    const TextFrame f = convert(neutral(2, 2, ColorMode::kTrueColor), two_by_two());
    EXPECT_EQ(full(f, false), kHome +
                                  "\x1b[38;2;255;255;255mM\x1b[38;2;255;0;0m9\r\n "
                                  "\x1b[38;2;255;255;255mM" +
                                  kReset);
}

TEST(EncodeFull, Golden16) {
    const TextFrame f = convert(neutral(2, 2, ColorMode::k16), two_by_two());
    EXPECT_EQ(full(f, false), kHome + "\x1b[97mM\x1b[91m9\r\n \x1b[97mM" + kReset);
    // The dark basic colours use 30..37.
    TextFrame dark{1, 1, ColorMode::k16, false, {Cell{'M', 1, 0}}};
    EXPECT_EQ(full(dark, false), kHome + "\x1b[31mM" + kReset);
}

TEST(EncodeFull, GoldenMono) {
    const TextFrame f = convert(neutral(2, 2, ColorMode::kMono), two_by_two());
    EXPECT_EQ(full(f, false), kHome + "M9\r\n M" + kReset);
}

TEST(EncodeFull, GoldenHalfBlock) {
    // Top red green, bottom blue white: fg = top, bg = bottom, both in one escape.
    Image image(2, 2);
    image.set(0, 0, kRed);
    image.set(1, 0, kGreen);
    image.set(0, 1, kBlue);
    image.set(1, 1, kWhite);
    AsciiOptions o = neutral(2, 1);
    o.font_aspect = 0.5;
    o.half_block = true;
    EXPECT_EQ(full(convert(o, image), false),
              kHome + "\x1b[38;5;196;48;5;21m" + kHalf + "\x1b[38;5;46;48;5;231m" + kHalf + kReset);
    o.color = ColorMode::kTrueColor;
    EXPECT_EQ(full(convert(o, image), false), kHome + "\x1b[38;2;255;0;0;48;2;0;0;255m" + kHalf +
                                                  "\x1b[38;2;0;255;0;48;2;255;255;255m" + kHalf +
                                                  kReset);
    // In 16 colours pure blue is nearest to 4 (xterm's 0,0,238), not 12 (92,92,255): bg 44.
    o.color = ColorMode::k16;
    EXPECT_EQ(full(convert(o, image), false),
              kHome + "\x1b[91;44m" + kHalf + "\x1b[92;107m" + kHalf + kReset);
    // Only the colour that changes is written.
    TextFrame f{
        3, 1, ColorMode::k256, true, {Cell{0, 196, 21}, Cell{0, 196, 231}, Cell{0, 46, 231}}};
    EXPECT_EQ(full(f, false), kHome + "\x1b[38;5;196;48;5;21m" + kHalf + "\x1b[48;5;231m" + kHalf +
                                  "\x1b[38;5;46m" + kHalf + kReset);
}

TEST(EncodeFull, HalfBlocksFlipOrTurnIntoSpacesToSaveEscapes) {
    const std::string lower = "\xe2\x96\x84";
    // (196 over 21) sets the pen to fg 196, bg 21; (21 over 196) is then "▄" with no escape;
    // (21 over 21) a space on the pen's background 21, no escape; (46 over 46) a space after
    // a background change only.
    TextFrame f{4,
                1,
                ColorMode::k256,
                true,
                {Cell{0, 196, 21}, Cell{0, 21, 196}, Cell{0, 21, 21}, Cell{0, 46, 46}}};
    EXPECT_EQ(full(f, false),
              kHome + "\x1b[38;5;196;48;5;21m" + kHalf + lower + " " + "\x1b[48;5;46m " + kReset);
}

TEST(EncodeFull, OneEscapePerColourRunAcrossRows) {
    const TextFrame f = convert(neutral(3, 2), Image(3, 2, kWhite));
    EXPECT_EQ(full(f, false), kHome + "\x1b[38;5;231mMMM\r\nMMM" + kReset);
}

TEST(EncodeFull, MalformedFrameWritesNothing) {
    TextFrame f{2, 2, ColorMode::k256, false, {Cell{}}};
    EXPECT_EQ(full(f), "");
}

// A 4x3 grid of 'M' in 231.
TextFrame grid() {
    TextFrame f{4, 3, ColorMode::k256, false, {}};
    f.cells.assign(12, Cell{'M', 231, 0});
    return f;
}

std::string diff(const TextFrame& a, const TextFrame& b, bool sync = false) {
    std::string out = "stale";
    encode_diff(a, b, out, sync);
    return out;
}

TEST(EncodeDiff, UnchangedFrameWritesNothing) {
    EXPECT_EQ(diff(grid(), grid(), true), "");
    // A blank's colour is invisible: no change.
    TextFrame a = grid(), b = grid();
    a.cells[5] = Cell{' ', 0, 0};
    b.cells[5] = Cell{' ', 196, 0};
    EXPECT_EQ(diff(a, b, true), "");
}

TEST(EncodeDiff, OneChangedCellIsOneMoveAndThatCell) {
    TextFrame next = grid();
    next.cells[1 * 4 + 2] = Cell{'W', 196, 0};
    EXPECT_EQ(diff(grid(), next, true), kSyncOn + "\x1b[2;3H\x1b[38;5;196mW" + kReset + kSyncOff);
    // Column 1 needs no column parameter.
    TextFrame first = grid();
    first.cells[0] = Cell{'W', 231, 0};
    EXPECT_EQ(diff(grid(), first), "\x1b[1H\x1b[38;5;231mW" + kReset);
}

TEST(EncodeDiff, ColourStateCarriesAcrossAMove) {
    // (0,0) and (0,3) change to 196; the gap (two 'M' 231) is skipped with CSI 2 C and the
    // second cell needs no escape: the pen is still 196.
    TextFrame next = grid();
    next.cells[0] = Cell{'W', 196, 0};
    next.cells[3] = Cell{'W', 196, 0};
    EXPECT_EQ(diff(grid(), next), "\x1b[1H\x1b[38;5;196mW\x1b[2CW" + kReset);
    // A gap of one: CSI C.
    TextFrame near = grid();
    near.cells[0] = Cell{'W', 196, 0};
    near.cells[2] = Cell{'W', 196, 0};
    EXPECT_EQ(diff(grid(), near), "\x1b[1H\x1b[38;5;196mW\x1b[CW" + kReset);
}

TEST(EncodeDiff, ShortGapInTheSameColourIsRewrittenInstead) {
    TextFrame prev = grid(), next = grid();
    prev.cells[1] = Cell{'M', 196, 0};
    next.cells[0] = Cell{'W', 196, 0};
    next.cells[1] = Cell{'M', 196, 0};  // unchanged, and in the pen's colour: 1 byte < CSI C
    next.cells[2] = Cell{'W', 196, 0};
    EXPECT_EQ(diff(prev, next), "\x1b[1H\x1b[38;5;196mWMW" + kReset);
}

TEST(EncodeDiff, NextRowByCrLfAfterTheLastColumn) {
    TextFrame next = grid();
    next.cells[3] = Cell{'W', 196, 0};
    next.cells[4] = Cell{'W', 196, 0};
    EXPECT_EQ(diff(grid(), next), "\x1b[1;4H\x1b[38;5;196mW\r\nW" + kReset);
    // Two rows down at column 2: CR LF CR LF CSI C is cheaper than CSI 3;2H only when
    // it is: here CSI 3;2H (6 bytes) beats 4 + 3.
    TextFrame far = grid();
    far.cells[3] = Cell{'W', 196, 0};
    far.cells[9] = Cell{'W', 196, 0};
    EXPECT_EQ(diff(grid(), far), "\x1b[1;4H\x1b[38;5;196mW\x1b[3;2HW" + kReset);
}

TEST(EncodeDiff, ShapeChangeIsAFullFrame) {
    TextFrame small{2, 2, ColorMode::k256, false, {}};
    small.cells.assign(4, Cell{'M', 231, 0});
    std::string expected;
    encode_full(grid(), expected, true);
    EXPECT_EQ(diff(small, grid(), true), expected);
    TextFrame other_mode = grid();
    other_mode.color = ColorMode::kTrueColor;
    encode_full(other_mode, expected, false);
    EXPECT_EQ(diff(grid(), other_mode), expected);
}

TEST(EncodeDiff, AppliedToTheOldScreenGivesTheNewOne) {
    // Model a terminal: apply full(prev) then diff(prev, next) and compare with full(next)'s
    // screen. A tiny interpreter of the escapes these encoders write.
    struct Screen {
        int cols, rows;
        std::vector<std::string> cell;
        int r = 0, c = 0;
        std::string pen;
        void run(const std::string& s) {
            for (std::size_t i = 0; i < s.size();) {
                if (s[i] == '\x1b') {
                    const std::size_t end = s.find_first_of("HCmhl", i + 2);
                    const std::string arg = s.substr(i + 2, end - i - 2);
                    const char op = s[end];
                    if (op == 'H') {
                        const auto semi = arg.find(';');
                        r = arg.empty() ? 0 : std::stoi(arg.substr(0, semi)) - 1;
                        c = semi == std::string::npos ? 0 : std::stoi(arg.substr(semi + 1)) - 1;
                    } else if (op == 'C') {
                        c += arg.empty() ? 1 : std::stoi(arg);
                    } else if (op == 'm') {
                        pen = arg == "0" ? "" : arg;
                    }
                    i = end + 1;
                } else if (s[i] == '\r') {
                    c = 0;
                    ++i;
                } else if (s[i] == '\n') {
                    ++r;
                    ++i;
                } else {
                    ASSERT_LT(r, rows);
                    ASSERT_LT(c, cols);
                    cell[r * cols + c] = pen + "|" + s[i];
                    ++c;
                    ++i;
                }
            }
        }
    };
    TextFrame prev = grid(), next = grid();
    const char glyphs[] = "MW8 ";
    for (int i = 0; i < 12; ++i) {
        prev.cells[i] = Cell{glyphs[i % 4], 231u - (i % 3 == 0 ? 35u : 0u), 0};
        next.cells[i] = Cell{glyphs[(i * 7) % 4], 196u + (i % 2 ? 35u : 0u), 0};
    }
    next.cells[5] = prev.cells[5];
    next.cells[6] = prev.cells[6];
    Screen via_diff{4, 3, std::vector<std::string>(12)}, direct{4, 3, std::vector<std::string>(12)};
    std::string bytes;
    encode_full(prev, bytes, false);
    via_diff.run(bytes);
    encode_diff(prev, next, bytes, false);
    via_diff.run(bytes);
    encode_full(next, bytes, false);
    direct.run(bytes);
    // Blanks show no colour: compare their glyph only.
    for (int i = 0; i < 12; ++i) {
        const bool blank = next.cells[i].glyph == ' ';
        const std::string want = blank ? " " : direct.cell[i];
        const std::string got =
            blank ? via_diff.cell[i].substr(via_diff.cell[i].size() - 1) : via_diff.cell[i];
        EXPECT_EQ(got, want) << i;
    }
}

TEST(EncodePlain, RowsStandAloneAndTheFrameEndsWithABlankLine) {
    const TextFrame f = convert(neutral(2, 2, ColorMode::k256), two_by_two());
    std::string out;
    encode_plain(f, out);
    EXPECT_EQ(out, "\x1b[38;5;231mM\x1b[38;5;196m9" + kReset + "\r\n \x1b[38;5;231mM" + kReset +
                       "\r\n\r\n");
    EXPECT_EQ(out.find("\x1b[H"), std::string::npos);
    EXPECT_EQ(out.find("\x1b[?1049"), std::string::npos);
    EXPECT_EQ(out.find("\x1b[?2026"), std::string::npos);
    const TextFrame mono = convert(neutral(2, 2, ColorMode::kMono), two_by_two());
    encode_plain(mono, out);
    EXPECT_EQ(out, "M9\r\n M\r\n\r\n");
}

}  // namespace
}  // namespace interleave::renderer::ascii
