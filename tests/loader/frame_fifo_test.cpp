// Tests loader/frame_fifo.cpp: drop-oldest, take-nearest with tolerance, stale and late
// eviction, counters, waiting, and many producers and consumers at once.
#include "loader/frame_fifo.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::loader {
namespace {

using namespace std::chrono_literals;

FramePair pair_at(std::int64_t index, int main_folder = 0, int float_folder = 0) {
    FramePair pair;
    pair.key = PairKey{index, main_folder, float_folder};
    pair.frame = static_cast<std::size_t>(index);
    return pair;
}

// A pair whose layers hold pool buffers, to see when they are released.
FramePair pooled_pair(BufferPool& pool, std::int64_t index) {
    FramePair pair = pair_at(index);
    pair.main.pixels = std::move(*pool.wait_acquire(64, 1s));
    pair.overlay.pixels = std::move(*pool.wait_acquire(64, 1s));
    pair.main.width_px = pair.overlay.width_px = 4;
    pair.main.height_px = pair.overlay.height_px = 4;
    return pair;
}

TEST(FrameFifo, CapacityIsAtLeastOne) {
    EXPECT_EQ(FrameFifo(0).capacity(), 1u);
    EXPECT_EQ(FrameFifo(15).capacity(), 15u);
    EXPECT_EQ(FrameFifo(15).stats().capacity, 15u);
}

TEST(FrameFifo, PushIntoFullDropsOldestAndCounts) {
    FrameFifo fifo(3);
    for (int i = 0; i < 5; ++i) fifo.push(pair_at(i));
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.pushed, 5u);
    EXPECT_EQ(s.dropped, 2u);
    EXPECT_EQ(s.depth, 3u);
    EXPECT_FALSE(fifo.contains({0, 0, 0}));
    EXPECT_FALSE(fifo.contains({1, 0, 0}));
    EXPECT_TRUE(fifo.contains({2, 0, 0}));
    EXPECT_TRUE(fifo.contains({4, 0, 0}));
    EXPECT_DOUBLE_EQ(s.drop_rate(), 2.0 / 5.0);
}

TEST(FrameFifo, DroppedPairsGiveTheirBuffersBack) {
    BufferPool pool(8);
    FrameFifo fifo(1);
    fifo.push(pooled_pair(pool, 0));
    fifo.push(pooled_pair(pool, 1));  // drops pair 0
    EXPECT_EQ(pool.stats().in_use, 2u);
    fifo.clear();
    EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(FrameFifo, DropRateIsZeroBeforeAnyPush) {
    EXPECT_EQ(FrameFifo(4).stats().drop_rate(), 0.0);
}

TEST(FrameFifo, TakeNearestRemovesAndReturnsTheClosest) {
    FrameFifo fifo(8);
    for (const int i : {10, 14, 17, 30}) fifo.push(pair_at(i));
    const auto taken = fifo.take_nearest({16, 0, 0}, 10);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->key.index, 17);
    EXPECT_FALSE(fifo.contains({17, 0, 0}));
    EXPECT_EQ(fifo.stats().hits, 1u);
    // 30 is ahead beyond the tolerance: kept for later, like 10 and 14.
    EXPECT_EQ(fifo.stats().late_evicted, 0u);
    EXPECT_EQ(fifo.stats().depth, 3u);
}

TEST(FrameFifo, ExactMatchIsTaken) {
    FrameFifo fifo(4);
    for (const int i : {4, 5, 6}) fifo.push(pair_at(i));
    EXPECT_EQ(fifo.take_nearest({5, 0, 0}, 0)->key.index, 5);
}

TEST(FrameFifo, TieTakesTheOlderEntry) {
    FrameFifo fifo(4);
    fifo.push(pair_at(6));
    fifo.push(pair_at(4));
    EXPECT_EQ(fifo.take_nearest({5, 0, 0}, 3)->key.index, 6);  // pushed first
    EXPECT_EQ(fifo.take_nearest({5, 0, 0}, 3)->key.index, 4);

    FrameFifo other(4);
    other.push(pair_at(4));
    other.push(pair_at(6));
    EXPECT_EQ(other.take_nearest({5, 0, 0}, 3)->key.index, 4);
}

