// Tests app/render_loop.cpp on a headless EGL context (Mesa llvmpipe, no display server): the
// render thread starts and stops 100 times without leaking GL objects or threads, commands
// reach it, and set-up failures come back to start() with the thread gone. The capture path:
// GL reads nothing back while no sink wants frames, a stalled playback still publishes its
// last frame, and the CPU hands one buffer to every sink (no copy per sink).
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>
#include <filesystem>
#include <memory>
#include <thread>

#include <stdlib.h>

#include <glad/gl.h>
#include <gtest/gtest.h>

#include "app/playback/clock.hpp"
#include "app/pipeline.hpp"
#include "app/render_loop.hpp"
#include "renderer/gl/egl_context.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace interleave::test {
namespace {

using test::wait_until;

using namespace std::chrono_literals;
using app::CommandKind;

// The names of this process's threads (Linux: /proc/self/task/*/comm).
std::vector<std::string> thread_names() {
    std::vector<std::string> names;
    if (DIR* dir = opendir("/proc/self/task")) {
        while (const dirent* e = readdir(dir)) {
            if (e->d_name[0] == '.') continue;
            std::ifstream comm(std::string("/proc/self/task/") + e->d_name + "/comm");
            std::string name;
            std::getline(comm, name);
            names.push_back(name);
        }
        closedir(dir);
    }
    std::sort(names.begin(), names.end());
    return names;
}

int threads_named(const std::string& name) {
    const auto names = thread_names();
    return static_cast<int>(std::count(names.begin(), names.end(), name));
}

// True once /proc no longer lists thread `tid`. pthread_join() returns when the kernel clears
// the thread's id at exit, a moment before /proc drops the task: allow it a second.
bool task_gone(int tid) {
    const std::string path = "/proc/self/task/" + std::to_string(tid);
    return wait_until([&] { return !std::filesystem::exists(path); }, 1s);
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const auto& n : names) text += n + " ";
    return text;
}

app::PlayOptions sample_options() {
    app::PlayOptions o;
    o.config.content.images = INTERLEAVE_SAMPLE_DIR;
    o.config.output.mode = config::OutputMode::kHeadless;
    o.config.playback.ips = 60;
    return o;
}

class RenderLoopTest : public ::testing::TestWithParam<renderer::gl::GlApi> {
protected:
    void SetUp() override {
        auto context = renderer::gl::HeadlessEglContext::create(GetParam());
        ASSERT_TRUE(context.has_value()) << context.error().message();
        context_ = std::move(*context);
        ASSERT_TRUE(app::build_pipeline(options_, time_.now_ns(), pipeline_).has_value());
    }
    void TearDown() override { app::stop_pipeline(pipeline_); }

    // Every name the compositor held is gone (the context made current here to ask).
    void expect_no_live_objects(const renderer::gl::GlObjectNames& names) {
        ASSERT_TRUE(context_->make_current().has_value());
        for (GLuint t : names.textures) EXPECT_FALSE(glIsTexture(t)) << "texture " << t;
        for (GLuint b : names.buffers) EXPECT_FALSE(glIsBuffer(b)) << "buffer " << b;
        for (GLuint f : names.framebuffers) EXPECT_FALSE(glIsFramebuffer(f)) << "fbo " << f;
        for (GLuint p : names.programs) EXPECT_FALSE(glIsProgram(p)) << "program " << p;
        if (GetParam() != renderer::gl::GlApi::kGles20) {
            for (GLuint v : names.vertex_arrays) EXPECT_FALSE(glIsVertexArray(v)) << "vao " << v;
            for (GLsync s : names.fences) EXPECT_FALSE(glIsSync(s)) << "fence";
        }
        context_->release_current();
    }

    app::RenderSurface surface() const {
        app::RenderSurface s;
        s.shared_context = context_.get();
        return s;
    }

    // Pairs the render thread has taken from the FIFO so far (thread-safe: the FIFO's lock).
    // The loop composites a pair in the same iteration it takes it, before it looks at its
    // commands again, so a stop() after the n-th take has shown n frames at least.
    std::uint64_t pairs_taken() const { return pipeline_.fifo->stats().hits; }

