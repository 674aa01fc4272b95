// Tests loader/frame_fifo.cpp: drop-oldest, take-nearest with tolerance, stale and late
// eviction, counters, waiting, and many producers and consumers at once.
#include "loader/frame_fifo.hpp"
#include "tests/support/wait.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::loader {
namespace {

using test::wait_until;

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

// Marks a layer's buffer with the pair's index (main) or its complement (float), so a taker
// can tell whether the pixels it got belong to the pair.
void stamp(PooledBuffer& buffer, std::int64_t value) {
    std::memcpy(buffer.data(), &value, sizeof value);
}

std::int64_t stamp_of(const PooledBuffer& buffer) {
    std::int64_t value = 0;
    std::memcpy(&value, buffer.data(), sizeof value);
    return value;
}

// A pooled pair whose layers are stamped with its index; nullopt when the pool has no buffer
// within `timeout`.
std::optional<FramePair> stamped_pair(BufferPool& pool, const PairKey& key,
                                      std::chrono::milliseconds timeout) {
    auto main = pool.wait_acquire(64, timeout);
    auto overlay = pool.wait_acquire(64, timeout);
    if (!main || !overlay) return std::nullopt;
    FramePair pair = pair_at(key.index, key.main_folder, key.float_folder);
    stamp(*main, key.index);
    stamp(*overlay, ~key.index);
    pair.main.pixels = std::move(*main);
    pair.overlay.pixels = std::move(*overlay);
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
    bool waiter_looked = false;
    std::thread producer([&] {
        fifo.push(pair_at(7, 0, 1));  // stale for the waiter: it evicts it and keeps waiting
        // The match goes in only once the waiter has evicted the stale pair and found nothing:
        // from then on it waits, so only this push can wake it.
        waiter_looked = wait_until([&] { return fifo.stats().stale_evicted == 1; }, 10s);
        fifo.push(pair_at(8));
    });
    const auto taken = fifo.wait_take_nearest({8, 0, 0}, 0, 10s);
    producer.join();
    EXPECT_TRUE(waiter_looked) << "the waiter never evicted the stale pair";
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->key.index, 8);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "the push did not wake the waiter";
    const FifoStats s = fifo.stats();
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.misses, 0u);
    EXPECT_EQ(s.stale_evicted, 1u);
}

// A waiter evicts pairs while it waits (stale or late for what it wants); their buffers must
// go back to the pool at once, not when the wait ends: the loaders need them to decode the
// very pair the waiter waits for.
TEST(FrameFifo, WaitTakeNearestReleasesWhatItEvictsWhileItWaits) {
    BufferPool pool(8);
    FrameFifo fifo(4);
    bool released_while_waiting = false;
    std::thread producer([&] {
        fifo.push(pooled_pair(pool, 1));  // late for the waiter (index 50, tolerance 2)
        released_while_waiting = wait_until(
            [&] { return fifo.stats().late_evicted == 1 && pool.stats().in_use == 0; }, 10s);
        fifo.push(pooled_pair(pool, 50));
    });
    const auto taken = fifo.wait_take_nearest({50, 0, 0}, 2, 20s);
    producer.join();
    EXPECT_TRUE(released_while_waiting)
        << "the evicted pair kept its buffers while the waiter waited";
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->key.index, 50);
    EXPECT_EQ(pool.stats().in_use, 2u);  // only the taken pair's two buffers
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

