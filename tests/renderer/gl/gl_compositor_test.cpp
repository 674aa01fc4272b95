// Tests for renderer/gl/gl_compositor.cpp on each rung (GL 3.3 core, GLES 3.0, GLES 2.0),
// headless on Mesa llvmpipe: frames match CpuCompositor, PBO and direct uploads agree, textures
// are reused across sizes and nothing leaks. Thread: test main thread (the render thread here).
#include "renderer/gl/gl_compositor.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <glad/gl.h>
#include <gtest/gtest.h>

#include "renderer/cpu/cpu_compositor.hpp"
#include "renderer/gl/egl_context.hpp"
#include "tests/support/image_compare.hpp"

namespace interleave::renderer::gl {
namespace {

using cpu::BlendPath;
using cpu::CpuCompositor;
using cpu::Rotation;

struct ApiCase {
    GlApi api;
    const char* test_name;
};

// Names the case in gtest output and in the ctest test names ("# GetParam() = Gles30").
void PrintTo(const ApiCase& c, std::ostream* out) { *out << c.test_name; }

// Layers at the content size are sampled at texel centres: the only difference is the blend's
// rounding (float in the shader, exact integers on the CPU). DESIGN.md's bound.
constexpr int kExactTolerance = 2;
// Scaled layers are compared on smooth content only (at most 4 levels per source pixel): the
// two bilinear filters sample at different places. libyuv's upscale aligns the corners (source
// x = dst x * (w_src - 1) / (w_dst - 1)) while GL_LINEAR aligns pixel centres, up to 0.8 source
// px apart here; libyuv also weighs by 7 bits and loses up to 1/128 (255 -> 253). On noise
// that gives differences up to 92; on smooth content the measured maximum is 5 (GL 3.3,
// downscale) and 4 elsewhere, so 6 leaves one level of margin.
constexpr int kScaledTolerance = 6;

// A straight-alpha RGBA layer, tightly packed (or with `pad_px` extra pixels per row).
struct Layer {
    std::vector<std::uint8_t> pixels;
    int width_px = 0;
    int height_px = 0;
    int stride_bytes = 0;

    [[nodiscard]] RgbaView view() const {
        return RgbaView{pixels.data(), width_px, height_px, stride_bytes};
    }
};

enum class Alpha { kBands, kOpaque };

// Smooth straight-alpha content: every channel a plane with slopes of at most 4 levels per
// pixel (alpha from 60 up), so a sub-pixel difference in sampling positions stays small.
Layer make_smooth_layer(int width_px, int height_px, int offset) {
    Layer layer;
    layer.width_px = width_px;
    layer.height_px = height_px;
    layer.stride_bytes = width_px * 4;
    layer.pixels.resize(static_cast<std::size_t>(layer.stride_bytes) * height_px);
    const auto clamp = [](int v) { return static_cast<std::uint8_t>(std::clamp(v, 0, 255)); };
    for (int y = 0; y < height_px; ++y) {
        for (int x = 0; x < width_px; ++x) {
            std::uint8_t* p = layer.pixels.data() + (static_cast<std::size_t>(y) * width_px +
                                                     static_cast<std::size_t>(x)) * 4;
            p[0] = clamp(offset + 4 * x);
            p[1] = clamp(230 - offset - 3 * y);
            p[2] = clamp(100 + 2 * x - 2 * y + offset);
            p[3] = clamp(60 + 3 * x + 2 * y - offset);
        }
    }
    return layer;
}

// Random-ish colours (a fixed xorshift per seed) and alpha in vertical bands of 0, 12, 13, 128,
// 255 and noise, or all 255.
Layer make_layer(int width_px, int height_px, std::uint32_t seed, Alpha alpha, int pad_px = 0) {
    Layer layer;
    layer.width_px = width_px;
    layer.height_px = height_px;
    layer.stride_bytes = (width_px + pad_px) * 4;
    layer.pixels.assign(static_cast<std::size_t>(layer.stride_bytes) * height_px, 0xA5);
    std::uint32_t state = seed * 2654435761u + 1;
    const auto next = [&state] {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        return state;
    };
    constexpr std::uint8_t kBands[] = {0, 12, 13, 128, 255};
    for (int y = 0; y < height_px; ++y) {
        for (int x = 0; x < width_px; ++x) {
            std::uint8_t* p = layer.pixels.data() + static_cast<std::size_t>(y) *
                                                        layer.stride_bytes +
                              static_cast<std::size_t>(x) * 4;
            const std::uint32_t r = next();
            p[0] = static_cast<std::uint8_t>(r);
            p[1] = static_cast<std::uint8_t>(r >> 8);
            p[2] = static_cast<std::uint8_t>(r >> 16);
            const int band = (x * 6) / std::max(width_px, 1);
            p[3] = alpha == Alpha::kOpaque ? 255
                   : band < 5              ? kBands[band]
                                           : static_cast<std::uint8_t>(r >> 24);
        }
    }
    return layer;
}

class GlCompositorTest : public testing::TestWithParam<ApiCase> {
protected:
    void SetUp() override {
        auto created = HeadlessEglContext::create(GetParam().api);
        ASSERT_TRUE(created) << created.error().message();
        context_ = std::move(*created);
        const auto current = context_->make_current();
        ASSERT_TRUE(current) << current.error().message();
        auto compositor = GlCompositor::create(GetParam().api);
        ASSERT_TRUE(compositor) << compositor.error().message();
        compositor_ = std::move(*compositor);
    }