    // Waits until the render thread has taken `n` more pairs than `since`.
    bool wait_for_pairs(std::uint64_t since, std::uint64_t n) const {
        return wait_until([&] { return pairs_taken() >= since + n; }, 10s);
    }

    app::PlayOptions options_ = sample_options();
    app::SystemTimeSource time_;
    app::Pipeline pipeline_;
    std::unique_ptr<renderer::gl::HeadlessEglContext> context_;
};

TEST_P(RenderLoopTest, StartsAndStopsAHundredTimesWithoutLeakingGlObjectsOrThreads) {
    std::uint64_t frames = 0;
    std::size_t names_seen = 0;
    std::vector<std::string> after_first;
    for (int i = 0; i < 100; ++i) {
        app::RenderLoop loop(pipeline_, options_, time_);
        const std::uint64_t taken_before = pairs_taken();
        auto setup = loop.start(surface());
        ASSERT_TRUE(setup.has_value()) << setup.error().message();
        EXPECT_GE(threads_named("render"), 1);
        // Some cycles stop at once, some after one to three frames (the loader is busy
        // either way).
        const auto wanted = static_cast<std::uint64_t>(i % 4);
        ASSERT_TRUE(wait_for_pairs(taken_before, wanted))
            << "cycle " << i << ": " << wanted << " frames not shown within 10 s";
        loop.stop();
        EXPECT_GE(loop.state().summary.frames_shown, wanted) << "cycle " << i;
        // The render thread itself has gone (threads Mesa started from it may carry its name).
        const int tid = loop.state().render_tid;
        ASSERT_GT(tid, 0);
        EXPECT_TRUE(task_gone(tid)) << "cycle " << i << ": render thread " << tid
                                    << " still exists";
        EXPECT_EQ(loop.state().summary.stopped_by, "quit");
        frames += loop.state().summary.frames_shown;
        const auto& names = loop.state().gl_objects;
        names_seen += names.textures.size() + names.buffers.size() + names.programs.size();
        expect_no_live_objects(names);
        // Mesa starts its own worker threads on first use (and may start or end some later):
        // after the first cycle the count must not keep growing with the cycles.
        if (i == 0) after_first = thread_names();
        if (HasFatalFailure() || HasFailure()) break;
    }
    const auto after_last = thread_names();
    EXPECT_LE(after_last.size(), after_first.size() + 2)
        << "after the first cycle: " << joined(after_first)
        << "\nafter the last: " << joined(after_last);
    EXPECT_GT(frames, 0u) << "no cycle composited a frame: the leak check saw too little";
    EXPECT_GT(names_seen, 0u);
}

TEST_P(RenderLoopTest, CommandsRotateMirrorAndToggleTheOverlay) {
    app::RenderLoop loop(pipeline_, options_, time_);
    ASSERT_TRUE(loop.start(surface()).has_value());
    loop.post({CommandKind::kRotate});
    loop.post({CommandKind::kRotate});
    loop.post({CommandKind::kRotate});
    loop.post({CommandKind::kMirror});
    loop.post({CommandKind::kToggleOverlay});
    // Two more frames: the iteration that took the second began after the posts, and drained
    // them at its top, so the commands reached a running loop before stop()'s quit.
    const std::uint64_t taken_before = pairs_taken();
    ASSERT_TRUE(wait_for_pairs(taken_before, 2)) << "no frames within 10 s";
    loop.stop();
    EXPECT_EQ(loop.state().rotation, renderer::cpu::Rotation::k270);
    EXPECT_TRUE(loop.state().mirror);
    EXPECT_TRUE(loop.state().overlay);
    EXPECT_EQ(loop.state().commands, 6u);  // five, and stop()'s quit
}

TEST_P(RenderLoopTest, QuitEndsTheLoopWhichSaysItFinished) {
    app::RenderLoop loop(pipeline_, options_, time_);
    ASSERT_TRUE(loop.start(surface()).has_value());
    EXPECT_FALSE(loop.finished());
    loop.post({CommandKind::kQuit});
    EXPECT_TRUE(wait_until([&] { return loop.finished(); }, 10s));
    loop.wait();
    EXPECT_EQ(loop.state().summary.stopped_by, "quit");
    // A second start on the same loop works: the thread was joined.
    ASSERT_TRUE(loop.start(surface()).has_value());
    loop.stop();
}

