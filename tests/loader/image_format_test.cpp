// Tests loader/image_format.cpp: kinds by extension, header probing of every format, the size
// limits and the SBS rules, all before any pixel is decoded.
#include "loader/image_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include "tests/support/image_writers.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::loader {
namespace {

using test::encode_jpeg;
using test::encode_png;
using test::encode_sbs_jpeg;
using test::encode_webp_lossless;
using test::solid;

TEST(FileKind, ExtensionsAreCaseInsensitive) {
    EXPECT_EQ(file_kind_from_name("0.jpg"), FileKind::kJpeg);
    EXPECT_EQ(file_kind_from_name("0.JPG"), FileKind::kJpeg);
    EXPECT_EQ(file_kind_from_name("0.Jpeg"), FileKind::kJpeg);
    EXPECT_EQ(file_kind_from_name("0.jpeg"), FileKind::kJpeg);
    EXPECT_EQ(file_kind_from_name("0.WEBP"), FileKind::kWebp);
    EXPECT_EQ(file_kind_from_name("0.webp"), FileKind::kWebp);
    EXPECT_EQ(file_kind_from_name("0.PnG"), FileKind::kPng);
}

TEST(FileKind, OtherNamesAreNotFrames) {
    EXPECT_EQ(file_kind_from_name("notes.txt"), FileKind::kOther);
    EXPECT_EQ(file_kind_from_name("jpg"), FileKind::kOther);
    EXPECT_EQ(file_kind_from_name("0.jpg.bak"), FileKind::kOther);
    EXPECT_EQ(file_kind_from_name(".DS_Store"), FileKind::kOther);
    EXPECT_EQ(file_kind_from_name("0.gif"), FileKind::kOther);
    EXPECT_EQ(file_kind_from_name(""), FileKind::kOther);
}

TEST(LayerEncoding, JpegFollowsTheLayerSettingOthersCarryTheirOwnAlpha) {
    EXPECT_EQ(encoding_for(FileKind::kJpeg, true), LayerEncoding::kSbsJpeg);
    EXPECT_EQ(encoding_for(FileKind::kJpeg, false), LayerEncoding::kOpaqueJpeg);
    EXPECT_EQ(encoding_for(FileKind::kWebp, true), LayerEncoding::kWebp);
    EXPECT_EQ(encoding_for(FileKind::kPng, false), LayerEncoding::kPng);
    EXPECT_EQ(to_string(LayerEncoding::kSbsJpeg), "sbs-jpeg");
    EXPECT_EQ(to_string(FileKind::kWebp), "webp");
}

TEST(ParseHeader, SbsJpegLayerIsHalfAsWideAndHasAlpha) {
    const auto bytes = encode_sbs_jpeg(solid(24, 10, {1, 2, 3}), solid(24, 10, {200}), TJSAMP_420);
    const auto header = parse_header(bytes, LayerEncoding::kSbsJpeg, {}, "x.jpg");
    ASSERT_TRUE(header) << header.error().message();
    EXPECT_EQ(header->file_width_px, 48);
    EXPECT_EQ(header->file_height_px, 10);
    EXPECT_EQ(header->layer_width_px, 24);
    EXPECT_EQ(header->layer_height_px, 10);
    EXPECT_TRUE(header->has_alpha);
}

TEST(ParseHeader, OpaqueJpegKeepsItsWidthAndHasNoAlpha) {
    const auto bytes = encode_jpeg(solid(21, 9, {1, 2, 3}), TJSAMP_444);
    const auto header = parse_header(bytes, LayerEncoding::kOpaqueJpeg, {}, "x.jpg");
    ASSERT_TRUE(header) << header.error().message();
    EXPECT_EQ(header->layer_width_px, 21);
    EXPECT_EQ(header->layer_height_px, 9);
    EXPECT_FALSE(header->has_alpha);
}

TEST(ParseHeader, WebpReportsAlphaOnlyWhenItHasSome) {
    const auto rgb = parse_header(encode_webp_lossless(solid(5, 4, {9, 9, 9})),
                                  LayerEncoding::kWebp, {}, "x.webp");
    ASSERT_TRUE(rgb) << rgb.error().message();
    EXPECT_EQ(rgb->layer_width_px, 5);
    EXPECT_EQ(rgb->layer_height_px, 4);
    EXPECT_FALSE(rgb->has_alpha);
    const auto rgba = parse_header(encode_webp_lossless(solid(5, 4, {9, 9, 9, 100})),
                                   LayerEncoding::kWebp, {}, "x.webp");
    ASSERT_TRUE(rgba) << rgba.error().message();
    EXPECT_TRUE(rgba->has_alpha);
}

TEST(ParseHeader, PngAlphaFromColourTypeOrTrns) {
    struct Case {
        test::Image image;
        bool alpha;
    };
    const Case cases[] = {{solid(3, 2, {7}), false},
                          {solid(3, 2, {7, 8}), true},
                          {solid(3, 2, {7, 8, 9}), false},
                          {solid(3, 2, {7, 8, 9, 10}), true}};
    for (const auto& c : cases) {
        const auto header = parse_header(encode_png(c.image), LayerEncoding::kPng, {}, "x.png");
        ASSERT_TRUE(header) << header.error().message();
        EXPECT_EQ(header->layer_width_px, 3);
        EXPECT_EQ(header->layer_height_px, 2);
        EXPECT_EQ(header->has_alpha, c.alpha) << c.image.channels << " channels";
    }
    const test::PaletteEntry palette[] = {{255, 0, 0, 0}, {0, 255, 0, 128}};
    const std::uint8_t indices[] = {0, 1, 1, 0, 1, 0};
    const auto indexed = parse_header(test::encode_png_palette(3, 2, palette, indices),
                                      LayerEncoding::kPng, {}, "x.png");
    ASSERT_TRUE(indexed) << indexed.error().message();
    EXPECT_TRUE(indexed->has_alpha);
}

TEST(ParseHeader, EmptyBytesAreBadFormatNamingTheSubject) {
    for (const auto encoding : {LayerEncoding::kSbsJpeg, LayerEncoding::kOpaqueJpeg,
                                LayerEncoding::kWebp, LayerEncoding::kPng}) {
        const auto header = parse_header({}, encoding, {}, "face/0_a/0.x");
        ASSERT_FALSE(header);
        EXPECT_EQ(header.error().code, ErrorCode::kBadFormat);
        EXPECT_EQ(header.error().subject, "face/0_a/0.x");
    }
}

TEST(ParseHeader, TextIsNotAnImageInAnyFormat) {
    const std::string text = "this is not an image, whatever its name says\n";
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                              text.size());
    for (const auto encoding : {LayerEncoding::kSbsJpeg, LayerEncoding::kWebp,
                                LayerEncoding::kPng}) {
        const auto header = parse_header(bytes, encoding, {}, "notes.jpg");
        ASSERT_FALSE(header);
        EXPECT_EQ(header.error().code, ErrorCode::kBadFormat) << to_string(encoding);
        EXPECT_EQ(header.error().subject, "notes.jpg");
    }
}