// Producers push pooled pairs for several folder pairs, at indices they draw from one
// counter, while consumers, each following its own folders, take near the newest index with a
// small tolerance: drop-oldest, stale and late eviction and takes all run at once. Every pair
// is accounted for; none is handed out twice, to the wrong folders or beyond the tolerance;
// each taken pair holds its own pixels; and at the end every buffer is back in the pool.
TEST(FrameFifo, ConcurrentProducersAndConsumersWithEvictionLoseNothingUncounted) {
    constexpr int kProducers = 4;
    // Folder pairs (0, 0), (1, 1) and (2, 0): pair i is for f = i mod 3, consumer c follows c.
    constexpr int kFolders = 3;
    constexpr int kTakesPerConsumer = 500;
    constexpr std::int64_t kTolerance = 2;  // below the 3 between two pairs of one folder pair
    constexpr std::size_t kCapacity = 8;
    const auto key_of = [](std::int64_t index) {
        const int folder = static_cast<int>(index % kFolders);
        return PairKey{index, folder, folder % 2};
    };
    FrameFifo fifo(kCapacity);
    // A take holds the pairs it evicts until it returns, while producers refill the FIFO:
    // room for every consumer's evictions besides the FIFO, the producers' and the takers'
    // pairs. A producer that finds none waits for one (that is not a failure).
    BufferPool pool(2 * (kCapacity * (kFolders + 1) + 2 * kProducers + kFolders));

    std::atomic<bool> consuming{true};
    std::atomic<std::int64_t> next_index{0};
    std::atomic<std::uint64_t> pushed{0};
    std::atomic<int> acquire_failures{0};
    std::atomic<int> wrong_folders{0};
    std::atomic<int> beyond_tolerance{0};
    std::atomic<int> wrong_pixels{0};
    std::vector<std::vector<std::int64_t>> taken(kFolders);

    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&] {
            while (consuming.load()) {
                const std::int64_t index = next_index.fetch_add(1);
                auto pair = stamped_pair(pool, key_of(index), 10s);
                if (!pair) {
                    acquire_failures.fetch_add(1);
                    continue;
                }
                fifo.push(std::move(*pair));
                pushed.fetch_add(1);
            }
        });
    }
    std::vector<std::thread> consumers;
    for (int c = 0; c < kFolders; ++c) {
        consumers.emplace_back([&, c] {
            const PairKey mine{0, c, c % 2};
            for (int t = 0; t < kTakesPerConsumer; ++t) {
                const std::int64_t wanted = next_index.load();
                auto pair = fifo.wait_take_nearest({wanted, mine.main_folder, mine.float_folder},
                                                   kTolerance, 2ms);
                if (!pair) continue;
                const PairKey& got = pair->key;
                if (got.main_folder != mine.main_folder || got.float_folder != mine.float_folder) {
                    wrong_folders.fetch_add(1);
                }
                if (std::abs(got.index - wanted) > kTolerance) beyond_tolerance.fetch_add(1);
                if (!pair->main.pixels || !pair->overlay.pixels ||
                    stamp_of(pair->main.pixels) != got.index ||
                    stamp_of(pair->overlay.pixels) != ~got.index) {
                    wrong_pixels.fetch_add(1);
                }
                taken[static_cast<std::size_t>(c)].push_back(got.index);
            }
        });
    }
    for (auto& t : consumers) t.join();
    consuming.store(false);
    for (auto& t : producers) t.join();

    const FifoStats s = fifo.stats();
    std::fprintf(stderr,
                 "[ measured ] pushed %llu, hits %llu, misses %llu, dropped %llu, stale %llu, "
                 "late %llu\n",
                 static_cast<unsigned long long>(s.pushed),
                 static_cast<unsigned long long>(s.hits),
                 static_cast<unsigned long long>(s.misses),
                 static_cast<unsigned long long>(s.dropped),
                 static_cast<unsigned long long>(s.stale_evicted),
                 static_cast<unsigned long long>(s.late_evicted));
    EXPECT_EQ(acquire_failures.load(), 0) << "the pool ran dry for 10 s: buffers did not come back";
    EXPECT_EQ(wrong_folders.load(), 0) << "a consumer got a pair for other folders";
    EXPECT_EQ(beyond_tolerance.load(), 0) << "a pair further than the tolerance was taken";
    EXPECT_EQ(wrong_pixels.load(), 0) << "a taken pair held another pair's buffers";
    std::set<std::int64_t> all;
    std::size_t taken_count = 0;
    for (const auto& indices : taken) {
        taken_count += indices.size();
        all.insert(indices.begin(), indices.end());
    }
    EXPECT_EQ(all.size(), taken_count) << "a pair was handed out twice";
    EXPECT_EQ(s.pushed, pushed.load());
    EXPECT_EQ(s.hits, taken_count);
    EXPECT_EQ(s.misses, static_cast<std::uint64_t>(kFolders * kTakesPerConsumer) - taken_count);
    EXPECT_EQ(s.pushed, s.depth + s.hits + s.dropped + s.stale_evicted + s.late_evicted);
    EXPECT_LE(s.depth, kCapacity);
    // Consumers ran while producers pushed: every take for one folder pair evicts the others'
    // pairs at or behind it (stale), and its own more than the tolerance behind (late).
    EXPECT_GT(s.hits, 0u);
    EXPECT_GT(s.stale_evicted, 0u);
    EXPECT_GT(s.late_evicted, 0u);

    // Every buffer comes back: those of the pairs still queued once the FIFO is cleared.
    EXPECT_EQ(pool.stats().in_use, s.depth * 2);
    fifo.clear();
    const BufferPoolStats balance = pool.stats();
    EXPECT_EQ(balance.in_use, 0u) << "buffers never returned to the pool";
    EXPECT_LE(balance.live_buffers, balance.max_buffers);
    EXPECT_GT(balance.reuses, 0u);
}

}  // namespace
}  // namespace interleave::loader
