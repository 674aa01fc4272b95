// Tests for app::ContentReloader with the scheduler and loader it drives, on a generated content
// tree, playing frame by frame as the render loop does (feed, update, take): a folder added
// while playing takes over after the pairs prefetched for the old catalog, and from then on the
// selector chooses exactly what a fresh start with the same seed and epoch would; an unplayable
// rescan is logged with its path and reason and the old catalog plays on; a new frame count
// changes the frame mapping, not the index; a wall-clock jump makes a staged switch at once.
#include "app/content_reloader.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/content_tree.hpp"
#include "tests/support/image_compare.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace interleave::app {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::FolderSpec;
using test::FrameFormat;

using test::kHangGuard;
constexpr ClockSettings kClock{30'000, true, 1'700'000'000'000'000'000};

// Random selection with switches every few indices, so a short sequence shows every folder.
SelectorSettings lively(std::uint64_t seed) {
    SelectorSettings s;
    s.mode = SelectMode::kRandom;
    s.seed = seed;
    s.rest_min_s = 0.0;
    s.rest_max_s = 0.1;
    s.min_interval_s = 0.1;
    s.max_interval_s = 0.3;
    s.jitter_s = 0.0;
    return s;
}

SelectorSettings fixed() {
    SelectorSettings s;
    s.mode = SelectMode::kFixed;
    return s;
}

FolderSpec png(int frames, int seed) {
    return {.frames = frames, .format = FrameFormat::kPng, .seed = seed};
}

// One shown pair: its key and frame.
struct Shown {
    loader::PairKey key;
    std::size_t frame = 0;
};

class ContentReloaderTest : public ::testing::Test {
protected:
    // The pipeline's pieces on the current tree, as build_pipeline makes them.
    void build(SelectorSettings select) {
        select_ = select;
        report_ = loader::scan_catalog(dir_.path());
        ASSERT_TRUE(report_.ok()) << report_.error->message();
        const loader::Catalog& c = report_.catalog;
        auto clock = Clock::create(kClock, c.frame_count);
        ASSERT_TRUE(clock);
        clock_.emplace(*clock);
        auto selector = FolderSelector::create(select, static_cast<int>(c.main_folders.size()),
                                               static_cast<int>(c.float_folders.size()),
                                               c.frame_count);
        ASSERT_TRUE(selector) << selector.error().message();
        selector_.emplace(std::move(*selector));
        fifo_.emplace(15);
        pool_.emplace(loader::BufferPool::buffers_for_fifo(15, 2));
        loader::LoaderOptions options;
        options.workers = 2;
        loaders_.emplace(c, *fifo_, *pool_, options);
        scheduler_.emplace(*clock_, *selector_, *loaders_, *fifo_,
                           SchedulerSettings{.tolerance = 10});
        reloader_.emplace(ReloadSettings{dir_.path(), {}, select}, c, *clock_, *selector_,
                          *loaders_, *scheduler_);
    }

    void TearDown() override {
        if (reloader_) reloader_->stop();
        if (loaders_) loaders_->stop();
    }

    // One render-loop frame at `index`: feed, update, then the pair. It waits (hang guard) for
    // the index's own pair, as a render loop on time would find it: a take that came early
    // would get the nearest pair instead and move the compensator, which is not under test.
    // Records what was shown; false on a miss or a failed pair.
    ::testing::AssertionResult frame(std::int64_t index) {
        scheduler_->feed(index);
        reloader_->update(index);
        const loader::PairKey key = scheduler_->key_at(index);
        const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
        while (!fifo_->contains(key) && std::chrono::steady_clock::now() < deadline) {
            scheduler_->feed(index);  // what the loader was too busy for
            std::this_thread::sleep_for(1ms);
        }
        auto pair = scheduler_->take(index);
        if (!pair) {
            const auto l = loaders_->stats();
            const auto f = fifo_->stats();
            return ::testing::AssertionFailure()
                   << "index " << index << ": no pair (loader: invalid " << l.invalid
                   << ", late " << l.late_dropped << ", busy " << l.busy << ", in flight "
                   << l.in_flight << "; fifo depth " << f.depth << ", dropped " << f.dropped
                   << ", stale " << f.stale_evicted << ", late " << f.late_evicted
                   << "; generation " << scheduler_->generation() << ")";
        }
        if (!pair->ok()) {
            return ::testing::AssertionFailure() << "index " << index << ": "
                                                 << pair->error->message();
        }
        shown_.push_back({pair->key, pair->frame});
        last_pair_ = std::move(pair);
        return ::testing::AssertionSuccess();
    }
    // Plays from next_ until `done` holds (checked before each frame); false on a miss or a
    // hang (the condition did not come within the hang guard).
    template <typename Predicate>
    ::testing::AssertionResult play_until(Predicate done) {
        const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline) {
                return ::testing::AssertionFailure() << "still waiting at index " << next_;
            }
            if (auto ok = frame(next_++); !ok) return ok;
        }
        return ::testing::AssertionSuccess();
    }
    ::testing::AssertionResult play(int count) {
        const std::int64_t end = next_ + count;
        return play_until([&] { return next_ >= end; });
    }

    test::TempDir dir_;
    test::ContentTree tree_{dir_.path()};
    // Before the threads that log into it (created first, destroyed after TearDown stops them).
    std::optional<test::LogCapture> log_;
    SelectorSettings select_;
    loader::ScanReport report_;
    std::optional<Clock> clock_;
    std::optional<FolderSelector> selector_;
    std::optional<loader::FrameFifo> fifo_;
    std::optional<loader::BufferPool> pool_;
    std::optional<loader::LoaderPool> loaders_;
    std::optional<Scheduler> scheduler_;
    std::optional<ContentReloader> reloader_;
    std::int64_t next_ = 1000;  // the play index of the next frame
    std::vector<Shown> shown_;
    std::optional<loader::FramePair> last_pair_;
};

