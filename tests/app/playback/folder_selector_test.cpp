// Tests app/folder_selector.cpp: rest zone, switch intervals, shuffled decks, determinism
// across instances and call order, fixed and sequential modes, bad settings and edge cases.
#include "app/playback/folder_selector.hpp"

#include <cstdint>
#include <limits>
#include <ostream>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::app {
namespace {

FolderSelector make(const SelectorSettings& settings, int main_folders, int float_folders,
                    std::size_t frame_count) {
    auto selector = FolderSelector::create(settings, main_folders, float_folders, frame_count);
    if (!selector) {
        ADD_FAILURE() << selector.error().message();
        return *FolderSelector::create({}, 1, 1, 2);
    }
    return std::move(*selector);
}

SelectorSettings fixed_rest(double rest_s) {
    SelectorSettings s;
    s.rest_min_s = rest_s;
    s.rest_max_s = rest_s;
    return s;
}

// Every index of one cycle, in order.
std::vector<FolderChoice> cycle_choices(FolderSelector& selector, std::int64_t cycle) {
    const std::int64_t length = selector.cycle_length();
    std::vector<FolderChoice> out;
    out.reserve(static_cast<std::size_t>(length));
    for (std::int64_t o = 0; o < length; ++o) out.push_back(selector.choose(cycle * length + o));
    return out;
}

int folder(const FolderChoice& c, int layer) { return layer == 0 ? c.main_folder : c.float_folder; }

// Offsets within the cycle where `layer` changes folder.
std::vector<std::int64_t> switch_offsets(const std::vector<FolderChoice>& choices, int layer) {
    std::vector<std::int64_t> out;
    for (std::size_t o = 1; o < choices.size(); ++o) {
        if (folder(choices[o], layer) != folder(choices[o - 1], layer)) {
            out.push_back(static_cast<std::int64_t>(o));
        }
    }
    return out;
}

// The first offset of the cycle that is out of the rest zone (main leaves folder 0 there
// whenever there are at least two main folders).
std::int64_t first_pick(const std::vector<FolderChoice>& choices) {
    for (std::size_t o = 0; o < choices.size(); ++o) {
        if (choices[o].main_folder != 0) return static_cast<std::int64_t>(o);
    }
    return -1;
}

// From `first` on, the selector chooses (main, float) until the next run.
struct ChoiceRun {
    std::int64_t first = 0;
    int main_folder = 0;
    int float_folder = 0;
    friend bool operator==(const ChoiceRun&, const ChoiceRun&) = default;
};

void PrintTo(const ChoiceRun& r, std::ostream* out) {
    *out << "{" << r.first << ", " << r.main_folder << ", " << r.float_folder << "}";
}

// The choices for indices [begin, end) as runs: where either layer's folder changes.
std::vector<ChoiceRun> runs_of(FolderSelector& selector, std::int64_t begin, std::int64_t end) {
    std::vector<ChoiceRun> runs;
    for (std::int64_t i = begin; i < end; ++i) {
        const FolderChoice c = selector.choose(i);
        if (runs.empty() || runs.back().main_folder != c.main_folder ||
            runs.back().float_folder != c.float_folder) {
            runs.push_back({i, c.main_folder, c.float_folder});
        }
    }
    return runs;
}

TEST(FolderSelector, DefaultsAreTheOriginals) {
    const SelectorSettings s;
    EXPECT_EQ(s.mode, SelectMode::kRandom);
    EXPECT_DOUBLE_EQ(s.rest_min_s, 2.0);   // randint(FPS, 3.5 * FPS) at FPS 60, IPS 30
    EXPECT_DOUBLE_EQ(s.rest_max_s, 7.0);
    EXPECT_DOUBLE_EQ(s.min_interval_s, 1.0);
    EXPECT_DOUBLE_EQ(s.max_interval_s, 20.0);
    EXPECT_DOUBLE_EQ(s.jitter_s, 0.2);
}

TEST(FolderSelector, CycleLengthFollowsTheShape) {
    SelectorSettings s;
    EXPECT_EQ(s.cycle, CycleShape::kDoublePivot);  // the Clock's default ping-pong
    EXPECT_EQ(make(s, 3, 3, 100).cycle_length(), 200);
    s.cycle = CycleShape::kLoop;
    EXPECT_EQ(make(s, 3, 3, 100).cycle_length(), 100);
}

TEST(FolderSelector, RestZoneShowsFolderZeroOnBothLayersAroundFrameZero) {
    FolderSelector selector = make(fixed_rest(3.0), 5, 4, 1000);  // 90 indices of rest
    const std::int64_t length = selector.cycle_length();         // 2000
    for (std::int64_t cycle = -3; cycle < 6; ++cycle) {
        const auto choices = cycle_choices(selector, cycle);
        for (std::int64_t o = 0; o < 90; ++o) {
            EXPECT_EQ(choices[o], (FolderChoice{0, 0})) << "cycle " << cycle << " offset " << o;
        }
        // Both layers leave the rest zone together, and neither lands on folder 0.
        EXPECT_NE(choices[90].main_folder, 0) << "cycle " << cycle;
        EXPECT_NE(choices[90].float_folder, 0) << "cycle " << cycle;
        // The way back down: frames 89..0 rest too (offset o >= 1000 shows frame 1999 - o).
        for (std::int64_t o = length - 90; o < length; ++o) {
            EXPECT_EQ(choices[o], (FolderChoice{0, 0})) << "cycle " << cycle << " offset " << o;
        }
        EXPECT_NE(choices[length - 91].main_folder, 0) << "cycle " << cycle;
    }
}

TEST(FolderSelector, RestLengthIsDrawnPerCycleWithinItsBounds) {
    FolderSelector selector = make({}, 4, 4, 600);
    std::set<std::int64_t> lengths;
    for (std::int64_t cycle = 0; cycle < 200; ++cycle) {
        const std::int64_t rest = first_pick(cycle_choices(selector, cycle));
        EXPECT_GE(rest, 60) << "cycle " << cycle;   // 2 s at 30 ips
        EXPECT_LE(rest, 210) << "cycle " << cycle;  // 7 s
        lengths.insert(rest);
    }
    EXPECT_GT(lengths.size(), 20u);
}

TEST(FolderSelector, LoopRestsOnlyAtTheStartOfEachCycle) {
    SelectorSettings s = fixed_rest(3.0);
    s.cycle = CycleShape::kLoop;
    FolderSelector selector = make(s, 5, 4, 1000);
    const auto choices = cycle_choices(selector, 2);
    for (std::int64_t o = 0; o < 90; ++o) EXPECT_EQ(choices[o], (FolderChoice{0, 0}));
    EXPECT_NE(choices[90].main_folder, 0);
    EXPECT_NE(choices[999].main_folder, 0);
}

TEST(FolderSelector, SwitchIntervalsStayWithinMinAndMax) {
    FolderSelector selector = make({}, 6, 5, 3000);  // about 200 s per cycle
    int intervals = 0;
    std::int64_t shortest = std::numeric_limits<std::int64_t>::max();
    std::int64_t longest = 0;
    for (std::int64_t cycle = 0; cycle < 40; ++cycle) {
        const auto choices = cycle_choices(selector, cycle);
        const std::int64_t begin = first_pick(choices);
        for (int layer = 0; layer < 2; ++layer) {
            const auto switches = switch_offsets(choices, layer);
            ASSERT_GE(switches.size(), 3u);
            EXPECT_EQ(switches.front(), begin) << "layers switch together after the rest";
            // The last change is back to folder 0 (the rest zone), which cuts the last interval.
            for (std::size_t i = 1; i + 1 < switches.size(); ++i) {
                const std::int64_t interval = switches[i] - switches[i - 1];
                EXPECT_GE(interval, 30) << "cycle " << cycle << " layer " << layer;   // 1 s
                EXPECT_LE(interval, 600) << "cycle " << cycle << " layer " << layer;  // 20 s
                shortest = std::min(shortest, interval);
                longest = std::max(longest, interval);
                ++intervals;
            }
        }
    }
    EXPECT_GT(intervals, 500);
    EXPECT_LT(shortest, 90);   // the whole range is used, not a fixed tempo
    EXPECT_GT(longest, 510);
}

TEST(FolderSelector, IntervalBoundsHoldForCustomSettings) {
    SelectorSettings s;
    s.ips = 24;
    s.min_interval_s = 2.5;
    s.max_interval_s = 4.0;
    s.jitter_s = 1.0;
    FolderSelector selector = make(s, 4, 4, 2000);
    for (std::int64_t cycle = 0; cycle < 10; ++cycle) {
        const auto choices = cycle_choices(selector, cycle);
        for (int layer = 0; layer < 2; ++layer) {
            const auto switches = switch_offsets(choices, layer);
            for (std::size_t i = 1; i + 1 < switches.size(); ++i) {
                EXPECT_GE(switches[i] - switches[i - 1], 60);  // 2.5 s x 24
                EXPECT_LE(switches[i] - switches[i - 1], 96);  // 4 s x 24
            }
        }
    }
}

TEST(FolderSelector, JitterMovesSwitchesOffTheOneSecondBeat) {
    SelectorSettings s;
    s.jitter_s = 0.0;
    FolderSelector on_beat = make(s, 6, 5, 3000);
    s.jitter_s = 0.2;
    FolderSelector jittered = make(s, 6, 5, 3000);
    int off_beat_without = 0;
    int off_beat_with = 0;
    for (std::int64_t cycle = 0; cycle < 5; ++cycle) {
        for (auto* selector : {&on_beat, &jittered}) {
            const auto switches = switch_offsets(cycle_choices(*selector, cycle), 0);
            for (std::size_t i = 1; i + 1 < switches.size(); ++i) {
                const bool off = (switches[i] - switches[i - 1]) % 30 != 0;
                (selector == &on_beat ? off_beat_without : off_beat_with) += off ? 1 : 0;
            }
        }
    }
    EXPECT_EQ(off_beat_without, 0);
    EXPECT_GT(off_beat_with, 10);
}

TEST(FolderSelector, MainAndFloatSwitchIndependentlyAfterTheFirstPick) {
    FolderSelector selector = make({}, 6, 5, 3000);
    const auto choices = cycle_choices(selector, 0);
    const auto main = switch_offsets(choices, 0);
    const auto floats = switch_offsets(choices, 1);
    const std::set<std::int64_t> float_set(floats.begin(), floats.end());
    int main_alone = 0;
    for (std::size_t i = 1; i + 1 < main.size(); ++i) {
        main_alone += float_set.count(main[i]) ? 0 : 1;
    }
    EXPECT_GT(main_alone, 3);
}

TEST(FolderSelector, NoFolderRepeatsBeforeTheWholeDeckIsDealt) {
    FolderSelector selector = make({}, 9, 7, 3000);  // decks: main 1..8, float 0..6
    for (std::int64_t cycle = 0; cycle < 20; ++cycle) {
        const auto choices = cycle_choices(selector, cycle);
        for (int layer = 0; layer < 2; ++layer) {
            const std::size_t deck = layer == 0 ? 8 : 7;
            const auto switches = switch_offsets(choices, layer);
            ASSERT_GT(switches.size(), deck);
            std::set<int> dealt;
            for (std::size_t i = 0; i < deck; ++i) {
                dealt.insert(folder(choices[switches[i]], layer));
            }
            EXPECT_EQ(dealt.size(), deck) << "cycle " << cycle << " layer " << layer;
        }
    }
}

TEST(FolderSelector, EveryFolderIsVisitedWithinTwoDecksOfShortCycles) {
    // 240 frames: a cycle of 478 indices leaves about 60..360 active, one to a few switches.
    FolderSelector selector = make({}, 12, 9, 240);
    for (std::int64_t start : {std::int64_t{0}, std::int64_t{5}, std::int64_t{-37}}) {
        std::set<int> mains;
        std::set<int> floats;
        for (std::int64_t cycle = start; cycle < start + 2 * 11; ++cycle) {
            for (const FolderChoice& c : cycle_choices(selector, cycle)) {
                mains.insert(c.main_folder);
                floats.insert(c.float_folder);
            }
        }
        EXPECT_EQ(mains.size(), 12u) << "from cycle " << start;
        EXPECT_EQ(floats.size(), 9u) << "from cycle " << start;
    }
}

TEST(FolderSelector, TwoInstancesWithTheSameSeedChooseIdentically) {
    SelectorSettings s;
    s.seed = 0xC0FFEE;
    FolderSelector a = make(s, 7, 5, 400);
    FolderSelector b = make(s, 7, 5, 400);
    for (std::int64_t i = -2000; i < 20000; ++i) ASSERT_EQ(a.choose(i), b.choose(i)) << i;
}

TEST(FolderSelector, CallOrderDoesNotChangeTheResult) {
    SelectorSettings s;
    s.seed = 42;
    FolderSelector forward = make(s, 7, 5, 400);
    const std::int64_t first = 123'456;
    const std::int64_t count = 8000;  // about ten cycles
    std::vector<FolderChoice> expected;
    for (std::int64_t i = 0; i < count; ++i) expected.push_back(forward.choose(first + i));

    FolderSelector backward = make(s, 7, 5, 400);
    for (std::int64_t i = count - 1; i >= 0; --i) {
        ASSERT_EQ(backward.choose(first + i), expected[i]) << "backwards at " << first + i;
    }
    // Random access, with look-ahead across cycles and jumps far away in between.
    FolderSelector random = make(s, 7, 5, 400);
    std::uint64_t lcg = 12345;
    for (int n = 0; n < 20000; ++n) {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        const auto i = static_cast<std::int64_t>((lcg >> 33) % count);
        ASSERT_EQ(random.choose(first + i), expected[i]) << "random at " << first + i;
        if (n % 97 == 0) (void)random.choose(static_cast<std::int64_t>(lcg >> 20));
    }
}

TEST(FolderSelector, DifferentSeedsGiveDifferentSchedules) {
    SelectorSettings s;
    s.seed = 1;
    FolderSelector one = make(s, 7, 5, 1000);
    s.seed = 2;
    FolderSelector two = make(s, 7, 5, 1000);
    int differ = 0;
    for (std::int64_t i = 0; i < 20000; ++i) differ += one.choose(i) == two.choose(i) ? 0 : 1;
    EXPECT_GT(differ, 5000);
}

TEST(FolderSelector, CyclesDifferFromEachOther) {
    FolderSelector selector = make({}, 7, 5, 1000);
    EXPECT_NE(cycle_choices(selector, 0), cycle_choices(selector, 1));
    EXPECT_NE(cycle_choices(selector, 1), cycle_choices(selector, 2));
}

// Golden choices, produced by today's generator. Screens that share a seed and an epoch agree
// only while every version of the player makes these same choices: a change to the random
// generator, the decks, the intervals, the jitter or the rest zone fails here, and must not be
// made lightly (it splits an installation running two versions).
TEST(FolderSelector, GoldenChoicesForAFixedSeedAndCatalogShapeDoNotChange) {
    SelectorSettings s;  // the original's timing at 30 ips, ping-pong
    s.seed = 0x5EED5EED;
    FolderSelector selector = make(s, 4, 3, 450);  // 4 main folders, 3 float, 450 frames
    ASSERT_EQ(selector.cycle_length(), 900);
    // Cycles -1, 0 and 1 (a rest zone around each frame 0).
    const std::vector<ChoiceRun> near_zero = {
        {-900, 0, 0}, {-755, 3, 2}, {-453, 1, 2}, {-277, 2, 2}, {-216, 2, 0}, {-170, 0, 0},
        {170, 2, 1},  {286, 2, 0},  {650, 1, 0},  {721, 0, 0},  {1079, 1, 1}, {1138, 3, 1},
        {1290, 2, 1}, {1385, 2, 2}, {1541, 2, 0}, {1590, 0, 0},
    };
    EXPECT_EQ(runs_of(selector, -900, 1800), near_zero);
    // What a screen with epoch 2024-01-01T00:00:00Z shows one day and 0.5 s later at 30 ips:
    // index floor(86400.5 x 30) = 2592015, in cycle 2880, for one cycle on (into cycle 2881).
    const std::vector<ChoiceRun> a_day_on = {
        {2592015, 0, 0}, {2592089, 1, 1}, {2592270, 1, 0}, {2592325, 2, 0},
        {2592627, 3, 0}, {2592712, 2, 0}, {2592780, 2, 2}, {2592808, 0, 0},
    };
    EXPECT_EQ(runs_of(selector, 2'592'015, 2'592'015 + 900), a_day_on);
}

TEST(FolderSelector, GoldenChoicesForALoopWithoutJitterDoNotChange) {
    SelectorSettings s;
    s.seed = 7;
    s.cycle = CycleShape::kLoop;
    s.ips = 25;
    s.jitter_s = 0;
    FolderSelector selector = make(s, 6, 2, 1000);  // 6 main folders, 2 float, 1000 frames
    const std::vector<ChoiceRun> three_cycles = {
        {0, 0, 0},    {171, 4, 1},  {446, 1, 1},  {496, 1, 0},  {521, 5, 0},  {796, 3, 0},
        {821, 3, 1},  {1000, 0, 0}, {1126, 1, 1}, {1251, 1, 0}, {1326, 5, 0}, {1351, 3, 0},
        {1476, 3, 1}, {1501, 2, 1}, {1626, 4, 1}, {1926, 4, 0}, {2000, 0, 0}, {2069, 5, 1},
        {2194, 3, 1}, {2369, 3, 0}, {2669, 2, 0}, {2744, 2, 1}, {2969, 4, 1},
    };
    EXPECT_EQ(runs_of(selector, 0, 3000), three_cycles);
}

TEST(FolderSelector, FixedModeAlwaysShowsTheGivenFolders) {
    SelectorSettings s;
    s.mode = SelectMode::kFixed;
    s.fixed_main = 2;
    s.fixed_float = 1;
    FolderSelector selector = make(s, 3, 2, 100);
    for (std::int64_t i : {std::int64_t{0}, std::int64_t{1}, std::int64_t{197},
                           std::int64_t{-5}, std::int64_t{1'000'000'000'000}}) {
        EXPECT_EQ(selector.choose(i), (FolderChoice{2, 1})) << i;
    }
}

TEST(FolderSelector, SequentialModeAdvancesOneFolderPerCycle) {
    SelectorSettings s;
    s.mode = SelectMode::kSequential;
    FolderSelector selector = make(s, 3, 2, 100);  // 200 indices per cycle
    EXPECT_EQ(selector.choose(0), (FolderChoice{0, 0}));
    EXPECT_EQ(selector.choose(199), (FolderChoice{0, 0}));
    EXPECT_EQ(selector.choose(200), (FolderChoice{1, 1}));
    EXPECT_EQ(selector.choose(2 * 200), (FolderChoice{2, 0}));
    EXPECT_EQ(selector.choose(3 * 200 + 50), (FolderChoice{0, 1}));
    EXPECT_EQ(selector.choose(-1), (FolderChoice{2, 1}));  // cycle -1
}

TEST(FolderSelector, BadSettingsGiveErrorsThatNameTheKey) {
    const auto error_of = [](SelectorSettings s, int m = 3, int f = 3, std::size_t n = 100) {
        auto selector = FolderSelector::create(s, m, f, n);
        EXPECT_FALSE(selector.has_value());
        return selector ? Error{} : selector.error();
    };
    SelectorSettings s;
    s.mode = SelectMode::kFixed;
    s.fixed_main = 7;
    Error e = error_of(s);
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.message(), "select.fixed_main: 7 is out of range (expected 0..2)");
    s.fixed_main = 0;
    s.fixed_float = -1;
    EXPECT_EQ(error_of(s).subject, "select.fixed_float");

