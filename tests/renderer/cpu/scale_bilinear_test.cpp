// Tests for renderer/cpu/scale_bilinear: GL_LINEAR taps and hand-computed values on small
// images, exactness guarantees (constants, identity), and every SIMD target this CPU supports
// equal to the scalar reference bit for bit. Thread: test main thread.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "renderer/cpu/blend_simd.hpp"  // blend_simd_target_name: Highway's target names
#include "renderer/cpu/scale_bilinear.hpp"

namespace interleave::renderer::cpu {
namespace {

// Restores normal dispatch however the test ends.
struct ScopedTarget {
    explicit ScopedTarget(std::int64_t target) { set_scale_simd_target_for_test(target); }
    ~ScopedTarget() { set_scale_simd_target_for_test(0); }
    ScopedTarget(const ScopedTarget&) = delete;
    ScopedTarget& operator=(const ScopedTarget&) = delete;
};

// An RGBA8 image with `pad_bytes` of stride padding per row (filled with 0xEE) and optionally
// starting one byte into its storage (an unaligned view).
struct Picture {
    int w = 0, h = 0, stride = 0, offset = 0;
    std::vector<std::uint8_t> storage;

    Picture(int width, int height, int pad_bytes = 0, bool unaligned = false)
        : w(width),
          h(height),
          stride(width * 4 + pad_bytes),
          offset(unaligned ? 1 : 0),
          storage(static_cast<std::size_t>(stride) * height + offset, 0xEE) {}

    std::uint8_t* at(int x, int y) {
        return storage.data() + offset + static_cast<std::size_t>(y) * stride + x * 4;
    }
    [[nodiscard]] RgbaView view() const { return RgbaView{storage.data() + offset, w, h, stride}; }
    [[nodiscard]] RgbaTarget target() { return RgbaTarget{storage.data() + offset, w, h, stride}; }
    // The pixel bytes only, row by row (no padding).
    [[nodiscard]] std::vector<std::uint8_t> packed() const {
        std::vector<std::uint8_t> out;
        for (int y = 0; y < h; ++y) {
            const auto* row = storage.data() + offset + static_cast<std::size_t>(y) * stride;
            out.insert(out.end(), row, row + w * 4);
        }
        return out;
    }
};

Picture from_rows(int w, int h, const std::vector<std::uint8_t>& rgba) {
    Picture p(w, h);
    std::copy(rgba.begin(), rgba.end(), p.storage.begin());
    return p;
}

Picture random_picture(int w, int h, std::mt19937& rng, int pad_bytes = 0, bool unaligned = false) {
    Picture p(w, h, pad_bytes, unaligned);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w * 4; ++x) p.at(0, y)[x] = static_cast<std::uint8_t>(byte(rng));
    }
    return p;
}

Picture scaled(const RgbaView& src, int w, int h, ScalePath path, int pad_bytes = 0) {
    Picture out(w, h, pad_bytes);
    BilinearScaler scaler(path);
    scaler.scale(src, out.target());
    return out;
}

std::string first_difference(const std::vector<std::uint8_t>& got,
                             const std::vector<std::uint8_t>& want, int width_px) {
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] != want[i]) {
            const std::size_t px = i / 4;
            return "pixel (" + std::to_string(px % width_px) + ", " +
                   std::to_string(px / width_px) + ") channel " + std::to_string(i % 4) + ": got " +
                   std::to_string(got[i]) + ", scalar " + std::to_string(want[i]);
        }
    }
    return "identical";
}

constexpr ScalePath kPaths[] = {ScalePath::kSimd, ScalePath::kScalarReference};

const char* path_name(ScalePath path) {
    return path == ScalePath::kSimd ? "simd" : "scalar";
}

// ---------------------------------------------------------------------------------------------
// Taps

