// Player: play() builds the pipeline, starts the render loop (headless and ascii: EGL or the
// CPU, ascii adding the terminal sink; window: a GLFW window per backend rung until one works),
// runs the window's events on main, stops in order and writes the summary. Thread: main (the
// loop runs on "render").
#include "app/player.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include "app/pipeline.hpp"
#include "app/player_window.hpp"
#include "app/render_loop.hpp"
#include "app/sinks/terminal_screen.hpp"
#include "app/stop_signal.hpp"
#include "core/log.hpp"
#include "core/process_stats.hpp"

namespace interleave::app {
namespace {

double mb(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

const char* mode_name(const PlayOptions& options) {
    if (options.benchmark) return "benchmark";
    switch (options.config.output.mode) {
    case config::OutputMode::kWindow: return "window";
    case config::OutputMode::kAscii: return "ascii";
    case config::OutputMode::kHeadless: break;
    }
    return "headless";
}

// Counts the lines the logger hands its sinks (any thread; spdlog's sink mutex guards it).
class CountingSink final : public spdlog::sinks::base_sink<std::mutex> {
public:
    [[nodiscard]] std::uint64_t lines() {
        std::lock_guard<std::mutex> lock(mutex_);
        return lines_;
    }

protected:
    void sink_it_(const spdlog::details::log_msg&) override { ++lines_; }
    void flush_() override {}

private:
    std::uint64_t lines_ = 0;
};

// While the picture owns the terminal that stderr writes to as well, log lines wait in memory
// (the last kLines) and go to stderr once the terminal is back, after one line saying how many
// earlier ones were dropped, if any. The logger's sinks change only while no other thread
// runs: before the pipeline starts and after its joins.
class HeldLogs {
public:
    static constexpr std::size_t kLines = 1000;
    explicit HeldLogs(bool hold) {
        if (!hold) return;
        auto& sinks = log::logger().sinks();
        saved_ = sinks;
        ring_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(kLines);
        ring_->set_pattern("%H:%M:%S.%e %l %v");
        counter_ = std::make_shared<CountingSink>();
        sinks = {ring_, counter_};
    }
    ~HeldLogs() { release(); }
    HeldLogs(const HeldLogs&) = delete;
    HeldLogs& operator=(const HeldLogs&) = delete;
    void release() {
        if (!ring_) return;
        log::logger().sinks() = saved_;
        const std::vector<std::string> lines = ring_->last_formatted();
        const std::uint64_t total = counter_->lines();
        if (total > lines.size()) {
            fmt::print(stderr,
                       "interleave: {} earlier log lines were dropped while the picture had the "
                       "terminal (the last {} follow)\n",
                       total - lines.size(), lines.size());
        }
        for (const std::string& line : lines) std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
        ring_.reset();
        counter_.reset();
    }

private:
    std::vector<spdlog::sink_ptr> saved_;
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> ring_;
    std::shared_ptr<CountingSink> counter_;
};

// The windowed size: --size when given, else the content's size (turned for 90 and 270); a
// window larger than the screen is the window manager's to fit. Fullscreen uses the monitor.
WindowSettings window_settings(const config::OutputConfig& out, const Pipeline& p) {
    WindowSettings w;
    w.fullscreen = out.fullscreen;
    w.monitor = out.monitor;
    w.width_px = p.out_w;
    w.height_px = p.out_h;
    return w;
}

// Window mode: open a window for each GL rung, best first (only the forced one with
// gl/gles3/gles2), until the render thread has a working compositor in it; record every
// attempt in the usage log; then handle events on this thread until the loop ends.
Result<void> run_window(const PlayOptions& options, Pipeline& p, RenderLoop& loop,
                        std::string& description) {
    const config::OutputConfig& out = options.config.output;
    auto session = GlfwSession::init();
    if (!session) return tl::unexpected(session.error());
    const renderer::RendererRequest request = request_of(out.renderer);
    std::vector<renderer::Rung> rungs;
    switch (request) {
    case renderer::RendererRequest::kGl33: rungs = {renderer::Rung::kGl33}; break;
    case renderer::RendererRequest::kGles30: rungs = {renderer::Rung::kGles30}; break;
    case renderer::RendererRequest::kGles20: rungs = {renderer::Rung::kGles20}; break;
    default: rungs = {renderer::Rung::kGl33, renderer::Rung::kGles30, renderer::Rung::kGles20};
    }
    renderer::BackendChoice choice;
    std::unique_ptr<PlayerWindow> window;
    std::string reasons;
    for (const renderer::Rung rung : rungs) {
        const auto started = std::chrono::steady_clock::now();
        renderer::BackendAttempt attempt{rung, false, {}, {}, {}, 0.0};
        auto created = PlayerWindow::create(window_settings(out, p), rung, loop.commands());
        if (created) {
            RenderSurface surface;
            surface.renderer = out.renderer;
            surface.window = created->get();
            surface.window_rung = rung;
            surface.vsync = out.vsync;
            (*created)->framebuffer_size(surface.window_w, surface.window_h);
            auto setup = loop.start(surface);
            if (setup) {
                attempt.ok = true;
                attempt.gl_renderer = setup->gl_renderer;
                attempt.gl_version = setup->gl_version;
                description = setup->description;
                window = std::move(*created);
                choice.rung = setup->description.rfind("cpu", 0) == 0 ? renderer::Rung::kCpu
                                                                     : rung;
            } else {
                attempt.reason = setup.error().message();
            }
        } else {
            attempt.reason = created.error().message();
        }
        attempt.ms = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - started)
                         .count();
        if (!attempt.ok) {
            INTERLEAVE_LOG_INFO("render", "window backend {}: {}", renderer::to_string(rung),
                                attempt.reason);
            reasons += fmt::format("{}{}: {}", reasons.empty() ? "" : "; ",
                                   renderer::to_string(rung), attempt.reason);
        }
        choice.attempts.push_back(std::move(attempt));
        if (window) break;
    }
    if (const auto log = renderer::default_usage_log_path()) {
        const auto entry =
            renderer::usage_entry(choice, request, "window", renderer::machine_facts());
        if (auto written = renderer::append_usage_log(*log, entry); !written) {
            INTERLEAVE_LOG_WARN("render", "{}", written.error().message());
        }
    }
    if (!window) {
        return make_error(ErrorCode::kUnsupported, "output.renderer",
                          "no GL context for a window ({}); try --mode headless", reasons);
    }
    INTERLEAVE_LOG_INFO("render", "window: {}{}", description,
                        out.fullscreen ? ", fullscreen" : "");
    while (!loop.finished()) {
        window->poll(0.05);
        if (window->quit_requested() || StopSignal::requested()) break;
    }
    loop.stop();  // the loop has released the context: the window can go
    window.reset();
    return {};
}

}  // namespace

nlohmann::json PlaySummary::to_json() const {
    nlohmann::json j = details;
    j["frames_shown"] = frames_shown;
    j["frames"] = frames_shown;
    j["indices"] = indices;
    j["misses"] = misses;
    j["misses_after_1s"] = misses_after_1s;
    j["dropped"] = dropped;
    j["failed_loads"] = failed_loads;
    j["failed_files"] = failed_files;
    j["duration_s"] = duration_s;
    j["fps"] = fps;
    j["peak_rss_mb"] = peak_rss_mb;
    j["stopped_by"] = stopped_by;
    return j;
}

namespace {

Result<void> write_summary_json(const PlayOptions& options, const PlaySummary& s) {
    if (!options.summary_json) return {};
    std::ofstream out(*options.summary_json);
    out << s.to_json().dump(2) << "\n";
    if (!out) {
        return make_error(ErrorCode::kIo, options.summary_json->string(),
                          "cannot write the summary ({})", std::strerror(errno));
    }
    return {};
}

}  // namespace

Result<PlaySummary> play(const PlayOptions& options, std::FILE* stats_out) {
    SystemTimeSource time;
    const auto began = std::chrono::steady_clock::now();
    const bool ascii_mode = options.config.output.mode == config::OutputMode::kAscii;
    if (ascii_mode) {
        // A closed pipe (`| head`) is an EPIPE for the terminal sink, a gone viewer, not a
        // death by signal; a forced exit on a repeated signal first gives the terminal back.
        ::signal(SIGPIPE, SIG_IGN);
        StopSignal::set_force_exit_hook(&TerminalScreen::restore_after_signal);
    }
    // Declared before the pipeline: the held lines come out after its sinks (the terminal
    // among them) have stopped.
    HeldLogs held_logs(ascii_mode && TerminalScreen::is_terminal(STDOUT_FILENO) &&
                       TerminalScreen::same_terminal(STDERR_FILENO, STDOUT_FILENO));
    Pipeline p;
    if (auto ok = build_pipeline(options, time.now_ns(), p); !ok) {
        stop_pipeline(p);
        if (ok.error().code == ErrorCode::kCancelled && StopSignal::requested()) {
            // Stopped during the scan: nothing played, and that is the summary.
            PlaySummary s;
            s.stopped_by = StopSignal::name_of(StopSignal::signal_number());
            s.duration_s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
            s.peak_rss_mb = mb(peak_rss_bytes());
            s.details = {{"mode", mode_name(options)},
                         {"stopped_during", "scan"},
                         {"files_seen", p.report.files_seen}};
            if (auto written = write_summary_json(options, s); !written) {
                return tl::unexpected(written.error());
            }
            return s;
        }
        return tl::unexpected(ok.error());
    }
    PlayOptions run_options = options;
    run_options.stats_out = stats_out;
    RenderLoop loop(p, run_options, time);
    const bool window_mode = options.config.output.mode == config::OutputMode::kWindow;
    std::string description;
    if (window_mode) {
        if (auto ok = run_window(run_options, p, loop, description); !ok) {
            stop_pipeline(p);
            return tl::unexpected(ok.error());
        }
    } else {
        RenderSurface surface;
        surface.renderer = options.config.output.renderer;
        auto setup = loop.start(surface);
        if (!setup) {
            stop_pipeline(p);
            return tl::unexpected(setup.error());
        }
        loop.wait();
    }
    // Stop in order: producers, then sinks; counters are final after the joins.
    stop_pipeline(p);

    const LoopState& state = loop.state();
    PlaySummary s = state.summary;
    const auto fifo = p.fifo->stats();
    const auto loader = p.loaders->stats();
    const auto pool = p.pool->stats();
    s.dropped = fifo.dropped;
    s.failed_loads = loader.failed_loads;
    s.failed_files = loader.failed_files;
    s.fps = s.duration_s > 0 ? static_cast<double>(s.frames_shown) / s.duration_s : 0.0;
    s.peak_rss_mb = mb(peak_rss_bytes());  // the kernel's high-water mark (VmHWM)
    s.details = {
        {"mode", mode_name(options)},
        {"renderer", state.renderer},
        {"output", {{"width", state.out_w}, {"height", state.out_h}}},
        {"frame_count", p.reloader->catalog().frame_count},
        {"decode_ms_p50", loader.decode_ms_p50},
        {"decode_ms_p99", loader.decode_ms_p99},
        {"composite_ms_p50", state.composite_times.percentile_ms(50)},
        {"composite_ms_p99", state.composite_times.percentile_ms(99)},
        {"frame_ms_p50", state.frame_times.percentile_ms(50)},
        {"frame_ms_p99", state.frame_times.percentile_ms(99)},
        {"frame_ms_max", state.frame_times.max_ms()},
        {"rss_mb_end", mb(current_rss_bytes())},
        {"failed_indices", state.failed_indices},
        {"commands", state.commands},
        {"clock_steps", state.clock_steps},
        {"rotation_deg", static_cast<int>(state.rotation) * 90},
        {"mirror", state.mirror},
        {"fifo", {{"capacity", fifo.capacity}, {"pushed", fifo.pushed}, {"hits", fifo.hits},
                  {"stale_evicted", fifo.stale_evicted}, {"late_evicted", fifo.late_evicted},
                  {"drop_rate", fifo.drop_rate()}}},
        {"loader", {{"workers", loader.workers}, {"late_dropped", loader.late_dropped},
                    {"pairs_failed", loader.pairs_failed},
                    {"failing_files", loader.failing_files},
                    {"failing_folders", loader.failing_folders},
                    {"folder_failures", loader.folder_failures},
                    {"recoveries", loader.recoveries}}},
        {"buffer_pool", {{"max_buffers", pool.max_buffers}, {"high_water", pool.high_water},
                         {"allocations", pool.allocations}, {"bytes", pool.bytes}}},
    };
    const ReloadStats reload = p.reloader->stats();
    s.details["reload"] = {{"requests", reload.requests},
                           {"scans", reload.scans},
                           {"reloads", reload.reloads},
                           {"rejected", reload.rejected},
                           {"generation", reload.generation},
                           {"last_switch_index", reload.last_switch_index},
                           {"last_scan_ms", reload.last_scan_ms}};
    if (window_mode) {
        s.details["window"] = {{"presents", state.presents},
                               {"present_ms_p50", state.present_times.percentile_ms(50)},
                               {"present_ms_p99", state.present_times.percentile_ms(99)},
                               {"vsync", options.config.output.vsync}};
    }
    if (state.gl_stats) {
        const renderer::gl::GlCompositorStats& g = *state.gl_stats;
        s.details["gl"] = {{"pbo_uploads", g.pbo_uploads},
                           {"uploads", g.uploads},
                           {"upload_ms_p50", g.upload_ms_p50},
                           {"upload_ms_p99", g.upload_ms_p99},
                           {"fence_waits", g.fence_waits},
                           {"fence_wait_ms", g.fence_wait_ms},
                           {"readbacks", g.readbacks},
                           {"readback_waits", g.readback_waits},
                           {"readback_wait_ms", g.readback_wait_ms},
                           {"texture_pool", {{"allocations", g.texture_pool.allocations},
                                             {"reuses", g.texture_pool.reuses},
                                             {"live", g.texture_pool.live},
                                             {"bytes", g.texture_pool.bytes},
                                             {"evictions", g.texture_pool.evictions}}}};
    }
    if (p.recorder) {
        // Frames due for recording that never reached the recorder (the hub's pool was
        // exhausted, a read-back failed) count as dropped, like those its full queue refused.
        const auto rec = p.recorder->stats_after(state.summary.frames_shown);
        s.details["record"] = {{"dir", p.recorder->dir().string()},
                               {"written", rec.written},
                               {"dropped", rec.dropped},
                               {"failed", rec.failed}};
    }
    if (p.hub) {
        const FrameHubStats hub = p.hub->stats();
        nlohmann::json ports = nlohmann::json::object();
        for (const auto& port : p.hub->ports()) {
            const SinkPortStats ps = port->stats();
            ports[port->name()] = {{"offered", ps.offered}, {"taken", ps.taken},
                                   {"skipped", ps.skipped}, {"dropped", ps.dropped}};
        }
        s.details["capture"] = {{"wanted", state.capture.wanted},
                                {"published", hub.published},
                                {"pool_exhausted", hub.pool_exhausted},
                                {"failed", state.capture.failed},
                                {"pool_buffers", hub.pool_buffers},
                                {"pool_mb", mb(hub.pool_bytes)},
                                {"ports", std::move(ports)}};
    }
    nlohmann::json sinks = nlohmann::json::object();
    for (const auto& sink : p.sinks) sinks[std::string(sink->name())] = sink->stats();
    if (!sinks.empty()) s.details["sinks"] = std::move(sinks);
    if (auto written = write_summary_json(options, s); !written) {
        return tl::unexpected(written.error());
    }
    return s;
}

}  // namespace interleave::app
