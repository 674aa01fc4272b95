// Tests for renderer/cpu/blend_scalar and blend_simd: the rounding rule is exact, the scalar
// reference gives the documented values, and every SIMD target this CPU supports matches the
// scalar reference bit for bit. Thread: test main thread.
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "renderer/cpu/blend_scalar.hpp"
#include "renderer/cpu/blend_simd.hpp"

namespace interleave::renderer::cpu {
namespace {

// Restores normal dispatch however the test ends.
struct ScopedTarget {
    explicit ScopedTarget(std::int64_t target) { set_blend_simd_target_for_test(target); }
    ~ScopedTarget() { set_blend_simd_target_for_test(0); }
    ScopedTarget(const ScopedTarget&) = delete;
    ScopedTarget& operator=(const ScopedTarget&) = delete;
};

// Alphas the blend must get right: the ends, the SBS threshold's neighbours, and the middle.
constexpr std::uint8_t kEdgeAlphas[] = {0, 1, 12, 13, 127, 128, 254, 255};

std::vector<std::uint8_t> random_row(int width_px, std::mt19937& rng) {
    std::vector<std::uint8_t> row(static_cast<std::size_t>(width_px) * 4);
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> pick(0, 15);
    for (int x = 0; x < width_px; ++x) {
        for (int c = 0; c < 3; ++c) row[x * 4 + c] = static_cast<std::uint8_t>(byte(rng));
        const int p = pick(rng);
        // Half the pixels take an edge alpha, the rest a random one.
        row[x * 4 + 3] = p < 8 ? kEdgeAlphas[p] : static_cast<std::uint8_t>(byte(rng));
    }
    return row;
}

std::string first_difference(const std::vector<std::uint8_t>& got,
                             const std::vector<std::uint8_t>& want) {
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] != want[i]) {
            return "pixel " + std::to_string(i / 4) + " channel " + std::to_string(i % 4) +
                   ": got " + std::to_string(got[i]) + ", scalar " + std::to_string(want[i]);
        }
    }
    return "identical";
}

TEST(BlendRounding, Div255RoundIsExactForEveryProduct) {
    for (std::uint32_t x = 0; x <= 255u * 255u; ++x) {
        const auto nearest = static_cast<std::uint32_t>(std::lround(x / 255.0));
        ASSERT_EQ(div255_round(x), nearest) << "x = " << x;
        // The SIMD targets compute the same value as a 16-bit multiply-high.
        ASSERT_EQ(((x + 128) * 257) >> 16, nearest) << "x = " << x;
    }
}

TEST(BlendRounding, Mix8IsMixRoundedToNearestForAllInputs) {
    for (int a = 0; a <= 255; ++a) {
        for (int c1 = 0; c1 <= 255; ++c1) {
            for (int c2 = 0; c2 <= 255; ++c2) {
                const double exact = c1 + (c2 - c1) * (a / 255.0);
                const auto got = mix8(static_cast<std::uint32_t>(c1),
                                      static_cast<std::uint32_t>(c2),
                                      static_cast<std::uint32_t>(a));
                // exact is never a tie (255 is odd); allow for the double's last bit.
                if (std::abs(got - exact) > 0.5 + 1e-9) {
                    FAIL() << "mix8(" << c1 << ", " << c2 << ", " << a << ") = " << int{got}
                           << ", exact " << exact;
                }
            }
        }
    }
}

TEST(BlendScalar, KnownValues) {
    const BgColour bg{4, 8, 16};
    struct Case {
        std::uint8_t main[4];
        std::uint8_t flt[4];
        std::uint8_t want[4];
        const char* what;
    };
    const Case cases[] = {
        {{200, 100, 50, 255}, {9, 9, 9, 0}, {200, 100, 50, 255}, "opaque main, clear float"},
        {{200, 100, 50, 0}, {9, 9, 9, 0}, {4, 8, 16, 255}, "both clear: background"},
        {{200, 100, 50, 255}, {10, 20, 30, 255}, {10, 20, 30, 255}, "opaque float wins"},
        {{255, 255, 255, 128}, {0, 0, 0, 0}, {130, 132, 136, 255}, "half main over bg"},
        {{0, 0, 0, 255}, {255, 255, 255, 13}, {13, 13, 13, 255}, "float alpha 13 = 13/255"},
        {{0, 0, 0, 255}, {255, 255, 255, 12}, {12, 12, 12, 255}, "alpha 12 is not re-thresholded"},
        {{100, 100, 100, 255}, {200, 0, 51, 102}, {140, 60, 80, 255}, "float 0.4 over main"},
    };
    for (const Case& c : cases) {
        std::uint8_t out[4] = {};
        blend_row_scalar(c.main, c.flt, bg, out, 1);
        for (int i = 0; i < 4; ++i) EXPECT_EQ(out[i], c.want[i]) << c.what << ", channel " << i;
    }
}

