// Tests for renderer/cpu/cpu_compositor: letterbox geometry, known pixels, GL_LINEAR-like
// scaling, rotation and mirror orientation, and whole frames from the SIMD compositor equal to
// the scalar-reference compositor bit for bit on every SIMD target. Thread: test main thread
// (the render thread).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "loader/buffer_pool.hpp"
#include "renderer/cpu/blend_simd.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "tests/support/image_compare.hpp"

namespace interleave::renderer::cpu {
namespace {

using test::Image;

constexpr Rotation kRotations[] = {Rotation::k0, Rotation::k90, Rotation::k180, Rotation::k270};

int degrees(Rotation r) { return static_cast<int>(r) * 90; }

// An RGBA picture plus the view the compositor reads.
struct Layer {
    Image image;
    [[nodiscard]] RgbaView view() const {
        return RgbaView{image.pixels.data(), image.width, image.height, image.width * 4};
    }
};

Layer random_layer(int w, int h, std::uint32_t seed) {
    Layer l{Image(w, h, 4)};
    std::mt19937 rng(seed);
    constexpr std::uint8_t kAlphas[] = {0, 12, 13, 128, 255};
    for (std::size_t i = 0; i < l.image.pixels.size(); i += 4) {
        const std::uint32_t r = rng();
        l.image.pixels[i + 0] = static_cast<std::uint8_t>(r);
        l.image.pixels[i + 1] = static_cast<std::uint8_t>(r >> 8);
        l.image.pixels[i + 2] = static_cast<std::uint8_t>(r >> 16);
        const std::uint8_t a = static_cast<std::uint8_t>(r >> 24);
        l.image.pixels[i + 3] = (a & 1) ? kAlphas[a % 5] : a;
    }
    return l;
}

Layer solid_layer(int w, int h, std::uint8_t r, std::uint8_t g, std::uint8_t b, std::uint8_t a) {
    Layer l{Image(w, h, 4)};
    for (std::size_t i = 0; i < l.image.pixels.size(); i += 4) {
        l.image.pixels[i + 0] = r;
        l.image.pixels[i + 1] = g;
        l.image.pixels[i + 2] = b;
        l.image.pixels[i + 3] = a;
    }
    return l;
}

// The output frame: an Image (for rgba_near) pre-filled with a marker colour.
struct Frame {
    Image image;
    Frame(int w, int h) : image(w, h, 4) {
        std::fill(image.pixels.begin(), image.pixels.end(), std::uint8_t{0x5A});
    }
    [[nodiscard]] RgbaTarget target() {
        return RgbaTarget{image.pixels.data(), image.width, image.height, image.width * 4};
    }
    [[nodiscard]] test::Rgba at(int x, int y) const {
        return test::rgba_at(image.pixels.data(), image.width, x, y);
    }
};

void expect_pixel(const Frame& f, int x, int y, test::Rgba want, const std::string& what) {
    const test::Rgba got = f.at(x, y);
    EXPECT_TRUE(got.r == want.r && got.g == want.g && got.b == want.b && got.a == want.a)
        << what << " at (" << x << ", " << y << "): got " << int{got.r} << "," << int{got.g}
        << "," << int{got.b} << "," << int{got.a} << " want " << int{want.r} << ","
        << int{want.g} << "," << int{want.b} << "," << int{want.a};
}

struct Size {
    int w, h;
};

struct ScopedTarget {
    explicit ScopedTarget(std::int64_t target) { set_blend_simd_target_for_test(target); }
    ~ScopedTarget() { set_blend_simd_target_for_test(0); }
    ScopedTarget(const ScopedTarget&) = delete;
    ScopedTarget& operator=(const ScopedTarget&) = delete;
};

// ---------------------------------------------------------------------------------------------
// Letterbox geometry

TEST(LetterboxRect, FitsWideAndTallOutputsCentred) {
    EXPECT_EQ(letterbox_rect(1920, 1080, Rotation::k0, 1920, 1080), (PlacedRect{0, 0, 1920, 1080}));
    // 4:3 into 16:9: pillarbox.
    EXPECT_EQ(letterbox_rect(640, 480, Rotation::k0, 1920, 1080), (PlacedRect{240, 0, 1440, 1080}));
    // 4:3 into a tall 300x600: letterbox, 225 rows.
    EXPECT_EQ(letterbox_rect(640, 480, Rotation::k0, 300, 600), (PlacedRect{0, 187, 300, 225}));
    // Odd spare pixels go to the right / bottom bar.
    EXPECT_EQ(letterbox_rect(2, 2, Rotation::k0, 5, 2), (PlacedRect{1, 0, 2, 2}));
}

TEST(LetterboxRect, QuarterTurnsSwapTheAspectRatio) {
    // 4:3 content shown at 90 or 270 degrees is 3:4 on screen.
    for (const Rotation r : {Rotation::k90, Rotation::k270}) {
        EXPECT_EQ(letterbox_rect(640, 480, r, 1920, 1080), (PlacedRect{555, 0, 810, 1080}));
    }
    EXPECT_EQ(letterbox_rect(640, 480, Rotation::k180, 1920, 1080),
              (PlacedRect{240, 0, 1440, 1080}));
}

TEST(LetterboxRect, ExtremeAspectKeepsAtLeastOnePixel) {
    EXPECT_EQ(letterbox_rect(1000, 1, Rotation::k0, 10, 10), (PlacedRect{0, 4, 10, 1}));
    EXPECT_EQ(letterbox_rect(1, 1, Rotation::k90, 1, 1), (PlacedRect{0, 0, 1, 1}));
    EXPECT_EQ(letterbox_rect(0, 5, Rotation::k0, 10, 10), (PlacedRect{}));
}

// ---------------------------------------------------------------------------------------------
// Known pixels

constexpr BgColour kBg{4, 5, 6};
constexpr test::Rgba kBgPixel{4, 5, 6, 255};

TEST(CpuCompositor, BarsAreBackgroundAndContentIsCentred) {
    CpuCompositor compositor;
    const Layer main = solid_layer(2, 2, 200, 100, 50, 255);
    Frame wide(6, 2);
    ASSERT_TRUE(compositor.compose(main.view(), RgbaView{}, {kBg}, wide.target()));
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 6; ++x) {
            const bool content = x >= 2 && x < 4;
            expect_pixel(wide, x, y, content ? test::Rgba{200, 100, 50, 255} : kBgPixel,
                         content ? "content" : "pillar bar");
        }
    }
    Frame tall(2, 7);
    ASSERT_TRUE(compositor.compose(main.view(), RgbaView{}, {kBg}, tall.target()));
    for (int y = 0; y < 7; ++y) {
        const bool content = y >= 2 && y < 4;
        expect_pixel(tall, 0, y, content ? test::Rgba{200, 100, 50, 255} : kBgPixel,
                     content ? "content" : "letterbox bar");
    }
}

