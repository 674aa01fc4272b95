// FrameFifo: a deque under one mutex; evicted pairs are destroyed outside the lock.
#include "loader/frame_fifo.hpp"

#include <algorithm>

namespace interleave::loader {

FrameFifo::FrameFifo(std::size_t capacity_pairs)
    : capacity_(std::max<std::size_t>(capacity_pairs, 1)) {
    stats_.capacity = capacity_;
}

void FrameFifo::push(FramePair pair) {
    std::optional<FramePair> evicted;  // released after the lock
    {
        std::lock_guard lock(mutex_);
        ++stats_.pushed;
        if (entries_.size() >= capacity_) {
            evicted.emplace(std::move(entries_.front()));
            entries_.pop_front();
            ++stats_.dropped;
        }
        entries_.push_back(std::move(pair));
    }
    pushed_cv_.notify_all();
}

std::ptrdiff_t FrameFifo::find_nearest_locked(const PairKey& wanted, std::int64_t tolerance,
                                              std::vector<FramePair>& evicted) {
    std::ptrdiff_t best = -1;
    std::int64_t best_distance = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
        const PairKey& key = it->key;
        const bool other_folders = key.main_folder != wanted.main_folder ||
                                   key.float_folder != wanted.float_folder ||
                                   key.generation != wanted.generation;
        const bool behind = key.index <= wanted.index;
        // Entries ahead were prefetched for what the selector will show there: keep them,
        // even beyond the tolerance or for other folders; they are only not eligible now.
        const bool stale = other_folders && behind;
        const bool late = key.index < wanted.index - tolerance;
        if (stale || late) {
            ++(stale ? stats_.stale_evicted : stats_.late_evicted);
            evicted.push_back(std::move(*it));
            it = entries_.erase(it);
            continue;
        }
        const std::int64_t distance =
            key.index > wanted.index ? key.index - wanted.index : wanted.index - key.index;
        if (other_folders || distance > tolerance) {
            ++it;
            continue;
        }
        if (best < 0 || distance < best_distance) {
            best = it - entries_.begin();
            best_distance = distance;
        }
        ++it;
    }
    return best;
}

std::optional<FramePair> FrameFifo::take_at_locked(std::ptrdiff_t position) {
    if (position < 0) {
        ++stats_.misses;
        return std::nullopt;
    }
    std::optional<FramePair> taken(std::move(entries_[static_cast<std::size_t>(position)]));
    entries_.erase(entries_.begin() + position);
    ++stats_.hits;
    return taken;
}

std::optional<FramePair> FrameFifo::take_nearest(const PairKey& wanted, std::int64_t tolerance) {
    std::vector<FramePair> evicted;
    std::optional<FramePair> taken;
    {
        std::lock_guard lock(mutex_);
        taken = take_at_locked(find_nearest_locked(wanted, tolerance, evicted));
    }
    return taken;
}

std::optional<FramePair> FrameFifo::wait_take_nearest(const PairKey& wanted,
                                                      std::int64_t tolerance,
                                                      std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::vector<FramePair> evicted;
    for (;;) {
        std::optional<FramePair> taken;
        {
            std::unique_lock lock(mutex_);
            std::ptrdiff_t best = -1;
            // Wake for a match, or to hand back what this wake-up evicted: the pairs evicted
            // while waiting must not hold their pool buffers (which the loaders need to
            // decode the match) until the wait ends.
            const bool woke = pushed_cv_.wait_until(lock, deadline, [&] {
                best = find_nearest_locked(wanted, tolerance, evicted);
                return best >= 0 || !evicted.empty();
            });
            if (best >= 0 || !woke) {
                taken = take_at_locked(best);
                lock.unlock();
                return taken;  // `evicted` is destroyed after the lock is released
            }
        }
        evicted.clear();  // outside the lock: their buffers go back to their pool now
    }
}

bool FrameFifo::contains(const PairKey& key) const {
    std::lock_guard lock(mutex_);
    return std::any_of(entries_.begin(), entries_.end(),
                       [&](const FramePair& p) { return p.key == key; });
}

void FrameFifo::clear() {
    std::deque<FramePair> old;
    {
        std::lock_guard lock(mutex_);
        old.swap(entries_);
    }
    pushed_cv_.notify_all();
}

FifoStats FrameFifo::stats() const {
    std::lock_guard lock(mutex_);
    FifoStats s = stats_;
    s.depth = entries_.size();
    return s;
}

}  // namespace interleave::loader
