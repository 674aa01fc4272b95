// Tests for core/process_stats: RSS figures move with memory actually touched.
#include "core/process_stats.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace interleave {
namespace {

TEST(ProcessStats, ResidentMemoryGrowsWhenPagesAreTouched) {
    const std::uint64_t before = current_rss_bytes();
    ASSERT_GT(before, 0u);
    constexpr std::size_t kBytes = 64u << 20;
    auto block = std::make_unique<char[]>(kBytes);
    std::memset(block.get(), 1, kBytes);  // touch every page
    const std::uint64_t during = current_rss_bytes();
    EXPECT_GE(during, before + (kBytes * 3) / 4) << "before " << before << " during " << during;
    EXPECT_GE(peak_rss_bytes(), during);
    volatile char sink = block[kBytes - 1];
    (void)sink;
}

}  // namespace
}  // namespace interleave
