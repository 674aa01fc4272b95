// Tests for config::LoaderSettings: defaults are valid, and each out-of-range key is named.
#include "config/loader_settings.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace interleave::config {
namespace {

TEST(LoaderSettings, DefaultsAreValidAndMatchTheOriginal) {
    const LoaderSettings s;
    EXPECT_TRUE(validate(s).has_value());
    EXPECT_EQ(s.fifo_pairs, 15);
    EXPECT_EQ(s.tolerance, 10);
    EXPECT_TRUE(s.main_jpeg_sbs);
    EXPECT_TRUE(s.float_jpeg_sbs);
}

struct BadValue {
    const char* key;
    void (*apply)(LoaderSettings&);
};

TEST(LoaderSettings, OutOfRangeValueNamesKeyValueAndRange) {
    const BadValue cases[] = {
        {"loader.workers", [](LoaderSettings& s) { s.workers = 65; }},
        {"loader.workers", [](LoaderSettings& s) { s.workers = -1; }},
        {"loader.fifo_pairs", [](LoaderSettings& s) { s.fifo_pairs = 1; }},
        {"loader.fifo_pairs", [](LoaderSettings& s) { s.fifo_pairs = 241; }},
        {"loader.tolerance", [](LoaderSettings& s) { s.tolerance = -3; }},
        {"loader.max_side_px", [](LoaderSettings& s) { s.max_side_px = 8; }},
        {"loader.max_megapixels", [](LoaderSettings& s) { s.max_megapixels = 0; }},
    };
    for (const BadValue& c : cases) {
        LoaderSettings s;
        c.apply(s);
        const auto result = validate(s);
        ASSERT_FALSE(result.has_value()) << c.key;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(result.error().subject, c.key);
        EXPECT_NE(result.error().detail.find("expected"), std::string::npos)
            << result.error().message();
    }
}

TEST(LoaderSettings, RangeEndsAreAccepted) {
    LoaderSettings s;
    s.workers = 64;
    s.fifo_pairs = 2;
    s.tolerance = 0;
    s.max_side_px = 65535;
    s.max_megapixels = 4096;
    EXPECT_TRUE(validate(s).has_value());
}

// On a 32-bit platform one buffer spans at most 2^31 - 1 bytes, and a frame of max_megapixels
// needs max_megapixels x 10^6 x 4 of them: the figures below hold on any build platform.
TEST(LoaderSettings, MegapixelsBeyondWhatThePlatformAddressesNameTheKey) {
    constexpr std::uint64_t k32BitBytes = std::numeric_limits<std::int32_t>::max();
    const auto most = static_cast<std::uint32_t>(k32BitBytes / 4 / 1'000'000);
    EXPECT_EQ(max_megapixels_for(k32BitBytes), most);
    LoaderSettings s;
    s.max_megapixels = most;
    EXPECT_TRUE(validate(s, k32BitBytes).has_value());
    for (const std::uint32_t too_many : {most + 1, 4096u}) {
        s.max_megapixels = too_many;
        const auto result = validate(s, k32BitBytes);
        ASSERT_FALSE(result.has_value()) << too_many;
        EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(result.error().subject, "loader.max_megapixels");
        EXPECT_NE(result.error().detail.find(fmt::format("expected 1..{}", most)),
                  std::string::npos)
            << result.error().message();
    }
    // The platform this runs on addresses the whole range when its pointers are 64-bit, and
    // the key table (--help, the config file's range) says the same as validate().
    s.max_megapixels = 4096;
    EXPECT_EQ(validate(s).has_value(), sizeof(void*) == 8);
    EXPECT_EQ(kMaxMegapixels, sizeof(void*) == 8 ? 4096u : most);
    s.max_megapixels = kMaxMegapixels;
    EXPECT_TRUE(validate(s).has_value());
}

}  // namespace
}  // namespace interleave::config