    SelectorSettings bad;
    bad.max_interval_s = 0.5;  // below min_interval_s
    EXPECT_EQ(error_of(bad).subject, "select.max_interval_s");
    bad = {};
    bad.min_interval_s = 0.0;
    EXPECT_EQ(error_of(bad).subject, "select.min_interval_s");
    bad = {};
    bad.rest_max_s = 1.0;  // below rest_min_s
    EXPECT_EQ(error_of(bad).subject, "select.rest_max_s");
    bad = {};
    bad.rest_min_s = -1.0;
    EXPECT_EQ(error_of(bad).subject, "select.rest_min_s");
    bad = {};
    bad.jitter_s = -0.1;
    EXPECT_EQ(error_of(bad).subject, "select.jitter_s");
    bad = {};
    bad.ips = std::numeric_limits<double>::quiet_NaN();
    EXPECT_EQ(error_of(bad).subject, "select.ips");
    bad = {};
    bad.ips = 0.0;
    EXPECT_EQ(error_of(bad).subject, "select.ips");

    EXPECT_EQ(error_of({}, 0, 3).code, ErrorCode::kNoContent);
    EXPECT_EQ(error_of({}, 3, 0).code, ErrorCode::kNoContent);
    EXPECT_EQ(error_of({}, 3, 3, 0).code, ErrorCode::kNoContent);  // no frames
}

