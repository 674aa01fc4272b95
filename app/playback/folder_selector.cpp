// FolderSelector: per-cycle schedules of folder switches from a counter-based PRNG keyed by
// (seed, purpose, cycle), so any index can be answered without replaying history.
// Thread: the render thread (one owner).
#include "app/playback/folder_selector.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace interleave::app {
namespace {

// Purposes keep the random streams apart: changing how many draws one of them makes never
// shifts another.
enum class Stream : std::uint64_t {
    kRest = 1,
    kMainTiming = 2,
    kFloatTiming = 3,
    kMainDeck = 4,
    kFloatDeck = 5,
};

// One original "beat": the original counted its tempo in FPS index units, i.e. seconds.
constexpr double kBeatS = 1.0;
// Reserved switches per layer at create(); a longer cycle grows the vectors once.
constexpr std::int64_t kReservedSwitches = 4096;

// splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed, portable generator. We use our own
// instead of <random> distributions, whose output differs between standard libraries.
std::uint64_t next_u64(std::uint64_t& state) {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t x) { return next_u64(x); }

// The starting state of the stream for (seed, purpose, a, b).
std::uint64_t stream_key(std::uint64_t seed, Stream purpose, std::int64_t a,
                         std::int64_t b = 0) {
    std::uint64_t h = mix(seed);
    h = mix(h ^ static_cast<std::uint64_t>(purpose));
    h = mix(h ^ static_cast<std::uint64_t>(a));
    h = mix(h ^ static_cast<std::uint64_t>(b));
    return h;
}

// Uniform in [0, 1) from the top 53 bits.
double next_unit(std::uint64_t& state) {
    return static_cast<double>(next_u64(state) >> 11) * 0x1.0p-53;
}

// Uniform in [0, n), n >= 1, without modulo bias (rejects the short top range).
std::uint64_t next_below(std::uint64_t& state, std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
        const std::uint64_t x = next_u64(state);
        if (x >= threshold) return x % n;
    }
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if (a % b != 0 && ((a < 0) != (b < 0))) --q;
    return q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t b) {
    const std::int64_t r = a % b;
    return r < 0 ? r + b : r;
}

std::int64_t wrapping_add(std::int64_t a, std::int64_t b) {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(a) + static_cast<std::uint64_t>(b));
}

// NaN fails every comparison, so it is out of range too.
std::optional<Error> check_range(const char* key, double value, double lo, double hi) {
    if (value >= lo && value <= hi) return std::nullopt;
    return Error{ErrorCode::kInvalidArgument, key,
                 fmt::format("{} is out of range (expected {}..{})", value, lo, hi)};
}

int deck_size(int layer, int main_folders, int float_folders) {
    // Main deals 1..M-1: folder 0 belongs to the rest zone (the original skips it as "boring").
    if (layer == 0) return main_folders >= 2 ? main_folders - 1 : 1;
    return float_folders;
}

int deck_base(int layer, int main_folders) { return layer == 0 && main_folders >= 2 ? 1 : 0; }

}  // namespace

Result<FolderSelector> FolderSelector::create(SelectorSettings s, int main_folders,
                                              int float_folders, std::size_t frame_count) {
    if (main_folders < 1) {
        return make_error(ErrorCode::kNoContent, "catalog",
                          "{} main folders (expected at least 1)", main_folders);
    }
    if (float_folders < 1) {
        return make_error(ErrorCode::kNoContent, "catalog",
                          "{} float folders (expected at least 1)", float_folders);
    }
    constexpr std::size_t min_frames = 1;
    // Keeps 2N and the index arithmetic far from int64 overflow.
    constexpr auto kMaxFrames =
        static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max() / 4);
    if (frame_count < min_frames || frame_count > kMaxFrames) {
        return make_error(ErrorCode::kNoContent, "catalog",
                          "frame count {} (expected {}..{} for this cycle shape)", frame_count,
                          min_frames, kMaxFrames);
    }
    const std::optional<Error> checks[] = {
        check_range("select.ips", s.ips, 0.001, 1000.0),
        check_range("select.rest_min_s", s.rest_min_s, 0.0, 3600.0),
        check_range("select.rest_max_s", s.rest_max_s, s.rest_min_s, 3600.0),
        check_range("select.min_interval_s", s.min_interval_s, 0.001, 3600.0),
        check_range("select.max_interval_s", s.max_interval_s, s.min_interval_s, 3600.0),
        check_range("select.jitter_s", s.jitter_s, 0.0, 60.0),
    };
    for (const auto& error : checks) {
        if (error) return tl::unexpected<Error>(*error);
    }
    // Fixed folders matter only in kFixed; a stale value elsewhere is no reason to refuse.
    if (s.mode == SelectMode::kFixed) {
        if (s.fixed_main < 0 || s.fixed_main >= main_folders) {
            return make_error(ErrorCode::kInvalidArgument, "select.fixed_main",
                              "{} is out of range (expected 0..{})", s.fixed_main,
                              main_folders - 1);
        }
        if (s.fixed_float < 0 || s.fixed_float >= float_folders) {
            return make_error(ErrorCode::kInvalidArgument, "select.fixed_float",
                              "{} is out of range (expected 0..{})", s.fixed_float,
                              float_folders - 1);
        }
    }
    return FolderSelector(s, main_folders, float_folders, frame_count);
}