TEST_F(ContentReloaderTest, AddedFolderTakesOverAfterThePrefetchAndChoosesLikeAFreshStart) {
    tree_.add_main("0_rest", png(8, 0));
    tree_.add_main("1_orbit", png(8, 1));
    tree_.add_float("255_glow", png(8, 2));
    build(lively(11));
    ASSERT_TRUE(play(40));

    tree_.add_main("2_added", png(8, 3));  // an operator adds a folder while it plays
    const std::int64_t requested_at = next_;
    reloader_->request();
    ASSERT_TRUE(play_until([&] { return reloader_->stats().reloads == 1; }));
    ASSERT_TRUE(play(40));

    const ReloadStats stats = reloader_->stats();
    EXPECT_EQ(stats.requests, 1u);
    EXPECT_EQ(stats.scans, 1u);
    EXPECT_EQ(stats.rejected, 0u);
    EXPECT_EQ(stats.generation, 1u);
    EXPECT_EQ(scheduler_->generation(), 1u);
    const std::int64_t from = stats.last_switch_index;
    // What was prefetched for the old catalog still played: a whole prefetch window at least.
    EXPECT_GE(from, requested_at + scheduler_->prefetch() + 1);
    // Every index showed its own pair, from the old catalog before the switch and the new one
    // from it on: no miss, nothing prefetched thrown away, no pair of one catalog shown for
    // the other.
    for (const Shown& s : shown_) {
        EXPECT_EQ(s.key.generation, s.key.index >= from ? 1u : 0u) << "index " << s.key.index;
    }
    EXPECT_EQ(shown_.size(), static_cast<std::size_t>(next_ - 1000));
    EXPECT_EQ(scheduler_->stats().misses, 0u);
    EXPECT_EQ(fifo_->stats().stale_evicted, 0u);
    EXPECT_EQ(fifo_->stats().dropped, 0u);

    // From the switch on, the choices are a fresh start's on the new content (same seed and
    // epoch), over many cycles; and the new folder is among them.
    auto fresh = FolderSelector::create(select_, 3, 1, 8);
    ASSERT_TRUE(fresh);
    auto fresh_clock = Clock::create(kClock, 8);
    ASSERT_TRUE(fresh_clock);
    std::map<int, int> main_counts;
    for (std::int64_t i = from; i < from + 20'000; ++i) {
        const FolderChoice want = fresh->choose(i);
        const loader::PairKey key = scheduler_->key_at(i);
        ASSERT_EQ(key, (loader::PairKey{i, want.main_folder, want.float_folder, 1}))
            << "index " << i;
        ASSERT_EQ(selector_->choose(i), want) << "index " << i;
        ASSERT_EQ(clock_->frame_of(i), fresh_clock->frame_of(i)) << "index " << i;
        ++main_counts[want.main_folder];
    }
    EXPECT_GT(main_counts[2], 0) << "the added folder never plays";
    for (const Shown& s : shown_) {
        if (s.key.index < from) continue;
        EXPECT_EQ(s.key.main_folder, fresh->choose(s.key.index).main_folder);
    }
    EXPECT_EQ(&reloader_->catalog(), &reloader_->catalog_of(1));
    EXPECT_EQ(reloader_->catalog().main_folders.size(), 3u);
}