TEST(ParseHeader, OddWidthSbsJpegIsRefused) {
    const auto bytes = encode_jpeg(solid(33, 8, {1, 2, 3}), TJSAMP_444);
    const auto header = parse_header(bytes, LayerEncoding::kSbsJpeg, {}, "odd.jpg");
    ASSERT_FALSE(header);
    EXPECT_EQ(header.error().code, ErrorCode::kBadFormat);
    EXPECT_NE(header.error().detail.find("odd width 33"), std::string::npos)
        << header.error().detail;
    // The same file is fine as an opaque JPEG.
    EXPECT_TRUE(parse_header(bytes, LayerEncoding::kOpaqueJpeg, {}, "odd.jpg"));
}

TEST(ParseHeader, AbsurdPngDimensionsAreTooLarge) {
    auto png = encode_png(solid(4, 4, {1, 2, 3}));
    test::patch_png_size(png, 100000, 100000);
    const auto header = parse_header(png, LayerEncoding::kPng, {}, "huge.png");
    ASSERT_FALSE(header);
    EXPECT_EQ(header.error().code, ErrorCode::kTooLarge);
    EXPECT_EQ(header.error().subject, "huge.png");
}

TEST(CheckDimensions, SideLimitAndPixelLimitAreEnforced) {
    const ImageLimits limits{100, 5000};
    EXPECT_TRUE(check_dimensions(100, 50, LayerEncoding::kPng, limits, "s"));
    const auto side = check_dimensions(101, 10, LayerEncoding::kPng, limits, "s");
    ASSERT_FALSE(side);
    EXPECT_EQ(side.error().code, ErrorCode::kTooLarge);
    const auto area = check_dimensions(100, 51, LayerEncoding::kPng, limits, "s");
    ASSERT_FALSE(area);
    EXPECT_EQ(area.error().code, ErrorCode::kTooLarge);
}