TEST(CpuCompositor, KnownBlendResults) {
    struct Case {
        test::Rgba main, flt, want;
        const char* what;
    };
    const Case cases[] = {
        {{200, 100, 50, 255}, {1, 2, 3, 0}, {200, 100, 50, 255}, "opaque main, clear float = main"},
        {{200, 100, 50, 0}, {1, 2, 3, 0}, kBgPixel, "clear main, clear float = bg"},
        {{200, 100, 50, 255}, {10, 20, 30, 255}, {10, 20, 30, 255}, "opaque float = float"},
        {{200, 100, 50, 0}, {10, 20, 30, 255}, {10, 20, 30, 255}, "opaque float over clear main"},
        {{255, 255, 255, 128}, {0, 0, 0, 0}, {130, 130, 131, 255}, "half main over bg"},
        {{100, 100, 100, 255}, {200, 0, 51, 102}, {140, 60, 80, 255}, "float 0.4 over main"},
    };
    for (const BlendPath path : {BlendPath::kSimd, BlendPath::kScalarReference}) {
        CpuCompositor compositor(path);
        for (const Case& c : cases) {
            const Layer main = solid_layer(3, 3, c.main.r, c.main.g, c.main.b, c.main.a);
            const Layer flt = solid_layer(3, 3, c.flt.r, c.flt.g, c.flt.b, c.flt.a);
            Frame out(3, 3);
            ASSERT_TRUE(compositor.compose(main.view(), flt.view(), {kBg}, out.target()));
            for (int y = 0; y < 3; ++y) {
                for (int x = 0; x < 3; ++x) expect_pixel(out, x, y, c.want, c.what);
            }
        }
    }
}

