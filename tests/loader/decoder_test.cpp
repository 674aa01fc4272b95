// Tests loader/decoder.cpp: every format and layout against known pixels (JPEG within ±4,
// lossless WebP and PNG exact), the SBS alpha threshold, both SBS paths, and bad input that
// must come back as an Error naming the file, never a crash.
#include "loader/decoder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <turbojpeg.h>

#include "tests/support/image_compare.hpp"
#include "tests/support/image_writers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::loader {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::Image;
using test::Rgb;

constexpr int kJpegTolerance = 4;

DecoderOptions planes(bool via_planes) {
    DecoderOptions options;
    options.sbs_via_planes = via_planes;
    return options;
}

// An RGBA reference from an RGB picture and a 1-channel alpha (or constant alpha).
Image rgba_from(const Image& rgb, const Image* alpha, std::uint8_t constant_alpha = 255) {
    Image out(rgb.width, rgb.height, 4);
    for (int y = 0; y < rgb.height; ++y) {
        for (int x = 0; x < rgb.width; ++x) {
            const std::uint8_t* s = rgb.at(x, y);
            std::uint8_t* d = out.at(x, y);
            if (rgb.channels == 1) {
                d[0] = d[1] = d[2] = s[0];
            } else {
                d[0] = s[0];
                d[1] = s[1];
                d[2] = s[2];
            }
            d[3] = alpha ? *alpha->at(x, y) : constant_alpha;
        }
    }
    return out;
}

// The SBS alpha rule: mask values 0..12 become 0, 13 and up are kept.
Image thresholded(const Image& mask) {
    Image out = mask;
    for (auto& v : out.pixels) v = v < kSbsAlphaThreshold ? 0 : v;
    return out;
}

// Pixels at least `margin` away from the borders between quadrants of a w x h layer and from
// its left and right edges: chroma upsampling blends a pixel or two across those borders, and
// in an SBS file the layer's right edge (RGB) and left edge (mask) both touch the seam.
test::PixelMask quadrant_interiors(int w, int h, int margin = 2) {
    return [=](int x, int y) {
        return std::abs(x - w / 2) >= margin && std::abs(y - h / 2) >= margin && x >= margin &&
               x < w - margin;
    };
}

struct Decoded {
    Result<LayerImage> result;
    ::testing::AssertionResult near(const Image& expected, int tolerance, std::string_view name,
                                    const test::PixelMask& checked = {}) const {
        if (!result) return ::testing::AssertionFailure() << result.error().message();
        if (result->width_px != expected.width || result->height_px != expected.height) {
            return ::testing::AssertionFailure()
                   << "decoded " << result->width_px << "x" << result->height_px << ", expected "
                   << expected.width << "x" << expected.height;
        }
        return test::rgba_near(result->pixels.data(), result->width_px, result->height_px,
                               expected, tolerance, name, checked);
    }
};

Decoded decode(std::span<const std::uint8_t> bytes, LayerEncoding encoding,
               DecoderOptions options = {}, ExpectedSize expected = {}) {
    BufferPool pool(2);
    Decoder decoder(options);
    return {decoder.decode_memory(bytes, encoding, pool, "memory", expected)};
}

const Rgb kRed{200, 30, 40};
const Rgb kGreen{20, 180, 60};
const Rgb kBlue{40, 60, 220};
const Rgb kYellow{230, 220, 30};

// [SECTION] SBS JPEG

class SbsJpegSubsampling : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(SbsJpegSubsampling, FlatQuadrantsDecodeWithinTolerance) {
    const auto [subsamp, via_planes] = GetParam();
    const Image rgb = test::quadrants(32, 32, kRed, kGreen, kBlue, kYellow);
    const Image mask = test::mask_quadrants(32, 32, 255, 128, 40, 0);
    const auto bytes = test::encode_sbs_jpeg(rgb, mask, subsamp, 95);
    const Decoded d = decode(bytes, LayerEncoding::kSbsJpeg, planes(via_planes));
    const Image expected = rgba_from(rgb, &mask);
    EXPECT_TRUE(d.near(expected, kJpegTolerance,
                       fmt::format("sbs-{}-{}", subsamp, via_planes ? "planes" : "rgb"),
                       quadrant_interiors(32, 32)));
}

INSTANTIATE_TEST_SUITE_P(Decoder, SbsJpegSubsampling,
                         ::testing::Combine(::testing::Values(TJSAMP_444, TJSAMP_422, TJSAMP_420),
                                            ::testing::Bool()),
                         [](const auto& info) {
                             const int s = std::get<0>(info.param);
                             const char* name = s == TJSAMP_444   ? "S444"
                                                : s == TJSAMP_422 ? "S422"
                                                                  : "S420";
                             return std::string(name) +
                                    (std::get<1>(info.param) ? "Planes" : "FullRgb");
                         });

