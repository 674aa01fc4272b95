// Tests for config::parse_epoch and format_epoch: accepted ISO-8601 forms, the original's
// default, round trips, and every refusal saying what was wrong.
#include "config/epoch.hpp"

#include <gtest/gtest.h>

namespace interleave::config {
namespace {

constexpr std::int64_t kNs = 1'000'000'000;

TEST(Epoch, LaunchMeansNoFixedInstant) {
    const auto e = parse_epoch("launch");
    ASSERT_TRUE(e.has_value());
    EXPECT_FALSE(e->unix_ns.has_value());
    EXPECT_EQ(format_epoch(*e), "launch");
}

TEST(Epoch, OriginalBirthTimeIsTheDefault) {
    const auto e = parse_epoch("1978-11-17T07:11:00-05:00");
    ASSERT_TRUE(e.has_value()) << e.error().message();
    EXPECT_EQ(*e, kOriginalEpoch);
    EXPECT_EQ(*e->unix_ns, 280'152'660 * kNs);  // date -u -d 1978-11-17T12:11:00Z +%s
    EXPECT_EQ(format_epoch(kOriginalEpoch), "1978-11-17T07:11:00-05:00");
}

TEST(Epoch, AcceptsZonesSeparatorsAndFractions) {
    struct Case {
        const char* text;
        std::int64_t unix_ns;
    };
    const Case cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"1970-01-01t00:00z", 0},
        {"1970-01-01 01:00:00+01:00", 0},
        {"1970-01-01T01:00+0100", 0},
        {"1970-01-01T01:00:00+01", 0},
        {"1969-12-31T23:59:59.5Z", -kNs / 2},
        {"2000-02-29T12:00:00.123456789Z", 951'825'600 * kNs + 123'456'789},
        {"2026-11-22T19:30:00.25+01:00", 1'795'372'200 * kNs + 250'000'000},
        {"2026-11-22T13:00:00-05:30", 1'795'372'200 * kNs},
    };
    for (const Case& c : cases) {
        const auto e = parse_epoch(c.text);
        ASSERT_TRUE(e.has_value()) << c.text << ": " << e.error().message();
        EXPECT_EQ(e->unix_ns, c.unix_ns) << c.text;
    }
}

TEST(Epoch, FormatRoundTripsInTheZoneItWasWrittenIn) {
    for (const char* text : {"2026-11-22T19:30:00.25+01:00", "1969-12-31T23:59:59.5Z",
                             "1978-11-17T07:11:00-05:00", "2261-01-01T00:00:00Z"}) {
        const auto e = parse_epoch(text);
        ASSERT_TRUE(e.has_value()) << text;
        EXPECT_EQ(format_epoch(*e), text);
        const auto again = parse_epoch(format_epoch(*e));
        ASSERT_TRUE(again.has_value()) << text;
        EXPECT_EQ(*again, *e);
    }
}

TEST(Epoch, RefusalsSayWhatIsWrongAndWhatIsExpected) {
    struct Case {
        const char* text;
        const char* why;
    };
    const Case cases[] = {
        {"1978-11-17T07:11:00", "no zone"},
        {"1978-11-17", "no time"},
        {"yesterday", "no date"},
        {"", "no date"},
        {"1978-13-17T07:11Z", "month"},
        {"1978-02-29T07:11Z", "day"},
        {"1978-11-31T07:11Z", "day"},
        {"1978-11-17T24:00Z", "hour"},
        {"1978-11-17T07:60Z", "minute"},
        {"1978-11-17T07:11:60Z", "second"},
        {"1978-11-17T07:11:00+24:00", "zone"},
        {"1978-11-17T07:11:00+5", "zone"},
        {"1978-11-17T07:11:00ZZ", "trailing"},
        {"1978-11-17T07:11:00.Z", "digits"},
        {"1600-01-01T00:00Z", "1678..2261"},
        {"Launch", "no date"},
    };
    for (const Case& c : cases) {
        const auto e = parse_epoch(c.text);
        ASSERT_FALSE(e.has_value()) << c.text;
        EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(e.error().detail.find(c.why), std::string::npos) << e.error().detail;
        EXPECT_NE(e.error().detail.find(std::string("\"") + c.text + "\""), std::string::npos)
            << e.error().detail;
        EXPECT_NE(e.error().detail.find("ISO-8601 time with a zone"), std::string::npos);
    }
}

}  // namespace
}  // namespace interleave::config