TEST(BilinearTap, SamplesPixelCentresAndClampsToTheEdge) {
    // 2 -> 4: positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    EXPECT_EQ(bilinear_tap(2, 4, 0), (BilinearTap{0, 0, 0}));
    EXPECT_EQ(bilinear_tap(2, 4, 1), (BilinearTap{0, 1, 64}));
    EXPECT_EQ(bilinear_tap(2, 4, 2), (BilinearTap{0, 1, 192}));
    EXPECT_EQ(bilinear_tap(2, 4, 3), (BilinearTap{1, 1, 0}));
    // 3 -> 2: positions 0.25 and 1.75.
    EXPECT_EQ(bilinear_tap(3, 2, 0), (BilinearTap{0, 1, 64}));
    EXPECT_EQ(bilinear_tap(3, 2, 1), (BilinearTap{1, 2, 192}));
    // 5 -> 2: positions 0.75 and 3.25. 3 -> 1: the middle pixel exactly.
    EXPECT_EQ(bilinear_tap(5, 2, 0), (BilinearTap{0, 1, 192}));
    EXPECT_EQ(bilinear_tap(5, 2, 1), (BilinearTap{3, 4, 64}));
    EXPECT_EQ(bilinear_tap(3, 1, 0), (BilinearTap{1, 1, 0}));
    // 1 -> anything: always pixel 0.
    for (int d = 0; d < 7; ++d) EXPECT_EQ(bilinear_tap(1, 7, d), (BilinearTap{0, 0, 0}));
    // 3 -> 7: position (d + 0.5) * 3 / 7 - 0.5; d = 2 gives 4/7 = 146.29 / 256 -> 146.
    EXPECT_EQ(bilinear_tap(3, 7, 2), (BilinearTap{0, 1, 146}));
    // d = 5 gives 1.857..: 1 + 219.43 / 256 -> 219.
    EXPECT_EQ(bilinear_tap(3, 7, 5), (BilinearTap{1, 2, 219}));
}