FolderSelector::FolderSelector(SelectorSettings settings, int main_folders, int float_folders,
                               std::size_t frame_count)
    : settings_(settings),
      main_folders_(main_folders),
      float_folders_(float_folders),
      frame_count_(static_cast<std::int64_t>(frame_count)) {
    switch (settings_.cycle) {
        case CycleShape::kDoublePivot: cycle_length_ = 2 * frame_count_; break;
        case CycleShape::kLoop: cycle_length_ = frame_count_; break;
    }
    const double ips = settings_.ips;
    // The small epsilon keeps 1.0 s x 30 ips at exactly 30 despite rounding in the product.
    min_interval_ = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(settings_.min_interval_s * ips - 1e-9)));
    max_interval_ = std::max<std::int64_t>(
        min_interval_,
        static_cast<std::int64_t>(std::floor(settings_.max_interval_s * ips + 1e-9)));
    rest_min_ = std::llround(settings_.rest_min_s * ips);
    rest_max_ = std::max<std::int64_t>(rest_min_, std::llround(settings_.rest_max_s * ips));

    const auto reserve = static_cast<std::size_t>(
        std::min(kReservedSwitches, 2 + cycle_length_ / min_interval_));
    for (Schedule& schedule : schedules_) {
        for (auto& layer : schedule.layers) layer.reserve(reserve);
    }
    for (int layer = 0; layer < 2; ++layer) {
        deck_[static_cast<std::size_t>(layer)].resize(
            static_cast<std::size_t>(deck_size(layer, main_folders_, float_folders_)));
    }
}

FolderChoice FolderSelector::choose(std::int64_t index) {
    switch (settings_.mode) {
        case SelectMode::kFixed: return {settings_.fixed_main, settings_.fixed_float};
        case SelectMode::kSequential: {
            const std::int64_t cycle = floor_div(index, cycle_length_);
            return {static_cast<int>(floor_mod(cycle, main_folders_)),
                    static_cast<int>(floor_mod(cycle, float_folders_))};
        }
        case SelectMode::kRandom: break;
    }
    if (main_folders_ == 1 && float_folders_ == 1) return {};
    const std::int64_t cycle = floor_div(index, cycle_length_);
    const std::int64_t offset = floor_mod(index, cycle_length_);
    Schedule& schedule = schedule_for(cycle);
    if (offset < schedule.active_begin || offset >= schedule.active_end) return {};
    return {folder_at(schedule, 0, offset), folder_at(schedule, 1, offset)};
}

FolderSelector::Schedule& FolderSelector::schedule_for(std::int64_t cycle) {
    for (std::size_t i = 0; i < schedules_.size(); ++i) {
        if (schedules_[i].valid && schedules_[i].cycle == cycle) {
            last_used_ = i;
            return schedules_[i];
        }
    }
    // Replace the slot used less recently: look-ahead across a boundary keeps both cycles.
    last_used_ = 1 - last_used_;
    build(schedules_[last_used_], cycle);
    return schedules_[last_used_];
}

std::int64_t FolderSelector::rest_length(std::int64_t cycle) const {
    if (rest_max_ == rest_min_) return rest_min_;
    std::uint64_t state = stream_key(settings_.seed, Stream::kRest, cycle);
    const auto span = static_cast<std::uint64_t>(rest_max_ - rest_min_) + 1;
    return rest_min_ + static_cast<std::int64_t>(next_below(state, span));
}

std::int64_t FolderSelector::draw_interval(std::uint64_t& rng_state) const {
    const SelectorSettings& s = settings_;
    // Whole beats from the minimum, like the original's tempo multiples, then the jitter that
    // the original put on its thresholds; both stay inside [min, max].
    const auto beats = static_cast<std::uint64_t>(
        std::floor((s.max_interval_s - s.min_interval_s) / kBeatS + 1e-9)) + 1;
    const double base =
        s.min_interval_s + kBeatS * static_cast<double>(next_below(rng_state, beats));
    const double jitter = s.jitter_s * (2.0 * next_unit(rng_state) - 1.0);
    const double seconds = std::clamp(base + jitter, s.min_interval_s, s.max_interval_s);
    return std::clamp<std::int64_t>(std::llround(seconds * s.ips), min_interval_, max_interval_);
}

