// ascii.* -> the converter's options and the grid size.
#include "app/sinks/ascii_settings.hpp"

#include <gtest/gtest.h>

namespace interleave::app {
namespace {

TEST(AsciiSettings, DefaultsMatchTheConvertersDefaults) {
    const config::AsciiConfig ascii;
    const renderer::ascii::AsciiOptions defaults;
    EXPECT_EQ(ascii_options(ascii, defaults.cols, defaults.rows), defaults);
}

TEST(AsciiSettings, EveryLookKeyIsCarriedOver) {
    config::AsciiConfig ascii;
    ascii.font_aspect = 0.6;
    ascii.saturation = 1.5;
    ascii.brightness = 1.1;
    ascii.contrast = 0.8;
    ascii.gamma = 2.0;
    ascii.color = config::AsciiColor::kTrueColor;
    ascii.blur = 3;
    ascii.half_block = true;
    ascii.reverse = true;
    const auto o = ascii_options(ascii, 80, 24);
    EXPECT_EQ(o.cols, 80);
    EXPECT_EQ(o.rows, 24);
    EXPECT_DOUBLE_EQ(o.font_aspect, 0.6);
    EXPECT_DOUBLE_EQ(o.saturation, 1.5);
    EXPECT_DOUBLE_EQ(o.brightness, 1.1);
    EXPECT_DOUBLE_EQ(o.contrast, 0.8);
    EXPECT_DOUBLE_EQ(o.gamma, 2.0);
    EXPECT_EQ(o.color, renderer::ascii::ColorMode::kTrueColor);
    EXPECT_EQ(o.blur, 3);
    EXPECT_TRUE(o.half_block);
    EXPECT_TRUE(o.reverse);
}

TEST(AsciiSettings, ColourModesMapOneToOne) {
    using renderer::ascii::ColorMode;
    EXPECT_EQ(ascii_color_mode(config::AsciiColor::k256), ColorMode::k256);
    EXPECT_EQ(ascii_color_mode(config::AsciiColor::kTrueColor), ColorMode::kTrueColor);
    EXPECT_EQ(ascii_color_mode(config::AsciiColor::k16), ColorMode::k16);
    EXPECT_EQ(ascii_color_mode(config::AsciiColor::kMono), ColorMode::kMono);
}

TEST(AsciiSettings, GridIsTheConfiguredSizeThenTheViewersThenTheDefault) {
    config::AsciiConfig ascii;
    EXPECT_EQ(ascii_grid(ascii, {0, 0}), (CellSize{60, 40}));
    EXPECT_EQ(ascii_grid(ascii, {80, 0}), (CellSize{60, 40}));
    EXPECT_EQ(ascii_grid(ascii, {-3, 10}), (CellSize{60, 40}));
    EXPECT_EQ(ascii_grid(ascii, {132, 43}), (CellSize{132, 43}));
    EXPECT_EQ(ascii_grid(ascii, {5000, 43}), (CellSize{1000, 43}));
    ascii.size = {100, 30};
    EXPECT_EQ(ascii_grid(ascii, {132, 43}), (CellSize{100, 30}));
}

TEST(AsciiSettings, SidesAreClampedToTheConvertersRange) {
    const config::AsciiConfig ascii;
    const auto o = ascii_options(ascii, 0, 5000);
    EXPECT_EQ(o.cols, 1);
    EXPECT_EQ(o.rows, 1000);
}

}  // namespace
}  // namespace interleave::app