TEST(FrameFifo, TakeFromEmptyCountsAMiss) {
    FrameFifo fifo(4);
    EXPECT_FALSE(fifo.take_nearest({0, 0, 0}, 10).has_value());
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.hits, 0u);
}

TEST(FrameFifo, LateEntriesBeyondToleranceAreEvictedAndCounted) {
    FrameFifo fifo(8);
    for (const int i : {1, 2, 3, 20, 21}) fifo.push(pair_at(i));
    // Wanted 10 with tolerance 5: 1..3 are too far behind (late); 20 and 21 are too far ahead
    // to take now but stay for later.
    EXPECT_FALSE(fifo.take_nearest({10, 0, 0}, 5).has_value());
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.late_evicted, 3u);
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.depth, 2u);
    EXPECT_TRUE(fifo.contains({20, 0, 0}));
    EXPECT_EQ(s.dropped, 0u) << "evictions are not drops";
}

TEST(FrameFifo, EntryExactlyAtToleranceIsKept) {
    FrameFifo fifo(4);
    fifo.push(pair_at(15));
    EXPECT_EQ(fifo.take_nearest({10, 0, 0}, 5)->key.index, 15);
}

TEST(FrameFifo, StaleEntriesForOtherFoldersAreEvictedAndCounted) {
    FrameFifo fifo(8);
    fifo.push(pair_at(5, 0, 0));
    fifo.push(pair_at(5, 1, 0));  // other main folder
    fifo.push(pair_at(5, 0, 1));  // other float folder
    fifo.push(pair_at(6, 1, 0));
    const auto taken = fifo.take_nearest({5, 1, 0}, 10);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->key, (PairKey{5, 1, 0}));
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.stale_evicted, 2u);
    EXPECT_EQ(s.late_evicted, 0u);
    EXPECT_EQ(s.depth, 1u);
    EXPECT_TRUE(fifo.contains({6, 1, 0}));
}

TEST(FrameFifo, PairsAheadForOtherFoldersAreKeptForTheComingSwitch) {
    // The selector switches folders at index 12: pairs from there on were prefetched for the
    // new folders and must survive takes for the old ones.
    FrameFifo fifo(8);
    for (int i = 10; i < 12; ++i) fifo.push(pair_at(i, 0, 0));
    for (int i = 12; i < 15; ++i) fifo.push(pair_at(i, 2, 1));
    EXPECT_EQ(fifo.take_nearest({10, 0, 0}, 10)->key.index, 10);
    EXPECT_EQ(fifo.take_nearest({11, 0, 0}, 10)->key.index, 11);
    EXPECT_EQ(fifo.take_nearest({12, 2, 1}, 10)->key.index, 12);
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.stale_evicted, 0u);
    EXPECT_EQ(s.depth, 2u);
    // Without a match for its folders the take misses, and an entry for other folders at
    // the wanted index is stale.
    fifo.push(pair_at(13, 5, 5));
    EXPECT_FALSE(fifo.take_nearest({13, 4, 4}, 0).has_value());
    EXPECT_EQ(fifo.stats().stale_evicted, 2u);  // (13, 2, 1) and (13, 5, 5)
    EXPECT_TRUE(fifo.contains({14, 2, 1}));
}

TEST(FrameFifo, StaleBeatsLateInTheCount) {
    FrameFifo fifo(4);
    fifo.push(pair_at(0, 3, 3));  // both stale and far behind: counted once, as stale
    EXPECT_FALSE(fifo.take_nearest({100, 0, 0}, 5).has_value());
    EXPECT_EQ(fifo.stats().stale_evicted, 1u);
    EXPECT_EQ(fifo.stats().late_evicted, 0u);
}

TEST(FrameFifo, TakenPairKeepsItsPixelsAndEvictedOnesAreReleased) {
    BufferPool pool(8);
    FrameFifo fifo(4);
    fifo.push(pooled_pair(pool, 1));
    fifo.push(pooled_pair(pool, 50));
    auto taken = fifo.take_nearest({50, 0, 0}, 5);  // 1 is late
    ASSERT_TRUE(taken.has_value());
    EXPECT_TRUE(taken->main.pixels);
    EXPECT_TRUE(taken->overlay.pixels);
    EXPECT_EQ(pool.stats().in_use, 2u);  // only the taken pair's two buffers
    taken.reset();
    EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST(FrameFifo, ClearEmptiesWithoutCountingDrops) {
    FrameFifo fifo(4);
    for (int i = 0; i < 3; ++i) fifo.push(pair_at(i));
    fifo.clear();
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.depth, 0u);
    EXPECT_EQ(s.pushed, 3u);
    EXPECT_EQ(s.dropped, 0u);
}

