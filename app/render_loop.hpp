// RenderLoop: the render thread. It owns the GL context and the renderer::Backend, runs the
// clock, selector and scheduler at the top of each iteration, composites a frame when the index
// changes, presents it (window), publishes it to the pipeline's FrameHub when a sink wants it
// (the CPU composites straight into the pooled frame; a GL read-back is published once its
// fence signals), and obeys the CommandQueue (resize, rotate, mirror, overlay, redraw, quit).
// Thread: start()/stop()/post()/finished() on main; everything else on the thread named
// "render" that start() creates; state() on main after stop().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "app/pipeline.hpp"
#include "app/player.hpp"
#include "app/render_commands.hpp"
#include "core/latency_histogram.hpp"
#include "renderer/backend.hpp"
#include "renderer/backend_ladder.hpp"
#include "renderer/gl/gl_compositor.hpp"

namespace interleave::app {

class PlayerWindow;

// What the render thread draws into. Exactly one of the three forms:
//   - headless, ladder: `window` and `shared_context` null; the render thread walks the backend
//     ladder for `renderer` (EGL, no display server) and logs the outcome;
//   - headless, given context: `shared_context` set (tests): made current on the render thread,
//     released when the loop ends; the GL API is the context's;
//   - window: `window` set (its context current nowhere), `window_rung` its context's rung.
//     `renderer` cpu, or auto on a software rasteriser: the CPU composites, GL only presents.
struct RenderSurface {
    config::RendererChoice renderer = config::RendererChoice::kAuto;
    renderer::gl::HeadlessEglContext* shared_context = nullptr;
    PlayerWindow* window = nullptr;
    renderer::Rung window_rung = renderer::Rung::kGl33;
    int window_w = 0;  // the framebuffer's size when the loop starts
    int window_h = 0;
    bool vsync = true;
};

// What set-up found, for the usage log and the summary.
struct RenderSetup {
    std::string description;  // "cpu", "gl: llvmpipe (...), 4.5 ...", "cpu, presented by gles3"
    std::string gl_renderer;
    std::string gl_version;
    bool software = false;     // GL_RENDERER is a software rasteriser
};

// The render thread's side of the capture path (the hub counts its side: FrameHubStats).
struct CaptureCounts {
    std::uint64_t wanted = 0;          // shown frames some sink wanted
    std::uint64_t pool_exhausted = 0;  // ... that found every hub buffer held by sinks: skipped
    std::uint64_t failed = 0;          // ... whose compose or read-back failed
    std::uint64_t published = 0;       // ... published to the hub
};

// The loop's counters, owned by the render thread; main reads them after stop().
struct LoopState {
    PlaySummary summary;
    LatencyHistogram composite_times;
    LatencyHistogram present_times;    // window: present + swap
    LatencyHistogram frame_times;      // from one new frame to the next (1 / fps when unpaced)
    CaptureCounts capture;
    std::uint64_t interval_frames = 0;
    std::uint64_t failed_indices = 0;  // indices whose pair failed: the last frame stayed
    std::uint64_t presents = 0;        // window: buffer swaps
    std::uint64_t commands = 0;        // commands handled
    std::uint64_t clock_steps = 0;     // wall-clock steps seen (each logged once)
    std::string renderer;              // the backend the render thread chose
    std::optional<renderer::BackendStats> backend_stats;       // at the end
    std::optional<renderer::gl::GlCompositorStats> gl_stats;  // at the end, GL only
    renderer::gl::GlObjectNames gl_objects;  // what the compositor held just before deletion
    renderer::cpu::Rotation rotation = renderer::cpu::Rotation::k0;  // at the end
    bool mirror = false;
    bool overlay = false;
    int out_w = 0;       // the frame size at the end (window: the framebuffer's)
    int out_h = 0;
    int render_tid = 0;  // the render thread's Linux thread id (tests check it has gone)
};

class RenderLoop {
public:
    // `p`, `options` and `time` must outlive the loop; the pipeline's loaders must be running.
    RenderLoop(Pipeline& p, const PlayOptions& options, const TimeSource& time);
    ~RenderLoop();  // stop()
    RenderLoop(const RenderLoop&) = delete;
    RenderLoop& operator=(const RenderLoop&) = delete;

    // How long start() waits for the render thread's set-up: EGL/GLX initialisation and shader
    // compilation take well under a second even on llvmpipe; a driver that hangs must not.
    static constexpr std::chrono::milliseconds kSetupTimeout{10000};

    // Starts the render thread and waits up to `setup_timeout` for its set-up (context current
    // there, compositor created). On failure the thread has ended (and released any context)
    // and start() may be called again, e.g. with the next rung's window. On a timeout the error
    // says so (kInternal); the thread is detached and ends by itself without touching this
    // loop, and the caller should report the error and exit. Thread: main.
    [[nodiscard]] Result<RenderSetup> start(const RenderSurface& surface,
                                            std::chrono::milliseconds setup_timeout =
                                                kSetupTimeout);
    // The queue the window's events go to.
    [[nodiscard]] CommandQueue& commands() { return commands_; }
    void post(RenderCommand command) { commands_.post(command); }
    // True once the loop has ended by itself (duration, frame limit, quit command, error).
    [[nodiscard]] bool finished() const { return finished_.load(std::memory_order_acquire); }
    // Waits for the loop to end by itself and joins the thread; idempotent.
    void wait();
    // Asks the loop to end (a kQuit command) and joins the thread; idempotent.
    void stop();
    // The counters; complete after stop(). Thread: main.
    [[nodiscard]] const LoopState& state() const { return *state_; }

private:
    struct StartHandshake;
    void run(RenderSurface surface, StartHandshake& handshake);

    Pipeline& p_;
    const PlayOptions& options_;
    const TimeSource& time_;
    CommandQueue commands_;
    std::thread thread_;
    std::atomic<bool> finished_{false};
    std::unique_ptr<LoopState> state_ = std::make_unique<LoopState>();
};

}  // namespace interleave::app
