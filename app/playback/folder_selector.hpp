// FolderSelector: which main folder and which float folder feed each play index, as a pure
// function of (settings, folder counts, frame count, index), so machines that share a seed and
// an epoch choose identically. Thread: one owner (the render thread); not internally locked.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace interleave::app {

enum class SelectMode : std::uint8_t {
    kRandom,      // the original's behaviour: rest zone on folder 0, then randomised switches
    kFixed,       // always (fixed_main, fixed_float)
    kSequential,  // one folder pair per cycle: cycle c shows main c mod M and float c mod F
};

// How the play index walks the frames; it fixes where a cycle starts and which indices show
// frames near 0 (where the rest zone sits). Must match the Clock's mapping.
enum class CycleShape : std::uint8_t {
    kDoublePivot,  // 0..N-1, N-1..0: 2N indices, each end shown twice (the original's ping-pong)
    kLoop,         // 0..N-1: N indices
};

// Defaults are the original's (folder_selector.py, settings.py FPS = 60 at IPS = 30): a rest of
// 60..210 indices, i.e. 2..7 s, switches 1..20 s apart, thresholds jittered by up to ±0.2 s.
struct SelectorSettings {
    SelectMode mode = SelectMode::kRandom;
    CycleShape cycle = CycleShape::kDoublePivot;  // must match Clock::settings().ping_pong
    std::uint64_t seed = 0;         // any value; same seed + same epoch = same choices everywhere
    double ips = 30.0;              // play indices per second; 0.001..1000 (the Clock's ips)
    double rest_min_s = 2.0;        // rest zone length, drawn per cycle; 0..3600
    double rest_max_s = 7.0;        // rest_min_s..3600
    double min_interval_s = 1.0;    // between two switches of one layer; 0.001..3600
    double max_interval_s = 20.0;   // min_interval_s..3600
    double jitter_s = 0.2;          // ± nudge on each interval (held to min..max); 0..60
    int fixed_main = 0;             // kFixed only: position in Catalog::main_folders; 0..M-1
    int fixed_float = 0;            // kFixed only: position in Catalog::float_folders; 0..F-1
};

struct FolderChoice {
    int main_folder = 0;   // position in Catalog::main_folders
    int float_folder = 0;  // position in Catalog::float_folders
    friend bool operator==(const FolderChoice&, const FolderChoice&) = default;
};

// kRandom, per cycle c (cycle = floor(index / cycle length), so negative indices work too):
//  - Rest zone: while the frame shown is below R, both layers show folder 0. R is drawn per
//    cycle in [rest_min_s, rest_max_s] x ips. Like the original, the rest zone is keyed to frame
//    numbers, so with ping-pong it covers the start of each cycle and also the end (the way
//    back down to frame 0, using the next cycle's R): a window centred on frame 0.
//  - First pick: when the rest zone ends, main and float switch together.
//  - Then each layer switches on its own: every interval is a whole number of 1 s beats from
//    min_interval_s, nudged by up to ±jitter_s, held to [min, max] and rounded to indices
//    (at least ceil(min x ips), at most floor(max x ips), never below 1). The last interval
//    of a cycle is cut off by the rest zone or the cycle's end.
//  - Folders come from shuffled decks: main deals 1..M-1 (folder 0 is the rest folder, as in
//    the original), float deals 0..F-1. Within a cycle every folder of a deck comes up before
//    any repeats; across cycles, the first picks of D consecutive cycles (D = deck size,
//    aligned to multiples of D) deal a whole deck, so every folder comes up within 2D cycles
//    even when cycles hold one switch (but some active time). A switch never re-deals the
//    folder already showing (D > 1); for float's first pick that means not folder 0.
// kSequential: no rest zone and no timing; advances one folder per cycle.
// kFixed: no rest zone.
// A sequence shorter than the rest zone stays on folder 0 in kRandom, as the original did.
class FolderSelector {
public:
    // main_folders, float_folders >= 1; frame_count >= 1 . Errors name the
    // setting: "select.fixed_main: 7 is out of range (expected 0..2)". Allocates here only.
    [[nodiscard]] static Result<FolderSelector> create(SelectorSettings settings,
                                                       int main_folders, int float_folders,
                                                       std::size_t frame_count);

    // The folders for play index `index`. The result depends on nothing but the arguments of
    // create() and `index`: any call order, any instance. Builds a cycle's schedule (O(switches
    // + deck size)) when the cycle is not among the two it keeps; otherwise O(1) amortised in
    // steady play, O(log switches) on a jump. No allocation after create() unless a cycle
    // holds more switches than reserved (then once per new maximum).
    [[nodiscard]] FolderChoice choose(std::int64_t index);

    [[nodiscard]] const SelectorSettings& settings() const { return settings_; }
    // Play indices per cycle: 2N (ping-pong, double pivot) or N (loop), per settings().cycle.
    [[nodiscard]] std::int64_t cycle_length() const { return cycle_length_; }

private:
    struct Switch {
        std::int64_t offset = 0;  // within the cycle
        int folder = 0;
    };
    // One cycle's switches for both layers. Active offsets are [active_begin, active_end);
    // outside it the cycle rests on folder 0.
    struct Schedule {
        std::int64_t cycle = 0;
        bool valid = false;
        std::int64_t active_begin = 0;
        std::int64_t active_end = 0;
        std::array<std::vector<Switch>, 2> layers;  // [0] main, [1] float; sorted by offset
        std::array<std::size_t, 2> cursor{};        // last entry found, for steady play
    };

    FolderSelector(SelectorSettings settings, int main_folders, int float_folders,
                   std::size_t frame_count);

    [[nodiscard]] Schedule& schedule_for(std::int64_t cycle);
    void build(Schedule& schedule, std::int64_t cycle);
    [[nodiscard]] std::int64_t rest_length(std::int64_t cycle) const;
    [[nodiscard]] std::int64_t draw_interval(std::uint64_t& rng_state) const;
    // Deals deck block `block` for `cycle` into deck_[layer]: a permutation of the layer's deck.
    void deal(int layer, std::int64_t cycle, std::int64_t block);
    // Moves the layer's cursor; offset must lie in the schedule's active range.
    [[nodiscard]] static int folder_at(Schedule& schedule, int layer, std::int64_t offset);

    // --- immutable after construction
    SelectorSettings settings_;
    int main_folders_ = 1;
    int float_folders_ = 1;
    std::int64_t frame_count_ = 1;
    std::int64_t cycle_length_ = 1;
    std::int64_t min_interval_ = 1;   // in indices
    std::int64_t max_interval_ = 1;
    std::int64_t rest_min_ = 0;
    std::int64_t rest_max_ = 0;
    // --- cache (render thread): the two most recent cycles, so look-ahead across a cycle
    // boundary does not rebuild on every call; deck_ is scratch for deal().
    std::array<Schedule, 2> schedules_;
    std::size_t last_used_ = 0;
    std::array<std::vector<int>, 2> deck_;
};

}  // namespace interleave::app
