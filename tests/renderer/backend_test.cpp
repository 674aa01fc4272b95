// Tests for the renderer::Backend implementations: CpuBackend composites straight into a
// capture buffer, bit for bit what CpuCompositor makes, and redraws its last layers; GlBackend
// (on each rung, headless llvmpipe) begins a read-back per capture and collects it without
// waiting once the GPU is done, in order, leaves no fence behind, and, when the CPU composites,
// captures inline. Thread: test main thread (the render thread here).
#include "renderer/backend.hpp"

#include <cstdint>
#include <memory>
#include <vector>

#include <glad/gl.h>
#include <gtest/gtest.h>

#include "renderer/cpu/cpu_backend.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "renderer/gl/gl_backend.hpp"
#include "tests/renderer/gl/gl_rungs.hpp"
#include "tests/support/image_compare.hpp"

namespace interleave::renderer {
namespace {

using cpu::ComposeOptions;
using cpu::RgbaTarget;
using cpu::RgbaView;

struct Image {
    std::vector<std::uint8_t> pixels;
    int w = 0;
    int h = 0;
    [[nodiscard]] RgbaView view() const { return {pixels.data(), w, h, w * 4}; }
    [[nodiscard]] RgbaTarget target() { return {pixels.data(), w, h, w * 4}; }
};

Image make(int w, int h, int seed, bool opaque) {
    Image img{std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 4), w, h};
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            std::uint8_t* p = &img.pixels[(static_cast<std::size_t>(y) * w + x) * 4];
            p[0] = static_cast<std::uint8_t>(x * 3 + seed);
            p[1] = static_cast<std::uint8_t>(y * 5 + seed * 2);
            p[2] = static_cast<std::uint8_t>((x + y) * 2 + seed);
            p[3] = opaque ? 255 : static_cast<std::uint8_t>(60 + (x * 7 + y) % 196);
        }
    }
    return img;
}

// What CpuCompositor makes of the layers (the reference for every backend).
Image reference(const Image& main_layer, const Image& float_layer, const ComposeOptions& options,
                int w, int h) {
    Image out{std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 4), w, h};
    cpu::CpuCompositor compositor;
    EXPECT_TRUE(compositor.compose(main_layer.view(), float_layer.view(), options, out.target()));
    return out;
}

test::Image as_test_image(const Image& img) {
    test::Image t;
    t.width = img.w;
    t.height = img.h;
    t.channels = 4;
    t.pixels = img.pixels;
    return t;
}

TEST(CpuBackend, CapturesByCompositingStraightIntoTheBuffer) {
    const Image main_layer = make(64, 36, 1, true);
    const Image float_layer = make(64, 36, 9, false);
    ComposeOptions options;
    const Image expected = reference(main_layer, float_layer, options, 64, 36);
    cpu::CpuBackend backend;
    Image capture{std::vector<std::uint8_t>(expected.pixels.size()), 64, 36};
    const RgbaTarget target = capture.target();
    auto composed = backend.compose(main_layer.view(), float_layer.view(), options, 64, 36, &target);
    ASSERT_TRUE(composed) << composed.error().message();
    EXPECT_EQ(composed->capture, CaptureState::kDone);
    EXPECT_EQ(capture.pixels, expected.pixels);
    EXPECT_EQ(backend.frame().pixels, capture.pixels.data()) << "no copy of its own";
    EXPECT_EQ(backend.pending_captures(), 0);
    EXPECT_FALSE(backend.try_collect().has_value());
    EXPECT_EQ(backend.stats().captures_inline, 1u);
    EXPECT_FALSE(backend.present(64, 36));
}

TEST(CpuBackend, RedrawCompositesTheLastLayersAgain) {
    cpu::CpuBackend backend;
    EXPECT_FALSE(backend.redraw({}, 10, 10)) << "nothing composed yet";
    const Image main_layer = make(40, 30, 3, true);
    const Image float_layer = make(40, 30, 5, false);
    ASSERT_TRUE(backend.compose(main_layer.view(), float_layer.view(), {}, 40, 30));
    ComposeOptions turned;
    turned.rotation = cpu::Rotation::k90;
    turned.mirror = true;
    ASSERT_TRUE(backend.redraw(turned, 30, 50));
    const Image expected = reference(main_layer, float_layer, turned, 30, 50);
    const RgbaView frame = backend.frame();
    ASSERT_EQ(frame.width_px, 30);
    ASSERT_EQ(frame.height_px, 50);
    EXPECT_TRUE(std::equal(expected.pixels.begin(), expected.pixels.end(), frame.pixels));
    EXPECT_EQ(backend.stats().redraws, 1u);
}

TEST(CpuBackend, ACaptureBufferOfAnotherSizeIsAnError) {
    cpu::CpuBackend backend;
    const Image main_layer = make(8, 8, 0, true);
    Image small{std::vector<std::uint8_t>(4 * 4 * 4), 4, 4};
    const RgbaTarget target = small.target();
    auto composed = backend.compose(main_layer.view(), {}, {}, 8, 8, &target);
    ASSERT_FALSE(composed);
    EXPECT_EQ(composed.error().code, ErrorCode::kInvalidArgument);
}

class GlBackendTest : public gl::RungTest {};

std::unique_ptr<gl::GlBackend> make_gl_backend(gl::GlApi api, bool cpu_composites) {
    auto compositor = gl::GlCompositor::create(api);
    EXPECT_TRUE(compositor) << compositor.error().message();
    if (!compositor) return nullptr;
    if (!cpu_composites) return std::make_unique<gl::GlBackend>(std::move(*compositor));
    return std::make_unique<gl::GlBackend>(std::move(*compositor),
                                           std::make_unique<cpu::CpuBackend>());
}