TEST_P(RenderLoopTest, GlReadsNothingBackWhileNoSinkWantsFrames) {
    // One port that does not want frames now (a telnet server without clients), one never
    // attached: the hub says no, and the GL path begins no read-back.
    auto port = pipeline_.hub->attach("idle", app::SinkPolicy::kLatest);
    port->set_wanted(false);
    app::RenderLoop loop(pipeline_, options_, time_);
    ASSERT_TRUE(loop.start(surface()).has_value());
    ASSERT_TRUE(wait_for_pairs(pairs_taken(), 3)) << "no frames within 10 s";
    loop.stop();
    ASSERT_GE(loop.state().summary.frames_shown, 2u);
    ASSERT_TRUE(loop.state().gl_stats.has_value());
    EXPECT_EQ(loop.state().gl_stats->readbacks, 0u);
    ASSERT_TRUE(loop.state().backend_stats.has_value());
    EXPECT_EQ(loop.state().backend_stats->readbacks_begun, 0u);
    EXPECT_EQ(loop.state().capture.wanted, 0u);
    EXPECT_EQ(pipeline_.hub->stats().published, 0u);
    EXPECT_EQ(port->stats().offered, 0u);
}

TEST_P(RenderLoopTest, AStalledPlaybackStillPublishesItsLastFrame) {
    // The clock never moves: index 0 is composited once and never again, so its read-back can
    // only reach the sink if the loop collects it without waiting for another composite.
    auto port = pipeline_.hub->attach("live", app::SinkPolicy::kLatest);
    app::ManualTimeSource stalled(time_.now_ns());
    app::RenderLoop loop(pipeline_, options_, stalled);
    ASSERT_TRUE(loop.start(surface()).has_value());
    app::FrameRef frame;
    ASSERT_TRUE(wait_until([&] { return (frame = port->try_take()) != nullptr; }, 10s))
        << "the only frame composited never reached the sink";
    EXPECT_EQ(frame->shown, 0u);
    EXPECT_EQ(frame->sequence, 1u);
    EXPECT_EQ(frame->width_px, pipeline_.out_w);
    EXPECT_EQ(frame->height_px, pipeline_.out_h);
    EXPECT_FALSE(frame->main_file.empty());
    // An opaque composite: alpha 255 everywhere the read-back wrote.
    const std::uint8_t* px = frame->pixels.data();
    const std::size_t n = static_cast<std::size_t>(frame->width_px) * frame->height_px;
    std::size_t opaque = 0;
    for (std::size_t i = 0; i < n; ++i) opaque += px[4 * i + 3] == 255;
    EXPECT_EQ(opaque, n);
    loop.stop();
    EXPECT_EQ(loop.state().summary.frames_shown, 1u);
    EXPECT_EQ(loop.state().capture.published, 1u);
    ASSERT_TRUE(loop.state().gl_stats.has_value());
    EXPECT_EQ(loop.state().gl_stats->readbacks, 1u);
}

TEST_P(RenderLoopTest, AViewerArrivingWhilePlaybackHoldsStillGetsTheFrameOnScreen) {
    // A telnet server with no clients wants nothing, so the one frame of a stalled playback is
    // not captured; its first client must still get that frame (composited again, for the live
    // ports only: the recorder's queue never gets a frame twice).
    auto live = pipeline_.hub->attach("live", app::SinkPolicy::kLatest);
    auto queue = pipeline_.hub->attach("record", app::SinkPolicy::kQueue, 4);
    live->set_wanted(false);
    app::ManualTimeSource stalled(time_.now_ns());
    app::RenderLoop loop(pipeline_, options_, stalled);
    ASSERT_TRUE(loop.start(surface()).has_value());
    app::FrameRef recorded;
    ASSERT_TRUE(wait_until([&] { return (recorded = queue->try_take()) != nullptr; }, 10s));
    EXPECT_EQ(live->try_take(), nullptr);
    live->set_wanted(true);  // the first client
    app::FrameRef frame;
    ASSERT_TRUE(wait_until([&] { return (frame = live->try_take()) != nullptr; }, 10s))
        << "a viewer that arrived during a stall got no picture";
    EXPECT_TRUE(frame->refresh);
    EXPECT_EQ(frame->index, recorded->index);
    ASSERT_EQ(frame->pixels.size(), recorded->pixels.size());
    EXPECT_EQ(std::memcmp(frame->pixels.data(), recorded->pixels.data(), frame->pixels.size()),
              0);
    loop.stop();
    EXPECT_EQ(queue->try_take(), nullptr);
    EXPECT_EQ(loop.state().summary.frames_shown, 1u);
}