TEST_F(ContentReloaderTest, UnplayableRescanIsLoggedWithPathAndReasonAndTheOldContentPlaysOn) {
    tree_.add_main("0_rest", png(6, 0));
    const fs::path glow = tree_.add_float("255_glow", png(6, 2));
    auto& log = log_.emplace();
    build(fixed());
    ASSERT_TRUE(play(10));

    // One frame more in the only float folder: no frame count common to both layers.
    test::write_folder(dir_ / "spare", png(7, 2));
    fs::copy_file(dir_ / "spare" / "6.png", glow / "6.png");
    reloader_->request();
    ASSERT_TRUE(play_until([&] { return reloader_->stats().rejected == 1; }));
    ASSERT_TRUE(play(20));
    ReloadStats stats = reloader_->stats();
    EXPECT_EQ(stats.reloads, 0u);
    EXPECT_EQ(stats.generation, 0u);
    EXPECT_EQ(log.lines_with({"content reload refused", dir_.path().string(),
                              "no frame count common to both layers"}),
              1u)
        << log.text();
    for (const Shown& s : shown_) EXPECT_EQ(s.key.generation, 0u);
    EXPECT_EQ(scheduler_->stats().misses, 0u);
    EXPECT_EQ(&reloader_->catalog(), &report_.catalog) << "the start-up catalog still plays";

    // Fixed again: the next rescan takes over.
    fs::remove(glow / "6.png");
    reloader_->request();
    ASSERT_TRUE(play_until([&] { return reloader_->stats().reloads == 1; }));
    ASSERT_TRUE(play(5));
    stats = reloader_->stats();
    EXPECT_EQ(stats.generation, 1u);
    EXPECT_EQ(stats.rejected, 1u);
    EXPECT_EQ(shown_.back().key.generation, 1u);
    EXPECT_EQ(log.lines_with({"playing content generation 1"}), 1u) << log.text();
}

