// RenderLoop: backend set-up on the render thread, the paced (or benchmark) loop, commands,
// compositing, presenting, and publishing captured frames to the FrameHub (GL read-backs are
// collected as soon as their fence signals).
#include "app/render_loop.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include <fmt/format.h>

#include "app/player_window.hpp"
#include "app/reload_signal.hpp"
#include "app/stats_overlay.hpp"
#include "app/stop_signal.hpp"
#include "core/log.hpp"
#include "core/process_stats.hpp"
#include "core/thread.hpp"
#include "renderer/cpu/cpu_backend.hpp"
#include "renderer/gl/gl_backend.hpp"

namespace interleave::app {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::int64_t kNsPerS = 1'000'000'000;
// While the current index has no frame yet, look again this often.
constexpr std::int64_t kRetryNs = 2'000'000;
// The longest sleep, so commands (a key press, quit) are handled within this time.
constexpr std::int64_t kMaxSleepNs = 20'000'000;
// Benchmark: how long an index waits for its pair before it counts as a miss, in slices short
// enough that a stop signal is seen at once.
constexpr std::chrono::milliseconds kBenchmarkWait{2000};
constexpr std::chrono::milliseconds kBenchmarkWaitSlice{50};

double mb(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

renderer::cpu::Rotation next_rotation(renderer::cpu::Rotation r) {
    return static_cast<renderer::cpu::Rotation>((static_cast<int>(r) + 1) % 4);
}

// The backend and what it draws with (a context or a window). Set-up makes it, the loop uses
// only `backend`, tear-down ends it. Thread: render only.
struct Backend {
    std::unique_ptr<renderer::gl::HeadlessEglContext> owned_context;  // from the ladder
    renderer::gl::HeadlessEglContext* shared_context = nullptr;       // given (tests)
    PlayerWindow* window = nullptr;
    std::unique_ptr<renderer::Backend> backend;
    renderer::gl::GlBackend* gl = nullptr;  // `backend` when GL composites or presents
    std::unique_ptr<StatsOverlay> overlay;  // window, GL 3.3: made on the first O
    bool overlay_unavailable = false;       // its creation failed (said once)
};

std::unique_ptr<renderer::cpu::CpuBackend> make_cpu_backend() {
    auto cpu = std::make_unique<renderer::cpu::CpuBackend>();
    cpu->bind_to_current_thread();
    return cpu;
}

void use_gl(Backend& b, std::unique_ptr<renderer::gl::GlBackend> gl) {
    b.gl = gl.get();
    b.backend = std::move(gl);
}

// Walks the headless backend ladder and records the outcome in the usage log.
Result<RenderSetup> set_up_headless(config::RendererChoice requested, Backend& b) {
    const renderer::RendererRequest request = request_of(requested);
    auto choice = renderer::choose_headless_backend(request);
    if (!choice) return tl::unexpected(choice.error());
    if (const auto api = renderer::gl_api_of(choice->rung)) {
        auto gl = renderer::gl::GlCompositor::create(*api);
        if (!gl) {
            if (request != renderer::RendererRequest::kAuto) return tl::unexpected(gl.error());
            INTERLEAVE_LOG_WARN("render", "GL compositor unavailable ({}); using the CPU",
                                gl.error().message());
            choice->attempts.back().ok = false;
            choice->attempts.back().reason = gl.error().message();
            choice->attempts.push_back({renderer::Rung::kCpu, true, {}, {}, {}, 0.0});
            choice->rung = renderer::Rung::kCpu;
            choice->context.reset();
        } else {
            use_gl(b, std::make_unique<renderer::gl::GlBackend>(std::move(*gl)));
            b.owned_context = std::move(choice->context);
        }
    }
    if (!b.backend) b.backend = make_cpu_backend();
    RenderSetup setup;
    const auto& last = choice->attempts.back();
    setup.gl_renderer = last.gl_renderer;
    setup.gl_version = last.gl_version;
    setup.description = b.gl ? fmt::format("{}: {}, {}", renderer::to_string(choice->rung),
                                           last.gl_renderer, last.gl_version)
                             : std::string("cpu");
    if (const auto log = renderer::default_usage_log_path()) {
        const auto entry =
            renderer::usage_entry(*choice, request, "headless", renderer::machine_facts());
        if (auto written = renderer::append_usage_log(*log, entry); !written) {
            INTERLEAVE_LOG_WARN("render", "{}", written.error().message());
        }
    }
    return setup;
}

Result<RenderSetup> set_up_shared(renderer::gl::HeadlessEglContext& context, Backend& b) {
    if (auto ok = context.make_current(); !ok) return tl::unexpected(ok.error());
    b.shared_context = &context;
    auto gl = renderer::gl::GlCompositor::create(context.api());
    if (!gl) {
        context.release_current();
        b.shared_context = nullptr;
        return tl::unexpected(gl.error());
    }
    use_gl(b, std::make_unique<renderer::gl::GlBackend>(std::move(*gl)));
    return RenderSetup{fmt::format("{}: {}, {}", renderer::gl::to_string(context.api()),
                                   context.renderer(), context.version()),
                       context.renderer(), context.version(),
                       renderer::is_software_renderer(context.renderer())};
}

// Window: the window's context, GL compositor, and the CPU choice (forced, or auto on a
// software rasteriser, where the SIMD CPU compositor is faster and GL only presents).
Result<RenderSetup> set_up_window(const RenderSurface& surface, Backend& b) {
    const auto api = renderer::gl_api_of(surface.window_rung);
    if (!api) {
        return make_error(ErrorCode::kInvalidArgument, "output.renderer",
                          "a window needs a GL rung to present");
    }
    RenderSetup setup;
    if (auto ok = surface.window->make_current(*api, setup.gl_renderer, setup.gl_version); !ok) {
        return tl::unexpected(ok.error());
    }
    b.window = surface.window;
    surface.window->set_swap_interval(surface.vsync ? 1 : 0);
    auto gl = renderer::gl::GlCompositor::create(*api);
    if (!gl) {
        surface.window->release_current();
        b.window = nullptr;
        return tl::unexpected(gl.error());
    }
    setup.software = renderer::is_software_renderer(setup.gl_renderer);
    const bool cpu_composite =
        surface.renderer == config::RendererChoice::kCpu ||
        (surface.renderer == config::RendererChoice::kAuto && setup.software);
    use_gl(b, cpu_composite
                  ? std::make_unique<renderer::gl::GlBackend>(std::move(*gl), make_cpu_backend())
                  : std::make_unique<renderer::gl::GlBackend>(std::move(*gl)));
    const std::string rung(renderer::to_string(surface.window_rung));
    setup.description =
        cpu_composite
            ? fmt::format("cpu, presented by {}: {}, {}", rung, setup.gl_renderer,
                          setup.gl_version)
            : fmt::format("{}: {}, {}", rung, setup.gl_renderer, setup.gl_version);
    if (cpu_composite && surface.renderer == config::RendererChoice::kAuto) {
        INTERLEAVE_LOG_INFO("render",
                            "{} is a software rasteriser: the SIMD CPU compositor makes the "
                            "frames, GL presents them (force GL compositing with --renderer {})",
                            setup.gl_renderer, rung);
    }
    return setup;
}

// Ends what set-up began, on the render thread: GL objects, then the context.
void tear_down(Backend& b, LoopState& s) {
    b.overlay.reset();
    if (b.backend) s.backend_stats = b.backend->stats();
    if (b.gl != nullptr) {
        s.gl_stats = b.gl->compositor_stats();
        s.gl_objects = b.gl->object_names();
    }
    b.gl = nullptr;
    b.backend.reset();  // GL objects go while the context is still current
    if (b.window != nullptr) b.window->release_current();
    if (b.shared_context != nullptr) b.shared_context->release_current();
    b.owned_context.reset();
}

// One thread's loop: the state that lives as long as the render thread runs.
class Loop {
public:
    Loop(Pipeline& p, const PlayOptions& options, const TimeSource& time, LoopState& s,
         CommandQueue& commands, Backend& b, const RenderSurface& surface)
        : p_(p), options_(options), time_(time), s_(s), commands_(commands), b_(b),
          compose_(p.compose) {
        if (surface.window != nullptr) {
            out_w_ = surface.window_w;
            out_h_ = surface.window_h;
        } else {
            out_w_ = p.out_w;
            out_h_ = p.out_h;
        }
    }

    void run();

private:
    bool handle_commands();
    bool show(loader::FramePair& pair);
    Result<renderer::Composed> composite(const loader::FramePair& pair,
                                         const renderer::cpu::RgbaTarget* capture);
    void redraw();
    void present();
    // A pooled frame for shown frame `shown` when a sink wants it (`refresh`: when a live sink
    // wants the frame on screen again), with the pair's metadata filled; null when none does
    // or every pool buffer is held (counted).
    std::shared_ptr<CapturedFrame> acquire_capture(const loader::FramePair& pair,
                                                   std::uint64_t shown, bool refresh = false);
    void recapture();
    void hand_over(std::shared_ptr<CapturedFrame> frame, const renderer::Composed& composed);
    // Publishes pending captures, oldest first, until `keep` are left: those whose read-back
    // has finished, or (wait) all of them, waiting for the GPU.
    void collect_captures(bool wait, std::size_t keep);
    void capture_failed(const Error& error);
    void print_stats(double elapsed_s, double interval_s, std::int64_t index) const;
    void draw_overlay();
    [[nodiscard]] std::vector<std::string> overlay_lines() const;

    Pipeline& p_;
    const PlayOptions& options_;
    const TimeSource& time_;
    LoopState& s_;
    CommandQueue& commands_;
    Backend& b_;
    renderer::cpu::ComposeOptions compose_;
    int out_w_ = 0;
    int out_h_ = 0;
    bool quit_ = false;
    bool dirty_ = false;                    // the window needs presenting again
    std::optional<loader::FramePair> last_; // the pair on screen (window: for redraws)
    bool last_composed_ = false;            // the backend's last compose() was last_'s
    // Captures begun (GL read-backs), not yet published, oldest first; the backend's pending
    // captures in the same order.
    std::deque<std::shared_ptr<CapturedFrame>> pending_;
    bool capture_failure_logged_ = false;
    std::optional<SteadyClock::time_point> last_present_;  // window: the last swap
    std::optional<SteadyClock::time_point> last_show_;  // when the previous frame began
    double fps_ = 0.0;                      // over the last second (overlay)
    std::int64_t index_ = 0;                // the index being shown (overlay)
};

bool Loop::handle_commands() {
    const int handled = commands_.drain([&](const RenderCommand& c) {
        INTERLEAVE_LOG_DEBUG("render", "command {} {}x{}", to_string(c.kind), c.width_px,
                             c.height_px);
        switch (c.kind) {
        case CommandKind::kResize:
            out_w_ = c.width_px;
            out_h_ = c.height_px;
            break;
        case CommandKind::kRotate: compose_.rotation = next_rotation(compose_.rotation); break;
        case CommandKind::kMirror: compose_.mirror = !compose_.mirror; break;
        case CommandKind::kToggleOverlay:
            s_.overlay = !s_.overlay;
            INTERLEAVE_LOG_INFO("render", "overlay {}", s_.overlay ? "on" : "off");
            break;
        case CommandKind::kRedraw: break;
        case CommandKind::kQuit: quit_ = true; break;
        }
    });
    s_.commands += static_cast<std::uint64_t>(handled);
    return handled > 0;
}

Result<renderer::Composed> Loop::composite(const loader::FramePair& pair,
                                           const renderer::cpu::RgbaTarget* capture) {
    auto composed = b_.backend->compose(renderer::cpu::view_of(pair.main),
                                        renderer::cpu::view_of(pair.overlay), compose_, out_w_,
                                        out_h_, capture);
    last_composed_ = composed.has_value();
    return composed;
}

// Resized, rotated, mirrored or exposed: draw the pair on screen again. GL draws its last
// layers again without uploading; the CPU composites them again.
void Loop::redraw() {
    Result<void> drawn = make_error(ErrorCode::kInvalidArgument, "redraw", "not composed");
    if (last_composed_) drawn = b_.backend->redraw(compose_, out_w_, out_h_);
    if (!drawn) {
        // Nothing composed yet at this size (or the pair came while minimised).
        auto composed = composite(*last_, nullptr);
        drawn = composed ? Result<void>{} : tl::unexpected(composed.error());
    }
    if (drawn) {
        present();
    } else {
        INTERLEAVE_LOG_ERROR("render", "{}", drawn.error().message());
    }
}

void Loop::present() {
    if (b_.window == nullptr || !last_ || out_w_ <= 0 || out_h_ <= 0) return;
    const auto start = SteadyClock::now();
    if (auto ok = b_.backend->present(out_w_, out_h_); !ok) {
        INTERLEAVE_LOG_ERROR("render", "{}", ok.error().message());
        return;
    }
    if (s_.overlay) draw_overlay();
    b_.window->swap_buffers();
    last_present_ = SteadyClock::now();
    s_.present_times.record(*last_present_ - start);
    ++s_.presents;
    dirty_ = false;
}

std::shared_ptr<CapturedFrame> Loop::acquire_capture(const loader::FramePair& pair,
                                                     std::uint64_t shown, bool refresh) {
    if (!p_.hub) return nullptr;
    if (refresh ? !p_.hub->live_wanted() : !p_.hub->wanted(shown)) return nullptr;
    ++s_.capture.wanted;
    std::shared_ptr<CapturedFrame> frame = p_.hub->try_acquire(out_w_, out_h_);
    if (!frame) {
        ++s_.capture.pool_exhausted;  // every buffer is still held by sinks: skipped
        return nullptr;
    }
    const loader::Catalog& c =
        p_.reloader ? p_.reloader->catalog_of(pair.key.generation) : p_.report.catalog;
    frame->width_px = out_w_;
    frame->height_px = out_h_;
    frame->index = pair.key.index;
    frame->frame = pair.frame;
    frame->main_file = c.main_folders[static_cast<std::size_t>(pair.key.main_folder)]
                           .frame_path(pair.frame)
                           .string();
    frame->float_file = c.float_folders[static_cast<std::size_t>(pair.key.float_folder)]
                            .frame_path(pair.frame)
                            .string();
    frame->shown = shown;
    frame->refresh = refresh;
    return frame;
}

// A live sink has just started wanting frames (a first telnet client): the pair on screen is
// composited again into a frame for the live sinks only, so it gets a picture at once even
// while playback holds still. The recorder never sees it.
void Loop::recapture() {
    if (!last_ || !last_composed_ || out_w_ <= 0 || out_h_ <= 0) return;
    const std::uint64_t shown = s_.summary.frames_shown > 0 ? s_.summary.frames_shown - 1 : 0;
    std::shared_ptr<CapturedFrame> frame = acquire_capture(*last_, shown, true);
    if (!frame) return;
    const renderer::cpu::RgbaTarget target{frame->pixels.data(), out_w_, out_h_, out_w_ * 4};
    const auto composed = composite(*last_, &target);
    if (!composed) {
        capture_failed(composed.error());
        return;
    }
    hand_over(std::move(frame), *composed);
    dirty_ = b_.window != nullptr;  // the window shows what was just composited again
}

// The CPU composited straight into the frame: publish it now. A GL read-back has begun:
// publish it once its fence signals (the top of the next iteration, without waiting, so a
// stalled playback still delivers its last frame), or when the next capture begins.
void Loop::hand_over(std::shared_ptr<CapturedFrame> frame, const renderer::Composed& composed) {
    frame->composited_at = SteadyClock::now();
    switch (composed.capture) {
    case renderer::CaptureState::kDone:
        p_.hub->publish(std::move(frame));
        ++s_.capture.published;
        break;
    case renderer::CaptureState::kPending:
        pending_.push_back(std::move(frame));
        // At most one read-back stays in flight: the render thread holds at most two pool
        // frames, and the GPU has had a frame's time for the older one.
        collect_captures(true, 1);
        break;
    case renderer::CaptureState::kFailed:
        capture_failed(composed.capture_error.value_or(
            make_error(ErrorCode::kInternal, "capture", "failed").value()));
        break;
    case renderer::CaptureState::kNone: break;
    }
}

void Loop::collect_captures(bool wait, std::size_t keep) {
    while (pending_.size() > keep) {
        std::optional<Result<void>> outcome =
            wait ? b_.backend->wait_collect() : b_.backend->try_collect();
        if (!outcome) {
            // Still in flight; or the backend holds none (it dropped them): nothing to wait for.
            if (b_.backend->pending_captures() == 0) pending_.clear();
            return;
        }
        std::shared_ptr<CapturedFrame> frame = std::move(pending_.front());
        pending_.pop_front();
        if (!*outcome) {
            capture_failed(outcome->error());
            continue;
        }
        p_.hub->publish(std::move(frame));
        ++s_.capture.published;
    }
}

void Loop::capture_failed(const Error& error) {
    ++s_.capture.failed;
    if (!capture_failure_logged_) {
        capture_failure_logged_ = true;
        INTERLEAVE_LOG_ERROR("render", "capture failed (later failures are counted): {}",
                             error.message());
    }
}

std::vector<std::string> Loop::overlay_lines() const {
    const auto fifo = p_.fifo->stats();
    const auto loader = p_.loaders->stats();
    std::vector<std::string> lines{
        s_.renderer,
        fmt::format("{}x{}  fps {:.1f}  index {}  shown {}", out_w_, out_h_, fps_, index_,
                    s_.summary.frames_shown),
        fmt::format("fifo {}/{}  dropped {}  misses {}  stale {}  late {}", fifo.depth,
                    fifo.capacity, fifo.dropped, s_.summary.misses, fifo.stale_evicted,
                    fifo.late_evicted),
        fmt::format("decode p50 {:.1f} p99 {:.1f} ms  ({} workers, {} failed)",
                    loader.decode_ms_p50, loader.decode_ms_p99, loader.workers,
                    loader.failed_loads),
        fmt::format("composite p50 {:.2f} p99 {:.2f} ms  present p50 {:.2f} ms",
                    s_.composite_times.percentile_ms(50), s_.composite_times.percentile_ms(99),
                    s_.present_times.percentile_ms(50)),
    };
    if (const auto g = b_.backend->stats(); g.gpu_composite) {
        lines.push_back(fmt::format("upload p50 {:.2f} p99 {:.2f} ms  fence waits {}  "
                                    "textures {} ({:.1f} MB)",
                                    g.upload_ms_p50, g.upload_ms_p99, g.fence_waits,
                                    g.textures_live, mb(g.texture_bytes)));
    }
    lines.push_back(fmt::format("rss {:.0f} MB", mb(current_rss_bytes())));
    return lines;
}

void Loop::draw_overlay() {
    if (!b_.overlay && !b_.overlay_unavailable) {
        // Only windows draw an overlay, and a window's backend is always a GL one.
        if (b_.gl == nullptr || b_.gl->gl_api() != renderer::gl::GlApi::kGl33Core) {
            b_.overlay_unavailable = true;
            INTERLEAVE_LOG_WARN("render", "the stats overlay needs the GL 3.3 rung (ImGui's "
                                          "OpenGL 3 backend); this window runs {}",
                                b_.gl != nullptr ? renderer::gl::to_string(b_.gl->gl_api())
                                                 : std::string_view("no GL"));
        } else if (auto overlay = StatsOverlay::create()) {
            b_.overlay = std::move(*overlay);
        } else {
            b_.overlay_unavailable = true;
            INTERLEAVE_LOG_WARN("render", "{}", overlay.error().message());
        }
    }
    if (b_.overlay) b_.overlay->draw(out_w_, out_h_, overlay_lines());
}

// Composites `pair` (into a pooled frame when a sink wants it), publishes or begins capturing
// it, and presents it. Returns false on a compose error.
bool Loop::show(loader::FramePair& pair) {
    if (out_w_ <= 0 || out_h_ <= 0) {
        // A minimised window: nothing to draw into; the frame counts as shown.
        last_ = std::move(pair);
        last_composed_ = false;
        ++s_.summary.frames_shown;
        ++s_.interval_frames;
        return true;
    }
    const auto start = SteadyClock::now();
    if (last_show_) s_.frame_times.record(start - *last_show_);
    last_show_ = start;
    std::shared_ptr<CapturedFrame> frame = acquire_capture(pair, s_.summary.frames_shown);
    renderer::cpu::RgbaTarget target;
    if (frame) target = {frame->pixels.data(), out_w_, out_h_, out_w_ * 4};
    const auto composed = composite(pair, frame ? &target : nullptr);
    s_.composite_times.record(SteadyClock::now() - start);
    if (!composed) {
        INTERLEAVE_LOG_ERROR("render", "{}", composed.error().message());
        if (frame) ++s_.capture.failed;
        return false;
    }
    ++s_.summary.frames_shown;
    ++s_.interval_frames;
    if (frame) hand_over(std::move(frame), *composed);
    last_ = std::move(pair);
    present();
    return true;
}

void Loop::print_stats(double elapsed_s, double interval_s, std::int64_t index) const {
    std::FILE* out = options_.stats_out_file();
    if (out == nullptr) return;
    const auto fifo = p_.fifo->stats();
    const auto loader = p_.loaders->stats();
    std::string gl;
    if (const auto g = b_.backend->stats(); g.gpu_composite) {
        gl = fmt::format(" upload p50 {:.2f} p99 {:.2f} ms fence waits {}", g.upload_ms_p50,
                         g.upload_ms_p99, g.fence_waits);
    }
    std::fprintf(out,
                 "t=%.1fs fps %.1f index %lld shown %llu fifo %zu/%zu dropped %llu misses %llu "
                 "decode p50 %.1f p99 %.1f ms composite p50 %.2f p99 %.2f ms%s rss %.0f MB\n",
                 elapsed_s,
                 interval_s > 0 ? static_cast<double>(s_.interval_frames) / interval_s : 0.0,
                 static_cast<long long>(index),
                 static_cast<unsigned long long>(s_.summary.frames_shown), fifo.depth,
                 fifo.capacity, static_cast<unsigned long long>(fifo.dropped),
                 static_cast<unsigned long long>(s_.summary.misses), loader.decode_ms_p50,
                 loader.decode_ms_p99, s_.composite_times.percentile_ms(50),
                 s_.composite_times.percentile_ms(99), gl.c_str(), mb(current_rss_bytes()));
    std::fflush(out);
}

void Loop::run() {
    const config::PlaybackConfig& pb = options_.config.playback;
    // The index follows the wall clock; durations, intervals and rates the monotonic clock, so
    // a wall-clock step neither ends a --duration run early nor floods the stats lines.
    const std::int64_t start_ns = time_.now_ns();
    const std::int64_t start_steady_ns = time_.steady_ns();
    const auto start = SteadyClock::now();
    const auto stats_ns = static_cast<std::int64_t>(options_.stats_interval_s * kNsPerS);
    std::int64_t next_stats_ns = start_steady_ns + stats_ns;
    std::int64_t last_stats_ns = start_steady_ns;
    const auto frame_limit = static_cast<std::uint64_t>(pb.frames);
    const auto duration_ns = static_cast<std::int64_t>(pb.duration_s * kNsPerS);

    std::optional<std::int64_t> current;  // the index being shown
    bool current_shown = false;
    const std::int64_t bench_start = p_.clock->index_at(start_ns);
    std::int64_t bench_index = bench_start;
    std::int64_t fps_since_ns = start_steady_ns;
    std::uint64_t fps_frames = 0;
    for (;;) {
        // Read-backs that have finished go to the sinks now, not only when the next frame is
        // composited: when playback stalls, the last frame still reaches them.
        collect_captures(false, 0);
        if (p_.hub && p_.hub->take_refresh()) recapture();
        if (handle_commands()) dirty_ = true;
        // A signal first: main also posts a quit when it sees one.
        if (StopSignal::requested()) {
            s_.summary.stopped_by = StopSignal::name_of(StopSignal::signal_number());
            break;
        }
        if (quit_) {
            s_.summary.stopped_by = "quit";
            break;
        }
        const std::int64_t now_ns = time_.now_ns();
        const std::int64_t steady_ns = time_.steady_ns();
        if (duration_ns > 0 && steady_ns - start_steady_ns >= duration_ns) {
            s_.summary.stopped_by = "duration";
            break;
        }
        // A wall-clock step (chrony at boot, NTP, a manual change): go to the new index at
        // once. One line for the step; the index it leaves is no miss (time moved, nothing
        // was late), and the scheduler drops what it had prefetched for the old position.
        const bool stepped = !options_.benchmark && p_.scheduler->follow_clock(now_ns, steady_ns);
        if (stepped) ++s_.clock_steps;
        const std::int64_t index = options_.benchmark ? bench_index : p_.clock->index_at(now_ns);
        p_.scheduler->feed(index);
        // SIGHUP: a rescan in the background; a new catalog takes over after the prefetch.
        if (p_.reloader) {
            if (ReloadSignal::take()) p_.reloader->request();
            p_.reloader->update(index);
        }
        index_ = index;
        if (steady_ns - fps_since_ns >= kNsPerS) {
            fps_ = static_cast<double>(s_.summary.frames_shown - fps_frames) * kNsPerS /
                   static_cast<double>(steady_ns - fps_since_ns);
            fps_frames = s_.summary.frames_shown;
            fps_since_ns = steady_ns;
        }
        if (!current || index != *current) {
            if (current && !current_shown && !stepped) {
                // The snapshots take locks: only when someone reads the line.
                if (log::logger().should_log(spdlog::level::debug)) {
                    const loader::PairKey want = p_.scheduler->key_at(*current);
                    INTERLEAVE_LOG_DEBUG("render",
                                         "miss: index {} (folders {}/{}, frame {}), fifo depth "
                                         "{}, loader in flight {}",
                                         *current, want.main_folder, want.float_folder,
                                         p_.clock->frame_of(*current), p_.fifo->stats().depth,
                                         p_.loaders->stats().in_flight);
                }
                ++s_.summary.misses;
                if (steady_ns - start_steady_ns > kNsPerS) ++s_.summary.misses_after_1s;
            }
            // Indices the loop never saw (it woke more than an index late) passed unshown too:
            // count them, so frames shown + failed + misses still add up to the indices.
            if (current && !stepped && index > *current + 1) {
                const auto skipped = static_cast<std::uint64_t>(index - *current - 1);
                s_.summary.indices += skipped;
                s_.summary.misses += skipped;
                if (steady_ns - start_steady_ns > kNsPerS) s_.summary.misses_after_1s += skipped;
            }
            current = index;
            current_shown = false;
            ++s_.summary.indices;
        }
        if (!current_shown) {
            // Benchmark: wait for the pair (the pipeline sets the pace), then move on; a pair
            // that never comes, or failed, is a miss when the index changes. The wait is cut
            // into slices so a stop signal ends it at once.
            std::optional<loader::FramePair> pair = p_.scheduler->take(index);
            if (options_.benchmark) {
                const auto give_up = SteadyClock::now() + kBenchmarkWait;
                while (!pair && !StopSignal::requested() && SteadyClock::now() < give_up) {
                    pair = p_.scheduler->take(index, kBenchmarkWaitSlice);
                }
            }
            if (pair) {
                if (pair->ok()) {
                    current_shown = show(*pair);
                } else {
                    // Failed to load (counted, logged once per file by the loader): the last
                    // good frame stays for this index; looking again would show the next
                    // index's pair early and run ahead of the clock.
                    current_shown = true;
                    ++s_.failed_indices;
                }
            }
            if (options_.benchmark) ++bench_index;
        }
        // The overlay's figures move on between frames: show them twice a second at least.
        if (s_.overlay && b_.window != nullptr && last_present_ &&
            SteadyClock::now() - *last_present_ >= std::chrono::milliseconds(500)) {
            dirty_ = true;
        }
        if (dirty_ && last_) {
            if (out_w_ > 0 && out_h_ > 0) redraw();
            dirty_ = false;
        }
        // --frames N: N shown frames when playing; N settled indices (shown, failed or never
        // come) in a benchmark, which otherwise never ends on content whose pairs all fail.
        const std::uint64_t done = options_.benchmark
                                       ? static_cast<std::uint64_t>(bench_index - bench_start)
                                       : s_.summary.frames_shown;
        if (frame_limit > 0 && done >= frame_limit) {
            s_.summary.stopped_by = "frames";
            break;
        }
        if (stats_ns > 0 && steady_ns >= next_stats_ns) {
            print_stats(static_cast<double>(steady_ns - start_steady_ns) / kNsPerS,
                        static_cast<double>(steady_ns - last_stats_ns) / kNsPerS, index);
            s_.interval_frames = 0;
            last_stats_ns = steady_ns;
            // After a stall, the next line one interval from now rather than a burst.
            next_stats_ns = std::max(next_stats_ns + stats_ns, steady_ns + 1);
        }
        if (options_.benchmark) continue;
        // Sleep to a deadline: the next index, the next retry, the next stats line, or soon
        // enough to answer commands (and to notice a stop or a clock step).
        std::int64_t wake_ns = p_.clock->start_ns_of(index + 1);
        if (!current_shown) wake_ns = std::min(wake_ns, now_ns + kRetryNs);
        std::int64_t sleep_ns = std::min(wake_ns - time_.now_ns(), kMaxSleepNs);
        if (stats_ns > 0) sleep_ns = std::min(sleep_ns, next_stats_ns - time_.steady_ns());
        if (sleep_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(sleep_ns));
    }
    collect_captures(true, 0);  // everything pending reaches the sinks before the loop ends
    last_.reset();
    s_.rotation = compose_.rotation;
    s_.mirror = compose_.mirror;
    s_.out_w = out_w_;
    s_.out_h = out_h_;
    s_.summary.duration_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace

RenderLoop::RenderLoop(Pipeline& p, const PlayOptions& options, const TimeSource& time)
    : p_(p), options_(options), time_(time) {}

RenderLoop::~RenderLoop() { stop(); }

// start() and the render thread meet here: the thread reports its set-up under the mutex, and
// start() gives up under the same mutex, so exactly one of the two happens first.
// Thread: main (start) and render; shared by both, so it outlives whichever ends last.
struct RenderLoop::StartHandshake {
    std::mutex mutex;
    bool abandoned = false;  // start() stopped waiting: the thread must not touch the loop
    std::promise<Result<RenderSetup>> ready;
};

Result<RenderSetup> RenderLoop::start(const RenderSurface& surface,
                                      std::chrono::milliseconds setup_timeout) {
    if (thread_.joinable()) {
        return make_error(ErrorCode::kInvalidArgument, "render", "the render thread runs already");
    }
    finished_.store(false, std::memory_order_release);
    state_ = std::make_unique<LoopState>();
    auto handshake = std::make_shared<StartHandshake>();
    auto outcome = handshake->ready.get_future();
    thread_ = std::thread([this, surface, handshake] { run(surface, *handshake); });
    if (outcome.wait_for(setup_timeout) != std::future_status::ready) {
        std::lock_guard lock(handshake->mutex);
        if (outcome.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
            // A driver that never returns: the thread is left to end by itself, touching
            // nothing of this loop, and the caller reports the error and exits.
            handshake->abandoned = true;
            thread_.detach();
            return make_error(ErrorCode::kInternal, "render",
                              "the render thread's set-up (GL context, compositor) did not finish "
                              "within {} ms (a hung GL driver or display? --renderer cpu needs "
                              "neither)",
                              setup_timeout.count());
        }
    }
    Result<RenderSetup> setup = outcome.get();
    if (!setup) thread_.join();
    return setup;
}

void RenderLoop::wait() {
    if (thread_.joinable()) thread_.join();
}

void RenderLoop::stop() {
    if (!thread_.joinable()) return;
    commands_.post({CommandKind::kQuit});
    thread_.join();
    // Anything posted after the loop ended (a late key) is dropped with it.
    commands_.drain([](const RenderCommand&) {});
}

void RenderLoop::run(RenderSurface surface, StartHandshake& handshake) {
    set_current_thread_name("render");
    const int tid = static_cast<int>(::gettid());
    Backend backend;
    // The context is made current here, on the thread that uses it; the outcome goes to start()
    // before anything plays. Nothing of the loop is touched before start() has it: start() may
    // have given up waiting, and the loop may be gone.
    Result<RenderSetup> setup = make_error(ErrorCode::kInternal, "render", "no set-up");
    try {
        setup = surface.window != nullptr ? set_up_window(surface, backend)
                : surface.shared_context != nullptr
                    ? set_up_shared(*surface.shared_context, backend)
                    : set_up_headless(surface.renderer, backend);
    } catch (const std::exception& e) {
        INTERLEAVE_LOG_ERROR("render", "render set-up failed: {}", e.what());
        setup = make_error(ErrorCode::kInternal, "render", "{}", e.what());
    }
    if (!setup) {
        LoopState unused;
        tear_down(backend, unused);
        std::lock_guard lock(handshake.mutex);
        if (handshake.abandoned) return;
        state_->render_tid = tid;
        finished_.store(true, std::memory_order_release);
        handshake.ready.set_value(tl::unexpected(setup.error()));
        return;
    }
    bool abandoned = false;
    {
        std::lock_guard lock(handshake.mutex);
        abandoned = handshake.abandoned;
        if (!abandoned) {
            state_->render_tid = tid;
            state_->renderer = setup->description;
            // A launch epoch is now, when set-up (scan, pool, workers, GL) is done: playback
            // starts at frame 0 instead of a few frames in.
            if (!options_.config.playback.epoch.unix_ns) p_.clock->set_epoch_ns(time_.now_ns());
            handshake.ready.set_value(std::move(setup));
        }
    }
    if (abandoned) {
        LoopState unused;
        tear_down(backend, unused);
        return;
    }
    try {
        Loop loop(p_, options_, time_, *state_, commands_, backend, surface);
        loop.run();
    } catch (const std::exception& e) {
        INTERLEAVE_LOG_ERROR("render", "render loop stopped: {}", e.what());
        state_->summary.stopped_by = "error";
    }
    tear_down(backend, *state_);
    finished_.store(true, std::memory_order_release);
}

}  // namespace interleave::app
