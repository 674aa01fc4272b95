// LatencyHistogram: bucket arithmetic and percentile queries.
#include "core/latency_histogram.hpp"

#include <algorithm>
#include <bit>

namespace interleave {

int LatencyHistogram::bucket_of(std::uint64_t us) {
    if (us < static_cast<std::uint64_t>(kLinear)) return static_cast<int>(us);
    const int msb = std::bit_width(us) - 1;           // >= kSubBits + 1
    const int shift = msb - kSubBits;                  // keep kSubBits bits below the msb
    const int sub = static_cast<int>((us >> shift) & ((1u << kSubBits) - 1));
    const int bucket = kLinear + (shift - 1) * (1 << kSubBits) + sub;
    return std::min(bucket, kBuckets - 1);
}

double LatencyHistogram::bucket_mid_us(int bucket) {
    if (bucket < kLinear) return bucket + 0.5;
    const int rel = bucket - kLinear;
    const int shift = rel / (1 << kSubBits) + 1;
    const int sub = rel % (1 << kSubBits);
    const double low = static_cast<double>((std::uint64_t{1} << (shift + kSubBits)) +
                                           (static_cast<std::uint64_t>(sub) << shift));
    return low + static_cast<double>(std::uint64_t{1} << shift) / 2.0;
}

void LatencyHistogram::record(std::chrono::nanoseconds duration) {
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(duration.count(), 0));
    buckets_[bucket_of(ns / 1000)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
    std::uint64_t seen = max_ns_.load(std::memory_order_relaxed);
    while (ns > seen && !max_ns_.compare_exchange_weak(seen, ns, std::memory_order_relaxed)) {
    }
}

void LatencyHistogram::reset() {
    for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
    count_.store(0, std::memory_order_relaxed);
    sum_ns_.store(0, std::memory_order_relaxed);
    max_ns_.store(0, std::memory_order_relaxed);
}

double LatencyHistogram::percentile_ms(double p) const {
    std::uint64_t total = 0;
    for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
    if (total == 0) return 0.0;
    const double clamped = std::clamp(p, 0.0, 100.0);
    // Rank of the wanted sample, 1-based: ceil(p/100 * total), at least 1.
    auto rank = static_cast<std::uint64_t>(clamped / 100.0 * static_cast<double>(total) + 0.999999);
    rank = std::clamp<std::uint64_t>(rank, 1, total);
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += buckets_[i].load(std::memory_order_relaxed);
        if (seen >= rank) return bucket_mid_us(i) / 1000.0;
    }
    return bucket_mid_us(kBuckets - 1) / 1000.0;
}

double LatencyHistogram::mean_ms() const {
    const auto n = count();
    if (n == 0) return 0.0;
    return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e6 /
           static_cast<double>(n);
}

double LatencyHistogram::max_ms() const {
    return static_cast<double>(max_ns_.load(std::memory_order_relaxed)) / 1e6;
}

}  // namespace interleave