TEST(Decoder, SbsMaskBelowThresholdBecomesTransparent) {
    // 8x8 blocks of mask values around the threshold; quality 100 keeps flat blocks exact.
    const std::uint8_t values[] = {0,  1,  5,  11, 12, 13,  14,  15,  20,  40,  64,
                                   99, 127, 128, 129, 180, 200, 230, 250, 253, 254, 255,
                                   12, 13, 0,   255, 7,   17,  3,   33,  9,   99};
    static_assert(std::size(values) == 32);
    Image mask(64, 32, 1);
    for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 64; ++x) *mask.at(x, y) = values[(y / 8) * 8 + x / 8];
    }
    const Image rgb = test::solid(64, 32, {90, 90, 90});
    const Image alpha = thresholded(mask);
    const Image want = rgba_from(rgb, &alpha);
    // Block interiors: the first mask column touches the RGB half's chroma in the full-RGB path.
    const auto interiors = [](int x, int y) { return x % 8 >= 2 && x % 8 < 6 && y % 8 >= 2 && y % 8 < 6; };
    for (const int subsamp : {TJSAMP_444, TJSAMP_420}) {
        for (const bool via_planes : {true, false}) {
            SCOPED_TRACE(fmt::format("subsamp {} {}", subsamp, via_planes ? "planes" : "rgb"));
            const auto bytes = test::encode_sbs_jpeg(rgb, mask, subsamp, 100);
            const Decoded d = decode(bytes, LayerEncoding::kSbsJpeg, planes(via_planes));
            EXPECT_TRUE(d.near(want, 0, "sbs-threshold", interiors));
        }
    }
}

// Content like the sample: gradients, noise, a soft mask, and neutral chroma in the RGB
// half's last columns so that chroma upsampling cannot tint the mask across the seam.
struct PathComparison {
    int max_colour = 0;          // largest R, G or B difference
    int max_alpha = 0;
    double within_3 = 0;         // share of colour values that differ by 3 or less
};

PathComparison compare_sbs_paths(int subsamp) {
    const Image rgb = test::photo_like(96, 64, 7, 8);
    const Image mask = test::soft_mask(96, 64, 7);
    const auto bytes = test::encode_sbs_jpeg(rgb, mask, subsamp, 85);
    const Decoded via_planes = decode(bytes, LayerEncoding::kSbsJpeg, planes(true));
    const Decoded full_rgb = decode(bytes, LayerEncoding::kSbsJpeg, planes(false));
    EXPECT_TRUE(via_planes.result && full_rgb.result);
    PathComparison out;
    if (!via_planes.result || !full_rgb.result) return out;
    const std::uint8_t* a = via_planes.result->pixels.data();
    const std::uint8_t* b = full_rgb.result->pixels.data();
    int close = 0;
    int total = 0;
    for (std::size_t i = 0; i < via_planes.result->pixels.size(); ++i) {
        const int d = std::abs(a[i] - b[i]);
        if (i % 4 == 3) {
            out.max_alpha = std::max(out.max_alpha, d);
            continue;
        }
        out.max_colour = std::max(out.max_colour, d);
        close += d <= 3;
        ++total;
    }
    out.within_3 = static_cast<double>(close) / total;
    return out;
}

TEST(Decoder, SbsPlanesAndFullRgbAgreeWithinThreeOnAPhotographicImage444) {
    const PathComparison c = compare_sbs_paths(TJSAMP_444);
    EXPECT_LE(c.max_colour, 3);
    EXPECT_EQ(c.max_alpha, 0);
}

TEST(Decoder, SbsPlanesAndFullRgbAgreeOnSubsampledPhotographicImages) {
    // Both paths upsample subsampled chroma by interpolation (libyuv bilinear, TurboJPEG's
    // triangle filter), so every value agrees within 3, and the alpha (the mask's luma) is
    // identical. (Repeating chroma samples instead differed by up to 17 at colour edges.)
    for (const int subsamp : {TJSAMP_422, TJSAMP_420}) {
        SCOPED_TRACE(fmt::format("subsamp {}", subsamp));
        const PathComparison c = compare_sbs_paths(subsamp);
        EXPECT_EQ(c.within_3, 1.0);
        EXPECT_LE(c.max_colour, 3);
        EXPECT_EQ(c.max_alpha, 0);
    }
}

TEST(Decoder, SbsPathsAgreeOnTheOriginalPhotographWithinJpegError) {
    const Image rgb = test::photo_like(96, 64, 11, 8);
    const Image mask = test::soft_mask(96, 64, 11);
    const auto bytes = test::encode_sbs_jpeg(rgb, mask, TJSAMP_420, 95);
    const Image expected = rgba_from(rgb, nullptr);
    for (const bool via_planes : {true, false}) {
        const Decoded d = decode(bytes, LayerEncoding::kSbsJpeg, planes(via_planes));
        ASSERT_TRUE(d.result) << d.result.error().message();
        // Colour only (alpha is the mask): JPEG at quality 95 on noisy content, ±12.
        Image want = expected;
        for (int y = 0; y < 64; ++y) {
            for (int x = 0; x < 96; ++x) {
                want.at(x, y)[3] = d.result->pixels.data()[(static_cast<std::size_t>(y) * 96 + x) * 4 + 3];
            }
        }
        // The last 8 columns fade to gray over a few pixels: 4:2:0 cannot keep that sharp.
        EXPECT_TRUE(d.near(want, 12, via_planes ? "photo-planes" : "photo-rgb",
                           [](int x, int) { return x < 88; }));
    }
}