TEST(CheckDimensions, ZeroOrNegativeSizesAreBadFormat) {
    for (const auto& [w, h] : {std::pair{0, 10}, std::pair{10, 0}, std::pair{-4, 4}}) {
        const auto header = check_dimensions(w, h, LayerEncoding::kWebp, {}, "s");
        ASSERT_FALSE(header);
        EXPECT_EQ(header.error().code, ErrorCode::kBadFormat);
    }
}

TEST(CheckDimensions, DefaultLimitsRefuseMoreThan16384OnASide) {
    EXPECT_TRUE(check_dimensions(16384, 16, LayerEncoding::kWebp, {}, "s"));
    EXPECT_FALSE(check_dimensions(16385, 16, LayerEncoding::kWebp, {}, "s"));
    EXPECT_FALSE(check_dimensions(16384, 16384, LayerEncoding::kWebp, {}, "s"));  // 268 Mpx
}

// [SECTION] Sizes in 64-bit arithmetic, against a 32-bit platform's limits

// One buffer on a 32-bit platform spans at most 2^31 - 1 bytes; a 32-bit size_t wraps at 2^32.
constexpr std::uint64_t k32BitBufferBytes = std::numeric_limits<std::int32_t>::max();

TEST(ImageBytes, SizesThatWrapIn32BitsAreRefusedNotWrapped) {
    // 32768 x 32768 x 4 is exactly 2^32: 0 in a 32-bit size_t.
    EXPECT_EQ(static_cast<std::uint32_t>(32768u * 32768u * 4u), 0u);
    EXPECT_FALSE(image_bytes(32768, 32768, 4, k32BitBufferBytes).has_value());
    EXPECT_EQ(image_bytes(32768, 32768, 4, kMaxBufferBytes),
              std::optional<std::uint64_t>(1ull << 32));
    // 65535 x 65535 x 4 wraps a 32-bit size_t; 64 bits hold it.
    EXPECT_NE(static_cast<std::uint32_t>(65535u * 65535u * 4u), 65535ull * 65535ull * 4ull);
    EXPECT_FALSE(image_bytes(65535, 65535, 4, k32BitBufferBytes).has_value());
    EXPECT_EQ(image_bytes(65535, 65535, 4, kMaxBufferBytes),
              std::optional<std::uint64_t>(65535ull * 65535ull * 4ull));
    // The largest that fits 32 bits, and one byte a pixel more than that.
    EXPECT_EQ(image_bytes(16384, 16384, 4, k32BitBufferBytes),
              std::optional<std::uint64_t>(1ull << 30));
    EXPECT_EQ(image_bytes(k32BitBufferBytes, 1, 1, k32BitBufferBytes),
              std::optional<std::uint64_t>(k32BitBufferBytes));
    EXPECT_FALSE(image_bytes(k32BitBufferBytes + 1, 1, 1, k32BitBufferBytes).has_value());
    // Products beyond 64 bits are refused too, never wrapped.
    EXPECT_FALSE(image_bytes(1ull << 32, 1ull << 32, 4, UINT64_MAX).has_value());
    EXPECT_FALSE(image_bytes(UINT64_MAX, 2, 1, UINT64_MAX).has_value());
}

TEST(CheckDimensions, AHeaderWithinTheLimitsButBeyondA32BitBufferIsTooLarge) {
    // The widest limits the configuration allows, on a platform with 32-bit pointers.
    const ImageLimits limits{65535, 4096ull * 1'000'000, k32BitBufferBytes};
    for (const auto encoding : {LayerEncoding::kSbsJpeg, LayerEncoding::kOpaqueJpeg,
                                LayerEncoding::kWebp, LayerEncoding::kPng}) {
        SCOPED_TRACE(std::string(to_string(encoding)));
        // 32768 x 32768 is within 65535 px a side and 4096 Mpx, but its RGBA is 2^32 bytes.
        const auto wraps = check_dimensions(32768, 32768, encoding, limits, "big.file");
        ASSERT_FALSE(wraps);
        EXPECT_EQ(wraps.error().code, ErrorCode::kTooLarge);
        EXPECT_EQ(wraps.error().subject, "big.file");
        EXPECT_NE(wraps.error().detail.find(std::to_string(1ull << 32)), std::string::npos)
            << wraps.error().detail;
        // The largest square whose RGBA fits 2^31 - 1 bytes, and one pixel more a side
        // (an even side, so that it is a valid SBS width too).
        int edge = static_cast<int>(std::sqrt(static_cast<double>(k32BitBufferBytes) / 4));
        edge -= edge % 2;
        EXPECT_TRUE(check_dimensions(edge, edge, encoding, limits, "s"));
        EXPECT_FALSE(check_dimensions(edge + 2, edge + 2, encoding, limits, "s"));
        // The same headers on 64-bit limits pass.
        const ImageLimits wide{65535, 4096ull * 1'000'000, kMaxBufferBytes};
        EXPECT_TRUE(check_dimensions(32768, 32768, encoding, wide, "s"));
    }
}

