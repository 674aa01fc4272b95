// Scaled layers on each rung (GL 3.3 core, GLES 3.0, GLES 2.0), headless on Mesa llvmpipe:
// GlCompositor (GL_LINEAR) and CpuCompositor (BilinearScaler) agree within +-2 per channel on
// every value of sample-like content, upscaled, downscaled, rotated and letterboxed. Each case
// prints its measured maximum. Thread: test main thread (the render thread here).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "renderer/cpu/cpu_compositor.hpp"
#include "renderer/gl/egl_context.hpp"
#include "tests/renderer/gl/gl_rungs.hpp"
#include "renderer/gl/gl_compositor.hpp"
#include "tests/support/image_compare.hpp"
#include "tests/support/image_writers.hpp"

namespace interleave::renderer::gl {
namespace {

using cpu::BlendPath;
using cpu::CpuCompositor;
using cpu::Rotation;

// The requirement: GPU output equals CPU output within +-2 per channel, scaled or not, on every
// value. The CPU scaler rounds its bilinear sum to nearest and llvmpipe's GL_LINEAR is within
// about 0.75 of exact; the blend rounds between its two stages on both sides. (Before: pixman's
// bilinear filter, which truncates, left up to 43 of 3,072,000 values 3 off; libyuv's filter
// up to 9 off.)
constexpr int kTolerance = 2;

// A straight-alpha RGBA layer as the decoder delivers an SBS frame: photo-like colours (smooth
// gradients, mild noise), a soft elliptic mask in alpha, mask values below 13 (0.05) set to 0.
struct Layer {
    test::Image image;  // 4 channels, tightly packed