TEST(Decoder, GrayscaleSbsJpegSplitsIntoGrayAndMask) {
    Image sbs(64, 16, 1);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 64; ++x) {
            *sbs.at(x, y) = x < 32 ? (x < 16 ? 60 : 190) : (x < 48 ? 5 : 150);
        }
    }
    const auto bytes = test::encode_jpeg(sbs, TJSAMP_GRAY, 95);
    Image want(32, 16, 4);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 32; ++x) {
            const std::uint8_t g = x < 16 ? 60 : 190;
            want.at(x, y)[0] = want.at(x, y)[1] = want.at(x, y)[2] = g;
            want.at(x, y)[3] = x < 16 ? 0 : 150;  // 5 is below the threshold
        }
    }
    for (const bool via_planes : {true, false}) {
        const Decoded d = decode(bytes, LayerEncoding::kSbsJpeg, planes(via_planes));
        EXPECT_TRUE(d.near(want, kJpegTolerance, "sbs-gray",
                           [](int x, int) { return std::abs(x - 16) >= 2 && x >= 2 && x < 30; }));
    }
}

TEST(Decoder, SbsJpegOfOddSizesDecodes) {
    // Layer widths and heights that are not multiples of the MCU.
    for (const int subsamp : {TJSAMP_444, TJSAMP_422, TJSAMP_420}) {
        for (const bool via_planes : {true, false}) {
            SCOPED_TRACE(fmt::format("subsamp {} {}", subsamp, via_planes ? "planes" : "rgb"));
            const Image rgb = test::solid(13, 7, {100, 150, 200});
            const Image mask = test::solid(13, 7, {220});
            const Decoded d = decode(test::encode_sbs_jpeg(rgb, mask, subsamp, 95),
                                     LayerEncoding::kSbsJpeg, planes(via_planes));
            EXPECT_TRUE(d.near(rgba_from(rgb, &mask), kJpegTolerance, "sbs-odd",
                               [](int x, int) { return x >= 2 && x < 11; }));
        }
    }
}

// [SECTION] Opaque JPEG

TEST(Decoder, OpaqueJpegHasFullAlpha) {
    const Image rgb = test::quadrants(32, 32, kRed, kGreen, kBlue, kYellow);
    for (const int subsamp : {TJSAMP_444, TJSAMP_420}) {
        const Decoded d = decode(test::encode_jpeg(rgb, subsamp, 95), LayerEncoding::kOpaqueJpeg);
        EXPECT_TRUE(d.near(rgba_from(rgb, nullptr, 255), kJpegTolerance, "opaque",
                           quadrant_interiors(32, 32)));
    }
}

TEST(Decoder, GrayscaleOpaqueJpegIsGrayWithFullAlpha) {
    Image gray(16, 16, 1);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 16; ++x) *gray.at(x, y) = x < 8 ? 30 : 220;
    }
    const Decoded d = decode(test::encode_jpeg(gray, TJSAMP_GRAY, 95), LayerEncoding::kOpaqueJpeg);
    EXPECT_TRUE(d.near(rgba_from(gray, nullptr, 255), kJpegTolerance, "opaque-gray"));
}

// [SECTION] WebP

Image pattern_rgba(int w, int h, bool with_alpha) {
    Image image(w, h, with_alpha ? 4 : 3);
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            std::uint8_t* p = image.at(x, y);
            p[0] = static_cast<std::uint8_t>(x * 17 + y * 3);
            p[1] = static_cast<std::uint8_t>(y * 29 + 7);
            p[2] = static_cast<std::uint8_t>((x ^ y) * 11);
            if (with_alpha) p[3] = static_cast<std::uint8_t>((x * 37 + y * 19) % 256);
        }
    }
    return image;
}

TEST(Decoder, RgbWebpIsExactWithFullAlpha) {
    const Image rgb = pattern_rgba(13, 9, false);
    const Decoded d = decode(test::encode_webp_lossless(rgb), LayerEncoding::kWebp);
    EXPECT_TRUE(d.near(rgba_from(rgb, nullptr, 255), 0, "webp-rgb"));
}

TEST(Decoder, RgbaWebpIsExactIncludingTransparentPixels) {
    Image rgba = pattern_rgba(13, 9, true);
    rgba.at(0, 0)[3] = 0;  // fully transparent, colour kept by the exact encoder
    rgba.at(5, 5)[3] = 255;
    const Decoded d = decode(test::encode_webp_lossless(rgba), LayerEncoding::kWebp);
    EXPECT_TRUE(d.near(rgba, 0, "webp-rgba"));
}

TEST(Decoder, LossyWebpKeepsAlphaAndApproximatesColour) {
    const Image rgb = test::quadrants(32, 32, kRed, kGreen, kBlue, kYellow);
    Image rgba = rgba_from(rgb, nullptr, 255);
    for (int y = 0; y < 32; ++y) {
        for (int x = 0; x < 32; ++x) rgba.at(x, y)[3] = y < 16 ? 255 : 128;
    }
    const Decoded d = decode(test::encode_webp_lossy(rgba, 95), LayerEncoding::kWebp);
    EXPECT_TRUE(d.near(rgba, 12, "webp-lossy", quadrant_interiors(32, 32, 3)));
}

// [SECTION] PNG