TEST(BilinearTap, RoundsToTheNearest256thForEverySize) {
    for (int src = 1; src <= 40; ++src) {
        for (int dst = 1; dst <= 40; ++dst) {
            for (int d = 0; d < dst; ++d) {
                const double p = std::clamp((d + 0.5) * src / dst - 0.5, 0.0, src - 1.0);
                const BilinearTap t = bilinear_tap(src, dst, d);
                const double got = t.i0 + t.w1 / 256.0;
                ASSERT_LE(std::abs(got - p), 0.5 / 256 + 1e-12)
                    << src << " -> " << dst << " at " << d;
                ASSERT_TRUE(t.w1 >= 0 && t.w1 < 256 && t.i0 >= 0 && t.i0 < src);
                ASSERT_EQ(t.i1, t.w1 == 0 ? t.i0 : t.i0 + 1);
                ASSERT_LT(t.i1, src);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Hand-computed values

TEST(BilinearScaler, Upscales2x1To4x1AtPixelCentres) {
    // Red 0 -> 255: 0, 63.75, 191.25, 255 -> 0, 64, 191, 255. Green the other way; alpha
    // 255 -> 1: 255, 191.5, 64.5, 1 -> 255, 192 (ties round up), 65, 1.
    const Picture src = from_rows(2, 1, {0, 255, 40, 255, 255, 0, 200, 1});
    for (const ScalePath path : kPaths) {
        const Picture out = scaled(src.view(), 4, 1, path);
        EXPECT_EQ(out.packed(), (std::vector<std::uint8_t>{0, 255, 40, 255,   //
                                                           64, 191, 80, 192,  //
                                                           191, 64, 160, 65,  //
                                                           255, 0, 200, 1}))
            << path_name(path);
    }
}

TEST(BilinearScaler, Downscales3x3To2x2) {
    // Positions 0.25 and 1.75 on both axes (weights 0.75/0.25 and 0.25/0.75). Red = 30x + 90y
    // is linear, so bilinear is exact: 30, 75, 165, 210. Green is 0 but for 200 at (2, 0) and
    // 100 at (0, 1): at (0.25, 0.25) only (0, 1) counts, 0.1875 * 100 = 18.75 -> 19; at
    // (1.75, 0.25) only (2, 0), 0.5625 * 200 = 112.5, a tie -> 113; at (0.25, 1.75) (0, 1)
    // again, 0.75 * 0.25 * 100 = 18.75 -> 19; at (1.75, 1.75) neither -> 0. Blue 7 and alpha 128
    // are constant and stay so.
    Picture src(3, 3);
    for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 3; ++x) {
            std::uint8_t* p = src.at(x, y);
            p[0] = static_cast<std::uint8_t>(30 * x + 90 * y);
            p[1] = x == 2 && y == 0 ? 200 : x == 0 && y == 1 ? 100 : 0;
            p[2] = 7;
            p[3] = 128;
        }
    }
    for (const ScalePath path : kPaths) {
        const Picture out = scaled(src.view(), 2, 2, path);
        EXPECT_EQ(out.packed(), (std::vector<std::uint8_t>{30, 19, 7, 128, 75, 113, 7, 128,  //
                                                           165, 19, 7, 128, 210, 0, 7, 128}))
            << path_name(path);
    }
}

TEST(BilinearScaler, OneColumnScalesVerticallyOnly) {
    // 1x3 -> 1x6: positions clamp(-0.25) = 0, 0.25, 0.75, 1.25, 1.75, 2.25 -> 2. Values
    // 0, 100, 255: 0, 25, 75, 138.75 -> 139, 216.25 -> 216, 255.
    const Picture src = from_rows(1, 3, {0, 0, 0, 0, 100, 100, 100, 100, 255, 255, 255, 255});
    const std::uint8_t want[] = {0, 25, 75, 139, 216, 255};
    for (const ScalePath path : kPaths) {
        const Picture out = scaled(src.view(), 1, 6, path);
        for (int y = 0; y < 6; ++y) {
            for (int c = 0; c < 4; ++c) {
                EXPECT_EQ(out.packed()[y * 4 + c], want[y]) << path_name(path) << " y " << y;
            }
        }
        // 1x4 -> 1x1 reads position 1.5: (20 + 41) / 2 = 30.5, a tie, rounds up to 31.
        const Picture four = from_rows(1, 4, {10, 0, 0, 0, 20, 0, 0, 0, 41, 0, 0, 0, 90, 0, 0, 0});
        EXPECT_EQ(scaled(four.view(), 1, 1, path).packed()[0], 31) << path_name(path);
        // 1xN -> 3x2 spreads the column across.
        const Picture wide = scaled(src.view(), 3, 2, path);
        for (int x = 0; x < 3; ++x) {
            // 3 -> 2 rows: positions 0.25 and 1.75: 25 and 216.25 -> 216.
            EXPECT_EQ(wide.packed()[x * 4], 25) << path_name(path);
            EXPECT_EQ(wide.packed()[12 + x * 4], 216) << path_name(path);
        }
    }
}

TEST(BilinearScaler, OneRowScalesHorizontallyOnly) {
    // 5x1 -> 2x1: positions 0.75 and 3.25 over 0, 255, 0, 255, 0: 191.25 -> 191 both.
    const Picture src = from_rows(5, 1, {0,   9, 0, 255, 255, 9, 0, 255, 0, 9, 0, 255,  //
                                         255, 9, 0, 255, 0,   9, 0, 255});
    for (const ScalePath path : kPaths) {
        EXPECT_EQ(scaled(src.view(), 2, 1, path).packed(),
                  (std::vector<std::uint8_t>{191, 9, 0, 255, 191, 9, 0, 255}))
            << path_name(path);
        // 5x1 -> 7x3: every row equal, positions (d + 0.5) * 5 / 7 - 0.5.
        const Picture big = scaled(src.view(), 7, 3, path);
        const std::vector<std::uint8_t> all = big.packed();
        for (int x = 0; x < 7; ++x) {
            const double p = std::clamp((x + 0.5) * 5 / 7 - 0.5, 0.0, 4.0);
            const BilinearTap t = bilinear_tap(5, 7, x);
            const double v0 = (t.i0 % 2) * 255.0, v1 = (t.i1 % 2) * 255.0;
            const double want = v0 + (v1 - v0) * t.w1 / 256.0;
            for (int y = 0; y < 3; ++y) {
                EXPECT_EQ(all[(y * 7 + x) * 4], static_cast<int>(std::floor(want + 0.5)))
                    << path_name(path) << " x " << x << " (position " << p << ")";
                EXPECT_EQ(all[(y * 7 + x) * 4 + 1], 9);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Exactness

TEST(BilinearScaler, ConstantImagesStayExactlyConstant) {
    const std::pair<int, int> sizes[] = {{1, 1}, {2, 1}, {3, 5}, {7, 3}, {40, 31}, {333, 187}};
    const std::pair<int, int> outputs[] = {{1, 1}, {5, 2}, {64, 48}, {17, 101}, {1001, 563}};
    for (const std::uint8_t value : {std::uint8_t{255}, std::uint8_t{0}, std::uint8_t{131}}) {
        for (const auto& [sw, sh] : sizes) {
            Picture src(sw, sh);
            std::fill(src.storage.begin(), src.storage.end(), value);
            for (const auto& [dw, dh] : outputs) {
                for (const ScalePath path : kPaths) {
                    const std::vector<std::uint8_t> out = scaled(src.view(), dw, dh, path).packed();
                    ASSERT_TRUE(std::all_of(out.begin(), out.end(),
                                            [&](std::uint8_t v) { return v == value; }))
                        << int{value} << ": " << sw << "x" << sh << " -> " << dw << "x" << dh << " "
                        << path_name(path);
                }
            }
        }
    }
}

TEST(BilinearScaler, IdentitySizeCopiesExactly) {
    std::mt19937 rng(11);
    for (const auto& [w, h] :
         {std::pair{1, 1}, std::pair{13, 7}, std::pair{64, 3}, std::pair{333, 187}}) {
        const Picture src = random_picture(w, h, rng, 12, true);
        for (const ScalePath path : kPaths) {
            EXPECT_EQ(scaled(src.view(), w, h, path, 8).packed(), src.packed())
                << w << "x" << h << " " << path_name(path);
        }
    }
}

TEST(BilinearScaler, OnThe256thGridWithinHalfALevelOfExactBilinear) {
    // Power-of-two ratios put every sampling position on the 1/256 grid: the one rounding
    // is then the only difference from exact GL_LINEAR.
    std::mt19937 rng(3);
    const Picture src = random_picture(16, 8, rng);
    for (const auto& [dw, dh] : {std::pair{64, 32}, std::pair{8, 4}, std::pair{128, 2}}) {
        for (const ScalePath path : kPaths) {
            const Picture out = scaled(src.view(), dw, dh, path);
            for (int y = 0; y < dh; ++y) {
                const double py = std::clamp((y + 0.5) * 8 / dh - 0.5, 0.0, 7.0);
                const int y0 = static_cast<int>(py);
                const int y1 = std::min(y0 + 1, 7);
                for (int x = 0; x < dw; ++x) {
                    const double px = std::clamp((x + 0.5) * 16 / dw - 0.5, 0.0, 15.0);
                    const int x0 = static_cast<int>(px);
                    const int x1 = std::min(x0 + 1, 15);
                    const double fx = px - x0, fy = py - y0;
                    for (int c = 0; c < 4; ++c) {
                        const auto s = [&](int sx, int sy) {
                            return static_cast<double>(src.storage[(sy * 16 + sx) * 4 + c]);
                        };
                        const double top = s(x0, y0) * (1 - fx) + s(x1, y0) * fx;
                        const double bottom = s(x0, y1) * (1 - fx) + s(x1, y1) * fx;
                        const double exact = top * (1 - fy) + bottom * fy;
                        const int got = out.storage[(y * dw + x) * 4 + c];
                        ASSERT_LE(std::abs(got - exact), 0.5)
                            << dw << "x" << dh << " " << path_name(path) << " at " << x << ", " << y
                            << " channel " << c;
                    }
                }
            }
        }
    }
}

TEST(BilinearScaler, WritesNothingIntoTheStridePadding) {
    std::mt19937 rng(4);
    const Picture src = random_picture(9, 5, rng);
    for (const ScalePath path : kPaths) {
        for (const int w : {1, 3, 17, 70}) {
            const Picture out = scaled(src.view(), w, 4, path, 20);
            for (int y = 0; y < 4; ++y) {
                for (int b = w * 4; b < out.stride; ++b) {
                    ASSERT_EQ(out.storage[static_cast<std::size_t>(y) * out.stride + b], 0xEE)
                        << path_name(path) << " width " << w;
                }
            }
        }
    }
}

TEST(BilinearScaler, TablesAreReusedAndNeverShrink) {
    std::mt19937 rng(5);
    const Picture src = random_picture(40, 30, rng);
    BilinearScaler scaler;
    Picture big(300, 200), small(30, 20);
    scaler.scale(src.view(), big.target());
    const std::size_t held = scaler.scratch_bytes();
    EXPECT_GT(held, 0u);
    scaler.scale(src.view(), big.target());
    EXPECT_EQ(scaler.scratch_bytes(), held);
    scaler.scale(src.view(), small.target());
    scaler.scale(src.view(), big.target());
    EXPECT_EQ(scaler.scratch_bytes(), held);
    // The same scaler on new sizes gives what a fresh one gives.
    EXPECT_EQ(big.packed(), scaled(src.view(), 300, 200, ScalePath::kSimd).packed());
}

// ---------------------------------------------------------------------------------------------
// SIMD targets equal the scalar reference

TEST(BilinearScalerSimd, CompiledTargetsIncludeTheDispatchedOne) {
    const std::vector<std::int64_t> targets = scale_simd_targets();
    ASSERT_FALSE(targets.empty());
    EXPECT_EQ(scale_simd_dispatched_target(), targets.front()) << "dispatch should pick the best";
}

TEST(BilinearScalerSimd, EveryTargetMatchesScalarOnRandomSizes) {
    struct Size {
        int sw, sh, dw, dh;
    };
    std::vector<Size> sizes = {
        {1, 1, 1, 1},           {1, 1, 97, 3},          {1, 5, 1, 1},          {5, 1, 1, 1},
        {2, 1, 4, 1},           {3, 3, 2, 2},           {1, 300, 7, 2},        {300, 1, 2, 9},
        {1000, 3, 1, 1},        {3, 1000, 2, 1},        {2, 2, 1000, 7},       {7, 2, 3, 1000},
        {480, 270, 1920, 1080}, {1920, 1080, 640, 360}, {333, 187, 1001, 563}, {211, 97, 97, 61},
        {64, 64, 65, 63},       {17, 13, 16, 14},
    };
    std::mt19937 rng(2024);
    std::uniform_int_distribution<int> side(1, 150);
    for (int i = 0; i < 40; ++i) sizes.push_back({side(rng), side(rng), side(rng), side(rng)});
    std::string names;
    for (const std::int64_t target : scale_simd_targets()) {
        names += std::string(blend_simd_target_name(target)) + " ";
        ScopedTarget scoped(target);
        ASSERT_EQ(scale_simd_dispatched_target(), target);
        BilinearScaler reused;  // one scaler across all sizes, as the compositor keeps it
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            const Size s = sizes[i];
            const bool unaligned = i % 3 == 1;
            const Picture src =
                random_picture(s.sw, s.sh, rng, static_cast<int>(i % 4) * 3, unaligned);
            const std::vector<std::uint8_t> want =
                scaled(src.view(), s.dw, s.dh, ScalePath::kScalarReference).packed();
            Picture got(s.dw, s.dh, 4);
            reused.scale(src.view(), got.target());
            ASSERT_EQ(got.packed(), want)
                << blend_simd_target_name(target) << ", " << s.sw << "x" << s.sh << " -> " << s.dw
                << "x" << s.dh << (unaligned ? " unaligned" : "") << ": "
                << first_difference(got.packed(), want, s.dw);
        }
    }
    std::printf("scale targets compared: %s\n", names.c_str());
}

TEST(BilinearScalerSimd, EveryTargetMatchesScalarOnExtremeValues) {
    // Only 0, 1, 254 and 255: the largest intermediate values and every rounding edge.
    std::mt19937 rng(77);
    const std::uint8_t extremes[] = {0, 1, 254, 255};
    Picture src(37, 23);
    for (auto& v : src.storage) v = extremes[rng() % 4];
    for (const std::int64_t target : scale_simd_targets()) {
        ScopedTarget scoped(target);
        for (const auto& [dw, dh] : {std::pair{100, 71}, std::pair{19, 11}, std::pair{37, 60}}) {
            const auto want = scaled(src.view(), dw, dh, ScalePath::kScalarReference).packed();
            const auto got = scaled(src.view(), dw, dh, ScalePath::kSimd).packed();
            ASSERT_EQ(got, want) << blend_simd_target_name(target) << ", " << dw << "x" << dh
                                 << ": " << first_difference(got, want, dw);
        }
    }
}

}  // namespace
}  // namespace interleave::renderer::cpu
