// Tests for app::Clock: exact index arithmetic, ping-pong and looping, epochs in other
// zones, long uptimes, and settings errors that name the key; ManualTimeSource's steps against
// time passing, and ClockStepDetector telling wall-clock steps from stalls and slewing.
#include "app/playback/clock.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "config/epoch.hpp"

namespace interleave::app {
namespace {

constexpr std::int64_t kS = 1'000'000'000;

// Nanoseconds since the Unix epoch for an ISO-8601 time with zone (config's parser).
std::int64_t at(std::string_view iso) {
    const auto epoch = config::parse_epoch(iso);
    EXPECT_TRUE(epoch && epoch->unix_ns) << iso;
    return epoch && epoch->unix_ns ? *epoch->unix_ns : 0;
}

Clock make_clock(std::size_t frames, bool ping_pong = true, std::int64_t ips_milli = 30'000,
                 std::int64_t epoch_ns = 0) {
    auto clock = Clock::create({ips_milli, ping_pong, epoch_ns}, frames);
    EXPECT_TRUE(clock) << clock.error().message();
    return *clock;
}

TEST(Clock, IndexIsFloorOfElapsedTimesIps) {
    const Clock c = make_clock(10, true, 30'000, 5 * kS);
    EXPECT_EQ(c.index_at(5 * kS), 0);
    // Index 1 starts at 1/30 s = 33,333,333.3 ns, so at 33,333,334 ns after the epoch.
    EXPECT_EQ(c.index_at(5 * kS + 33'333'333), 0);
    EXPECT_EQ(c.index_at(5 * kS + 33'333'334), 1);
    EXPECT_EQ(c.index_at(6 * kS), 30);
    EXPECT_EQ(c.start_ns_of(1), 5 * kS + 33'333'334);
    EXPECT_EQ(c.start_ns_of(30), 6 * kS);
}

TEST(Clock, BeforeTheEpochIndicesAreNegativeAndFloored) {
    const Clock c = make_clock(10);
    EXPECT_EQ(c.index_at(-1), -1);
    EXPECT_EQ(c.index_at(-kS), -30);
    EXPECT_EQ(c.index_at(-kS - 1), -31);
}

TEST(Clock, FractionalIpsIsExact) {
    const Clock c = make_clock(10, true, 29'970);  // 29.97 ips
    EXPECT_EQ(c.index_at(100 * kS), 2997);
    EXPECT_EQ(c.index_at(100 * kS - 1), 2996);
}

TEST(Clock, PingPongShowsEachEndTwiceLikeTheOriginal) {
    const Clock c = make_clock(3);
    std::vector<std::size_t> frames;
    std::vector<int> directions;
    for (std::int64_t i = 0; i < 14; ++i) {
        frames.push_back(c.frame_of(i));
        directions.push_back(c.direction_at(i));
    }
    EXPECT_EQ(frames, (std::vector<std::size_t>{0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1}));
    EXPECT_EQ(directions, (std::vector<int>{1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1, 1, 1}));
    EXPECT_EQ(c.cycle_length(), 6);
}

TEST(Clock, PingPongIsContinuousBeforeTheEpoch) {
    const Clock c = make_clock(3);
    EXPECT_EQ(c.frame_of(-1), 0u);  // ... 1, 0, | 0, 1, 2 ...
    EXPECT_EQ(c.frame_of(-2), 1u);
    EXPECT_EQ(c.frame_of(-6), 0u);
}

TEST(Clock, LoopingWrapsAndAlwaysCountsUp) {
    const Clock c = make_clock(3, false);
    std::vector<std::size_t> frames;
    for (std::int64_t i = -2; i < 5; ++i) {
        frames.push_back(c.frame_of(i));
        EXPECT_EQ(c.direction_at(i), 1);
    }
    EXPECT_EQ(frames, (std::vector<std::size_t>{1, 2, 0, 1, 2, 0, 1}));
}

TEST(Clock, SingleFrameAlwaysShowsFrameZero) {
    const Clock c = make_clock(1);
    for (std::int64_t i = -3; i < 5; ++i) EXPECT_EQ(c.frame_of(i), 0u);
}

TEST(Clock, LongUptimesStayExactToTheNanosecond) {
    // 250 years of uptime at 60 ips: the product (ns x milli-ips) needs more than 64 bits.
    const std::int64_t epoch = at("1900-01-01T00:00:00Z");
    const Clock c = make_clock(48, true, 60'000, epoch);
    const std::int64_t now = at("2150-01-01T00:00:00Z");
    const std::int64_t seconds = (now - epoch) / kS;
    EXPECT_EQ((now - epoch) % kS, 0);
    EXPECT_EQ(c.index_at(now), seconds * 60);
    EXPECT_EQ(c.index_at(now - 1), seconds * 60 - 1);
    for (const std::int64_t i : {std::int64_t{1}, std::int64_t{123'456'789'012},
                                 seconds * 60 + 7}) {
        EXPECT_EQ(c.index_at(c.start_ns_of(i)), i);
        EXPECT_EQ(c.index_at(c.start_ns_of(i) - 1), i - 1);
    }
}

TEST(Clock, TwoInstancesWithTheSameEpochAgree) {
    const std::int64_t epoch = at("2026-11-22T18:00:00Z");
    const Clock a = make_clock(48, true, 30'000, epoch);
    const Clock b = make_clock(48, true, 30'000,
                               at("2026-11-22T13:00:00-05:00"));
    ManualTimeSource time(epoch + 12'345 * kS + 17);
    EXPECT_EQ(a.index_at(time.now_ns()), b.index_at(time.now_ns()));
    time.advance_ns(kS / 7);
    EXPECT_EQ(a.frame_of(a.index_at(time.now_ns())), b.frame_of(b.index_at(time.now_ns())));
}

TEST(Clock, BadSettingsNameTheKey) {
    const auto slow = Clock::create({0, true, 0}, 10);
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().subject, "playback.ips");
    const auto fast = Clock::create({1'000'001, true, 0}, 10);
    ASSERT_FALSE(fast);
    EXPECT_EQ(fast.error().subject, "playback.ips");
    const auto empty = Clock::create({30'000, true, 0}, 0);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST(SystemTimeSource, IsTheWallClockInNanoseconds) {
    const std::int64_t a = SystemTimeSource{}.now_ns();
    const std::int64_t b = SystemTimeSource{}.now_ns();
    EXPECT_GE(b, a);
    EXPECT_GT(a, at("2020-01-01T00:00:00Z"));  // a real date, not uptime
}

TEST(SystemTimeSource, SteadyClockRunsForward) {
    const SystemTimeSource time;
    const std::int64_t a = time.steady_ns();
    const std::int64_t b = time.steady_ns();
    EXPECT_GE(b, a);
}

TEST(ManualTimeSource, AStepMovesOnlyTheWallClock) {
    ManualTimeSource time(1'000 * kS);
    time.advance_ns(2 * kS);
    EXPECT_EQ(time.now_ns(), 1'002 * kS);
    EXPECT_EQ(time.steady_ns(), 2 * kS);
    time.step_ns(-3'600 * kS);
    EXPECT_EQ(time.now_ns(), (1'002 - 3'600) * kS);
    EXPECT_EQ(time.steady_ns(), 2 * kS);
    time.set_ns(5 * kS);
    EXPECT_EQ(time.now_ns(), 5 * kS);
    EXPECT_EQ(time.steady_ns(), 2 * kS);
}

// Readings 10 ms apart, as the render loop takes them, with steps of the sizes chrony, NTP and
// a person make, both ways.
TEST(ClockStepDetector, ReportsEachStepOnceWithItsSizeAndSign) {
    for (const std::int64_t step :
         {kS, -kS, 3'600 * kS, -3'600 * kS, 400 * 86'400 * kS, -kS / 2}) {
        ManualTimeSource time(at("2026-11-22T18:00:00Z"));
        ClockStepDetector detector;
        EXPECT_EQ(detector.observe(time.now_ns(), time.steady_ns()), 0) << "the first reading";
        std::vector<std::int64_t> seen;
        for (int i = 0; i < 100; ++i) {
            time.advance_ns(kS / 100);
            if (i == 50) time.step_ns(step);
            if (const std::int64_t s = detector.observe(time.now_ns(), time.steady_ns()); s != 0) {
                seen.push_back(s);
            }
        }
        ASSERT_EQ(seen.size(), 1u) << "step " << step;
        EXPECT_EQ(seen[0], step);
    }
}

// A stalled caller (a 10 s hiccup) sees both clocks move alike: that is no step. Nor is
// slewing: chrony's fastest correction moves the wall clock 8.3 % faster than real time.
TEST(ClockStepDetector, StallsAndSlewingAreNoSteps) {
    ManualTimeSource time(at("2026-11-22T18:00:00Z"));
    ClockStepDetector detector;
    (void)detector.observe(time.now_ns(), time.steady_ns());
    time.advance_ns(10 * kS);
    EXPECT_EQ(detector.observe(time.now_ns(), time.steady_ns()), 0);
    for (int i = 0; i < 1000; ++i) {
        time.advance_ns(kS / 100);
        time.step_ns(kS / 100 * 83 / 1000);  // +8.3 % of each 10 ms
        EXPECT_EQ(detector.observe(time.now_ns(), time.steady_ns()), 0) << "reading " << i;
    }
    // The same slew over a 5 s stall is 415 ms off, still within a tenth of what passed.
    time.advance_ns(5 * kS);
    time.step_ns(5 * kS * 83 / 1000);
    EXPECT_EQ(detector.observe(time.now_ns(), time.steady_ns()), 0);
    // Just over the threshold between two close readings is a step.
    time.advance_ns(kS / 100);
    time.step_ns(ClockStepDetector::kDefaultThresholdNs + kS / 100);
    EXPECT_NE(detector.observe(time.now_ns(), time.steady_ns()), 0);
}

// The index follows the wall clock at once: a Pi that booted at 1970 and is stepped to the
// present plays the present's index on the next reading, whatever the distance.
TEST(ClockStepDetector, AfterAStepTheIndexIsTheNewOneAtOnce) {
    const std::int64_t epoch = at("2026-11-22T18:00:00Z");
    const Clock clock = make_clock(48, true, 30'000, epoch);
    ManualTimeSource time(0);  // no battery clock: 1970 until chrony steps it
    ClockStepDetector detector;
    (void)detector.observe(time.now_ns(), time.steady_ns());
    time.advance_ns(kS / 30);
    const std::int64_t before = clock.index_at(time.now_ns());
    time.set_ns(epoch + 12 * kS);
    ASSERT_NE(detector.observe(time.now_ns(), time.steady_ns()), 0);
    EXPECT_EQ(clock.index_at(time.now_ns()), 360);
    EXPECT_LT(before, 0);
}

}  // namespace
}  // namespace interleave::app
