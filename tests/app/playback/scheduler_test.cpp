// Tests for app::Scheduler on a generated content tree: prefetch follows the ping-pong
// direction, nothing is requested twice, folder switches keep prefetched pairs, misses and
// failed pairs are counted; wall-clock steps go to the new index at once, with one log line,
// no misses and nothing prefetched for the old position left behind.
#include "app/playback/scheduler.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>



#include "tests/support/content_tree.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::app {
namespace {

using namespace std::chrono_literals;

SelectorSettings fixed(int main = 0) {
    SelectorSettings s;
    s.mode = SelectMode::kFixed;
    s.fixed_main = main;
    return s;
}

// A catalog of 2 main folders and 1 float folder of `frames` PNG frames each, and the loader
// machinery around it.
class SchedulerTest : public ::testing::Test {
protected:
    void build(int frames, SelectorSettings select = fixed(), std::int64_t prefetch = 4) {
        tree_.add_main("0_a", {.frames = frames, .format = test::FrameFormat::kPng, .seed = 1});
        tree_.add_main("1_b", {.frames = frames, .format = test::FrameFormat::kPng, .seed = 2});
        tree_.add_float("255_c", {.frames = frames, .format = test::FrameFormat::kPng, .seed = 3});
        report_ = loader::scan_catalog(dir_.path());
        ASSERT_TRUE(report_.ok()) << report_.error->message();
        auto clock = Clock::create({30'000, true, 0}, report_.catalog.frame_count);
        ASSERT_TRUE(clock);
        clock_.emplace(*clock);
        auto selector = FolderSelector::create(select, 2, 1, report_.catalog.frame_count);
        ASSERT_TRUE(selector) << selector.error().message();
        selector_.emplace(std::move(*selector));
        fifo_.emplace(16);
        pool_.emplace(loader::BufferPool::buffers_for_fifo(16, 2));
        loader::LoaderOptions options;
        options.workers = 2;
        options.late_window = 1000;
        loaders_.emplace(report_.catalog, *fifo_, *pool_, options);
        scheduler_.emplace(*clock_, *selector_, *loaders_, *fifo_,
                           SchedulerSettings{.tolerance = 10, .prefetch = prefetch});
    }

    // Waits until the loader has finished every request handed to it.
    void settle() {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (loaders_->stats().in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(1ms);
        }
        ASSERT_EQ(loaders_->stats().in_flight, 0u) << "loader did not finish in 10 s";
    }

    void TearDown() override {
        if (loaders_) loaders_->stop();
    }

    test::TempDir dir_;
    test::ContentTree tree_{dir_.path()};
    loader::ScanReport report_;
    std::optional<Clock> clock_;
    std::optional<FolderSelector> selector_;
    std::optional<loader::FrameFifo> fifo_;
    std::optional<loader::BufferPool> pool_;
    std::optional<loader::LoaderPool> loaders_;
    std::optional<Scheduler> scheduler_;
};

TEST_F(SchedulerTest, PrefetchTurnsRoundAtThePingPongEnds) {
    build(5);
    scheduler_->feed(3);  // indices 3..7 show frames 3, 4, 4, 3, 2
    settle();
    const std::size_t expected[] = {3, 4, 4, 3, 2};
    for (std::int64_t i = 3; i <= 7; ++i) {
        auto pair = scheduler_->take(i);
        ASSERT_TRUE(pair.has_value()) << "index " << i;
        EXPECT_EQ(pair->key.index, i);
        EXPECT_EQ(pair->frame, expected[i - 3]) << "index " << i;
    }
    EXPECT_EQ(scheduler_->stats().shown, 5u);
}

TEST_F(SchedulerTest, FeedingAgainRequestsOnlyWhatIsNew) {
    build(20);
    scheduler_->feed(0);
    settle();
    EXPECT_EQ(scheduler_->stats().requested, 5u);  // 0..4
    scheduler_->feed(0);
    scheduler_->feed(1);
    settle();
    EXPECT_EQ(scheduler_->stats().requested, 6u);  // and 5
    EXPECT_EQ(loaders_->stats().requested, 6u);
}

TEST_F(SchedulerTest, AJumpBackStartsTheWindowOver) {
    build(20);
    scheduler_->feed(10);
    settle();
    scheduler_->feed(2);  // the clock stepped back
    settle();
    EXPECT_EQ(scheduler_->stats().requested, 10u);  // 10..14, then 2..6
    EXPECT_TRUE(scheduler_->take(2).has_value());
}

TEST_F(SchedulerTest, TakeOfAnIndexNotLoadedIsAMiss) {
    build(20);
    EXPECT_FALSE(scheduler_->take(0).has_value());
    EXPECT_EQ(scheduler_->stats().misses, 1u);
}

TEST_F(SchedulerTest, PairsPrefetchedAcrossAFolderSwitchAreShown) {
    // Sequential mode: cycle c (2N = 8 indices) shows main folder c mod 2.
    SelectorSettings s;
    s.mode = SelectMode::kSequential;
    build(4, s, 6);
    scheduler_->feed(5);  // 5..7 in cycle 0 (folder 0), 8..11 in cycle 1 (folder 1)
    settle();
    scheduler_->feed(5);  // at most 6 pairs are in flight: the next frame asks for the rest
    settle();
    for (std::int64_t i = 5; i <= 11; ++i) {
        auto pair = scheduler_->take(i);
        ASSERT_TRUE(pair.has_value()) << "index " << i;
        EXPECT_EQ(pair->key.main_folder, i < 8 ? 0 : 1) << "index " << i;
    }
    EXPECT_EQ(fifo_->stats().stale_evicted, 0u);
}

TEST_F(SchedulerTest, AFailedPairIsCountedAndNotShown) {
    build(6);
    // Frame 1 of the main folder is corrupted after the scan.
    std::filesystem::resize_file(report_.catalog.main_folders[0].frame_path(1), 10);
    scheduler_->feed(0);
    settle();
    EXPECT_TRUE(scheduler_->take(0).has_value());
    auto failed = scheduler_->take(1);
    ASSERT_TRUE(failed.has_value()) << "a failed pair settles its index";
    EXPECT_FALSE(failed->ok());
    EXPECT_EQ(failed->key.index, 1);
    ASSERT_TRUE(failed->error.has_value());
    EXPECT_NE(failed->error->message().find("1.png"), std::string::npos);
    EXPECT_EQ(scheduler_->stats().failed, 1u);
    EXPECT_EQ(scheduler_->stats().shown, 1u);
    auto next = scheduler_->take(2);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->key.index, 2);
}

TEST_F(SchedulerTest, CompensatorPullsTheTakeTowardsWhatIsAvailable) {
    build(40);
    scheduler_->feed(0);  // 0..4
    settle();
    // Wanted 8, but 4 is the nearest loaded pair: a lag of 4 goes into the compensator.
    auto first = scheduler_->take(8);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->key.index, 4);
    scheduler_->feed(8);  // 8..12
    settle();
    // Wanted 10 now asks for 10 - round(4 x 0.5) = 8, the original's correction.
    auto second = scheduler_->take(10);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->key.index, 8);
    EXPECT_EQ(scheduler_->stats().last_offset, 2);
}