TEST(FrameFifo, StatsSnapshotIsConsistent) {
    FrameFifo fifo(4);
    for (int i = 0; i < 6; ++i) fifo.push(pair_at(i));
    (void)fifo.take_nearest({5, 0, 0}, 0);
    (void)fifo.take_nearest({50, 0, 0}, 1);
    const FifoStats s = fifo.stats();
    // Everything pushed is queued, taken, dropped or evicted.
    EXPECT_EQ(s.pushed, s.depth + s.hits + s.dropped + s.stale_evicted + s.late_evicted);
    EXPECT_EQ(s.depth, 0u);
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.dropped, 2u);
    EXPECT_EQ(s.late_evicted, 3u);
}

TEST(FrameFifo, WaitTakeNearestReturnsWhenAProducerPushes) {
    FrameFifo fifo(4);
    const auto start = std::chrono::steady_clock::now();
    std::thread producer([&] {
        std::this_thread::sleep_for(20ms);
        fifo.push(pair_at(7, 0, 1));  // stale for the waiter: it keeps waiting
        fifo.push(pair_at(8));
    });
    const auto taken = fifo.wait_take_nearest({8, 0, 0}, 0, 10s);
    producer.join();
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->key.index, 8);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the push did not wake the waiter";
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 0u);
}

TEST(FrameFifo, WaitTakeNearestReturnsAtOnceWhenAMatchIsQueued) {
    FrameFifo fifo(4);
    fifo.push(pair_at(3));
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(fifo.wait_take_nearest({3, 0, 0}, 0, 30s).has_value());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(FrameFifo, WaitTakeNearestTimesOutAndCountsAMiss) {
    FrameFifo fifo(4);
    fifo.push(pair_at(100));
    EXPECT_FALSE(fifo.wait_take_nearest({200, 0, 0}, 2, 20ms).has_value());
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.misses, 1u);
    EXPECT_EQ(s.late_evicted, 1u);
}

TEST(FrameFifo, ConcurrentProducersAndConsumersLoseNothingUncounted) {
    constexpr int kProducers = 4;
    constexpr int kConsumers = 3;
    constexpr int kPerProducer = 2000;
    FrameFifo fifo(16);
    std::atomic<bool> producing{true};
    std::mutex taken_mutex;
    std::set<std::int64_t> taken;
    std::atomic<int> duplicates{0};

    std::vector<std::thread> threads;
    for (int p = 0; p < kProducers; ++p) {
        threads.emplace_back([&, p] {
            for (int i = 0; i < kPerProducer; ++i) fifo.push(pair_at(p * kPerProducer + i));
        });
    }
    for (int c = 0; c < kConsumers; ++c) {
        threads.emplace_back([&, c] {
            std::int64_t wanted = c;
            while (producing.load()) {
                auto pair = fifo.wait_take_nearest({wanted % (kProducers * kPerProducer), 0, 0},
                                                   kProducers * kPerProducer, 5ms);
                if (pair) {
                    std::lock_guard lock(taken_mutex);
                    if (!taken.insert(pair->key.index).second) duplicates.fetch_add(1);
                }
                wanted += 37;
            }
        });
    }
    for (int p = 0; p < kProducers; ++p) threads[static_cast<std::size_t>(p)].join();
    producing.store(false);
    for (std::size_t c = kProducers; c < threads.size(); ++c) threads[c].join();

    const FifoStats s = fifo.stats();
    EXPECT_EQ(duplicates.load(), 0) << "a pair was handed out twice";
    EXPECT_EQ(s.pushed, static_cast<std::uint64_t>(kProducers * kPerProducer));
    EXPECT_EQ(s.hits, taken.size());
    EXPECT_EQ(s.pushed, s.depth + s.hits + s.dropped + s.stale_evicted + s.late_evicted);
    EXPECT_LE(s.depth, 16u);
}

}  // namespace
}  // namespace interleave::loader