    void TearDown() override { compositor_.reset(); }

    static std::vector<std::uint8_t> compose_gl(GlCompositor& compositor, const Layer& main,
                                                const Layer* floating,
                                                const ComposeOptions& options, int out_w,
                                                int out_h) {
        std::vector<std::uint8_t> out(static_cast<std::size_t>(out_w) * out_h * 4, 0);
        const auto composed = compositor.compose(main.view(), floating ? floating->view()
                                                                       : RgbaView{},
                                                 options, out_w, out_h);
        EXPECT_TRUE(composed) << composed.error().message();
        const auto read =
            compositor.read_pixels(cpu::RgbaTarget{out.data(), out_w, out_h, out_w * 4});
        EXPECT_TRUE(read) << read.error().message();
        return out;
    }

    // Composes with both paths and checks GL against the CPU scalar reference; returns the
    // largest per-channel difference (also printed).
    int expect_matches_cpu(const Layer& main, const Layer* floating,
                           const ComposeOptions& options, int out_w, int out_h, int tolerance,
                           const std::string& what) {
        test::Image expected(out_w, out_h, 4);
        CpuCompositor cpu(BlendPath::kScalarReference);
        const auto cpu_ok = cpu.compose(main.view(), floating ? floating->view() : RgbaView{},
                                        options,
                                        cpu::RgbaTarget{expected.pixels.data(), out_w, out_h,
                                                        out_w * 4});
        EXPECT_TRUE(cpu_ok) << cpu_ok.error().message();
        const std::vector<std::uint8_t> actual =
            compose_gl(*compositor_, main, floating, options, out_w, out_h);
        const int max_diff = test::max_channel_difference(actual.data(),
                                                          expected.pixels.data(), out_w, out_h);
        std::fprintf(stderr, "[ measured ] %s %s: max abs diff %d (tolerance %d)\n",
                     GetParam().test_name, what.c_str(), max_diff, tolerance);
        EXPECT_TRUE(test::rgba_near(actual.data(), out_w, out_h, expected, tolerance,
                                    std::string("gl_compositor-") + GetParam().test_name + "-" +
                                        what));
        return max_diff;
    }