// The render loop's order each frame, driven by a manual clock at 30 ips: follow_clock, feed,
// (the loader decodes), take. The wall clock steps forward an hour, back an hour and ten
// seconds, forward 5 s and back 5 s. After each step the very next take is the new index
// itself; no take misses; each step is one log line; and the FIFO holds only the window
// ahead of the index shown, nothing prefetched for an old position (which, left behind a step
// back, would sit ahead of the index and later be pushed out as drops).
TEST_F(SchedulerTest, AWallClockStepGoesToTheNewIndexAtOnceWithOneLineAndNoMisses) {
    build(20);
    test::LogCapture logs;
    constexpr std::int64_t kS = 1'000'000'000;
    ManualTimeSource time(100 * kS);  // the clock's epoch is 0: index 3000
    const std::map<int, std::int64_t> steps{
        {20, 3'600 * kS}, {40, -3'610 * kS}, {60, 5 * kS}, {80, -5 * kS}};
    std::vector<int> stepped_at;
    for (int tick = 0; tick < 100; ++tick) {
        time.advance_ns(kS / 30);
        if (const auto step = steps.find(tick); step != steps.end()) time.step_ns(step->second);
        if (scheduler_->follow_clock(time.now_ns(), time.steady_ns())) stepped_at.push_back(tick);
        const std::int64_t wanted = clock_->index_at(time.now_ns());
        scheduler_->feed(wanted);
        settle();
        auto pair = scheduler_->take(wanted);
        ASSERT_TRUE(pair.has_value()) << "tick " << tick << ", index " << wanted;
        EXPECT_EQ(pair->key.index, wanted) << "tick " << tick;
        EXPECT_EQ(fifo_->stats().depth, 4u) << "tick " << tick << ": only the window ahead";
    }
    EXPECT_EQ(stepped_at, (std::vector<int>{20, 40, 60, 80}));
    EXPECT_EQ(scheduler_->stats().clock_steps, 4u);
    EXPECT_EQ(scheduler_->stats().misses, 0u);
    EXPECT_EQ(scheduler_->stats().shown, 100u);
    EXPECT_EQ(fifo_->stats().dropped, 0u);
    EXPECT_EQ(logs.lines_with({"wall clock stepped"}), 4u) << logs.text();
    EXPECT_EQ(logs.lines_with({"+3600.000 s"}), 1u) << logs.text();
    EXPECT_EQ(logs.lines_with({"-3610.000 s"}), 1u) << logs.text();
}

}  // namespace
}  // namespace interleave::app
