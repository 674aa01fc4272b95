// Scheduler: prefetch window over the monotonic index; takes through the compensator.
#include "app/playback/scheduler.hpp"

#include <algorithm>
#include <cassert>

#include "core/log.hpp"

namespace interleave::app {

Scheduler::Scheduler(const Clock& clock, FolderSelector& selector, loader::LoaderPool& loaders,
                     loader::FrameFifo& fifo, SchedulerSettings settings)
    : clock_(clock),
      selector_(selector),
      loaders_(loaders),
      fifo_(fifo),
      settings_(settings),
      // More than the FIFO holds would push out pairs before they are shown.
      prefetch_(settings.prefetch > 0
                    ? settings.prefetch
                    : std::max<std::int64_t>(
                          0, std::min<std::int64_t>(settings.tolerance,
                                                    static_cast<std::int64_t>(fifo.capacity()) - 1))),
      compensator_(settings.compensator_window) {}

loader::PairKey Scheduler::key_at(std::int64_t index) { return key_in(index, staged_at(index)); }

loader::PairKey Scheduler::key_in(std::int64_t index, bool staged) {
    FolderSelector& selector = staged ? *staged_->selector : selector_;
    const FolderChoice choice = selector.choose(index);
    return loader::PairKey{index, choice.main_folder, choice.float_folder,
                           staged ? staged_->generation : generation_};
}

void Scheduler::stage_content(const Clock& clock, FolderSelector& selector,
                              std::uint32_t generation, std::int64_t from_index) {
    staged_ = Staged{&clock, &selector, generation, from_index};
}

bool Scheduler::switch_due() const {
    return staged_ && last_wanted_ && *last_wanted_ >= staged_->from_index;
}

std::int64_t Scheduler::finish_switch() {
    assert(staged_ && "finish_switch() without a staged content");
    const std::int64_t from_index = staged_->from_index;
    generation_ = staged_->generation;
    staged_.reset();
    return from_index;
}

void Scheduler::feed(std::int64_t wanted_index) {
    loaders_.set_play_position(wanted_index);
    last_wanted_ = wanted_index;
    // Start over after a jump back or a long stall; otherwise continue where we stopped.
    if (!next_request_ || *next_request_ < wanted_index ||
        *next_request_ > wanted_index + prefetch_ + 1) {
        next_request_ = wanted_index;
        // Nothing prefetched is left to play out: staged content starts here.
        if (staged_) staged_->from_index = std::min(staged_->from_index, wanted_index);
    }
    const std::int64_t last = wanted_index + prefetch_;
    while (*next_request_ <= last) {
        const std::int64_t index = *next_request_;
        const bool staged = staged_at(index);
        const loader::LoadRequest request{key_in(index, staged),
                                          (staged ? *staged_->clock : clock_).frame_of(index)};
        const loader::RequestResult result = loaders_.try_request(request);
        if (result == loader::RequestResult::kBusy) {
            ++stats_.busy;
            return;  // the loader is full: the rest next frame
        }
        if (result == loader::RequestResult::kStopped) return;
        if (result == loader::RequestResult::kQueued) ++stats_.requested;
        ++*next_request_;  // kInvalid cannot succeed later either: move on
    }
}

bool Scheduler::follow_clock(std::int64_t wall_ns, std::int64_t steady_ns) {
    const std::int64_t step_ns = steps_.observe(wall_ns, steady_ns);
    if (step_ns == 0) return false;
    constexpr double kNsPerS = 1e9;
    const std::int64_t to = clock_.index_at(wall_ns);
    INTERLEAVE_LOG_INFO("playback", "the wall clock stepped {:+.3f} s: index {} -> {}",
                        static_cast<double>(step_ns) / kNsPerS, last_wanted_.value_or(to), to);
    on_clock_step();
    return true;
}

void Scheduler::on_clock_step() {
    fifo_.clear();
    compensator_.reset();
    next_request_.reset();
    ++stats_.clock_steps;
}

std::optional<loader::FramePair> Scheduler::take(std::int64_t wanted_index,
                                                 std::chrono::milliseconds wait) {
    const std::int64_t target = compensator_.compensated(wanted_index);
    // The content is the wanted index's: a compensated target past a staged switch must not
    // evict the current content's pairs as stale.
    const loader::PairKey key = key_in(target, staged_at(wanted_index));
    auto pair = wait.count() > 0 ? fifo_.wait_take_nearest(key, settings_.tolerance, wait)
                                 : fifo_.take_nearest(key, settings_.tolerance);
    if (!pair) {
        ++stats_.misses;
        return std::nullopt;
    }
    compensator_.update(wanted_index, pair->key.index);
    stats_.last_offset = wanted_index - pair->key.index;
    if (!pair->ok()) {
        ++stats_.failed;
    } else {
        ++stats_.shown;
    }
    return pair;
}

}  // namespace interleave::app