    [[nodiscard]] RgbaView view() const {
        return RgbaView{image.pixels.data(), image.width, image.height, image.width * 4};
    }
};

Layer sbs_like_layer(int width_px, int height_px, std::uint32_t seed) {
    const test::Image rgb = test::photo_like(width_px, height_px, seed);
    const test::Image mask = test::soft_mask(width_px, height_px, seed + 1000);
    Layer layer{test::Image(width_px, height_px, 4)};
    for (int y = 0; y < height_px; ++y) {
        for (int x = 0; x < width_px; ++x) {
            std::uint8_t* p = layer.image.at(x, y);
            std::copy_n(rgb.at(x, y), 3, p);
            const std::uint8_t m = *mask.at(x, y);
            p[3] = m < 13 ? 0 : m;
        }
    }
    return layer;
}

class ScaledMatchTest : public CompositorRungTest {
protected:
    // Composes with GlCompositor and the CPU scalar reference, prints the largest per-channel
    // difference and how many values exceed kTolerance, and expects none to. Beyond
    // kTolerance, rgba_near writes the GL frame and a diff and names them.
    void expect_match(const Layer& main, const Layer* floating, const ComposeOptions& options,
                      int out_w, int out_h, const std::string& what) {
        const RgbaView float_view = floating != nullptr ? floating->view() : RgbaView{};
        test::Image expected(out_w, out_h, 4);
        CpuCompositor cpu(BlendPath::kScalarReference);
        const auto cpu_ok =
            cpu.compose(main.view(), float_view, options,
                        cpu::RgbaTarget{expected.pixels.data(), out_w, out_h, out_w * 4});
        ASSERT_TRUE(cpu_ok) << cpu_ok.error().message();

        std::vector<std::uint8_t> actual(static_cast<std::size_t>(out_w) * out_h * 4, 0);
        const auto composed = compositor_->compose(main.view(), float_view, options, out_w,
                                                   out_h);
        ASSERT_TRUE(composed) << composed.error().message();
        const auto read =
            compositor_->read_pixels(cpu::RgbaTarget{actual.data(), out_w, out_h, out_w * 4});
        ASSERT_TRUE(read) << read.error().message();

        const int max_diff = test::max_channel_difference(actual.data(),
                                                          expected.pixels.data(), out_w, out_h);
        std::size_t beyond = 0;  // channel values more than kTolerance apart
        for (std::size_t i = 0; i < actual.size(); ++i) {
            beyond += std::abs(int{actual[i]} - int{expected.pixels[i]}) > kTolerance;
        }
        const std::size_t values = actual.size() / 4 * 3;  // rgb; alpha is 255 in both
        std::fprintf(stderr, "[ measured ] %s %s: max abs diff %d, %zu of %zu values beyond %d\n",
                     GetParam().test_name, what.c_str(), max_diff, beyond, values, kTolerance);
        RecordProperty(what, max_diff);
        EXPECT_TRUE(test::rgba_near(actual.data(), out_w, out_h, expected, kTolerance,
                                    std::string("scaled_match-") + GetParam().test_name + "-" +
                                        what));
        EXPECT_EQ(beyond, 0u) << what << ": " << beyond << " of " << values
                              << " values beyond +-" << kTolerance;
    }

};

// The bundled sample's shape: 480x270 SBS-decoded layers shown fullscreen on a 1280x800 screen
// (content 1280x720, bars above and below).
TEST_P(ScaledMatchTest, SampleLikeLayersUpscaledToFullscreen) {
    const Layer main = sbs_like_layer(480, 270, 1);
    const Layer floating = sbs_like_layer(480, 270, 2);
    expect_match(main, &floating, {}, 1280, 800, "sample-480x270-to-1280x800");
    expect_match(main, nullptr, {}, 1280, 800, "sample-480x270-no-float-to-1280x800");
    ComposeOptions mirrored;
    mirrored.background = {200, 100, 50};
    mirrored.mirror = true;
    expect_match(main, &floating, mirrored, 1280, 800, "sample-480x270-mirror-bg-to-1280x800");
}

TEST_P(ScaledMatchTest, QuarterTurnsLetterboxedIntoWideAndTallScreens) {
    const Layer main = sbs_like_layer(480, 270, 3);
    const Layer floating = sbs_like_layer(480, 270, 4);
    for (const Rotation rotation : {Rotation::k90, Rotation::k270}) {
        for (const bool mirror : {false, true}) {
            ComposeOptions options;
            options.rotation = rotation;
            options.mirror = mirror;
            const std::string name =
                std::string(rotation_name(rotation)) + (mirror ? "-mirror" : "");
            expect_match(main, &floating, options, 1280, 800, name + "-480x270-to-1280x800");
            expect_match(main, &floating, options, 800, 1280, name + "-480x270-to-800x1280");
        }
    }
}

TEST_P(ScaledMatchTest, FloatLayerOfAnotherSizeIsStretchedAlike) {
    const Layer main = sbs_like_layer(480, 270, 5);
    const Layer floating = sbs_like_layer(320, 240, 6);
    expect_match(main, &floating, {}, 1280, 800, "float-320x240-main-480x270-to-1280x800");
    ComposeOptions rotated;
    rotated.rotation = Rotation::k90;
    expect_match(main, &floating, rotated, 800, 1280,
                 "float-320x240-main-480x270-r90-to-800x1280");
    // Main unscaled, only the float layer scales (down here).
    const Layer big_float = sbs_like_layer(700, 500, 7);
    expect_match(main, &big_float, {}, 480, 270, "float-700x500-main-480x270-unscaled");
}

TEST_P(ScaledMatchTest, DownscaleFullHdToAThird) {
    const Layer main = sbs_like_layer(1920, 1080, 8);
    const Layer floating = sbs_like_layer(1920, 1080, 9);
    expect_match(main, &floating, {}, 640, 360, "down-1920x1080-to-640x360");
    ComposeOptions rotated;
    rotated.rotation = Rotation::k270;
    expect_match(main, &floating, rotated, 640, 360, "down-1920x1080-r270-to-640x360");
}

TEST_P(ScaledMatchTest, OddSizesScaledByUnevenFactors) {
    const Layer main = sbs_like_layer(333, 187, 10);
    const Layer floating = sbs_like_layer(211, 97, 11);
    expect_match(main, &floating, {}, 1001, 563, "odd-333x187-float-211x97-to-1001x563");
    ComposeOptions rotated;
    rotated.rotation = Rotation::k90;
    rotated.mirror = true;
    expect_match(main, &floating, rotated, 1001, 563, "odd-333x187-r90-mirror-to-1001x563");
    expect_match(main, &floating, {}, 97, 61, "odd-333x187-down-to-97x61");
}

INSTANTIATE_TEST_SUITE_P(EachRung, ScaledMatchTest, every_rung(), rung_name);

}  // namespace
}  // namespace interleave::renderer::gl
