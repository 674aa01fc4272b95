// Tests that the player ends when it should, end to end: SIGTERM or SIGINT in every phase
// (scanning a 100,000-file tree, warm-up, playback, and a second signal while shutting down)
// ends the real binary within one second with exit code 0 and the summary; stop_pipeline wakes
// a loader waiting for a pixel buffer at once; and `--benchmark --frames N` ends on content
// whose pairs all fail. Each test prints the time from signal to exit: the figure is
// the worst of them.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/pipeline.hpp"
#include "app/stop_signal.hpp"
#include "tests/app/app_test_env.hpp"
#include "tests/support/content_tree.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// The bound from signal to exit.
constexpr double kShutdownBoundMs = 1000.0;
// How long a test waits for the child to reach a phase before it gives up (a hang guard; a
// busy machine is slow, not wrong).
constexpr auto kPhaseGuard = seconds(60);

nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in, nullptr, false);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

// True when one of `pid`'s open file descriptors is `dir` or lies under it (the scanner has a
// folder of the tree open).
bool has_fd_under(pid_t pid, const fs::path& dir) {
    std::error_code ec;
    const std::string prefix = dir.string();
    for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
         !ec && it != end; it.increment(ec)) {
        std::error_code link_ec;
        const std::string target = fs::read_symlink(it->path(), link_ec).string();
        if (!link_ec && target.rfind(prefix, 0) == 0) return true;
    }
    return false;
}

// True when `pid` has a thread named `name` (pthread_setname_np: "render", "loader-0").
bool has_thread(pid_t pid, const std::string& name) {
    std::error_code ec;
    for (fs::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec), end;
         !ec && it != end; it.increment(ec)) {
        std::ifstream comm(it->path() / "comm");
        std::string line;
        if (std::getline(comm, line) && line == name) return true;
    }
    return false;
}

// Polls `ready` every millisecond until it holds; fails (returning false) when the child ends
// first or the guard passes.
bool wait_for_phase(ChildProcess& child, const std::function<bool()>& ready,
                    const std::string& phase) {
    const auto give_up = SteadyClock::now() + kPhaseGuard;
    while (!ready()) {
        if (auto code = child.wait_for(milliseconds(1))) {
            ADD_FAILURE() << "the player ended (exit " << *code << ") before " << phase << "\n"
                          << child.out() << child.err();
            return false;
        }
        if (SteadyClock::now() > give_up) {
            ADD_FAILURE() << "no " << phase << " within the guard\n" << child.out() << child.err();
            return false;
        }
    }
    return true;
}

// True while signal `number` is pending for the process `pid` (sent, its handler not yet run):
// the ShdPnd mask in /proc/PID/status.
bool signal_pending(pid_t pid, int number) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("ShdPnd:", 0) != 0) continue;
        const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
        return (mask >> (number - 1)) & 1ULL;
    }
    return false;  // gone
}

// Sends `signals`: the first, then each further one once the one before it has been handled
// (the kernel delivers pending signals lowest number first, so two sent at once could arrive
// in either order). Waits for the exit and checks the figure: exit code 0 within one
// second of the first signal, and a summary naming the first signal on stdout and in
// `summary_file`. Returns the summary.
nlohmann::json expect_clean_stop(ChildProcess& child, const std::vector<int>& signals,
                                 const fs::path& summary_file, const std::string& phase) {
    const auto sent = SteadyClock::now();
    for (std::size_t i = 0; i < signals.size(); ++i) {
        if (i > 0) {
            const auto give_up = SteadyClock::now() + seconds(1);
            while (signal_pending(child.pid(), signals[i - 1]) && SteadyClock::now() < give_up) {
                std::this_thread::yield();
            }
        }
        EXPECT_TRUE(child.send_signal(signals[i])) << phase;
    }
    const auto code = child.wait_for(seconds(10));  // hang guard only
    const double ms =
        std::chrono::duration<double, std::milli>(SteadyClock::now() - sent).count();
    ::testing::Test::RecordProperty("shutdown_ms", std::to_string(ms));
    std::printf("[ info     ] %s: exited %.1f ms after the signal\n", phase.c_str(), ms);
    if (!code) {
        ADD_FAILURE() << phase << ": still running 10 s after the signal\n" << child.err();
        return {};
    }
    EXPECT_EQ(*code, 0) << phase << "\n" << child.err();
    EXPECT_LT(ms, kShutdownBoundMs) << phase;
    const std::string name = signals.front() == SIGINT ? "SIGINT" : "SIGTERM";
    EXPECT_NE(child.out().find("stopped by " + name), std::string::npos)
        << phase << ": no summary line on stdout:\n" << child.out();
    auto summary = read_json(summary_file);
    EXPECT_FALSE(summary.is_discarded()) << phase << ": no summary JSON at " << summary_file;
    if (summary.is_discarded()) return {};
    EXPECT_EQ(summary.value("stopped_by", ""), name) << summary.dump(2);
    return summary;
}