TEST(CheckDimensions, DefaultLimitsFitEveryBufferInto32Bits) {
    // The defaults play on a 32-bit platform: the largest file they allow fits one buffer.
    const ImageLimits defaults;
    const auto side = static_cast<std::uint64_t>(defaults.max_side_px);
    const auto largest = std::min(side * side, defaults.max_pixels);
    EXPECT_LE(largest * 4, k32BitBufferBytes);
    EXPECT_EQ(defaults.max_buffer_bytes, kMaxBufferBytes);
}

TEST(ProbeFile, ReadsTheHeaderOfEveryFormat) {
    test::TempDir dir;
    test::write_file(dir / "a.jpg", encode_sbs_jpeg(solid(8, 6, {1, 2, 3}), solid(8, 6, {9}),
                                                    TJSAMP_422));
    test::write_file(dir / "b.webp", encode_webp_lossless(solid(7, 5, {1, 2, 3, 4})));
    test::write_file(dir / "c.png", encode_png(solid(6, 4, {1, 2})));
    const auto jpg = probe_file(dir / "a.jpg", LayerEncoding::kSbsJpeg, {});
    const auto webp = probe_file(dir / "b.webp", LayerEncoding::kWebp, {});
    const auto png = probe_file(dir / "c.png", LayerEncoding::kPng, {});
    ASSERT_TRUE(jpg) << jpg.error().message();
    ASSERT_TRUE(webp) << webp.error().message();
    ASSERT_TRUE(png) << png.error().message();
    EXPECT_EQ(jpg->layer_width_px, 8);
    EXPECT_EQ(webp->layer_width_px, 7);
    EXPECT_EQ(png->layer_width_px, 6);
}

TEST(ProbeFile, JpegWithALargeSegmentBeforeTheFrameHeaderIsStillRead) {
    // A 65 KB APP segment (an ICC profile or EXIF thumbnail) pushes the frame header past the
    // first 64 KiB that the probe reads at first.
    auto jpeg = encode_jpeg(solid(16, 8, {5, 6, 7}), TJSAMP_444);
    std::vector<std::uint8_t> app;
    for (int segment = 0; segment < 2; ++segment) {
        constexpr std::size_t kLength = 40000;  // per segment, below the 65535 limit
        app.insert(app.end(), {0xFF, 0xE2, static_cast<std::uint8_t>(kLength >> 8),
                               static_cast<std::uint8_t>(kLength & 0xFF)});
        app.insert(app.end(), kLength - 2, 0x00);
    }
    jpeg.insert(jpeg.begin() + 2, app.begin(), app.end());  // right after SOI
    ASSERT_GT(jpeg.size(), 64u * 1024u);
    test::TempDir dir;
    test::write_file(dir / "exif.jpg", jpeg);
    const auto header = probe_file(dir / "exif.jpg", LayerEncoding::kOpaqueJpeg, {});
    ASSERT_TRUE(header) << header.error().message();
    EXPECT_EQ(header->layer_width_px, 16);
    EXPECT_EQ(header->layer_height_px, 8);
}

TEST(ProbeFile, MissingFileIsAnIoErrorNamingIt) {
    test::TempDir dir;
    const auto header = probe_file(dir / "gone.png", LayerEncoding::kPng, {});
    ASSERT_FALSE(header);
    EXPECT_EQ(header.error().code, ErrorCode::kIo);
    EXPECT_NE(header.error().subject.find("gone.png"), std::string::npos);
}

TEST(ProbeFile, OnlyTheHeaderNeedsToBeValid) {
    // The probe never decodes pixels: a JPEG cut after its headers still probes fine.
    const auto full = encode_jpeg(test::photo_like(64, 64, 3), TJSAMP_420);
    test::TempDir dir;
    test::write_file(dir / "cut.jpg",
                     std::span<const std::uint8_t>(full.data(), full.size() * 2 / 3));
    const auto header = probe_file(dir / "cut.jpg", LayerEncoding::kOpaqueJpeg, {});
    ASSERT_TRUE(header) << header.error().message();
    EXPECT_EQ(header->layer_width_px, 64);
}

}  // namespace
}  // namespace interleave::loader