    std::unique_ptr<HeadlessEglContext> context_;
    std::unique_ptr<GlCompositor> compositor_;
};

const char* rotation_name(Rotation rotation) {
    switch (rotation) {
    case Rotation::k0: return "r0";
    case Rotation::k90: return "r90";
    case Rotation::k180: return "r180";
    case Rotation::k270: return "r270";
    }
    return "?";
}

TEST_P(GlCompositorTest, SameSizeLayersMatchTheCpuCompositorWithinTwo) {
    const Layer main = make_layer(64, 48, 1, Alpha::kBands);
    const Layer floating = make_layer(64, 48, 2, Alpha::kBands);
    ComposeOptions options;
    options.background = {16, 32, 48};
    expect_matches_cpu(main, &floating, options, 64, 48, kExactTolerance, "same-size");
    expect_matches_cpu(main, nullptr, options, 64, 48, kExactTolerance, "no-float");
}

TEST_P(GlCompositorTest, OpaqueLayersShowTheFloatLayerOnly) {
    const Layer main = make_layer(40, 30, 3, Alpha::kOpaque);
    const Layer floating = make_layer(40, 30, 4, Alpha::kOpaque);
    expect_matches_cpu(main, &floating, {}, 40, 30, kExactTolerance, "opaque");
    expect_matches_cpu(main, nullptr, {}, 40, 30, kExactTolerance, "opaque-main-only");
}

TEST_P(GlCompositorTest, OddSizesAndPaddedRowsMatch) {
    const Layer main = make_layer(37, 23, 5, Alpha::kBands, /*pad_px=*/3);
    const Layer floating = make_layer(37, 23, 6, Alpha::kBands, /*pad_px=*/1);
    expect_matches_cpu(main, &floating, {}, 37, 23, kExactTolerance, "odd-37x23");
}

TEST_P(GlCompositorTest, OnePixelLayersMatch) {
    const Layer main = make_layer(1, 1, 7, Alpha::kBands);  // alpha 0 (first band)
    Layer floating = make_layer(1, 1, 8, Alpha::kBands);
    floating.pixels[3] = 128;
    expect_matches_cpu(main, &floating, {}, 1, 1, kExactTolerance, "1x1");
    // A constant layer scales to a constant: exact in both paths.
    expect_matches_cpu(main, &floating, {}, 7, 5, kExactTolerance, "1x1-to-7x5");
}

TEST_P(GlCompositorTest, EveryRotationAndMirrorMatches) {
    const Layer main = make_layer(37, 23, 9, Alpha::kBands);
    const Layer floating = make_layer(37, 23, 10, Alpha::kBands);
    for (Rotation rotation : {Rotation::k0, Rotation::k90, Rotation::k180, Rotation::k270}) {
        for (bool mirror : {false, true}) {
            ComposeOptions options;
            options.rotation = rotation;
            options.mirror = mirror;
            const bool quarter = rotation == Rotation::k90 || rotation == Rotation::k270;
            const std::string what =
                std::string(rotation_name(rotation)) + (mirror ? "-mirror" : "");
            // Exactly the displayed size: no scaling.
            expect_matches_cpu(main, &floating, options, quarter ? 23 : 37, quarter ? 37 : 23,
                               kExactTolerance, what);
            // Letterboxed into a wide and a tall frame with unscaled content.
            expect_matches_cpu(main, &floating, options, quarter ? 51 : 61, quarter ? 37 : 23,
                               kExactTolerance, what + "-wide");
            expect_matches_cpu(main, &floating, options, quarter ? 23 : 37, quarter ? 60 : 50,
                               kExactTolerance, what + "-tall");
        }
    }
}

TEST_P(GlCompositorTest, ScaledLayersMatchWithinTheMeasuredBilinearTolerance) {
    const Layer main = make_smooth_layer(37, 23, 20);
    const Layer floating = make_smooth_layer(20, 15, 10);
    const Layer big_main = make_smooth_layer(60, 45, 0);
    ComposeOptions options;
    options.background = {200, 100, 50};
    // Float of another size than main, content unscaled: only the float layer scales.
    expect_matches_cpu(main, &floating, options, 37, 23, kScaledTolerance, "float-20x15");
    // Both layers scaled up, letterboxed, rotated and mirrored.
    expect_matches_cpu(main, &floating, options, 100, 60, kScaledTolerance, "up-wide");
    options.rotation = Rotation::k90;
    options.mirror = true;
    expect_matches_cpu(main, &floating, options, 30, 80, kScaledTolerance, "up-tall-r90m");
    // Main scaled down, float scaled up.
    options.rotation = Rotation::k0;
    options.mirror = false;
    expect_matches_cpu(big_main, &floating, options, 40, 30, kScaledTolerance, "down");
}

// Documents the limit above: on noise, the two bilinear filters disagree by far more than the
// +-2 of unscaled frames (printed, not asserted beyond "exact-size parts still match").
TEST_P(GlCompositorTest, ScaledNoiseDiffersByTheSamplingPositionsOnly) {
    const Layer main = make_layer(37, 23, 11, Alpha::kBands);
    const Layer floating = make_layer(20, 15, 12, Alpha::kBands);
    const std::vector<std::uint8_t> actual = compose_gl(*compositor_, main, &floating, {}, 74,
                                                        46);
    test::Image expected(74, 46, 4);
    CpuCompositor cpu(BlendPath::kScalarReference);
    ASSERT_TRUE(cpu.compose(main.view(), floating.view(), {},
                            cpu::RgbaTarget{expected.pixels.data(), 74, 46, 74 * 4}));
    const int max_diff =
        test::max_channel_difference(actual.data(), expected.pixels.data(), 74, 46);
    std::fprintf(stderr, "[ measured ] %s noise 2x upscale: max abs diff %d (not asserted)\n",
                 GetParam().test_name, max_diff);
    // The corners sample the corner texels exactly in both filters.
    const test::PixelMask corners = [](int x, int y) {
        return (x == 0 || x == 73) && (y == 0 || y == 45);
    };
    EXPECT_LE(test::max_channel_difference(actual.data(), expected.pixels.data(), 74, 46,
                                           corners),
              kExactTolerance + 2);
}

TEST_P(GlCompositorTest, PboAndDirectUploadsGiveIdenticalPixels) {
    GlCompositorOptions direct_options;
    direct_options.force_direct_upload = true;
    auto direct = GlCompositor::create(GetParam().api, direct_options);
    ASSERT_TRUE(direct) << direct.error().message();
    EXPECT_FALSE((*direct)->stats().pbo_uploads);
    EXPECT_EQ(compositor_->stats().pbo_uploads, GetParam().api != GlApi::kGles20);

    // More frames than PBO slots, with changing content and sizes, so every slot is reused.
    for (std::uint32_t frame = 0; frame < 8; ++frame) {
        const int w = frame % 3 == 2 ? 33 : 48;
        const int h = frame % 3 == 2 ? 17 : 32;
        const Layer main = make_layer(w, h, 100 + frame, Alpha::kBands, frame % 2);
        const Layer floating = make_layer(w, h, 200 + frame, Alpha::kBands);
        ComposeOptions options;
        options.rotation = static_cast<Rotation>(frame % 4);
        const auto via_default = compose_gl(*compositor_, main, &floating, options, 50, 40);
        const auto via_direct = compose_gl(**direct, main, &floating, options, 50, 40);
        ASSERT_EQ(via_default, via_direct) << "frame " << frame;
    }
    const GlCompositorStats stats = compositor_->stats();
    std::fprintf(stderr,
                 "[ measured ] %s: %llu uploads, p50 %.3f ms, p99 %.3f ms, %llu fence waits "
                 "(%.3f ms)\n",
                 GetParam().test_name, static_cast<unsigned long long>(stats.uploads),
                 stats.upload_ms_p50, stats.upload_ms_p99,
                 static_cast<unsigned long long>(stats.fence_waits), stats.fence_wait_ms);
    EXPECT_EQ(stats.uploads, 16u);
    EXPECT_EQ((*direct)->stats().fence_waits, 0u);
}

// Frames back to back with no read-back in between and the smallest ring: every upload reuses a
// slot whose fence may still be pending. The waits are printed (no test asserts on timing); the
// last frame must still equal a direct upload's.
TEST_P(GlCompositorTest, BackToBackFramesWaitForSlotFencesAndStayCorrect) {
    if (GetParam().api == GlApi::kGles20) GTEST_SKIP() << "GLES 2.0 has no PBOs";
    GlCompositorOptions two_slots;
    two_slots.pbo_slots_per_layer = 2;
    auto ring = GlCompositor::create(GetParam().api, two_slots);
    ASSERT_TRUE(ring) << ring.error().message();
    GlCompositorOptions direct_options;
    direct_options.force_direct_upload = true;
    auto direct = GlCompositor::create(GetParam().api, direct_options);
    ASSERT_TRUE(direct) << direct.error().message();
    std::vector<Layer> mains;
    for (std::uint32_t i = 0; i < 4; ++i) mains.push_back(make_layer(256, 256, i, Alpha::kBands));
    const Layer floating = make_layer(256, 256, 9, Alpha::kBands);
    for (int frame = 0; frame < 30; ++frame) {
        const Layer& main = mains[static_cast<std::size_t>(frame) % mains.size()];
        ASSERT_TRUE((*ring)->compose(main.view(), floating.view(), {}, 256, 256));
    }
    const GlCompositorStats stats = (*ring)->stats();
    std::fprintf(stderr, "[ measured ] %s back to back, 2 slots: %llu fence waits (%.3f ms)\n",
                 GetParam().test_name, static_cast<unsigned long long>(stats.fence_waits),
                 stats.fence_wait_ms);
    EXPECT_EQ(stats.uploads, 60u);
    const Layer& last = mains[29 % mains.size()];
    const auto via_ring = compose_gl(**ring, last, &floating, {}, 256, 256);
    const auto via_direct = compose_gl(**direct, last, &floating, {}, 256, 256);
    EXPECT_EQ(via_ring, via_direct);
}

TEST_P(GlCompositorTest, TexturesAreReusedWhenSizesAlternate) {
    const Layer small_main = make_layer(16, 8, 1, Alpha::kBands);
    const Layer small_float = make_layer(16, 8, 2, Alpha::kBands);
    const Layer big_main = make_layer(32, 24, 3, Alpha::kBands);
    const Layer big_float = make_layer(32, 24, 4, Alpha::kBands);
    for (int frame = 0; frame < 10; ++frame) {
        const bool big = frame % 2 == 1;
        compose_gl(*compositor_, big ? big_main : small_main, big ? &big_float : &small_float,
                   {}, 32, 24);
    }
    const GlCompositorStats stats = compositor_->stats();
    // Two textures per size (main and float are used at once), created once each.
    EXPECT_EQ(stats.textures_created, 4u);
    EXPECT_EQ(stats.textures_reused, 16u);
    EXPECT_EQ(stats.textures_deleted, 0u);
    EXPECT_EQ(stats.immutable_textures, GetParam().api != GlApi::kGles20);
}

TEST_P(GlCompositorTest, CreatingAndDestroyingAHundredTimesLeaksNothing) {
    compositor_.reset();
    const Layer main = make_layer(24, 16, 5, Alpha::kBands);
    const Layer floating = make_layer(12, 8, 6, Alpha::kBands);
    const auto probe_texture_name = [] {
        GLuint name = 0;
        glGenTextures(1, &name);
        glDeleteTextures(1, &name);
        return name;
    };
    const GLuint first_probe = probe_texture_name();
    GLuint max_probe = first_probe;
    for (int i = 0; i < 100; ++i) {
        auto compositor = GlCompositor::create(GetParam().api);
        ASSERT_TRUE(compositor) << compositor.error().message();
        for (int frame = 0; frame < 4; ++frame) {  // cycle the PBO ring, leave fences pending
            compose_gl(**compositor, main, &floating, {}, 30, 20);
        }
        const GlObjectNames names = (*compositor)->object_names();
        ASSERT_FALSE(names.textures.empty());
        ASSERT_EQ(names.programs.size(), 1u);
        compositor->reset();
        for (GLuint name : names.textures) ASSERT_FALSE(glIsTexture(name)) << name;
        for (GLuint name : names.buffers) ASSERT_FALSE(glIsBuffer(name)) << name;
        for (GLuint name : names.framebuffers) ASSERT_FALSE(glIsFramebuffer(name)) << name;
        for (GLuint name : names.vertex_arrays) ASSERT_FALSE(glIsVertexArray(name)) << name;
        for (GLuint name : names.programs) ASSERT_FALSE(glIsProgram(name)) << name;
        for (GLsync fence : names.fences) ASSERT_FALSE(glIsSync(fence));
        max_probe = std::max(max_probe, probe_texture_name());
    }
    std::fprintf(stderr, "[ measured ] %s: texture name probe %u before, max %u after\n",
                 GetParam().test_name, first_probe, max_probe);
    EXPECT_EQ(glGetError(), GLenum{GL_NO_ERROR});
}

TEST_P(GlCompositorTest, RejectsBadArguments) {
    const Layer main = make_layer(8, 8, 1, Alpha::kBands);
    EXPECT_FALSE(compositor_->compose(RgbaView{}, main.view(), {}, 8, 8));
    EXPECT_FALSE(compositor_->compose(main.view(), {}, {}, 0, 8));
    RgbaView bad_stride = main.view();
    bad_stride.stride_bytes = 4;
    EXPECT_FALSE(compositor_->compose(bad_stride, {}, {}, 8, 8));
    std::vector<std::uint8_t> out(8 * 8 * 4);
    EXPECT_FALSE(compositor_->read_pixels(cpu::RgbaTarget{out.data(), 8, 8, 32}));
    ASSERT_TRUE(compositor_->compose(main.view(), {}, {}, 8, 8));
    EXPECT_FALSE(compositor_->read_pixels(cpu::RgbaTarget{out.data(), 4, 8, 32}));
    GlCompositorOptions options;
    options.pbo_slots_per_layer = 1;
    EXPECT_FALSE(GlCompositor::create(GetParam().api, options));
}

INSTANTIATE_TEST_SUITE_P(EachRung, GlCompositorTest,
                         testing::Values(ApiCase{GlApi::kGl33Core, "Gl33Core"},
                                         ApiCase{GlApi::kGles30, "Gles30"},
                                         ApiCase{GlApi::kGles20, "Gles20"}),
                         [](const testing::TestParamInfo<ApiCase>& info) {
                             return std::string(info.param.test_name);
                         });

}  // namespace
}  // namespace interleave::renderer::gl
