// Tests app/render_loop.cpp with an injected clock (ManualTimeSource) on the CPU path: while
// the bundled sample plays, the wall clock steps an hour forward and an hour and ten seconds
// back, as chrony does at a Raspberry Pi's boot. The frame shown right after each step is the
// new index itself, nothing counts as a miss, and each step is one log line. The test moves
// the clock one index at a time and waits (on counters, with a timeout) until that index's
// frame is recorded, so nothing depends on the machine's speed.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/playback/clock.hpp"
#include "app/pipeline.hpp"
#include "app/render_loop.hpp"
#include "app/stop_signal.hpp"
#include "tests/app/app_test_env.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace interleave::test {
namespace {

using test::wait_until;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
constexpr std::int64_t kS = 1'000'000'000;

TEST(RenderLoopClockStep, TheFrameAfterAStepIsTheNewIndexWithOneLogLineAndNoMisses) {
    app::StopSignal::reset();
    TempDir dir;
    app::PlayOptions options;
    options.config.content.images = std::string(kSample);
    options.config.output.mode = config::OutputMode::kHeadless;
    options.config.output.renderer = config::RendererChoice::kCpu;
    options.config.select.mode = config::SelectMode::kFixed;
    options.record_dir = dir / "rec";
    // One worker decodes in request order, so the first pair in the FIFO after a step is the
    // new index's own (with two, the next index's pair can finish first and, being nearest
    // within the tolerance, be shown for it: the FIFO's rule, not the step's).
    options.config.loader.workers = 1;
    app::ManualTimeSource time(1'764'000'000 * kS);  // late 2025
    app::Pipeline p;
    ASSERT_TRUE(app::build_pipeline(options, time.now_ns(), p));
    std::vector<std::int64_t> expected;  // the index each recorded frame must show, in order
    {
        LogCapture logs;
        app::RenderLoop loop(p, options, time);
        app::RenderSurface surface;
        surface.renderer = config::RendererChoice::kCpu;
        auto setup = loop.start(surface);
        ASSERT_TRUE(setup) << setup.error().message();
        // The launch epoch is the manual clock's now: index 0.
        for (int tick = 0; tick < 60; ++tick) {
            if (tick > 0) time.advance_ns(kS / 30 + 1);  // one index (ips 30), rounding up
            if (tick == 20) time.step_ns(3'600 * kS);
            if (tick == 40) time.step_ns(-3'610 * kS);
            expected.push_back(p.clock->index_at(time.now_ns()));
            const auto recorded = static_cast<std::uint64_t>(expected.size());
            ASSERT_TRUE(wait_until([&] { return p.recorder->stats().written >= recorded; }, 20s))
                << "tick " << tick << ": index " << expected.back() << " was never recorded";
        }
        loop.stop();
        app::stop_pipeline(p);  // no thread logs once the capture goes
        const app::LoopState& state = loop.state();
        EXPECT_EQ(state.clock_steps, 2u);
        EXPECT_EQ(state.summary.misses, 0u);
        EXPECT_EQ(state.summary.frames_shown, 60u);
        EXPECT_EQ(logs.lines_with({"wall clock stepped"}), 2u) << logs.text();
        EXPECT_EQ(logs.lines_with({"+3600.000 s"}), 1u) << logs.text();
        EXPECT_EQ(logs.lines_with({"-3610.000 s"}), 1u) << logs.text();
    }
    EXPECT_EQ(p.fifo->stats().dropped, 0u);
    std::vector<std::int64_t> shown;
    std::ifstream jsonl(dir / "rec" / "frames.jsonl");
    for (std::string line; std::getline(jsonl, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        shown.push_back(j.at("index").get<std::int64_t>());
    }
    EXPECT_EQ(shown, expected);
    ASSERT_EQ(expected.size(), 60u);
    EXPECT_EQ(expected[20] - expected[19], 3'600 * 30 + 1);
    EXPECT_EQ(expected[40] - expected[39], -3'610 * 30 + 1);
}

}  // namespace
}  // namespace interleave::test