TEST(Decoder, PngOfEveryColourTypeIsExact) {
    const Image rgba = pattern_rgba(11, 7, true);
    for (const int channels : {1, 2, 3, 4}) {
        SCOPED_TRACE(fmt::format("{} channels", channels));
        Image source(11, 7, channels);
        Image want(11, 7, 4);
        for (int y = 0; y < 7; ++y) {
            for (int x = 0; x < 11; ++x) {
                const std::uint8_t* p = rgba.at(x, y);
                std::uint8_t* s = source.at(x, y);
                std::uint8_t* w = want.at(x, y);
                switch (channels) {
                case 1: s[0] = p[0]; w[0] = w[1] = w[2] = p[0]; w[3] = 255; break;
                case 2: s[0] = p[0]; s[1] = p[3]; w[0] = w[1] = w[2] = p[0]; w[3] = p[3]; break;
                case 3: std::copy_n(p, 3, s); std::copy_n(p, 3, w); w[3] = 255; break;
                default: std::copy_n(p, 4, s); std::copy_n(p, 4, w); break;
                }
            }
        }
        const Decoded d = decode(test::encode_png(source), LayerEncoding::kPng);
        EXPECT_TRUE(d.near(want, 0, fmt::format("png-{}ch", channels)));
    }
}

TEST(Decoder, PalettePngAppliesItsTransparency) {
    const test::PaletteEntry palette[] = {{255, 0, 0, 0}, {0, 255, 0, 128}, {0, 0, 255, 255}};
    std::vector<std::uint8_t> indices(6 * 4);
    for (std::size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<std::uint8_t>(i % 3);
    Image want(6, 4, 4);
    for (std::size_t i = 0; i < indices.size(); ++i) {
        const auto& e = palette[indices[i]];
        want.pixels[4 * i + 0] = e.r;
        want.pixels[4 * i + 1] = e.g;
        want.pixels[4 * i + 2] = e.b;
        want.pixels[4 * i + 3] = e.a;
    }
    const Decoded d = decode(test::encode_png_palette(6, 4, palette, indices), LayerEncoding::kPng);
    EXPECT_TRUE(d.near(want, 0, "png-palette"));
}

// [SECTION] Files, sizes and the pool

TEST(Decoder, DecodeFileReadsFromDiskAndReusesItsDecoder) {
    test::TempDir dir;
    const Image rgba = pattern_rgba(9, 9, true);
    test::write_file(dir / "a.png", test::encode_png(rgba));
    test::write_file(dir / "b.webp", test::encode_webp_lossless(rgba));
    BufferPool pool(4);
    Decoder decoder;
    for (int round = 0; round < 3; ++round) {
        auto png = decoder.decode_file(dir / "a.png", LayerEncoding::kPng, pool, {9, 9});
        auto webp = decoder.decode_file(dir / "b.webp", LayerEncoding::kWebp, pool, {9, 9});
        ASSERT_TRUE(png) << png.error().message();
        ASSERT_TRUE(webp) << webp.error().message();
        EXPECT_TRUE(test::rgba_near(png->pixels.data(), 9, 9, rgba, 0, "file-png"));
        EXPECT_TRUE(test::rgba_near(webp->pixels.data(), 9, 9, rgba, 0, "file-webp"));
        EXPECT_EQ(png->stride_bytes(), 36u);
    }
    EXPECT_EQ(pool.stats().allocations, 2u);
    EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(Decoder, ExpectedSizeZeroMeansAnySize) {
    const Decoded d = decode(test::encode_png(test::solid(5, 3, {1, 2, 3, 4})),
                             LayerEncoding::kPng, {}, ExpectedSize{5, 0});
    ASSERT_TRUE(d.result) << d.result.error().message();
    EXPECT_EQ(d.result->height_px, 3);
}

TEST(Decoder, SbsExpectedSizeIsTheLayerNotTheFile) {
    const auto bytes = test::encode_sbs_jpeg(test::solid(16, 8, {1, 2, 3}),
                                             test::solid(16, 8, {200}), TJSAMP_444);
    EXPECT_TRUE(decode(bytes, LayerEncoding::kSbsJpeg, {}, {16, 8}).result);
    EXPECT_FALSE(decode(bytes, LayerEncoding::kSbsJpeg, {}, {32, 8}).result);
}

// [SECTION] Bad input: every failure is an Error naming the file, with the right code.

struct BadFile {
    fs::path path;
    LayerEncoding encoding;
};

::testing::AssertionResult fails_with(const fs::path& file, LayerEncoding encoding,
                                      ErrorCode code, DecoderOptions options = {},
                                      ExpectedSize expected = {}) {
    BufferPool pool(2);
    Decoder decoder(options);
    const auto result = decoder.decode_file(file, encoding, pool, expected);
    if (result) return ::testing::AssertionFailure() << file << " decoded without an error";
    const Error& e = result.error();
    if (e.code != code) {
        return ::testing::AssertionFailure() << file << ": code " << to_string(e.code)
                                             << ", expected " << to_string(code) << " ("
                                             << e.message() << ")";
    }
    if (e.subject.find(file.string()) == std::string::npos) {
        return ::testing::AssertionFailure() << "error does not name " << file << ": "
                                             << e.message();
    }
    if (e.detail.empty()) return ::testing::AssertionFailure() << "no detail: " << e.message();
    if (pool.stats().in_use != 0) {
        return ::testing::AssertionFailure() << "a failed decode kept a pool buffer";
    }
    return ::testing::AssertionSuccess() << e.message();
}

std::vector<std::uint8_t> first_half(const std::vector<std::uint8_t>& bytes) {
    return {bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() / 2)};
}

class DecoderBadInput : public ::testing::Test {
protected:
    test::TempDir dir_;
    const Image photo_ = test::photo_like(64, 48, 5, 4);
    const Image mask_ = test::soft_mask(64, 48, 5);
};

TEST_F(DecoderBadInput, TruncatedJpegInEveryPath) {
    test::write_file(dir_ / "sbs.jpg",
                     first_half(test::encode_sbs_jpeg(photo_, mask_, TJSAMP_420, 90)));
    Image gray_sbs(128, 48, 1);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 128; ++x) *gray_sbs.at(x, y) = x < 64 ? photo_.at(x, y)[1] : *mask_.at(x - 64, y);
    }
    test::write_file(dir_ / "gray.jpg", first_half(test::encode_jpeg(gray_sbs, TJSAMP_GRAY, 90)));
    test::write_file(dir_ / "opaque.jpg", first_half(test::encode_jpeg(photo_, TJSAMP_444, 90)));
    EXPECT_TRUE(fails_with(dir_ / "sbs.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kBadFormat,
                           planes(true)));
    EXPECT_TRUE(fails_with(dir_ / "sbs.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kBadFormat,
                           planes(false)));
    EXPECT_TRUE(fails_with(dir_ / "gray.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kBadFormat));
    EXPECT_TRUE(fails_with(dir_ / "opaque.jpg", LayerEncoding::kOpaqueJpeg, ErrorCode::kBadFormat));
}

TEST_F(DecoderBadInput, TruncatedWebp) {
    Image rgba(64, 48, 4);
    for (int y = 0; y < 48; ++y) {
        for (int x = 0; x < 64; ++x) {
            std::copy_n(photo_.at(x, y), 3, rgba.at(x, y));
            rgba.at(x, y)[3] = *mask_.at(x, y);
        }
    }
    test::write_file(dir_ / "lossless.webp", first_half(test::encode_webp_lossless(rgba)));
    test::write_file(dir_ / "lossy.webp", first_half(test::encode_webp_lossy(rgba, 80)));
    EXPECT_TRUE(fails_with(dir_ / "lossless.webp", LayerEncoding::kWebp, ErrorCode::kBadFormat));
    EXPECT_TRUE(fails_with(dir_ / "lossy.webp", LayerEncoding::kWebp, ErrorCode::kBadFormat));
}

TEST_F(DecoderBadInput, TruncatedPng) {
    test::write_file(dir_ / "cut.png", first_half(test::encode_png(photo_)));
    EXPECT_TRUE(fails_with(dir_ / "cut.png", LayerEncoding::kPng, ErrorCode::kBadFormat));
}

TEST_F(DecoderBadInput, PngWithABrokenChunkCrc) {
    auto png = test::encode_png(photo_);
    png[png.size() / 2] ^= 0xFF;  // inside the image data: its CRC no longer matches
    test::write_file(dir_ / "crc.png", png);
    EXPECT_TRUE(fails_with(dir_ / "crc.png", LayerEncoding::kPng, ErrorCode::kBadFormat));
}

TEST_F(DecoderBadInput, PngWithABrokenHeaderCrc) {
    auto png = test::encode_png(photo_);
    png[29] ^= 0xFF;  // the IHDR CRC (8 signature + 8 chunk header + 13 data bytes)
    test::write_file(dir_ / "ihdr.png", png);
    EXPECT_TRUE(fails_with(dir_ / "ihdr.png", LayerEncoding::kPng, ErrorCode::kBadFormat));
}

TEST_F(DecoderBadInput, CorruptBytesInTheMiddleOfAJpeg) {
    auto jpeg = test::encode_sbs_jpeg(photo_, mask_, TJSAMP_420, 90);
    // An end-of-image marker in the middle of the entropy-coded data ends the scan early.
    const std::size_t middle = jpeg.size() / 2;
    for (std::size_t i = 0; i < 32; i += 2) {
        jpeg[middle + i] = 0xFF;
        jpeg[middle + i + 1] = 0xD9;
    }
    test::write_file(dir_ / "corrupt.jpg", jpeg);
    EXPECT_TRUE(fails_with(dir_ / "corrupt.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kBadFormat,
                           planes(true)));
    EXPECT_TRUE(fails_with(dir_ / "corrupt.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kBadFormat,
                           planes(false)));
    EXPECT_TRUE(fails_with(dir_ / "corrupt.jpg", LayerEncoding::kOpaqueJpeg,
                           ErrorCode::kBadFormat));
}

TEST_F(DecoderBadInput, SbsJpegOfOddWidth) {
    test::write_file(dir_ / "odd.jpg", test::encode_jpeg(test::solid(33, 16, {9, 9, 9}), TJSAMP_444));
    const auto result = fails_with(dir_ / "odd.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kBadFormat);
    EXPECT_TRUE(result);
    EXPECT_NE(std::string(result.message()).find("odd width"), std::string::npos)
        << result.message();
}

TEST_F(DecoderBadInput, AbsurdPngDimensionsAreRefusedBeforeAllocating) {
    auto png = test::encode_png(test::solid(4, 4, {1, 2, 3, 4}));
    test::patch_png_size(png, 100000, 100000);
    test::write_file(dir_ / "huge.png", png);
    EXPECT_TRUE(fails_with(dir_ / "huge.png", LayerEncoding::kPng, ErrorCode::kTooLarge));
    BufferPool pool(2);
    Decoder decoder;
    EXPECT_FALSE(decoder.decode_file(dir_ / "huge.png", LayerEncoding::kPng, pool));
    EXPECT_EQ(pool.stats().allocations, 0u);
}

TEST_F(DecoderBadInput, SmallLimitsRefuseEveryFormatBeforeAllocating) {
    DecoderOptions options;
    options.limits = ImageLimits{32, 1024};
    test::write_file(dir_ / "big.jpg", test::encode_sbs_jpeg(photo_, mask_, TJSAMP_420));
    test::write_file(dir_ / "big-opaque.jpg", test::encode_jpeg(photo_, TJSAMP_420));
    test::write_file(dir_ / "big.webp", test::encode_webp_lossless(photo_));
    test::write_file(dir_ / "big.png", test::encode_png(photo_));
    for (const auto& [name, encoding] :
         {std::pair{"big.jpg", LayerEncoding::kSbsJpeg},
          std::pair{"big-opaque.jpg", LayerEncoding::kOpaqueJpeg},
          std::pair{"big.webp", LayerEncoding::kWebp}, std::pair{"big.png", LayerEncoding::kPng}}) {
        EXPECT_TRUE(fails_with(dir_ / name, encoding, ErrorCode::kTooLarge, options));
        BufferPool pool(2);
        Decoder decoder(options);
        EXPECT_FALSE(decoder.decode_file(dir_ / name, encoding, pool));
        EXPECT_EQ(pool.stats().allocations, 0u) << name;
    }
}

TEST_F(DecoderBadInput, BufferLimitRefusesEveryFormatBeforeAllocating) {
    // The largest buffer a decode needs is the whole file as RGBA: one byte less is refused.
    test::write_file(dir_ / "a.jpg", test::encode_sbs_jpeg(photo_, mask_, TJSAMP_420));
    test::write_file(dir_ / "b.jpg", test::encode_jpeg(photo_, TJSAMP_420));
    test::write_file(dir_ / "c.webp", test::encode_webp_lossless(photo_));
    test::write_file(dir_ / "d.png", test::encode_png(photo_));
    for (const auto& [name, encoding, file_width] :
         {std::tuple{"a.jpg", LayerEncoding::kSbsJpeg, 2 * photo_.width},
          std::tuple{"b.jpg", LayerEncoding::kOpaqueJpeg, photo_.width},
          std::tuple{"c.webp", LayerEncoding::kWebp, photo_.width},
          std::tuple{"d.png", LayerEncoding::kPng, photo_.width}}) {
        SCOPED_TRACE(name);
        DecoderOptions options;
        options.limits.max_buffer_bytes =
            static_cast<std::uint64_t>(file_width) * static_cast<std::uint64_t>(photo_.height) * 4;
        for (const bool via_planes : {true, false}) {
            options.sbs_via_planes = via_planes;
            BufferPool pool(2);
            Decoder decoder(options);
            EXPECT_TRUE(decoder.decode_file(dir_ / name, encoding, pool)) << "at the limit";
            --options.limits.max_buffer_bytes;
            EXPECT_TRUE(fails_with(dir_ / name, encoding, ErrorCode::kTooLarge, options));
            Decoder limited(options);
            BufferPool untouched(2);
            EXPECT_FALSE(limited.decode_file(dir_ / name, encoding, untouched));
            EXPECT_EQ(untouched.stats().allocations, 0u);
            ++options.limits.max_buffer_bytes;
        }
    }
}

TEST_F(DecoderBadInput, FileLargerThanTheByteLimit) {
    DecoderOptions options;
    options.max_file_bytes = 100;
    test::write_file(dir_ / "big.png", test::encode_png(photo_));
    EXPECT_TRUE(fails_with(dir_ / "big.png", LayerEncoding::kPng, ErrorCode::kTooLarge, options));
}

TEST_F(DecoderBadInput, UnreadableFile) {
    test::write_file(dir_ / "locked.png", test::encode_png(test::solid(4, 4, {1, 2, 3})));
    ASSERT_EQ(::chmod((dir_ / "locked.png").c_str(), 0), 0);
    if (::geteuid() != 0) {
        EXPECT_TRUE(fails_with(dir_ / "locked.png", LayerEncoding::kPng, ErrorCode::kIo));
        return;
    }
    // Root reads anything: check as an unprivileged user instead.
    const auto ok = test::run_as_unprivileged(dir_.path(), [&] {
        return static_cast<bool>(
            fails_with(dir_ / "locked.png", LayerEncoding::kPng, ErrorCode::kIo));
    });
    ASSERT_TRUE(ok.has_value()) << "could not drop privileges to nobody";
    EXPECT_TRUE(*ok);
}

TEST_F(DecoderBadInput, DirectoryInPlaceOfAFile) {
    fs::create_directories(dir_ / "folder.jpg");
    const auto result = fails_with(dir_ / "folder.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kIo);
    EXPECT_TRUE(result);
    EXPECT_NE(std::string(result.message()).find("not a regular file"), std::string::npos)
        << result.message();
}

TEST_F(DecoderBadInput, FileDeletedAfterTheScan) {
    test::write_file(dir_ / "gone.jpg", test::encode_sbs_jpeg(photo_, mask_, TJSAMP_420));
    fs::remove(dir_ / "gone.jpg");
    EXPECT_TRUE(fails_with(dir_ / "gone.jpg", LayerEncoding::kSbsJpeg, ErrorCode::kIo));
}

TEST_F(DecoderBadInput, WrongSizeForItsFolderInEveryFormat) {
    test::write_file(dir_ / "a.jpg", test::encode_sbs_jpeg(photo_, mask_, TJSAMP_420));
    test::write_file(dir_ / "b.jpg", test::encode_jpeg(photo_, TJSAMP_420));
    test::write_file(dir_ / "c.webp", test::encode_webp_lossless(photo_));
    test::write_file(dir_ / "d.png", test::encode_png(photo_));
    const ExpectedSize folder{64, 40};  // the photo is 64x48
    for (const auto& [name, encoding] :
         {std::pair{"a.jpg", LayerEncoding::kSbsJpeg}, std::pair{"b.jpg", LayerEncoding::kOpaqueJpeg},
          std::pair{"c.webp", LayerEncoding::kWebp}, std::pair{"d.png", LayerEncoding::kPng}}) {
        const auto result = fails_with(dir_ / name, encoding, ErrorCode::kWrongSize, {}, folder);
        EXPECT_TRUE(result);
        EXPECT_NE(std::string(result.message()).find("64x48"), std::string::npos)
            << result.message();
    }
}

TEST_F(DecoderBadInput, ShutDownPoolCancelsInsteadOfBlaming) {
    test::write_file(dir_ / "ok.png", test::encode_png(photo_));
    BufferPool pool(2);
    pool.shutdown();
    Decoder decoder;
    const auto result = decoder.decode_file(dir_ / "ok.png", LayerEncoding::kPng, pool);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
}

TEST_F(DecoderBadInput, BusyPoolTimesOutAsCancelled) {
    test::write_file(dir_ / "ok.webp", test::encode_webp_lossless(photo_));
    BufferPool pool(1);
    auto held = pool.wait_acquire(16, 1s);
    ASSERT_TRUE(held);
    DecoderOptions options;
    options.pool_timeout = 10ms;
    Decoder decoder(options);
    const auto result = decoder.decode_file(dir_ / "ok.webp", LayerEncoding::kWebp, pool);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
    EXPECT_EQ(pool.stats().wait_timeouts, 1u);
}

// [SECTION] Recovery: after any failure a decoder is as good as new

struct GoodFile {
    std::string name;
    LayerEncoding encoding;
    std::vector<std::uint8_t> bytes;
};

// One file of every decode path: SBS JPEG (planar 4:2:0 and 4:4:4, gray), opaque JPEG,
// RGBA WebP, RGBA PNG.
std::vector<GoodFile> good_files() {
    const Image rgb = test::photo_like(32, 24, 3, 4);
    const Image mask = test::soft_mask(32, 24, 3);
    Image rgba = rgba_from(rgb, &mask);
    return {
        {"sbs420.jpg", LayerEncoding::kSbsJpeg, test::encode_sbs_jpeg(rgb, mask, TJSAMP_420)},
        {"sbs444.jpg", LayerEncoding::kSbsJpeg, test::encode_sbs_jpeg(rgb, mask, TJSAMP_444)},
        {"gray.jpg", LayerEncoding::kSbsJpeg,
         test::encode_jpeg(test::solid(64, 24, {77}), TJSAMP_GRAY)},
        {"opaque.jpg", LayerEncoding::kOpaqueJpeg, test::encode_jpeg(rgb, TJSAMP_420)},
        {"rgba.webp", LayerEncoding::kWebp, test::encode_webp_lossless(rgba)},
        {"rgba.png", LayerEncoding::kPng, test::encode_png(rgba)},
    };
}

struct BadCase {
    std::string name;
    LayerEncoding encoding;
    std::vector<std::uint8_t> bytes;
    ErrorCode code;
    ExpectedSize expected;
};

// Every kind of damage to a JPEG (read as SBS and as opaque), a WebP and a PNG, plus files
// that are fine but of the wrong size for their folder, and an SBS JPEG of odd width.
std::vector<BadCase> bad_cases() {
    const Image rgb = test::photo_like(48, 32, 9, 4);
    const Image mask = test::soft_mask(48, 32, 9);
    const auto sbs = test::encode_sbs_jpeg(rgb, mask, TJSAMP_420);
    const auto webp = test::encode_webp_lossless(rgba_from(rgb, &mask));
    const auto png = test::encode_png(rgba_from(rgb, &mask));
    std::vector<BadCase> cases;
    for (const test::Damage damage : test::kAllDamages) {
        const ErrorCode code =
            damage == test::Damage::kAbsurdSize ? ErrorCode::kTooLarge : ErrorCode::kBadFormat;
        const std::string tag(test::to_string(damage));
        const auto jpeg = test::damaged(sbs, damage);
        cases.push_back({tag + "-sbs.jpg", LayerEncoding::kSbsJpeg, jpeg, code, {}});
        cases.push_back({tag + "-opaque.jpg", LayerEncoding::kOpaqueJpeg, jpeg, code, {}});
        cases.push_back(
            {tag + ".webp", LayerEncoding::kWebp, test::damaged(webp, damage), code, {}});
        cases.push_back({tag + ".png", LayerEncoding::kPng, test::damaged(png, damage), code, {}});
    }
    const ExpectedSize other{40, 32};  // the files are 48x32
    cases.push_back(
        {"wrong-size-sbs.jpg", LayerEncoding::kSbsJpeg, sbs, ErrorCode::kWrongSize, other});
    cases.push_back({"wrong-size.webp", LayerEncoding::kWebp, webp, ErrorCode::kWrongSize, other});
    cases.push_back({"wrong-size.png", LayerEncoding::kPng, png, ErrorCode::kWrongSize, other});
    cases.push_back({"odd-width.jpg", LayerEncoding::kSbsJpeg,
                     test::encode_jpeg(test::solid(33, 16, {9, 9, 9}), TJSAMP_444),
                     ErrorCode::kBadFormat, {}});
    return cases;
}

// Decodes `file` with a decoder that has never failed: the reference for a recovered one.
LayerImage fresh_decode(const fs::path& file, LayerEncoding encoding, BufferPool& pool,
                        const DecoderOptions& options) {
    Decoder decoder(options);
    auto image = decoder.decode_file(file, encoding, pool);
    EXPECT_TRUE(image) << image.error().message();
    return image ? std::move(*image) : LayerImage{};
}

::testing::AssertionResult identical(const LayerImage& a, const LayerImage& b) {
    if (a.width_px != b.width_px || a.height_px != b.height_px || a.empty() || b.empty()) {
        return ::testing::AssertionFailure() << a.width_px << "x" << a.height_px << " vs "
                                             << b.width_px << "x" << b.height_px;
    }
    if (!std::equal(a.pixels.data(), a.pixels.data() + a.pixels.size(), b.pixels.data(),
                    b.pixels.data() + b.pixels.size())) {
        return ::testing::AssertionFailure() << "pixels differ from a fresh decoder's";
    }
    return ::testing::AssertionSuccess();
}

// Each bad file, then every good file, on one decoder: every bad file fails with its code and
// name, and every good file after it decodes bit for bit as a fresh decoder decodes it.
// (libjpeg-turbo 2.1's tjDecompressHeader3 left its handle mid-header after an error, and
// every later JPEG failed with "Unsupported marker type".)
TEST_F(DecoderBadInput, OneDecoderRecoversFromEveryKindOfBadFile) {
    const auto goods = good_files();
    for (const auto& g : goods) test::write_file(dir_ / g.name, g.bytes);
    const auto bads = bad_cases();
    for (const auto& b : bads) test::write_file(dir_ / b.name, b.bytes);
    for (const bool via_planes : {true, false}) {
        SCOPED_TRACE(via_planes ? "planes" : "full rgb");
        const DecoderOptions options = planes(via_planes);
        BufferPool pool(2 * goods.size() + 2);
        std::vector<LayerImage> references;
        for (const auto& g : goods) {
            references.push_back(fresh_decode(dir_ / g.name, g.encoding, pool, options));
        }
        Decoder decoder(options);
        for (const auto& b : bads) {
            SCOPED_TRACE(b.name);
            const auto in_use = pool.stats().in_use;
            const auto bad = decoder.decode_file(dir_ / b.name, b.encoding, pool, b.expected);
            ASSERT_FALSE(bad) << "decoded without an error";
            EXPECT_EQ(bad.error().code, b.code) << bad.error().message();
            EXPECT_EQ(bad.error().subject, (dir_ / b.name).string());
            EXPECT_FALSE(bad.error().detail.empty());
            EXPECT_EQ(pool.stats().in_use, in_use) << "a failed decode kept a pool buffer";
            for (std::size_t i = 0; i < goods.size(); ++i) {
                const auto good =
                    decoder.decode_file(dir_ / goods[i].name, goods[i].encoding, pool);
                ASSERT_TRUE(good) << goods[i].name << " after " << b.name << ": "
                                  << good.error().message();
                EXPECT_TRUE(identical(*good, references[i])) << goods[i].name;
            }
        }
    }
}

TEST(Decoder, MemoryErrorsNameTheGivenSubject) {
    BufferPool pool(1);
    Decoder decoder;
    const std::uint8_t junk[] = {1, 2, 3, 4, 5};
    const auto result = decoder.decode_memory(junk, LayerEncoding::kPng, pool, "face/0_a/3.png");
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().subject, "face/0_a/3.png");
    EXPECT_EQ(result.error().code, ErrorCode::kBadFormat);
}

}  // namespace
}  // namespace interleave::loader
