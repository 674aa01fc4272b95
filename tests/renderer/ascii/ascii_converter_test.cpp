// AsciiConverter: palette extremes, grading, cover scaling, area averaging, half blocks, blur
// and the hysteresis that keeps still content from shimmering.
#include "renderer/ascii/ascii_converter.hpp"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "tests/renderer/ascii/test_image.hpp"

namespace interleave::renderer::ascii {
namespace {

using test::convert;
using test::glyph_of;
using test::Image;
using test::kBlack;
using test::kBlue;
using test::kGreen;
using test::kRed;
using test::kWhite;
using test::neutral;
using test::Rgb;

// OpenCV's RGB2GRAY in 14-bit fixed point, as the converter computes it.
int luma(Rgb c) {
    return (4899 * c.r + 9617 * c.g + 1868 * c.b + 8192) >> 14;
}

TEST(AsciiConverter, WhiteIsDenseAndBlackIsBlankAsTheOriginal) {
    // The original's index (255 - g) / 255 * (n - 1): g = 255 -> 'M', g = 0 -> ' '.
    TextFrame white = convert(neutral(1, 1), Image(1, 1, kWhite));
    ASSERT_EQ(white.cells.size(), 1u);
    EXPECT_EQ(white.cells[0], (Cell{'M', 231, 0}));
    TextFrame black = convert(neutral(1, 1), Image(1, 1, kBlack));
    EXPECT_EQ(black.cells[0], (Cell{' ', 0, 0}));  // a blank shows no colour
    // With the defaults (contrast, brightness x1.4, gamma) the extremes stay the same.
    AsciiOptions defaults;
    defaults.cols = defaults.rows = 1;
    EXPECT_EQ(convert(defaults, Image(1, 1, kWhite)).cells[0].glyph, 'M');
    EXPECT_EQ(convert(defaults, Image(1, 1, kBlack)).cells[0].glyph, ' ');
}

TEST(AsciiConverter, ReversedPaletteSwapsTheExtremes) {
    AsciiOptions o = neutral(1, 1);
    o.reverse = true;
    EXPECT_EQ(convert(o, Image(1, 1, kWhite)).cells[0].glyph, ' ');
    const TextFrame black = convert(o, Image(1, 1, kBlack));
    EXPECT_EQ(black.cells[0], (Cell{'M', 235, 0}));  // black shown as grey 235
}

TEST(AsciiConverter, GreyLevelsPickTheOriginalsIndex) {
    for (int g : {0, 7, 8, 60, 100, 128, 200, 247, 248, 255}) {
        const auto v = static_cast<std::uint8_t>(g);
        const TextFrame f = convert(neutral(1, 1), Image(1, 1, {v, v, v}));
        EXPECT_EQ(f.cells[0].glyph, glyph_of(g)) << "grey " << g;
    }
    // Colours go by their luma.
    EXPECT_EQ(convert(neutral(1, 1), Image(1, 1, kRed)).cells[0],
              (Cell{glyph_of(luma(kRed)), 196, 0}));
    EXPECT_EQ(glyph_of(luma(kRed)), '9');
}

TEST(AsciiConverter, ContrastIsAppliedAroundMidGrey) {
    AsciiOptions o = neutral(1, 1);
    o.contrast = 1.2;
    // 200 -> (200 - 128) * 1.2 + 128 = 214.4; 60 -> 46.4.
    EXPECT_EQ(convert(o, Image(1, 1, {200, 200, 200})).cells[0].glyph, glyph_of(214));
    EXPECT_EQ(convert(o, Image(1, 1, {60, 60, 60})).cells[0].glyph, glyph_of(46));
    EXPECT_NE(glyph_of(214), glyph_of(200));
    EXPECT_NE(glyph_of(46), glyph_of(60));
    // Mid grey stays.
    EXPECT_EQ(convert(o, Image(1, 1, {128, 128, 128})).cells[0].glyph, glyph_of(128));
}

TEST(AsciiConverter, DefaultGradingBrightensThenAppliesGamma) {
    AsciiOptions o;
    o.cols = o.rows = 1;
    // Grey 100: contrast (100 - 128) * 1.2 + 128 = 94.4, value x1.4 = 132.16 -> 132, then
    // gamma 0.9: (132 / 255)^0.9 * 255, rounded down.
    const int gam = static_cast<int>(std::pow(132 / 255.0, 0.9) * 255.0);
    EXPECT_EQ(convert(o, Image(1, 1, {100, 100, 100})).cells[0].glyph, glyph_of(gam));
    // Saturation 0 makes any colour grey (its HSV value): pure red -> grey 255 -> 'M' white.
    AsciiOptions grey = neutral(1, 1);
    grey.saturation = 0.0;
    EXPECT_EQ(convert(grey, Image(1, 1, kRed)).cells[0], (Cell{'M', 231, 0}));
}

TEST(AsciiConverter, CoverCropsTheTopAndBottomOfATallFrameForAWideGrid) {
    // 4x8 source, 4x2 grid of square cells: cells are 1x1 px, rows 3 and 4 are shown.
    Image image(4, 8, kRed);
    for (int x = 0; x < 4; ++x) {
        image.set(x, 3, kWhite);
        image.set(x, 4, kGreen);
        image.set(x, 5, kBlue);
    }
    const TextFrame f = convert(neutral(4, 2), image);
    ASSERT_EQ(f.cols, 4);
    ASSERT_EQ(f.rows, 2);
    for (int x = 0; x < 4; ++x) {
        EXPECT_EQ(f.cells[x].fg, 231u) << x;
        EXPECT_EQ(f.cells[4 + x].fg, 46u) << x;
    }
}

TEST(AsciiConverter, CoverCropsTheSidesOfAWideFrameForATallGrid) {
    // 8x2 source, 2x2 grid: columns 3 and 4 are shown.
    Image image(8, 2, kRed);
    for (int y = 0; y < 2; ++y) {
        image.set(3, y, kGreen);
        image.set(4, y, kWhite);
        image.set(5, y, kBlue);
    }
    const TextFrame f = convert(neutral(2, 2), image);
    for (int y = 0; y < 2; ++y) {
        EXPECT_EQ(f.cells[2 * y].fg, 46u) << y;
        EXPECT_EQ(f.cells[2 * y + 1].fg, 231u) << y;
    }
}

TEST(AsciiConverter, FontAspectSetsTheCellShapeAt1080p) {
    // 1920x1080 to 160x60 at aspect 0.5: cells are 9x18 px, the grid covers x 240..1679, all
    // rows. Mark the first cell column green (240..248), outside the crop red.
    Image image(1920, 1080, kWhite);
    for (int y = 0; y < 1080; ++y) {
        for (int x = 0; x < 240; ++x) image.set(x, y, kRed);
        for (int x = 1680; x < 1920; ++x) image.set(x, y, kRed);
        for (int x = 240; x < 249; ++x) image.set(x, y, kGreen);
    }
    AsciiOptions o = neutral(160, 60);
    o.font_aspect = 0.5;
    const TextFrame f = convert(o, image);
    for (int r = 0; r < 60; ++r) {
        ASSERT_EQ(f.cells[std::size_t(r) * 160].fg, 46u) << r;
        for (int c = 1; c < 160; ++c)
            ASSERT_EQ(f.cells[std::size_t(r) * 160 + c].fg, 231u) << r << "," << c;
    }
}

TEST(AsciiConverter, AreaAveragingTurnsAFineCheckerboardMidGrey) {
    // Nearest-pixel sampling would give black or white; the box filter gives 127.5 -> 128.
    Image image(16, 16);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 16; ++x) image.set(x, y, (x + y) % 2 ? kWhite : kBlack);
    }
    const TextFrame f = convert(neutral(2, 2), image);
    for (const Cell& c : f.cells) EXPECT_EQ(c, (Cell{glyph_of(128), 244, 0}));
}

