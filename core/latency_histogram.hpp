// LatencyHistogram: lock-free recording of durations with percentile queries, for decode,
// composite and upload times. Thread: any; record() from many threads, reads from any.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace interleave {

// Log-linear buckets: exact below 32 µs, then 16 buckets per power of two (3-6 % wide),
// up to about 2^36 µs. Percentiles report a bucket's midpoint, so they are within half a
// bucket: at most 1/32 (3.1 %) off, about 1 % on average.
class LatencyHistogram {
public:
    void record(std::chrono::nanoseconds duration);
    void reset();

    [[nodiscard]] std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
    // p in [0, 100]. Returns 0 when nothing was recorded.
    [[nodiscard]] double percentile_ms(double p) const;
    [[nodiscard]] double mean_ms() const;
    [[nodiscard]] double max_ms() const;

private:
    static constexpr int kSubBits = 4;
    static constexpr int kLinear = 2 << kSubBits;  // 32 µs of exact buckets
    static constexpr int kBuckets = kLinear + (36 - kSubBits) * (1 << kSubBits);

    static int bucket_of(std::uint64_t us);
    static double bucket_mid_us(int bucket);

    std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
    std::atomic<std::uint64_t> max_ns_{0};
};

}  // namespace interleave
