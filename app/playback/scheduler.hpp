// Scheduler: at the top of each frame it keeps the loader fed with the next indices (frames
// follow the ping-pong direction, so prefetch turns round at the ends by itself) and takes
// the pair to show from the FIFO through the rolling index compensator.
// Thread: the render thread only (it owns the FolderSelector and the compensator).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "app/playback/clock.hpp"
#include "app/playback/folder_selector.hpp"
#include "app/playback/index_compensator.hpp"
#include "loader/frame_fifo.hpp"
#include "loader/loader_pool.hpp"

namespace interleave::app {

struct SchedulerSettings {
    std::int64_t tolerance = 10;  // frames a shown pair may be off the wanted index; 0..240
    std::int64_t prefetch = 0;    // indices requested ahead; 0: min(tolerance, FIFO capacity - 1)
    std::size_t compensator_window = 10;  // differences averaged (the original's 10)
};

struct SchedulerStats {
    std::uint64_t requested = 0;  // pairs handed to the loader
    std::uint64_t busy = 0;       // requests the loader refused for now (retried next frame)
    std::uint64_t shown = 0;      // takes that found a pair
    std::uint64_t misses = 0;     // takes that found none (the last frame stays up)
    std::uint64_t failed = 0;     // pairs taken that had failed to load (last frame stays up)
    std::int64_t last_offset = 0; // wanted - shown index of the last pair shown
    std::uint64_t clock_steps = 0; // wall-clock steps handled (on_clock_step)
};

class Scheduler {
public:
    // All references must outlive the Scheduler. `selector` must use the clock's cycle shape.
    Scheduler(const Clock& clock, FolderSelector& selector, loader::LoaderPool& loaders,
              loader::FrameFifo& fifo, SchedulerSettings settings = {});

    // Requests every index in [wanted, wanted + prefetch] not requested yet, in play order,
    // and tells the loader the play position. A jump back (clock stepped) starts over.
    void feed(std::int64_t wanted_index);

    // The pair for `wanted_index`: the FIFO's nearest pair within tolerance to the compensated
    // index, for the folders chosen there; nullopt on a miss. A pair that failed to load comes
    // back too, with ok() false and no pixels (counted in `failed`): it settles its index, and
    // the caller keeps its last good frame rather than looking again and running ahead.
    // With a `wait` > 0 it blocks up to that long for the pair to arrive (benchmark mode).
    [[nodiscard]] std::optional<loader::FramePair> take(
        std::int64_t wanted_index, std::chrono::milliseconds wait = std::chrono::milliseconds(0));

    // Reads both clocks once per frame, before feed(): on a wall-clock step (see
    // ClockStepDetector) it logs one line naming the step and the indices, calls
    // on_clock_step() and returns true; otherwise false.
    bool follow_clock(std::int64_t wall_ns, std::int64_t steady_ns);

    // The wall clock stepped (forward or back, by any amount): what was prefetched for the old
    // position is of no use. Empties the FIFO (not counted as dropped: no frame was lost, time
    // moved), forgets the compensator's differences (they measured the old position) and
    // starts the prefetch window over at the next feed, so the next take looks for the new
    // index itself. Pairs the loader is decoding for the old position still arrive: behind the
    // new one they are evicted as late; ahead of it (a step back) they stay until the FIFO is
    // full and then go first, at most LoaderPool::max_in_flight() of them, counted as dropped.
    void on_clock_step();

    // The folders and frame shown at `index`, as requests and takes use them.
    [[nodiscard]] loader::PairKey key_at(std::int64_t index);

    // Content reload (ContentReloader), in two steps so that the pairs prefetched for the
    // current content still play: stage_content() makes every index from `from_index` on use
    // `selector` and `clock`'s frame mapping (a new catalog's, with this clock's epoch and
    // ips), its keys carrying `generation`. Once a feed reaches from_index, or the prefetch
    // window starts over (a jump, a stall), switch_due() is true: the owner then moves that
    // clock and selector into the ones this Scheduler was built with and calls
    // finish_switch(), which returns the index the staged content took over from (from_index,
    // or earlier after a jump). Both must live until then.
    void stage_content(const Clock& clock, FolderSelector& selector, std::uint32_t generation,
                       std::int64_t from_index);
    [[nodiscard]] bool switch_due() const;
    std::int64_t finish_switch();
    // The catalog generation of the current content: 0 until a reload.
    [[nodiscard]] std::uint32_t generation() const { return generation_; }

    [[nodiscard]] const SchedulerStats& stats() const { return stats_; }
    [[nodiscard]] std::int64_t prefetch() const { return prefetch_; }

private:
    struct Staged {
        const Clock* clock = nullptr;
        FolderSelector* selector = nullptr;
        std::uint32_t generation = 0;
        std::int64_t from_index = 0;
    };
    // The key at `index` as the current or else the staged content chooses it.
    [[nodiscard]] loader::PairKey key_in(std::int64_t index, bool staged);
    [[nodiscard]] bool staged_at(std::int64_t index) const {
        return staged_ && index >= staged_->from_index;
    }

    const Clock& clock_;
    FolderSelector& selector_;
    loader::LoaderPool& loaders_;
    loader::FrameFifo& fifo_;
    const SchedulerSettings settings_;
    const std::int64_t prefetch_;
    IndexCompensator compensator_;
    ClockStepDetector steps_;
    std::optional<std::int64_t> last_wanted_;   // the index of the last feed
    std::optional<std::int64_t> next_request_;  // first index not requested yet
    SchedulerStats stats_;
    std::optional<Staged> staged_;  // a reloaded catalog's content, from an index on
    std::uint32_t generation_ = 0;
};

}  // namespace interleave::app