TEST(AsciiConverter, AreaAveragingOverCellsTallerThan257Rows) {
    // One 600x600 cell: the column sums leave 16 bits. Top half white, bottom half black.
    Image image(600, 600, kBlack);
    for (int y = 0; y < 300; ++y) {
        for (int x = 0; x < 600; ++x) image.set(x, y, kWhite);
    }
    EXPECT_EQ(convert(neutral(1, 1), image).cells[0], (Cell{glyph_of(128), 244, 0}));
    const TextFrame f = convert(neutral(1, 1), Image(600, 600, {60, 120, 200}));
    EXPECT_EQ(f.cells[0].fg, xterm256_of(60, 120, 200));
}

TEST(AsciiConverter, RowPaddingIsSkipped) {
    // Stride 3 pixels for a 2-pixel row; the padding is red and must not show.
    std::vector<std::uint8_t> px(3 * 4 * 2, 0);
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 3; ++x) {
            std::uint8_t* p = &px[(y * 3 + x) * 4];
            p[0] = 255;
            p[1] = x < 2 ? 255 : 0;
            p[2] = x < 2 ? 255 : 0;
            p[3] = 255;
        }
    }
    AsciiConverter converter(neutral(1, 1));
    TextFrame out;
    converter.convert(cpu::RgbaView{px.data(), 2, 2, 12}, out);
    EXPECT_EQ(out.cells[0], (Cell{'M', 231, 0}));
}