// A reload needs a playable catalog for the settings it started with: select.fixed_main 1 on a
// tree that now has one main folder is refused, naming the setting.
TEST_F(ContentReloaderTest, CatalogTheSettingsCannotPlayIsRefused) {
    tree_.add_main("0_rest", png(4, 0));
    const fs::path second = tree_.add_main("1_orbit", png(4, 1));
    tree_.add_float("255_glow", png(4, 2));
    auto& log = log_.emplace();
    SelectorSettings select = fixed();
    select.fixed_main = 1;
    build(select);
    ASSERT_TRUE(play(5));
    fs::remove_all(second);
    reloader_->request();
    // The old catalog's folder 1 is gone: its pairs fail, so wait for the refusal directly.
    const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
    while (reloader_->stats().rejected == 0 && std::chrono::steady_clock::now() < deadline) {
        scheduler_->feed(next_);
        reloader_->update(next_++);
        std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(reloader_->stats().rejected, 1u);
    EXPECT_EQ(reloader_->stats().generation, 0u);
    EXPECT_EQ(log.lines_with({"content reload refused", dir_.path().string(),
                              "select.fixed_main"}),
              1u)
        << log.text();
}

TEST_F(ContentReloaderTest, NewFrameCountChangesTheFrameMappingNotTheIndex) {
    tree_.add_main("0_short", png(8, 0));
    tree_.add_float("255_short", png(8, 1));
    build(fixed());
    ASSERT_TRUE(play(20));
    const Clock before = *clock_;
    // Longer folders in both layers: 12 frames is now the count both have (the 8-frame
    // folders are skipped, as a fresh start would).
    const FolderSpec long_main = png(12, 2);
    tree_.add_main("1_long", long_main);
    tree_.add_float("255_long", png(12, 3));
    reloader_->request();
    ASSERT_TRUE(play_until([&] { return reloader_->stats().reloads == 1; }));
    ASSERT_TRUE(play(30));

    EXPECT_EQ(clock_->frame_count(), 12u);
    EXPECT_EQ(clock_->settings().epoch_ns, before.settings().epoch_ns);
    EXPECT_EQ(clock_->settings().ips_milli, before.settings().ips_milli);
    for (const std::int64_t t : {kClock.epoch_ns, kClock.epoch_ns + 123'456'789'000}) {
        EXPECT_EQ(clock_->index_at(t), before.index_at(t));
    }
    auto fresh = Clock::create(kClock, 12);
    ASSERT_TRUE(fresh);
    const std::int64_t from = reloader_->stats().last_switch_index;
    for (const Shown& s : shown_) {
        const std::size_t expected =
            s.key.index >= from ? fresh->frame_of(s.key.index) : before.frame_of(s.key.index);
        EXPECT_EQ(s.frame, expected) << "index " << s.key.index;
    }
    // The last pair shown is the long folder's frame, pixel for pixel.
    ASSERT_TRUE(last_pair_.has_value());
    const auto c = test::frame_rgba(long_main, last_pair_->frame);
    EXPECT_TRUE(test::rgba_near(last_pair_->main.pixels.data(), last_pair_->main.width_px,
                                last_pair_->main.height_px,
                                test::solid(16, 16, {c[0], c[1], c[2], c[3]}), 0,
                                "reload-long-frame"));
    EXPECT_EQ(reloader_->catalog().main_folders.at(0).name, "1_long");
}

// A wall-clock step while a switch is staged: the prefetched window is gone anyway, so the new
// content starts at the new index.
TEST_F(ContentReloaderTest, ClockStepWhileStagedSwitchesAtTheNewIndex) {
    tree_.add_main("0_rest", png(8, 0));
    tree_.add_float("255_glow", png(8, 1));
    build(fixed());
    ASSERT_TRUE(play(10));
    tree_.add_main("1_orbit", png(8, 2));
    reloader_->request();
    // Wait for the scan without playing past the staged index.
    const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
    while (reloader_->stats().scans == 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(reloader_->stats().scans, 1u);
    ASSERT_TRUE(frame(next_++));  // stages it
    EXPECT_EQ(reloader_->stats().reloads, 0u);
    scheduler_->on_clock_step();
    next_ -= 500;  // stepped back
    ASSERT_TRUE(frame(next_++));
    EXPECT_EQ(reloader_->stats().reloads, 1u);
    EXPECT_EQ(reloader_->stats().last_switch_index, next_ - 1);
    EXPECT_EQ(shown_.back().key.generation, 1u);
    ASSERT_TRUE(play(20));
    for (std::size_t i = shown_.size() - 21; i < shown_.size(); ++i) {
        EXPECT_EQ(shown_[i].key.generation, 1u);
    }
}

}  // namespace
}  // namespace interleave::app