// A content directory of 200 main folders of 500 frames and one float folder of 500 frames:
// 100,500 files. In each folder every frame is a hard link to its first, a 16x16 PNG (one
// inode per folder: ext4 allows about 65,000 links to one), so the tree is made in seconds. A
// valid tree, so a scan that ran to the end would go on to play (and the test would see it).
fs::path make_big_tree(const fs::path& root) {
    constexpr int kMainFolders = 200;
    constexpr int kFrames = 500;
    const FolderSpec spec{.frames = 1, .format = FrameFormat::kPng};
    const fs::path content = root / "content";
    auto fill = [&](const fs::path& folder) {
        write_folder(folder, spec);
        const std::string first = (folder / frame_name(spec, 0)).string();
        for (int i = 1; i < kFrames; ++i) {
            const std::string file = (folder / (std::to_string(i) + ".png")).string();
            if (::link(first.c_str(), file.c_str()) != 0) {
                ADD_FAILURE() << "link " << file << ": " << std::strerror(errno);
                return;
            }
        }
    };
    for (int n = 0; n < kMainFolders && !::testing::Test::HasFailure(); ++n) {
        fill(content / "face" / (std::to_string(n) + "_f"));
    }
    fill(content / "float" / "255_f");
    return content;
}

std::vector<std::string> headless(const fs::path& images, const std::string& renderer,
                                  const fs::path& summary_file,
                                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--mode", "headless", "--renderer", renderer, "--images",
                                  images.string(), "--duration", "0", "--summary-json",
                                  summary_file.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// --- Signals in every phase ----------------------------------------------------------------

// The scan notices the stop flag: the summary says nothing played and that the scan was cut
// short, and the player never went on to play.
TEST(Shutdown, SigtermWhileScanningA100000FileTreeEndsWithinASecondWithAnEmptySummary) {
    TempDir dir;
    const fs::path content = make_big_tree(dir.path());
    if (::testing::Test::HasFailure()) return;
    const fs::path summary_file = dir / "s.json";
    ChildProcess child(kExe, headless(content, "cpu", summary_file));
    ASSERT_GT(child.pid(), 0) << child.spawn_error();
    ASSERT_TRUE(wait_for_phase(child, [&] { return has_fd_under(child.pid(), content); },
                               "the scan"));
    const auto summary = expect_clean_stop(child, {SIGTERM}, summary_file, "scan");
    EXPECT_EQ(summary.value("frames_shown", -1), 0) << summary.dump(2);
    EXPECT_EQ(summary.value("stopped_during", ""), "scan")
        << "the scan ended before the signal came: make the tree bigger\n" << summary.dump(2);
    EXPECT_GT(summary.value("files_seen", 0), 0) << summary.dump(2);
    EXPECT_LT(summary.value("files_seen", 0), 100'500) << summary.dump(2);
    EXPECT_NE(child.out().find("summary: 0 frames"), std::string::npos) << child.out();
}

// Warm-up: the scan is done and the loader workers have started; the pool, the render
// thread's set-up (EGL on llvmpipe, where there is one) and the first decodes are under way.
TEST(Shutdown, SigintDuringWarmUpEndsWithinASecond) {
    TempDir dir;
    const fs::path summary_file = dir / "s.json";
    ChildProcess child(kExe, headless(fs::path(kSample), "auto", summary_file));
    ASSERT_GT(child.pid(), 0) << child.spawn_error();
    ASSERT_TRUE(wait_for_phase(child, [&] { return has_thread(child.pid(), "loader-0"); },
                               "the loader workers"));
    const auto summary = expect_clean_stop(child, {SIGINT}, summary_file, "warm-up");
    // Whatever had played when the signal landed is counted; usually nothing.
    std::printf("[ info     ] warm-up: %d frames shown before the stop\n",
                summary.value("frames_shown", -1));
    EXPECT_GE(summary.value("frames_shown", -1), 0) << summary.dump(2);
}

// Playing for about a second (five stats lines at 0.2 s) on `renderer`.
void expect_clean_stop_while_playing(const std::string& renderer, std::vector<int> signals,
                                     const std::string& phase) {
    TempDir dir;
    const fs::path summary_file = dir / "s.json";
    ChildProcess child(kExe, headless(fs::path(kSample), renderer, summary_file,
                                      {"--stats-interval", "0.2"}));
    ASSERT_GT(child.pid(), 0) << child.spawn_error();
    ASSERT_TRUE(wait_for_phase(child, [&] { return count_of(child.out(), "t=") >= 5; },
                               "a second of playback"));
    const auto summary = expect_clean_stop(child, signals, summary_file, phase);
    EXPECT_GT(summary.value("frames_shown", 0), 0) << summary.dump(2);
}

TEST(Shutdown, SigtermDuringCpuPlaybackEndsWithinASecond) {
    expect_clean_stop_while_playing("cpu", {SIGTERM}, "playback (cpu)");
}

TEST(Shutdown, SigtermDuringGlPlaybackEndsWithinASecond) {
    expect_clean_stop_while_playing("auto", {SIGTERM}, "playback (auto: gl where there is EGL)");
}

// A second signal while the first one's shutdown runs (Ctrl-C twice; systemd's stop, then a
// user's): still exit code 0 within a second, with the summary naming the first signal.
TEST(Shutdown, ASecondSignalDuringShutdownStillEndsCleanlyWithTheSummary) {
    expect_clean_stop_while_playing("cpu", {SIGTERM, SIGINT, SIGTERM}, "second signal");
}

// A loader worker blocked in BufferPool::wait_acquire (every buffer handed out) is woken by
// stop_pipeline at once: its acquire fails because the pool closed, not because the decoder's
// pool_timeout (a second) ran out.
TEST(Shutdown, StopPipelineWakesALoaderWaitingForABuffer) {
    app::PlayOptions options;
    options.config.content.images = std::string(kSample);
    options.config.loader.workers = 1;
    options.config.output.mode = config::OutputMode::kHeadless;
    app::Pipeline p;
    ASSERT_TRUE(app::build_pipeline(options, 0, p));
    // Take every buffer, so the worker's next acquire waits.
    std::vector<loader::PooledBuffer> held;
    while (auto buffer = p.pool->wait_acquire(16, milliseconds(0))) {
        held.push_back(std::move(*buffer));
    }
    ASSERT_EQ(p.pool->stats().in_use, p.pool->stats().max_buffers);
    p.scheduler->feed(0);
    const auto give_up = SteadyClock::now() + kPhaseGuard;
    while (p.pool->stats().waiting == 0 && SteadyClock::now() < give_up) {
        std::this_thread::sleep_for(milliseconds(1));
    }
    ASSERT_EQ(p.pool->stats().waiting, 1u) << "the worker never waited for a buffer";
    const std::uint64_t timeouts_before = p.pool->stats().wait_timeouts;  // this test's own
    const auto started = SteadyClock::now();
    app::stop_pipeline(p);
    const double ms = std::chrono::duration<double, std::milli>(SteadyClock::now() - started)
                          .count();
    std::printf("[ info     ] loader waiting for a buffer: stop_pipeline took %.1f ms\n", ms);
    EXPECT_EQ(p.pool->stats().waiting, 0u);
    EXPECT_EQ(p.pool->stats().wait_timeouts, timeouts_before)
        << "the worker waited out pool_timeout";
    EXPECT_LT(ms, kShutdownBoundMs);
}

// --- Runs that must end ---------------------------------------------------------------------

// Found 3: `--benchmark --frames N` counted shown frames only, so content whose pairs all fail
// never ended. N now counts settled indices (shown, failed or never come). Every frame here
// has a valid PNG header (the scan reads only that) and no pixels.
TEST(Shutdown, BenchmarkFramesEndsOnContentWhosePairsAllFail) {
    TempDir dir;
    ContentTree tree(dir / "content");
    const FolderSpec spec{.frames = 8, .format = FrameFormat::kPng};
    const fs::path main_folder = tree.add_main("0_broken", spec);
    const fs::path float_folder = tree.add_float("255_broken", spec);
    for (const fs::path& folder : {main_folder, float_folder}) {
        for (std::size_t i = 0; i < 8; ++i) {
            const fs::path file = folder / frame_name(spec, i);
            auto bytes = read_file(file);
            bytes.resize(40);  // the signature and the header chunk: the pixels are gone
            write_file(file, bytes);
        }
    }
    const auto r = run_child(kExe,
                             {"--benchmark", "--mode", "headless", "--renderer", "cpu",
                              "--images", tree.root().string(), "--frames", "30"},
                             {}, seconds(60));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto json = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << "stdout is not one JSON object:\n" << r.out;
    EXPECT_EQ(json.value("stopped_by", ""), "frames") << json.dump(2);
    EXPECT_EQ(json.value("frames", -1), 0) << json.dump(2);
    EXPECT_EQ(json.value("failed_indices", -1), 30) << json.dump(2);
    EXPECT_EQ(json.value("failed_files", -1), 16) << json.dump(2);
}

}  // namespace
}  // namespace interleave::test