TEST(FolderSelector, FixedFoldersAreIgnoredOutsideFixedMode) {
    SelectorSettings s;
    s.fixed_main = 99;
    EXPECT_TRUE(FolderSelector::create(s, 3, 3, 100).has_value());
}

TEST(FolderSelector, OneFolderPerLayerAlwaysShowsFolderZero) {
    FolderSelector selector = make({}, 1, 1, 500);
    for (std::int64_t i = 0; i < 5000; ++i) ASSERT_EQ(selector.choose(i), (FolderChoice{0, 0}));
}

TEST(FolderSelector, OneMainFolderStillSwitchesFloat) {
    FolderSelector selector = make(fixed_rest(2.0), 1, 4, 2000);
    const auto choices = cycle_choices(selector, 3);
    std::set<int> floats;
    for (const FolderChoice& c : choices) {
        EXPECT_EQ(c.main_folder, 0);
        floats.insert(c.float_folder);
    }
    EXPECT_EQ(floats.size(), 4u);
}

TEST(FolderSelector, TwoFramesWork) {
    // One cycle is four indices (0, 1, 1, 0): the rest zone covers it all.
    FolderSelector resting = make({}, 4, 4, 2);
    EXPECT_EQ(resting.cycle_length(), 4);
    for (std::int64_t i = -10; i < 1000; ++i) ASSERT_EQ(resting.choose(i), (FolderChoice{0, 0}));
    // Without a rest zone every cycle deals one pair, and it changes from cycle to cycle.
    FolderSelector busy = make(fixed_rest(0.0), 4, 4, 2);
    std::set<int> mains;
    for (std::int64_t i = 0; i < 100; ++i) {
        const FolderChoice c = busy.choose(i);
        EXPECT_EQ(c, busy.choose(i - i % 4));  // all indices of a cycle agree
        mains.insert(c.main_folder);
    }
    EXPECT_EQ(mains, (std::set<int>{1, 2, 3}));
}

