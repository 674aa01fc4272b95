// Tests core/latency_histogram.cpp: percentiles of known distributions within the stated
// bucket precision (exact below 32 µs, half a bucket above), mean, max, reset, concurrent
// recording.
#include "core/latency_histogram.hpp"

#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace interleave {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

// Percentiles report a bucket's midpoint. A bucket spans 1/16 of its power of two, so the
// midpoint is within 1/32 (3.1 %) of any sample in it, about 1 % on average; below 32 µs
// buckets are 1 µs wide.
constexpr double kWorstRelativeError = 1.0 / 32.0;

void expect_near_relative(double actual_ms, double expected_ms) {
    EXPECT_NEAR(actual_ms, expected_ms, expected_ms * kWorstRelativeError + 0.0005)
        << "expected about " << expected_ms << " ms";
}

TEST(LatencyHistogram, EmptyHistogramReportsZero) {
    const LatencyHistogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile_ms(0), 0.0);
    EXPECT_EQ(h.percentile_ms(50), 0.0);
    EXPECT_EQ(h.percentile_ms(100), 0.0);
    EXPECT_EQ(h.mean_ms(), 0.0);
    EXPECT_EQ(h.max_ms(), 0.0);
}

TEST(LatencyHistogram, UniformMillisecondsGiveTheirRanks) {
    LatencyHistogram h;
    for (int ms = 1; ms <= 100; ++ms) h.record(milliseconds(ms));
    EXPECT_EQ(h.count(), 100u);
    expect_near_relative(h.percentile_ms(0), 1.0);
    expect_near_relative(h.percentile_ms(1), 1.0);
    expect_near_relative(h.percentile_ms(50), 50.0);
    expect_near_relative(h.percentile_ms(90), 90.0);
    expect_near_relative(h.percentile_ms(99), 99.0);
    expect_near_relative(h.percentile_ms(100), 100.0);
}

TEST(LatencyHistogram, BimodalDistributionSplitsAtItsRank) {
    LatencyHistogram h;
    for (int i = 0; i < 90; ++i) h.record(microseconds(2000));
    for (int i = 0; i < 10; ++i) h.record(milliseconds(40));
    expect_near_relative(h.percentile_ms(50), 2.0);
    expect_near_relative(h.percentile_ms(90), 2.0);
    expect_near_relative(h.percentile_ms(91), 40.0);
    expect_near_relative(h.percentile_ms(99), 40.0);
}

TEST(LatencyHistogram, ShortDurationsAreExactToTheMicrosecond) {
    LatencyHistogram h;
    for (int us = 0; us < 32; ++us) h.record(microseconds(us));
    // 32 samples, one per µs bucket: the 50th percentile is the 16th sample, 15 µs.
    EXPECT_NEAR(h.percentile_ms(50), 0.015, 0.0005 + 1e-9);
    EXPECT_NEAR(h.percentile_ms(100), 0.031, 0.0005 + 1e-9);
}

TEST(LatencyHistogram, WideRangeStaysWithinBucketPrecision) {
    // Values spread over five decades: each lands within half a bucket of itself, and the
    // average error is about 1 % (asserted below 2 %).
    double error_sum = 0;
    int n = 0;
    for (double us = 40; us < 4'000'000; us *= 1.037) {
        LatencyHistogram h;
        h.record(std::chrono::nanoseconds(static_cast<std::int64_t>(us * 1000)));
        const double expected_ms = std::floor(us) / 1000.0;  // recorded in whole µs
        const double actual_ms = h.percentile_ms(50);
        EXPECT_LE(std::abs(actual_ms - expected_ms), expected_ms * kWorstRelativeError + 1e-12)
            << us << " µs";
        error_sum += std::abs(actual_ms - expected_ms) / expected_ms;
        ++n;
    }
    EXPECT_LT(error_sum / n, 0.02);
}

TEST(LatencyHistogram, WorstCaseIsTheStartOfAnOctave) {
    // 32768 µs starts the bucket [32768, 34816): its midpoint is 3.1 % above.
    LatencyHistogram h;
    h.record(microseconds(32768));
    EXPECT_NEAR(h.percentile_ms(50), 33.792, 1e-9);
}

TEST(LatencyHistogram, PercentileArgumentIsClamped) {
    LatencyHistogram h;
    h.record(milliseconds(3));
    h.record(milliseconds(30));
    expect_near_relative(h.percentile_ms(-5), 3.0);
    expect_near_relative(h.percentile_ms(250), 30.0);
}

TEST(LatencyHistogram, MeanAndMaxAreExact) {
    LatencyHistogram h;
    h.record(milliseconds(1));
    h.record(milliseconds(2));
    h.record(milliseconds(6));
    EXPECT_DOUBLE_EQ(h.mean_ms(), 3.0);
    EXPECT_DOUBLE_EQ(h.max_ms(), 6.0);
}

TEST(LatencyHistogram, NegativeDurationCountsAsZero) {
    LatencyHistogram h;
    h.record(std::chrono::nanoseconds(-5000));
    EXPECT_EQ(h.count(), 1u);
    EXPECT_EQ(h.max_ms(), 0.0);
    EXPECT_EQ(h.mean_ms(), 0.0);
    EXPECT_LT(h.percentile_ms(100), 0.001);
}

TEST(LatencyHistogram, HugeDurationIsKeptInTheLastBucket) {
    LatencyHistogram h;
    h.record(std::chrono::hours(24 * 365 * 10));
    EXPECT_EQ(h.count(), 1u);
    EXPECT_GT(h.percentile_ms(50), 0.0);
}

TEST(LatencyHistogram, ResetForgetsEverything) {
    LatencyHistogram h;
    for (int i = 0; i < 10; ++i) h.record(milliseconds(5));
    h.reset();
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.percentile_ms(50), 0.0);
    EXPECT_EQ(h.max_ms(), 0.0);
    h.record(milliseconds(7));
    expect_near_relative(h.percentile_ms(50), 7.0);
}

TEST(LatencyHistogram, ConcurrentRecordsAreAllCounted) {
    LatencyHistogram h;
    constexpr int kThreads = 4;
    constexpr int kEach = 5000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&h, t] {
            for (int i = 0; i < kEach; ++i) h.record(microseconds(100 * (t + 1)));
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(h.count(), static_cast<std::uint64_t>(kThreads * kEach));
    expect_near_relative(h.max_ms(), 0.4);
    expect_near_relative(h.mean_ms(), 0.25);
    expect_near_relative(h.percentile_ms(100), 0.4);
}

}  // namespace
}  // namespace interleave