TEST(CpuCompositor, MissingFloatLayerIsTransparent) {
    CpuCompositor compositor;
    const Layer main = random_layer(9, 4, 3);
    const Layer clear = solid_layer(9, 4, 77, 88, 99, 0);
    Frame with_clear(9, 4), without(9, 4);
    ASSERT_TRUE(compositor.compose(main.view(), clear.view(), {kBg}, with_clear.target()));
    ASSERT_TRUE(compositor.compose(main.view(), RgbaView{}, {kBg}, without.target()));
    EXPECT_TRUE(test::rgba_near(without.image.pixels.data(), 9, 4, with_clear.image, 0,
                                "missing_float"));
}

TEST(CpuCompositor, FloatOfAnotherSizeIsStretchedOverTheContent) {
    CpuCompositor compositor;
    const Layer main = solid_layer(16, 8, 10, 10, 10, 255);
    // A solid layer stays exactly solid when scaled, whatever its size: the bilinear weights
    // sum to one (libyuv's summed to 127/128 and turned 250 into 248).
    for (const auto& [fw, fh] : {std::pair{3, 5}, std::pair{1, 1}, std::pair{40, 31}}) {
        const Layer flt = solid_layer(fw, fh, 250, 20, 120, 255);
        Frame out(20, 8);  // content 16x8 at x = 2
        ASSERT_TRUE(compositor.compose(main.view(), flt.view(), {kBg}, out.target()));
        Image want(20, 8, 4);
        for (int y = 0; y < 8; ++y) {
            for (int x = 0; x < 20; ++x) {
                const bool content = x >= 2 && x < 18;
                const test::Rgba p = content ? test::Rgba{250, 20, 120, 255} : kBgPixel;
                std::uint8_t* w = want.at(x, y);
                w[0] = p.r;
                w[1] = p.g;
                w[2] = p.b;
                w[3] = p.a;
                if (!content) expect_pixel(out, x, y, kBgPixel, "bar");  // bars: exact
            }
        }
        EXPECT_TRUE(test::rgba_near(out.image.pixels.data(), 20, 8, want, 0,
                                    fmt::format("stretched_float_{}x{}", fw, fh)));
    }
}

TEST(CpuCompositor, AcceptsDecodedLayerImages) {
    loader::BufferPool pool(2);
    auto main_buf = pool.wait_acquire(4 * 4 * 4, std::chrono::milliseconds(100));
    ASSERT_TRUE(main_buf.has_value());
    loader::LayerImage main{std::move(*main_buf), 4, 4};
    for (std::size_t i = 0; i < 64; i += 4) {
        main.pixels.data()[i] = 30;
        main.pixels.data()[i + 1] = 60;
        main.pixels.data()[i + 2] = 90;
        main.pixels.data()[i + 3] = 255;
    }
    const loader::LayerImage no_float;
    CpuCompositor compositor;
    Frame out(8, 4);
    ASSERT_TRUE(compositor.compose(main, no_float, {kBg}, out.target()));
    expect_pixel(out, 0, 0, kBgPixel, "bar");
    expect_pixel(out, 3, 2, {30, 60, 90, 255}, "content");
}

TEST(CpuCompositor, RejectsBadInputAndLeavesTheOutputAlone) {
    CpuCompositor compositor;
    const Layer main = random_layer(4, 4, 1);
    Frame out(4, 4);
    const Image before = out.image;
    auto result = compositor.compose(RgbaView{}, main.view(), {kBg}, out.target());
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
    RgbaView short_stride = main.view();
    short_stride.stride_bytes = 12;
    EXPECT_FALSE(compositor.compose(short_stride, RgbaView{}, {kBg}, out.target()));
    EXPECT_FALSE(compositor.compose(main.view(), short_stride, {kBg}, out.target()));
    RgbaTarget null_out = out.target();
    null_out.pixels = nullptr;
    EXPECT_FALSE(compositor.compose(main.view(), RgbaView{}, {kBg}, null_out));
    EXPECT_EQ(out.image.pixels, before.pixels);
}