INSTANTIATE_TEST_SUITE_P(Rungs, RenderLoopTest,
                         ::testing::Values(renderer::gl::GlApi::kGl33Core,
                                           renderer::gl::GlApi::kGles30,
                                           renderer::gl::GlApi::kGles20),
                         [](const auto& info) {
                             switch (info.param) {
                             case renderer::gl::GlApi::kGl33Core: return std::string("Gl33");
                             case renderer::gl::GlApi::kGles30: return std::string("Gles30");
                             default: return std::string("Gles20");
                             }
                         });

TEST(RenderLoopCpu, PublishesOneBufferToEverySinkWithoutACopyPerSink) {
    TempDir state;
    ::setenv("XDG_STATE_HOME", state.path().c_str(), 1);  // the backend-usage log goes here
    app::PlayOptions options = sample_options();
    options.config.output.renderer = config::RendererChoice::kCpu;
    app::SystemTimeSource time;
    app::Pipeline p;
    ASSERT_TRUE(app::build_pipeline(options, time.now_ns(), p).has_value());
    auto a = p.hub->attach("a", app::SinkPolicy::kQueue, 4);
    auto b = p.hub->attach("b", app::SinkPolicy::kQueue, 4);
    {
        app::RenderLoop loop(p, options, time);
        app::RenderSurface surface;
        surface.renderer = config::RendererChoice::kCpu;
        auto setup = loop.start(surface);
        ASSERT_TRUE(setup.has_value()) << setup.error().message();
        EXPECT_EQ(setup->description, "cpu");
        // The first frame published reaches both queues (a queue refuses only when full).
        app::FrameRef from_a;
        app::FrameRef from_b;
        ASSERT_TRUE(wait_until([&] { return (from_a = a->try_take()) != nullptr; }, 10s));
        ASSERT_TRUE(wait_until([&] { return (from_b = b->try_take()) != nullptr; }, 10s));
        loop.stop();
        EXPECT_EQ(from_a->sequence, 1u);
        EXPECT_EQ(from_b->sequence, 1u);
        // One object, one pixel buffer, which the CPU composited straight into.
        EXPECT_EQ(from_b.get(), from_a.get());
        EXPECT_EQ(from_b->pixels.data(), from_a->pixels.data());
        ASSERT_TRUE(loop.state().backend_stats.has_value());
        EXPECT_FALSE(loop.state().backend_stats->gpu_composite);
        EXPECT_EQ(loop.state().backend_stats->captures_inline, loop.state().capture.published);
        EXPECT_GE(loop.state().capture.published, 1u);
    }
    app::stop_pipeline(p);
    EXPECT_EQ(a->stats().offered, b->stats().offered) << "both ports see every frame";
    ::unsetenv("XDG_STATE_HOME");
}

TEST(CommandQueue, CoalescesResizesAndKeepsEverythingElseInOrder) {
    app::CommandQueue queue;
    queue.post({CommandKind::kResize, 10, 10});
    queue.post({CommandKind::kRotate});
    queue.post({CommandKind::kResize, 20, 20});
    queue.post({CommandKind::kMirror});
    queue.post({CommandKind::kResize, 30, 40});
    std::vector<app::RenderCommand> seen;
    EXPECT_EQ(queue.drain([&](const app::RenderCommand& c) { seen.push_back(c); }), 3);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].kind, CommandKind::kRotate);
    EXPECT_EQ(seen[1].kind, CommandKind::kMirror);
    EXPECT_EQ(seen[2].kind, CommandKind::kResize);
    EXPECT_EQ(seen[2].width_px, 30);
    EXPECT_EQ(seen[2].height_px, 40);
    EXPECT_EQ(queue.drain([&](const app::RenderCommand&) {}), 0);
}

}  // namespace
}  // namespace interleave::test