TEST(AsciiConverter, AlphaIsIgnored) {
    Image image(1, 1);
    image.set(0, 0, kWhite, 0);
    EXPECT_EQ(convert(neutral(1, 1), image).cells[0], (Cell{'M', 231, 0}));
}

TEST(AsciiConverter, HalfBlocksTakeTheTopAndBottomHalves) {
    // 2x2 source, 2x1 grid of half blocks at aspect 0.5: each half is 1x1 px.
    Image image(2, 2);
    image.set(0, 0, kRed);
    image.set(1, 0, kGreen);
    image.set(0, 1, kBlue);
    image.set(1, 1, kBlack);
    AsciiOptions o = neutral(2, 1);
    o.font_aspect = 0.5;
    o.half_block = true;
    const TextFrame f = convert(o, image);
    EXPECT_TRUE(f.half_block);
    ASSERT_EQ(f.cells.size(), 2u);
    EXPECT_EQ(f.cells[0], (Cell{0, 196, 21}));
    EXPECT_EQ(f.cells[1], (Cell{0, 46, 16}));  // half blocks keep true black
    o.color = ColorMode::kTrueColor;
    const TextFrame t = convert(o, image);
    EXPECT_EQ(t.cells[0], (Cell{0, 0xff0000, 0x0000ff}));
    EXPECT_EQ(t.cells[1], (Cell{0, 0x00ff00, 0x000000}));
    // Monochrome has no colour for the halves: it falls back to glyphs.
    o.color = ColorMode::kMono;
    const TextFrame m = convert(o, image);
    EXPECT_FALSE(m.half_block);
    EXPECT_NE(m.cells[0].glyph, 0);
}

TEST(AsciiConverter, ColourModes) {
    const Image image(1, 1, {255, 0, 0});
    EXPECT_EQ(convert(neutral(1, 1, ColorMode::k256), image).cells[0].fg, 196u);
    EXPECT_EQ(convert(neutral(1, 1, ColorMode::kTrueColor), image).cells[0].fg, 0xff0000u);
    EXPECT_EQ(convert(neutral(1, 1, ColorMode::k16), image).cells[0].fg, 9u);
    EXPECT_EQ(convert(neutral(1, 1, ColorMode::kMono), image).cells[0].fg, 0u);
    const TextFrame f = convert(neutral(1, 1, ColorMode::k16), image);
    EXPECT_EQ(f.color, ColorMode::k16);
}

TEST(AsciiConverter, ColourBlurSpreadsColourButKeepsGlyphsSharp) {
    // One bright green column in white: with blur 3 its neighbours take a third of its colour,
    // but every glyph is what the unblurred cell gives.
    Image image(5, 1, kWhite);
    image.set(2, 0, kGreen);
    AsciiOptions o = neutral(5, 1, ColorMode::kTrueColor);
    const TextFrame sharp = convert(o, image);
    o.blur = 3;
    const TextFrame soft = convert(o, image);
    for (int c = 0; c < 5; ++c) EXPECT_EQ(sharp.cells[c].glyph, soft.cells[c].glyph) << c;
    EXPECT_EQ(sharp.cells[1].fg, 0xffffffu);
    EXPECT_EQ(soft.cells[1].fg, 0xaaffaau);  // (255 + 255 + 0) / 3 = 170 in red and blue
    EXPECT_EQ(soft.cells[2].fg, 0xaaffaau);
    EXPECT_EQ(soft.cells[0].fg, 0xffffffu);  // the window shrinks at the ends: (255 + 255) / 2
}