TEST(CpuCompositor, ScratchIsReusedAcrossFramesAndSmallerSizes) {
    CpuCompositor compositor;
    const Layer main = random_layer(40, 30, 1);
    const Layer flt = random_layer(20, 10, 2);
    Frame big(97, 61), small(33, 20);
    const ComposeOptions options{kBg, Rotation::k90, true};
    ASSERT_TRUE(compositor.compose(main.view(), flt.view(), options, big.target()));
    const std::size_t held = compositor.scratch_bytes();
    EXPECT_GT(held, 0u);
    ASSERT_TRUE(compositor.compose(main.view(), flt.view(), options, big.target()));
    ASSERT_TRUE(compositor.compose(main.view(), flt.view(), options, small.target()));
    EXPECT_EQ(compositor.scratch_bytes(), held);
}

TEST(CpuCompositor, SameSizeUnrotatedNeedsNoScratch) {
    CpuCompositor compositor;
    const Layer main = random_layer(31, 17, 1);
    const Layer flt = random_layer(31, 17, 2);
    Frame out(31, 17);
    ASSERT_TRUE(compositor.compose(main.view(), flt.view(), {kBg}, out.target()));
    EXPECT_EQ(compositor.scratch_bytes(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Scaling samples as GL_LINEAR with GL_CLAMP_TO_EDGE does

// A w x h layer from the pixels listed row by row.
Layer pixels_layer(int w, int h, std::initializer_list<test::Rgba> px) {
    Layer l{Image(w, h, 4)};
    std::size_t i = 0;
    for (const test::Rgba& p : px) {
        l.image.pixels[i++] = p.r;
        l.image.pixels[i++] = p.g;
        l.image.pixels[i++] = p.b;
        l.image.pixels[i++] = p.a;
    }
    return l;
}

// GL_LINEAR along one axis, by hand: output pixel `d` of `dst_px` reads source position
// (d + 0.5) * src_px / dst_px - 0.5, clamped to the first and last pixel centre, and mixes the
// two pixels around it linearly.
double gl_linear(const std::vector<double>& src, int dst_px, int d) {
    const int src_px = static_cast<int>(src.size());
    const double pos = std::clamp((d + 0.5) * src_px / dst_px - 0.5, 0.0, src_px - 1.0);
    const int i = static_cast<int>(std::floor(pos));
    const double f = pos - i;
    return src[static_cast<std::size_t>(i)] * (1 - f) +
           src[static_cast<std::size_t>(std::min(i + 1, src_px - 1))] * f;
}

// Values that jump around (0 next to 255), so a sampling position off by a fraction of a pixel
// shows as many levels.
constexpr double kJumpy[] = {0, 255, 40, 180, 255, 10, 120, 0, 200, 60};

// An opaque layer whose red depends on x only and green on y only: the bilinear result is then
// the one-axis GL_LINEAR of each, checked on every output pixel. The sizes are chosen so that
// every sampling fraction is a multiple of 1/8 (exact in the scaler's 8-bit weights), and the
// scaler rounds the weighted sum to nearest once: within 0.5 of exact GL_LINEAR.
void expect_scaled_like_gl_linear(int sw, int sh, int dw, int dh) {
    ASSERT_EQ(letterbox_rect(sw, sh, Rotation::k0, dw, dh), (PlacedRect{0, 0, dw, dh}))
        << "the test wants the content to fill the frame";
    std::vector<double> reds, greens;
    for (int x = 0; x < sw; ++x) reds.push_back(kJumpy[x % 10]);
    for (int y = 0; y < sh; ++y) greens.push_back(kJumpy[(y + 3) % 10]);
    Layer main{Image(sw, sh, 4)};
    for (int y = 0; y < sh; ++y) {
        for (int x = 0; x < sw; ++x) {
            std::uint8_t* p = main.image.at(x, y);
            p[0] = static_cast<std::uint8_t>(reds[static_cast<std::size_t>(x)]);
            p[1] = static_cast<std::uint8_t>(greens[static_cast<std::size_t>(y)]);
            p[2] = 77;
            p[3] = 255;
        }
    }
    for (const BlendPath path : {BlendPath::kSimd, BlendPath::kScalarReference}) {
        CpuCompositor compositor(path);
        Frame out(dw, dh);
        ASSERT_TRUE(compositor.compose(main.view(), RgbaView{}, {kBg}, out.target()));
        double worst = 0;
        for (int y = 0; y < dh; ++y) {
            for (int x = 0; x < dw; ++x) {
                const test::Rgba got = out.at(x, y);
                const double want_r = gl_linear(reds, dw, x);
                const double want_g = gl_linear(greens, dh, y);
                EXPECT_LE(std::abs(got.r - want_r), 0.5)
                    << sw << "x" << sh << " -> " << dw << "x" << dh << " red at x " << x
                    << ": got " << int{got.r} << ", GL_LINEAR gives " << want_r;
                EXPECT_LE(std::abs(got.g - want_g), 0.5)
                    << sw << "x" << sh << " -> " << dw << "x" << dh << " green at y " << y
                    << ": got " << int{got.g} << ", GL_LINEAR gives " << want_g;
                EXPECT_EQ(got.b, 77);
                EXPECT_EQ(got.a, 255);
                worst = std::max({worst, std::abs(got.r - want_r), std::abs(got.g - want_g)});
            }
        }
        if (worst > 0.5) return;  // the EXPECTs above already failed; one path is enough
    }
}

TEST(CpuCompositor, UpscaleA2x1LayerSamplesAtPixelCentresLikeGlLinear) {
    // 2x1 -> 4x2: red at x = 0..3 reads positions -0.25 (clamped to 0), 0.25, 0.75, 1.25
    // (clamped to 1): 0, 63.75, 191.25, 255. Corner-aligned filters (libyuv's) give 0, 85,
    // 170, 255.
    const Layer ab = pixels_layer(2, 1, {{0, 255, 40, 255}, {255, 0, 200, 255}});
    CpuCompositor compositor;
    Frame out(4, 2);
    ASSERT_TRUE(compositor.compose(ab.view(), RgbaView{}, {kBg}, out.target()));
    const double want_r[] = {0, 63.75, 191.25, 255};
    const double want_g[] = {255, 191.25, 63.75, 0};
    const double want_b[] = {40, 80, 160, 200};
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 4; ++x) {
            const test::Rgba got = out.at(x, y);
            EXPECT_LE(std::abs(got.r - want_r[x]), 1.0) << "red at " << x << ", " << y;
            EXPECT_LE(std::abs(got.g - want_g[x]), 1.0) << "green at " << x << ", " << y;
            EXPECT_LE(std::abs(got.b - want_b[x]), 1.0) << "blue at " << x << ", " << y;
            EXPECT_EQ(got.a, 255);
        }
    }
    // The edge pixels are the edge texels exactly (clamp to edge).
    expect_pixel(out, 0, 0, {0, 255, 40, 255}, "left edge");
    expect_pixel(out, 3, 1, {255, 0, 200, 255}, "right edge");
}

TEST(CpuCompositor, UpscalesLikeGlLinearOnBothAxes) {
    expect_scaled_like_gl_linear(2, 1, 4, 2);
    expect_scaled_like_gl_linear(3, 2, 12, 8);
    expect_scaled_like_gl_linear(10, 4, 40, 16);
}

TEST(CpuCompositor, DownscalesLikeGlLinearOnBothAxes) {
    // 10x6 -> 5x3 reads positions 0.5, 2.5, ...; 10x4 -> 5x2 the same; 8x4 -> 2x1 reads 1.5,
    // 5.5 across and 1.5 down. GL_LINEAR (no mipmaps) mixes the two nearest pixels only.
    expect_scaled_like_gl_linear(10, 6, 5, 3);
    expect_scaled_like_gl_linear(10, 4, 5, 2);
    expect_scaled_like_gl_linear(8, 4, 2, 1);
}

TEST(CpuCompositor, DownscaleFractionsAreTakenFromTheSourceCentres) {
    // 5x1 -> 2x1 (the height stays 1 row): positions 0.75 and 3.25.
    const Layer row = pixels_layer(5, 1, {{0, 0, 0, 255}, {255, 0, 0, 255}, {0, 0, 0, 255},
                                          {255, 0, 0, 255}, {0, 0, 0, 255}});
    CpuCompositor compositor;
    Frame out(2, 1);
    ASSERT_TRUE(compositor.compose(row.view(), RgbaView{}, {kBg}, out.target()));
    EXPECT_LE(std::abs(out.at(0, 0).r - 0.25 * 0 - 0.75 * 255), 1.0) << int{out.at(0, 0).r};
    EXPECT_LE(std::abs(out.at(1, 0).r - 0.75 * 255 - 0.25 * 0), 1.0) << int{out.at(1, 0).r};
}

TEST(CpuCompositor, OpaqueWhiteStaysExactly255AtEveryScale) {
    const Size layers[] = {{1, 1}, {2, 1}, {3, 5}, {7, 3}, {40, 31}, {333, 187}};
    const Size outputs[] = {{1, 1}, {5, 2}, {64, 48}, {17, 101}, {1001, 563}, {128, 80}};
    CpuCompositor compositor;
    for (const Size l : layers) {
        const Layer white = solid_layer(l.w, l.h, 255, 255, 255, 255);
        const Layer other_size = solid_layer(l.w + 2, l.h + 1, 255, 255, 255, 255);
        for (const Size o : outputs) {
            for (const Rotation r : kRotations) {
                Frame out(o.w, o.h);
                ASSERT_TRUE(compositor.compose(white.view(), other_size.view(), {kBg, r},
                                               out.target()));
                const PlacedRect rect = letterbox_rect(l.w, l.h, r, o.w, o.h);
                for (int y = rect.y; y < rect.y + rect.height_px; ++y) {
                    for (int x = rect.x; x < rect.x + rect.width_px; ++x) {
                        const test::Rgba p = out.at(x, y);
                        ASSERT_TRUE(p.r == 255 && p.g == 255 && p.b == 255 && p.a == 255)
                            << l.w << "x" << l.h << " -> " << o.w << "x" << o.h << " rotated "
                            << degrees(r) << ": " << int{p.r} << "," << int{p.g} << ","
                            << int{p.b} << " at " << x << ", " << y;
                    }
                }
            }
        }
    }
}

TEST(CpuCompositor, ScalingInterpolatesStraightAlphaChannelByChannel) {
    // As GL_LINEAR on the straight-alpha texture: colour and alpha mix independently, then the
    // blend applies the mixed alpha. Premultiplied scaling would keep the clear pixel's green
    // out (green 0, red 150 at x = 1) instead.
    const Layer ab = pixels_layer(2, 1, {{200, 0, 0, 255}, {0, 200, 0, 0}});
    CpuCompositor compositor;
    Frame out(4, 2);
    ASSERT_TRUE(compositor.compose(ab.view(), RgbaView{}, {BgColour{0, 0, 0}}, out.target()));
    // x = 1 mixes 0.75 of the first pixel: rgb (150, 50, 0), alpha 191.25, over black.
    // x = 2 mixes 0.25 of it: rgb (50, 150, 0), alpha 63.75.
    const double alpha1 = 191.25 / 255, alpha2 = 63.75 / 255;
    EXPECT_LE(std::abs(out.at(1, 0).r - 150 * alpha1), 2.0) << int{out.at(1, 0).r};
    EXPECT_LE(std::abs(out.at(1, 0).g - 50 * alpha1), 2.0) << int{out.at(1, 0).g};
    EXPECT_LE(std::abs(out.at(2, 0).r - 50 * alpha2), 2.0) << int{out.at(2, 0).r};
    EXPECT_LE(std::abs(out.at(2, 0).g - 150 * alpha2), 2.0) << int{out.at(2, 0).g};
    expect_pixel(out, 3, 0, {0, 0, 0, 255}, "clear edge pixel over black");
}

TEST(CpuCompositor, UnalignedLayersScaleLikeAlignedOnes) {
    // Rows of 19 * 4 + 1 bytes starting at an odd address: the scaler copies such rows first.
    const Layer main = random_layer(19, 11, 6);
    const Layer flt = random_layer(7, 5, 7);
    const auto unaligned = [](const Layer& l, std::vector<std::uint8_t>& storage) {
        const int stride = l.image.width * 4 + 1;
        storage.assign(static_cast<std::size_t>(stride) * l.image.height + 1, 0xEE);
        for (int y = 0; y < l.image.height; ++y) {
            std::copy_n(l.image.at(0, y), l.image.width * 4,
                        storage.data() + 1 + static_cast<std::size_t>(y) * stride);
        }
        return RgbaView{storage.data() + 1, l.image.width, l.image.height, stride};
    };
    std::vector<std::uint8_t> main_storage, flt_storage;
    const RgbaView main_odd = unaligned(main, main_storage);
    const RgbaView flt_odd = unaligned(flt, flt_storage);
    for (const Rotation r : kRotations) {
        CpuCompositor compositor;
        Frame aligned(50, 40), odd(50, 40);
        ASSERT_TRUE(compositor.compose(main.view(), flt.view(), {kBg, r}, aligned.target()));
        ASSERT_TRUE(compositor.compose(main_odd, flt_odd, {kBg, r}, odd.target()));
        EXPECT_EQ(odd.image.pixels, aligned.image.pixels) << degrees(r) << " degrees";
    }
}

// ---------------------------------------------------------------------------------------------
// Orientation

constexpr test::Rgba kA{255, 0, 0, 255};
constexpr test::Rgba kB{0, 0, 255, 255};
constexpr test::Rgba kC{0, 255, 0, 255};
constexpr test::Rgba kD{255, 255, 0, 255};

TEST(CpuCompositor, RotatesClockwiseThenMirrorsOnA2x1Image) {
    const Layer ab = pixels_layer(2, 1, {kA, kB});  // A left, B right
    struct Case {
        Rotation rotation;
        bool mirror;
        int w, h;                     // output = displayed size
        test::Rgba first, second;     // left/top, then right/bottom
    };
    const Case cases[] = {
        {Rotation::k0, false, 2, 1, kA, kB},   {Rotation::k90, false, 1, 2, kA, kB},
        {Rotation::k180, false, 2, 1, kB, kA}, {Rotation::k270, false, 1, 2, kB, kA},
        {Rotation::k0, true, 2, 1, kB, kA},    {Rotation::k90, true, 1, 2, kA, kB},
        {Rotation::k180, true, 2, 1, kA, kB},  {Rotation::k270, true, 1, 2, kB, kA},
    };
    for (const BlendPath path : {BlendPath::kSimd, BlendPath::kScalarReference}) {
        CpuCompositor compositor(path);
        for (const Case& c : cases) {
            Frame out(c.w, c.h);
            ASSERT_TRUE(compositor.compose(ab.view(), RgbaView{},
                                           {kBg, c.rotation, c.mirror}, out.target()));
            const std::string what =
                fmt::format("{} degrees{}", degrees(c.rotation), c.mirror ? " mirrored" : "");
            expect_pixel(out, 0, 0, c.first, what + ", first");
            expect_pixel(out, c.w - 1, c.h - 1, c.second, what + ", second");
        }
    }
}

TEST(CpuCompositor, MirrorAppliesAfterRotationOnA2x2Image) {
    // [A B]  90 cw  [C A]  mirror  [A C]
    // [C D]  --->   [D B]  ----->  [B D]
    const Layer abcd = pixels_layer(2, 2, {kA, kB, kC, kD});
    CpuCompositor compositor;
    Frame rotated(2, 2), both(2, 2);
    ASSERT_TRUE(compositor.compose(abcd.view(), RgbaView{}, {kBg, Rotation::k90, false},
                                   rotated.target()));
    expect_pixel(rotated, 0, 0, kC, "90");
    expect_pixel(rotated, 1, 0, kA, "90");
    expect_pixel(rotated, 0, 1, kD, "90");
    expect_pixel(rotated, 1, 1, kB, "90");
    ASSERT_TRUE(compositor.compose(abcd.view(), RgbaView{}, {kBg, Rotation::k90, true},
                                   both.target()));
    expect_pixel(both, 0, 0, kA, "90 mirrored");
    expect_pixel(both, 1, 0, kC, "90 mirrored");
    expect_pixel(both, 0, 1, kB, "90 mirrored");
    expect_pixel(both, 1, 1, kD, "90 mirrored");
}

// ---------------------------------------------------------------------------------------------
// SIMD frames equal scalar-reference frames

TEST(CpuCompositor, SimdFramesEqualScalarReferenceOnEveryTarget) {
    const Size mains[] = {{1, 1}, {7, 5}, {33, 17}, {64, 48}, {2, 1}};
    const Size outputs[] = {{1, 1}, {101, 37}, {23, 77}, {64, 48}, {48, 64}, {130, 97}};
    CpuCompositor reference(BlendPath::kScalarReference);
    int frames = 0;
    for (const std::int64_t target : blend_simd_targets()) {
        ScopedTarget scoped(target);
        CpuCompositor simd(BlendPath::kSimd);
        std::uint32_t seed = 1;
        for (const Size m : mains) {
            const Layer main = random_layer(m.w, m.h, seed++);
            // Float: the same size, another size, 1x1, and none.
            const Layer floats[] = {random_layer(m.w, m.h, seed++), random_layer(13, 9, seed++),
                                    random_layer(1, 1, seed++), Layer{}};
            for (const Layer& flt : floats) {
                const RgbaView float_view = flt.image.width > 0 ? flt.view() : RgbaView{};
                for (const Size o : outputs) {
                    for (const Rotation r : kRotations) {
                        for (const bool mirror : {false, true}) {
                            const ComposeOptions options{BgColour{4, 90, 200}, r, mirror};
                            Frame want(o.w, o.h), got(o.w, o.h);
                            ASSERT_TRUE(reference.compose(main.view(), float_view, options,
                                                          want.target()));
                            ASSERT_TRUE(
                                simd.compose(main.view(), float_view, options, got.target()));
                            const std::string name = fmt::format(
                                "cpu_{}_main{}x{}_float{}x{}_out{}x{}_rot{}{}",
                                blend_simd_target_name(target), m.w, m.h, flt.image.width,
                                flt.image.height, o.w, o.h, degrees(r), mirror ? "_mirror" : "");
                            ASSERT_TRUE(test::rgba_near(got.image.pixels.data(), o.w, o.h,
                                                        want.image, 0, name));
                            // Nothing left unwritten: alpha is 255 everywhere.
                            for (std::size_t i = 3; i < got.image.pixels.size(); i += 4) {
                                ASSERT_EQ(got.image.pixels[i], 255) << name;
                            }
                            ++frames;
                        }
                    }
                }
            }
        }
    }
    RecordProperty("frames_compared", frames);
}

TEST(CpuCompositor, PaddedStridesGiveTheSameFrame) {
    // Layers and output with row padding: the same pixels as tightly packed ones.
    const Layer main = random_layer(19, 11, 4);
    const Layer flt = random_layer(19, 11, 5);
    const auto padded = [](const Layer& l, int pad_px) {
        std::vector<std::uint8_t> p(static_cast<std::size_t>(l.image.width + pad_px) *
                                        l.image.height * 4, 0xEE);
        for (int y = 0; y < l.image.height; ++y) {
            std::copy_n(l.image.at(0, y), l.image.width * 4,
                        p.data() + static_cast<std::size_t>(y) * (l.image.width + pad_px) * 4);
        }
        return p;
    };
    const auto main_p = padded(main, 3);
    const auto flt_p = padded(flt, 5);
    for (const Rotation r : kRotations) {
        CpuCompositor compositor;
        Frame tight(25, 11);
        ASSERT_TRUE(compositor.compose(main.view(), flt.view(), {kBg, r}, tight.target()));
        std::vector<std::uint8_t> out_p(static_cast<std::size_t>(27) * 11 * 4, 0);
        ASSERT_TRUE(compositor.compose(RgbaView{main_p.data(), 19, 11, 22 * 4},
                                       RgbaView{flt_p.data(), 19, 11, 24 * 4}, {kBg, r},
                                       RgbaTarget{out_p.data(), 25, 11, 27 * 4}));
        for (int y = 0; y < 11; ++y) {
            ASSERT_TRUE(std::equal(out_p.begin() + y * 27 * 4, out_p.begin() + y * 27 * 4 + 25 * 4,
                                   tight.image.pixels.begin() + y * 25 * 4))
                << "row " << y << ", " << degrees(r) << " degrees";
        }
    }
}

}  // namespace
}  // namespace interleave::renderer::cpu
