// Colour mapping at the extremes: black, white, the cube's real levels, the grey ramp and the
// 16 basic colours.
#include <array>

#include <gtest/gtest.h>

#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::renderer::ascii {
namespace {

constexpr std::array<int, 6> kLevels = {0, 95, 135, 175, 215, 255};

TEST(Xterm256, BlackIsShownAsGrey235AndWhiteIs231) {
    EXPECT_EQ(xterm256_of(0, 0, 0), 235);
    EXPECT_EQ(xterm256_of(2, 1, 3), 235);  // still nearest to cube black
    EXPECT_EQ(xterm256_of(255, 255, 255), 231);
}

TEST(Xterm256, EveryCubeColourMapsToItself) {
    for (int r = 0; r < 6; ++r) {
        for (int g = 0; g < 6; ++g) {
            for (int b = 0; b < 6; ++b) {
                if (r + g + b == 0) continue;
                const int want = 16 + 36 * r + 6 * g + b;
                EXPECT_EQ(xterm256_of(static_cast<std::uint8_t>(kLevels[r]),
                                      static_cast<std::uint8_t>(kLevels[g]),
                                      static_cast<std::uint8_t>(kLevels[b])),
                          want)
                    << kLevels[r] << "," << kLevels[g] << "," << kLevels[b];
            }
        }
    }
}

TEST(Xterm256, GreysGoToTheRamp) {
    for (int i = 0; i < 24; ++i) {
        const auto v = static_cast<std::uint8_t>(8 + 10 * i);
        EXPECT_EQ(xterm256_of(v, v, v), 232 + i) << int(v);
    }
    EXPECT_EQ(xterm256_of(128, 128, 128), 244);  // exactly ramp 12
    EXPECT_EQ(xterm256_of(50, 50, 50), 236);     // 48 is nearer than cube 95 or ramp 58
    EXPECT_EQ(xterm256_of(250, 250, 250), 231);  // nearer to cube white than to ramp 238
}

TEST(Xterm256, LevelsAreRealNotTruncated) {
    // The original truncated (r * 5 // 255): 200 fell to level 3 (175). The nearest is 215.
    EXPECT_EQ(xterm256_of(200, 0, 0), 16 + 36 * 4);
    EXPECT_EQ(xterm256_of(60, 0, 0), 16 + 36 * 1);  // nearer 95 than 0
    EXPECT_EQ(xterm256_of(255, 0, 0), 196);
    EXPECT_EQ(xterm256_of(0, 255, 0), 46);
    EXPECT_EQ(xterm256_of(0, 0, 255), 21);
}

TEST(Ansi16, BasicColoursAndBlackAsBrightBlack) {
    EXPECT_EQ(ansi16_of(0, 0, 0), 8);
    EXPECT_EQ(ansi16_of(255, 255, 255), 15);
    EXPECT_EQ(ansi16_of(255, 0, 0), 9);
    EXPECT_EQ(ansi16_of(205, 0, 0), 1);
    EXPECT_EQ(ansi16_of(0, 0, 238), 4);
    EXPECT_EQ(ansi16_of(229, 229, 229), 7);
    EXPECT_EQ(ansi16_of(127, 127, 127), 8);
}

}  // namespace
}  // namespace interleave::renderer::ascii
