// FrameFifo: bounded, drop-oldest store of decoded pairs not yet shown, taken by nearest
// index. Thread: any; internally locked (leaf lock: nothing is called out while holding it;
// pairs are moved in and out, and evicted pairs are destroyed, returning their buffers to
// the pool, only after the lock is released).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "loader/frame.hpp"

namespace interleave::loader {

// A consistent view of the counters, taken under the lock.
struct FifoStats {
    std::size_t capacity = 0;
    std::size_t depth = 0;
    std::uint64_t pushed = 0;
    std::uint64_t dropped = 0;         // oldest entries evicted by a push into a full FIFO
    std::uint64_t hits = 0;            // take_nearest found an entry within tolerance
    std::uint64_t misses = 0;          // take_nearest found none
    std::uint64_t stale_evicted = 0;   // entries at or behind the wanted index, other folders
    std::uint64_t late_evicted = 0;    // entries more than `tolerance` behind the wanted index

    [[nodiscard]] double drop_rate() const {
        return pushed == 0 ? 0.0 : static_cast<double>(dropped) / static_cast<double>(pushed);
    }
};

class FrameFifo {
public:
    explicit FrameFifo(std::size_t capacity_pairs);  // at least 1

    // Takes ownership of `pair`. If the FIFO is full, the oldest entry is evicted and counted
    // as dropped. Wakes one waiter.
    void push(FramePair pair);

    // Evicts entries at or behind wanted.index for other folders (or another generation)
    // than `wanted`'s (stale: they can never be shown) and entries more than `tolerance`
    // behind it (late), then removes and returns the entry for wanted's folders nearest to
    // wanted.index within `tolerance` (the older one on a tie). Entries ahead stay: they were
    // prefetched for the folders the selector chooses there. Counts a hit, or a miss when
    // there is none.
    [[nodiscard]] std::optional<FramePair> take_nearest(const PairKey& wanted,
                                                        std::int64_t tolerance);

    // Like take_nearest, but waits up to `timeout` for a matching entry before counting a miss.
    [[nodiscard]] std::optional<FramePair> wait_take_nearest(const PairKey& wanted,
                                                             std::int64_t tolerance,
                                                             std::chrono::milliseconds timeout);

    // True when an entry with exactly this key is queued.
    [[nodiscard]] bool contains(const PairKey& key) const;

    // Drops every entry (not counted as dropped) and wakes waiters; counters stay.
    void clear();

    [[nodiscard]] FifoStats stats() const;
    [[nodiscard]] std::size_t capacity() const { return capacity_; }

private:
    // Needs mutex_ held. Moves evicted entries into `evicted` so their buffers are released
    // after the lock is dropped. Returns the position of the nearest match, or -1.
    std::ptrdiff_t find_nearest_locked(const PairKey& wanted, std::int64_t tolerance,
                                       std::vector<FramePair>& evicted);
    // Needs mutex_ held. Removes and returns the entry at `position` and counts a hit, or
    // counts a miss when position < 0.
    std::optional<FramePair> take_at_locked(std::ptrdiff_t position);

    // --- immutable after construction
    const std::size_t capacity_;
    // --- guarded by mutex_
    mutable std::mutex mutex_;
    std::condition_variable pushed_cv_;
    std::deque<FramePair> entries_;  // oldest first
    FifoStats stats_;
};

}  // namespace interleave::loader
