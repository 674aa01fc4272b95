// Tests for renderer/cpu/cpu_compositor: letterbox geometry, known pixels, rotation and mirror
// orientation, and whole frames from the SIMD compositor equal to the scalar-reference
// compositor bit for bit on every SIMD target. Thread: test main thread (the render thread).
#include <chrono>
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
    // A solid layer stays nearly solid when scaled, whatever its size. Nearly: libyuv's bilinear
    // column filter weighs neighbours by 127 - f and f, then >> 7 (a sum of 127, not 128), so a
    // constant 250 comes out as 248 and alpha 255 as 253; blended over main that is 246.
    constexpr int kLibyuvFilterLoss = 5;
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
        EXPECT_TRUE(test::rgba_near(out.image.pixels.data(), 20, 8, want, kLibyuvFilterLoss,
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
// Orientation

constexpr test::Rgba kA{255, 0, 0, 255};
constexpr test::Rgba kB{0, 0, 255, 255};
constexpr test::Rgba kC{0, 255, 0, 255};
constexpr test::Rgba kD{255, 255, 0, 255};

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

struct Size {
    int w, h;
};

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