TEST(AsciiConverter, NoShimmerNearlyEqualInputKeepsItsCells) {
    // A smooth frame, then the same frame with +-1 noise: every cell stays.
    Image image(320, 180);
    for (int y = 0; y < 180; ++y) {
        for (int x = 0; x < 320; ++x) {
            image.set(
                x, y,
                {static_cast<std::uint8_t>(x * 255 / 319), static_cast<std::uint8_t>(y * 255 / 179),
                 static_cast<std::uint8_t>((x + y) * 255 / 498)});
        }
    }
    Image noisy = image;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> noise(-1, 1);
    for (std::size_t i = 0; i < noisy.pixels.size(); ++i) {
        if (i % 4 == 3) continue;
        noisy.pixels[i] =
            static_cast<std::uint8_t>(std::clamp(noisy.pixels[i] + noise(rng), 0, 255));
    }
    for (ColorMode mode : {ColorMode::k256, ColorMode::kTrueColor, ColorMode::k16}) {
        AsciiOptions o;
        o.cols = 40;
        o.rows = 20;
        o.color = mode;
        AsciiConverter converter(o);
        TextFrame clean, again;
        converter.convert(image.view(), clean);
        converter.convert(noisy.view(), again);
        EXPECT_EQ(clean.cells, again.cells);
        // A real change still shows.
        Image brighter = image;
        for (std::size_t i = 0; i < brighter.pixels.size(); ++i) {
            if (i % 4 != 3) brighter.pixels[i] = static_cast<std::uint8_t>(brighter.pixels[i] / 2);
        }
        converter.convert(brighter.view(), again);
        EXPECT_NE(clean.cells, again.cells);
    }
}

TEST(AsciiConverter, SetOptionsAndNewSizesStartAfresh) {
    Image a(4, 4, {246, 246, 246});
    Image b(4, 4, {248, 248, 248});  // within the dead band of a
    const TextFrame fresh_b = convert(neutral(1, 1), b);
    const TextFrame fresh_a = convert(neutral(1, 1), a);
    ASSERT_NE(fresh_a.cells[0], fresh_b.cells[0]);  // 'W' and 'M'
    AsciiConverter converter(neutral(1, 1));
    TextFrame out;
    converter.convert(a.view(), out);
    converter.convert(b.view(), out);
    EXPECT_EQ(out.cells, fresh_a.cells);  // held
    converter.set_options(neutral(1, 1));
    converter.convert(b.view(), out);
    EXPECT_EQ(out.cells, fresh_b.cells);  // no hysteresis across set_options
    converter.convert(a.view(), out);
    Image b_wide(8, 4, {248, 248, 248});
    converter.convert(b_wide.view(), out);
    EXPECT_EQ(out.cells, fresh_b.cells);  // nor across a new frame size
}

TEST(AsciiConverter, EmptyFrameGivesBlankCells) {
    AsciiConverter converter(neutral(3, 2));
    TextFrame out;
    converter.convert(cpu::RgbaView{}, out);
    ASSERT_EQ(out.cells.size(), 6u);
    for (const Cell& c : out.cells) EXPECT_EQ(c, (Cell{' ', 0, 0}));
}

TEST(AsciiConverter, OutOfRangeOptionsAreClampedNotTrusted) {
    AsciiOptions o = neutral(0, 5000);
    o.font_aspect = -3.0;
    o.blur = 4;
    AsciiConverter converter(o);
    EXPECT_EQ(converter.options(), o);  // as given
    TextFrame out;
    converter.convert(Image(8, 8, kWhite).view(), out);
    EXPECT_EQ(out.cols, 1);
    EXPECT_EQ(out.rows, 1000);
    EXPECT_EQ(out.cells.size(), 1000u);
}

TEST(AsciiConverter, CopiesDoNotShareState) {
    AsciiConverter a(neutral(1, 1));
    TextFrame out;
    a.convert(Image(1, 1, {100, 100, 100}).view(), out);
    AsciiConverter b = a;
    b.set_options(neutral(2, 2));
    a.convert(Image(1, 1, {101, 101, 101}).view(), out);
    EXPECT_EQ(out.cols, 1);
    EXPECT_EQ(a.options().cols, 1);
}

}  // namespace
}  // namespace interleave::renderer::ascii