TEST_P(GlBackendTest, ACaptureIsCollectedWithoutWaitingOnceTheGpuIsDone) {
    auto backend = make_gl_backend(GetParam().api, false);
    ASSERT_TRUE(backend);
    const Image main_layer = make(48, 32, 2, true);
    const Image float_layer = make(48, 32, 7, false);
    // No capture asked for: nothing read back.
    auto plain = backend->compose(main_layer.view(), float_layer.view(), {}, 48, 32);
    ASSERT_TRUE(plain) << plain.error().message();
    EXPECT_EQ(plain->capture, CaptureState::kNone);
    EXPECT_EQ(backend->pending_captures(), 0);
    EXPECT_FALSE(backend->try_collect().has_value());

    Image capture{std::vector<std::uint8_t>(48 * 32 * 4), 48, 32};
    const RgbaTarget target = capture.target();
    auto composed =
        backend->compose(main_layer.view(), float_layer.view(), {}, 48, 32, &target);
    ASSERT_TRUE(composed) << composed.error().message();
    ASSERT_EQ(composed->capture, CaptureState::kPending);
    EXPECT_EQ(backend->pending_captures(), 1);
    glFinish();  // the GPU is done: the next try_collect() completes it
    auto collected = backend->try_collect();
    ASSERT_TRUE(collected.has_value()) << "the fence has signalled";
    ASSERT_TRUE(*collected) << collected->error().message();
    EXPECT_EQ(backend->pending_captures(), 0);
    const Image expected = reference(main_layer, float_layer, {}, 48, 32);
    EXPECT_TRUE(test::rgba_near(capture.pixels.data(), 48, 32, as_test_image(expected), 2,
                                "gl-backend-capture"));
    const BackendStats s = backend->stats();
    EXPECT_TRUE(s.gpu_composite);
    EXPECT_EQ(s.readbacks_begun, 1u);
    EXPECT_EQ(s.readbacks_done, 1u);
    EXPECT_EQ(backend->compositor_stats().readback_waits, 0u) << "collected without waiting";
}

TEST_P(GlBackendTest, CapturesCompleteInOrderAndNoFenceOutlivesTheBackend) {
    auto backend = make_gl_backend(GetParam().api, false);
    ASSERT_TRUE(backend);
    const Image a = make(16, 16, 10, true);
    const Image b = make(16, 16, 90, true);
    Image capture_a{std::vector<std::uint8_t>(16 * 16 * 4), 16, 16};
    Image capture_b{std::vector<std::uint8_t>(16 * 16 * 4), 16, 16};
    const RgbaTarget ta = capture_a.target();
    const RgbaTarget tb = capture_b.target();
    ASSERT_TRUE(backend->compose(a.view(), {}, {}, 16, 16, &ta));
    ASSERT_TRUE(backend->compose(b.view(), {}, {}, 16, 16, &tb));
    ASSERT_EQ(backend->pending_captures(), 2);
    for (int i = 0; i < 2; ++i) {
        auto collected = backend->wait_collect();
        ASSERT_TRUE(collected.has_value());
        ASSERT_TRUE(*collected) << collected->error().message();
    }
    EXPECT_FALSE(backend->wait_collect().has_value()) << "none pending";
    EXPECT_TRUE(test::rgba_near(capture_a.pixels.data(), 16, 16,
                                as_test_image(reference(a, {}, {}, 16, 16)), 2, "order-a"));
    EXPECT_TRUE(test::rgba_near(capture_b.pixels.data(), 16, 16,
                                as_test_image(reference(b, {}, {}, 16, 16)), 2, "order-b"));

    // One left pending at destruction: its fence goes with the backend.
    ASSERT_TRUE(backend->compose(a.view(), {}, {}, 16, 16, &ta));
    const gl::GlObjectNames names = backend->object_names();
    backend.reset();
    if (GetParam().api != gl::GlApi::kGles20) {
        EXPECT_FALSE(names.fences.empty());
        for (GLsync s : names.fences) EXPECT_FALSE(glIsSync(s));
    }
    for (GLuint buffer : names.buffers) EXPECT_FALSE(glIsBuffer(buffer));
}

TEST_P(GlBackendTest, WhenTheCpuCompositesTheCaptureIsInlineAndBitExact) {
    auto backend = make_gl_backend(GetParam().api, true);
    ASSERT_TRUE(backend);
    EXPECT_EQ(backend->api(), "cpu");
    const Image main_layer = make(32, 20, 4, true);
    const Image float_layer = make(32, 20, 8, false);
    Image capture{std::vector<std::uint8_t>(32 * 20 * 4), 32, 20};
    const RgbaTarget target = capture.target();
    auto composed =
        backend->compose(main_layer.view(), float_layer.view(), {}, 32, 20, &target);
    ASSERT_TRUE(composed) << composed.error().message();
    EXPECT_EQ(composed->capture, CaptureState::kDone);
    EXPECT_EQ(capture.pixels, reference(main_layer, float_layer, {}, 32, 20).pixels);
    EXPECT_EQ(backend->pending_captures(), 0);
    EXPECT_FALSE(backend->stats().gpu_composite);
    EXPECT_EQ(backend->stats().readbacks_begun, 0u);
    // The frame GL holds for presenting is the CPU's.
    ComposeOptions turned;
    turned.rotation = cpu::Rotation::k180;
    ASSERT_TRUE(backend->redraw(turned, 32, 20));
    EXPECT_EQ(backend->stats().redraws, 1u);
}

INSTANTIATE_TEST_SUITE_P(Rungs, GlBackendTest, gl::every_rung(), gl::rung_name);

}  // namespace
}  // namespace interleave::renderer