TEST(FolderSelector, OneFrameWorksWithDoublePivotAndLoop) {
    for (CycleShape shape : {CycleShape::kDoublePivot, CycleShape::kLoop}) {
        SelectorSettings s = fixed_rest(0.0);
        s.cycle = shape;
        FolderSelector selector = make(s, 3, 3, 1);
        for (std::int64_t i = 0; i < 100; ++i) (void)selector.choose(i);
        EXPECT_EQ(selector.choose(57), make(s, 3, 3, 1).choose(57));
    }
}

TEST(FolderSelector, HugeIndicesDoNotOverflow) {
    FolderSelector selector = make(fixed_rest(3.0), 6, 5, 1000);
    const std::int64_t length = selector.cycle_length();
    const std::int64_t trillion = 1'000'000'000'000;
    const std::int64_t cycle_start = trillion - trillion % length;
    EXPECT_EQ(selector.choose(cycle_start), (FolderChoice{0, 0}));
    EXPECT_EQ(selector.choose(cycle_start + 89), (FolderChoice{0, 0}));
    EXPECT_NE(selector.choose(cycle_start + 90).main_folder, 0);
    // Far-off indices, both signs, agree with a fresh instance.
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    for (std::int64_t i : {trillion, trillion * 1000, -trillion, kMax, kMax - 1, kMin, kMin + 1}) {
        const FolderChoice c = selector.choose(i);
        EXPECT_EQ(c, make(fixed_rest(3.0), 6, 5, 1000).choose(i)) << i;
        EXPECT_GE(c.main_folder, 0);
        EXPECT_LT(c.main_folder, 6);
        EXPECT_GE(c.float_folder, 0);
        EXPECT_LT(c.float_folder, 5);
    }
    SelectorSettings loop = fixed_rest(0.0);
    loop.cycle = CycleShape::kLoop;
    FolderSelector one_frame = make(loop, 3, 3, 1);  // a cycle per index: cycle + 1 at kMax
    EXPECT_EQ(one_frame.choose(kMax), make(loop, 3, 3, 1).choose(kMax));
}

}  // namespace
}  // namespace interleave::app