void FolderSelector::deal(int layer, std::int64_t cycle, std::int64_t block) {
    std::vector<int>& deck = deck_[static_cast<std::size_t>(layer)];
    const auto size = static_cast<std::int64_t>(deck.size());
    const int base = deck_base(layer, main_folders_);
    for (std::size_t i = 0; i < deck.size(); ++i) deck[i] = base + static_cast<int>(i);
    // A round is D consecutive cycles sharing one deck per block, so their first picks
    // (block 0, consecutive positions) deal every folder once.
    const std::int64_t round = floor_div(cycle, size);
    std::uint64_t state = stream_key(settings_.seed,
                                     layer == 0 ? Stream::kMainDeck : Stream::kFloatDeck, round,
                                     block);
    for (std::size_t i = deck.size(); i > 1; --i) {  // Fisher-Yates
        const auto j = static_cast<std::size_t>(next_below(state, i));
        std::swap(deck[i - 1], deck[j]);
    }
}

void FolderSelector::build(Schedule& schedule, std::int64_t cycle) {
    const std::int64_t length = cycle_length_;
    const std::int64_t head = rest_length(cycle);
    // The way back down to frame 0 rests with the next cycle's length, so the rest zone is
    // a window centred on frame 0, as the original's `index <= rand_start` made it.
    const std::int64_t tail = rest_length(wrapping_add(cycle, 1));
    std::int64_t tail_start = length;
    switch (settings_.cycle) {
        case CycleShape::kDoublePivot: tail_start = length - tail; break;
        case CycleShape::kLoop: break;  // frames near 0 come only at the start
    }
    schedule.cycle = cycle;
    schedule.valid = true;
    schedule.active_begin = std::min(head, length);
    schedule.active_end = std::clamp(tail_start, schedule.active_begin, length);
    schedule.cursor = {0, 0};

    for (int layer = 0; layer < 2; ++layer) {
        std::vector<Switch>& switches = schedule.layers[static_cast<std::size_t>(layer)];
        switches.clear();
        if (schedule.active_begin >= schedule.active_end) continue;
        std::vector<int>& deck = deck_[static_cast<std::size_t>(layer)];
        const auto size = static_cast<std::int64_t>(deck.size());
        std::uint64_t timing = stream_key(
            settings_.seed, layer == 0 ? Stream::kMainTiming : Stream::kFloatTiming, cycle);
        int previous = schedule.active_begin > 0 ? 0 : -1;  // the rest zone shows folder 0
        std::int64_t dealt_block = -1;
        std::int64_t offset = schedule.active_begin;  // both layers switch when the rest ends
        for (std::int64_t pick = 0; offset < schedule.active_end; ++pick) {
            const std::int64_t block = pick / size;
            const auto pos = static_cast<std::size_t>(floor_mod(wrapping_add(cycle, pick), size));
            if (block != dealt_block) {
                deal(layer, cycle, block);
                dealt_block = block;
                // Within a block a permutation never repeats; only its first card can equal
                // what is showing. Swapping it with the next card keeps the block a permutation.
                if (size > 1 && deck[pos] == previous) {
                    std::swap(deck[pos], deck[(pos + 1) % deck.size()]);
                }
            }
            previous = deck[pos];
            switches.push_back({offset, previous});
            offset += draw_interval(timing);
        }
    }
}

int FolderSelector::folder_at(Schedule& schedule, int layer, std::int64_t offset) {
    const std::vector<Switch>& switches = schedule.layers[static_cast<std::size_t>(layer)];
    std::size_t& cursor = schedule.cursor[static_cast<std::size_t>(layer)];
    const auto holds = [&](std::size_t i) {
        return i < switches.size() && switches[i].offset <= offset &&
               (i + 1 == switches.size() || switches[i + 1].offset > offset);
    };
    // Steady play stays on the cursor's switch or moves to the next one.
    if (!holds(cursor)) {
        if (holds(cursor + 1)) {
            ++cursor;
        } else {
            const auto it = std::upper_bound(
                switches.begin(), switches.end(), offset,
                [](std::int64_t value, const Switch& s) { return value < s.offset; });
            // offset >= active_begin == switches.front().offset, so it > begin.
            cursor = static_cast<std::size_t>(it - switches.begin()) - 1;
        }
    }
    return switches[cursor].folder;
}

}  // namespace interleave::app