TEST(BlendSimd, CompiledTargetsIncludeTheDispatchedOne) {
    const std::vector<std::int64_t> targets = blend_simd_targets();
    ASSERT_FALSE(targets.empty());
    std::string names;
    for (const std::int64_t t : targets) names += std::string(blend_simd_target_name(t)) + " ";
    RecordProperty("simd_targets", names);
    std::printf("SIMD targets compiled and supported here: %s\n", names.c_str());
    EXPECT_EQ(blend_simd_dispatched_target(), targets.front()) << "dispatch should pick the best";
}

TEST(BlendSimd, EveryTargetMatchesScalarOnRandomRows) {
    const BgColour bg{4, 4, 4};
    for (const std::int64_t target : blend_simd_targets()) {
        ScopedTarget scoped(target);
        ASSERT_EQ(blend_simd_dispatched_target(), target) << blend_simd_target_name(target);
        std::mt19937 rng(1234);
        for (int width = 0; width <= 257; ++width) {
            const auto main_row = random_row(width, rng);
            const auto float_row = random_row(width, rng);
            std::vector<std::uint8_t> want(main_row.size()), got(main_row.size());
            const BgColour row_bg{static_cast<std::uint8_t>(rng()),
                                  static_cast<std::uint8_t>(rng()),
                                  static_cast<std::uint8_t>(rng())};
            for (const BgColour b : {bg, row_bg}) {
                blend_row_scalar(main_row.data(), float_row.data(), b, want.data(), width);
                blend_row_simd(main_row.data(), float_row.data(), b, got.data(), width);
                ASSERT_EQ(got, want) << blend_simd_target_name(target) << ", width " << width
                                     << ": " << first_difference(got, want);
            }
        }
    }
}

TEST(BlendSimd, EveryTargetMatchesScalarOnEveryColourAlphaPair) {
    // Row 1: main takes every (colour, alpha) pair; row 2: float does. The other layer is random.
    constexpr int kPairs = 256 * 256;
    std::mt19937 rng(99);
    std::vector<std::uint8_t> all_pairs(kPairs * 4);
    for (int i = 0; i < kPairs; ++i) {
        all_pairs[i * 4 + 0] = static_cast<std::uint8_t>(i & 255);
        all_pairs[i * 4 + 1] = static_cast<std::uint8_t>(255 - (i & 255));
        all_pairs[i * 4 + 2] = static_cast<std::uint8_t>((i * 7) & 255);
        all_pairs[i * 4 + 3] = static_cast<std::uint8_t>(i >> 8);
    }
    const auto other = random_row(kPairs, rng);
    const BgColour bg{4, 200, 255};
    for (const std::int64_t target : blend_simd_targets()) {
        ScopedTarget scoped(target);
        for (const bool main_varies : {true, false}) {
            const auto& m = main_varies ? all_pairs : other;
            const auto& f = main_varies ? other : all_pairs;
            std::vector<std::uint8_t> want(all_pairs.size()), got(all_pairs.size());
            blend_row_scalar(m.data(), f.data(), bg, want.data(), kPairs);
            blend_row_simd(m.data(), f.data(), bg, got.data(), kPairs);
            ASSERT_EQ(got, want) << blend_simd_target_name(target)
                                 << (main_varies ? ", main varies: " : ", float varies: ")
                                 << first_difference(got, want);
        }
    }
}

TEST(BlendSimd, InPlaceOverMainMatchesScalar) {
    std::mt19937 rng(7);
    const BgColour bg{4, 4, 4};
    for (const std::int64_t target : blend_simd_targets()) {
        ScopedTarget scoped(target);
        for (const int width : {1, 15, 16, 17, 131}) {
            auto row = random_row(width, rng);
            const auto float_row = random_row(width, rng);
            std::vector<std::uint8_t> want(row.size());
            blend_row_scalar(row.data(), float_row.data(), bg, want.data(), width);
            blend_row_simd(row.data(), float_row.data(), bg, row.data(), width);
            ASSERT_EQ(row, want) << blend_simd_target_name(target) << ", width " << width;
        }
    }
}

TEST(BlendSimd, WritesNothingPastTheRow) {
    std::mt19937 rng(5);
    for (const std::int64_t target : blend_simd_targets()) {
        ScopedTarget scoped(target);
        for (int width = 1; width <= 70; ++width) {
            const auto m = random_row(width, rng);
            const auto f = random_row(width, rng);
            std::vector<std::uint8_t> out(static_cast<std::size_t>(width + 32) * 4, 0xAB);
            blend_row_simd(m.data(), f.data(), BgColour{}, out.data(), width);
            for (std::size_t i = static_cast<std::size_t>(width) * 4; i < out.size(); ++i) {
                ASSERT_EQ(out[i], 0xAB) << blend_simd_target_name(target) << ", width " << width;
            }
        }
    }
}

}  // namespace
}  // namespace interleave::renderer::cpu
