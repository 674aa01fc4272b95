// Player: set-up from the Config, the paced render loop (or the unpaced benchmark loop), stats
// lines and the summary.
#include "app/player.hpp"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "app/clock.hpp"
#include "app/folder_selector.hpp"
#include "app/frame_recorder.hpp"
#include "app/loader_flags.hpp"
#include "app/scheduler.hpp"
#include "app/stop_signal.hpp"
#include "core/latency_histogram.hpp"
#include "core/log.hpp"
#include "core/process_stats.hpp"
#include "core/thread.hpp"
#include "renderer/backend_ladder.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "renderer/gl/gl_compositor.hpp"

namespace interleave::app {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr std::int64_t kNsPerS = 1'000'000'000;
// While the current index has no frame yet, look again this often.
constexpr std::int64_t kRetryNs = 2'000'000;

double mb(std::uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

std::string stop_reason(int signal_number) {
    if (signal_number == SIGINT) return "SIGINT";
    if (signal_number == SIGTERM) return "SIGTERM";
    return "stop request";
}

renderer::cpu::Rotation rotation_of(int degrees) {
    switch (degrees) {
    case 90: return renderer::cpu::Rotation::k90;
    case 180: return renderer::cpu::Rotation::k180;
    case 270: return renderer::cpu::Rotation::k270;
    default: return renderer::cpu::Rotation::k0;
    }
}

SelectMode select_mode_of(config::SelectMode mode) {
    switch (mode) {
    case config::SelectMode::kFixed: return SelectMode::kFixed;
    case config::SelectMode::kSequential: return SelectMode::kSequential;
    default: return SelectMode::kRandom;
    }
}

// Everything the loop needs, built and checked before the loop starts.
struct Pipeline {
    loader::ScanReport report;
    std::optional<Clock> clock;
    std::optional<FolderSelector> selector;
    std::unique_ptr<loader::FrameFifo> fifo;
    std::unique_ptr<loader::BufferPool> pool;
    std::unique_ptr<loader::LoaderPool> loaders;
    std::unique_ptr<Scheduler> scheduler;
    std::unique_ptr<FrameRecorder> recorder;
    renderer::cpu::ComposeOptions compose;
    int out_w = 0;
    int out_h = 0;
};

Result<void> check_output(const config::OutputConfig& out) {
    if (out.mode != config::OutputMode::kHeadless) {
        return make_error(ErrorCode::kUnsupported, "output.mode",
                          "{} is not available in this build yet (expected headless)",
                          out.mode == config::OutputMode::kWindow ? "window" : "ascii");
    }
    return {};
}

renderer::RendererRequest request_of(config::RendererChoice choice) {
    switch (choice) {
    case config::RendererChoice::kGl: return renderer::RendererRequest::kGl33;
    case config::RendererChoice::kGles3: return renderer::RendererRequest::kGles30;
    case config::RendererChoice::kGles2: return renderer::RendererRequest::kGles20;
    case config::RendererChoice::kCpu: return renderer::RendererRequest::kCpu;
    default: return renderer::RendererRequest::kAuto;
    }
}

// The compositor the render thread uses: GL when the ladder found a rung, else the CPU.
// Thread: render only (it owns the GL context).
struct Backend {
    renderer::BackendChoice choice;
    std::unique_ptr<renderer::gl::GlCompositor> gl;
    renderer::cpu::CpuCompositor cpu;
    std::string description;  // "cpu", or "gl: llvmpipe (...), 4.5 (Core Profile) ..."
};

// Walks the backend ladder on the render thread and records the outcome in the usage log.
Result<void> set_up_backend(config::RendererChoice requested, Backend& b) {
    const renderer::RendererRequest request = request_of(requested);
    auto choice = renderer::choose_headless_backend(request);
    if (!choice) return tl::unexpected(choice.error());
    b.choice = std::move(*choice);
    if (const auto api = renderer::gl_api_of(b.choice.rung)) {
        auto gl = renderer::gl::GlCompositor::create(*api);
        if (!gl) {
            if (request != renderer::RendererRequest::kAuto) return tl::unexpected(gl.error());
            INTERLEAVE_LOG_WARN("render", "GL compositor unavailable ({}); using the CPU",
                                gl.error().message());
            b.choice.attempts.push_back({renderer::Rung::kCpu, true, {}, {}, {}, 0.0});
            b.choice.rung = renderer::Rung::kCpu;
            b.choice.context.reset();
        } else {
            b.gl = std::move(*gl);
        }
    }
    const auto& last = b.choice.attempts.back();
    b.description = b.gl ? fmt::format("{}: {}, {}", renderer::to_string(b.choice.rung),
                                       last.gl_renderer, last.gl_version)
                         : std::string("cpu");
    if (const auto log = renderer::default_usage_log_path()) {
        const auto entry = renderer::usage_entry(b.choice, request, "headless",
                                                 renderer::machine_facts());
        if (auto written = renderer::append_usage_log(*log, entry); !written) {
            INTERLEAVE_LOG_WARN("render", "{}", written.error().message());
        }
    }
    b.cpu.bind_to_current_thread();
    return {};
}

Result<void> build(const PlayOptions& options, std::int64_t launch_ns, Pipeline& p) {
    const config::Config& cfg = options.config;
    if (auto ok = check_output(cfg.output); !ok) return ok;
    p.report = loader::scan_catalog(cfg.content.images, catalog_options(cfg.loader));
    for (const auto& skipped : p.report.skipped) {
        INTERLEAVE_LOG_WARN("catalog", "skipped {}: {}", skipped.path, skipped.reason);
    }
    if (p.report.error) return tl::unexpected(*p.report.error);
    const loader::Catalog& catalog = p.report.catalog;

    ClockSettings clock_settings;
    clock_settings.ips_milli = std::llround(cfg.playback.ips * 1000.0);
    clock_settings.ping_pong = cfg.playback.ping_pong;
    clock_settings.epoch_ns = cfg.playback.epoch.unix_ns.value_or(launch_ns);
    auto clock = Clock::create(clock_settings, catalog.frame_count);
    if (!clock) return tl::unexpected(clock.error());
    p.clock.emplace(*clock);

    SelectorSettings select;
    select.mode = select_mode_of(cfg.select.mode);
    select.cycle = cfg.playback.ping_pong ? CycleShape::kDoublePivot : CycleShape::kLoop;
    select.seed = static_cast<std::uint64_t>(cfg.select.seed);
    select.ips = cfg.playback.ips;
    select.rest_min_s = cfg.select.rest_min_s;
    select.rest_max_s = cfg.select.rest_max_s;
    select.min_interval_s = cfg.select.min_interval_s;
    select.max_interval_s = cfg.select.max_interval_s;
    select.jitter_s = cfg.select.jitter_s;
    select.fixed_main = cfg.select.fixed_main;
    select.fixed_float = cfg.select.fixed_float;
    auto selector = FolderSelector::create(select, static_cast<int>(catalog.main_folders.size()),
                                           static_cast<int>(catalog.float_folders.size()),
                                           catalog.frame_count);
    if (!selector) return tl::unexpected(selector.error());
    p.selector.emplace(std::move(*selector));

    loader::LoaderOptions lo = loader_options(cfg.loader);
    const int workers =
        lo.workers > 0 ? lo.workers
                       : loader::LoaderPool::default_workers(std::thread::hardware_concurrency());
    const auto fifo_pairs = static_cast<std::size_t>(cfg.loader.fifo_pairs);
    p.fifo = std::make_unique<loader::FrameFifo>(fifo_pairs);
    p.pool = std::make_unique<loader::BufferPool>(
        loader::BufferPool::buffers_for_fifo(fifo_pairs, static_cast<std::size_t>(workers)));
    // The whole pool up front, sized for the largest layer: memory stays flat whatever bursts
    // of decoding come later (a lazily grown pool keeps what a burst made it grow to).
    std::size_t layer_bytes = 0;
    for (const auto* folders : {&catalog.main_folders, &catalog.float_folders}) {
        for (const loader::Folder& f : *folders) {
            layer_bytes = std::max(layer_bytes, static_cast<std::size_t>(f.width_px) *
                                                    static_cast<std::size_t>(f.height_px) * 4);
        }
    }
    p.pool->reserve(p.pool->stats().max_buffers, layer_bytes);
    p.loaders = std::make_unique<loader::LoaderPool>(catalog, *p.fifo, *p.pool, lo);
    SchedulerSettings sched;
    sched.tolerance = cfg.loader.tolerance;
    p.scheduler = std::make_unique<Scheduler>(*p.clock, *p.selector, *p.loaders, *p.fifo, sched);

    const loader::Folder& first = catalog.main_folders.front();
    p.compose.background = {cfg.output.background.r, cfg.output.background.g,
                            cfg.output.background.b};
    p.compose.rotation = rotation_of(cfg.output.rotate_deg);
    p.compose.mirror = cfg.output.mirror;
    if (cfg.output.size.is_content()) {
        const bool quarter = cfg.output.rotate_deg == 90 || cfg.output.rotate_deg == 270;
        p.out_w = quarter ? first.height_px : first.width_px;
        p.out_h = quarter ? first.width_px : first.height_px;
    } else {
        p.out_w = static_cast<int>(cfg.output.size.width_px);
        p.out_h = static_cast<int>(cfg.output.size.height_px);
    }
    if (options.record_dir) {
        auto recorder = FrameRecorder::create(*options.record_dir);
        if (!recorder) return tl::unexpected(recorder.error());
        p.recorder = std::move(*recorder);
    }
    return {};
}

// The loop's counters, owned by the render thread.
struct LoopState {
    PlaySummary summary;
    LatencyHistogram composite_times;
    std::uint64_t recorded_submits = 0;
    std::uint64_t interval_frames = 0;
    std::uint64_t failed_indices = 0;  // indices whose pair failed: the last frame stayed
    std::string renderer;              // the backend the render thread chose
};

void print_stats(std::FILE* out, const Pipeline& p, const LoopState& s, double elapsed_s,
                 double interval_s, std::int64_t index) {
    if (out == nullptr) return;
    const auto fifo = p.fifo->stats();
    const auto loader = p.loaders->stats();
    std::fprintf(out,
                 "t=%.1fs fps %.1f index %lld shown %llu fifo %zu/%zu dropped %llu misses %llu "
                 "decode p50 %.1f p99 %.1f ms composite p50 %.2f p99 %.2f ms rss %.0f MB\n",
                 elapsed_s, interval_s > 0 ? static_cast<double>(s.interval_frames) / interval_s : 0.0,
                 static_cast<long long>(index),
                 static_cast<unsigned long long>(s.summary.frames_shown), fifo.depth, fifo.capacity,
                 static_cast<unsigned long long>(fifo.dropped),
                 static_cast<unsigned long long>(s.summary.misses), loader.decode_ms_p50,
                 loader.decode_ms_p99, s.composite_times.percentile_ms(50),
                 s.composite_times.percentile_ms(99), mb(current_rss_bytes()));
    std::fflush(out);
}

// Composites `pair` into `frame` and records it when due. Returns false on a compose error.
bool show(Pipeline& p, const PlayOptions& options, LoopState& s, loader::FramePair& pair,
          Backend& backend, std::vector<std::uint8_t>& frame) {
    const renderer::cpu::RgbaTarget target{frame.data(), p.out_w, p.out_h, p.out_w * 4};
    const bool record =
        p.recorder && s.summary.frames_shown % static_cast<std::uint64_t>(
                                                   std::max(1, options.record_every)) == 0;
    const auto start = SteadyClock::now();
    Result<void> composed;
    if (backend.gl) {
        composed = backend.gl->compose(renderer::cpu::view_of(pair.main),
                                       renderer::cpu::view_of(pair.overlay), p.compose, p.out_w,
                                       p.out_h);
        // Read back only when something consumes the frame (the recorder, for now).
        if (composed && record) composed = backend.gl->read_pixels(target);
    } else {
        composed = backend.cpu.compose(pair.main, pair.overlay, p.compose, target);
    }
    s.composite_times.record(SteadyClock::now() - start);
    if (!composed) {
        INTERLEAVE_LOG_ERROR("render", "{}", composed.error().message());
        return false;
    }
    ++s.summary.frames_shown;
    ++s.interval_frames;
    if (record) {
        const loader::Catalog& c = p.report.catalog;
        FrameView view{frame.data(), p.out_w, p.out_h, pair.key.index, pair.frame,
                       c.main_folders[static_cast<std::size_t>(pair.key.main_folder)]
                           .frame_path(pair.frame)
                           .string(),
                       c.float_folders[static_cast<std::size_t>(pair.key.float_folder)]
                           .frame_path(pair.frame)
                           .string()};
        p.recorder->try_submit(view);
        ++s.recorded_submits;
    }
    return true;
}

void run_loop(Pipeline& p, const PlayOptions& options, const TimeSource& time, LoopState& s,
              std::promise<Result<void>>& ready) {
    set_current_thread_name("render");
    const config::PlaybackConfig& pb = options.config.playback;
    // The GL context is created and made current here, on the thread that uses it; its
    // outcome goes to play() before anything plays.
    Backend backend;
    if (auto ok = set_up_backend(options.config.output.renderer, backend); !ok) {
        ready.set_value(tl::unexpected(ok.error()));
        return;
    }
    s.renderer = backend.description;
    // A launch epoch is now, when set-up (scan, pool, workers, GL) is done: playback starts
    // at frame 0 instead of a few frames in.
    if (!pb.epoch.unix_ns) p.clock->set_epoch_ns(time.now_ns());
    ready.set_value({});
    std::vector<std::uint8_t> frame(static_cast<std::size_t>(p.out_w) * p.out_h * 4);
    const std::int64_t start_ns = time.now_ns();
    const auto start = SteadyClock::now();
    const std::int64_t stats_ns = static_cast<std::int64_t>(options.stats_interval_s * kNsPerS);
    std::int64_t next_stats_ns = start_ns + stats_ns;
    std::int64_t last_stats_ns = start_ns;
    const auto frame_limit = static_cast<std::uint64_t>(pb.frames);
    const auto duration_ns = static_cast<std::int64_t>(pb.duration_s * kNsPerS);

    std::optional<std::int64_t> current;  // the index being shown
    bool current_shown = false;
    std::int64_t bench_index = p.clock->index_at(start_ns);
    for (;;) {
        if (StopSignal::requested()) {
            s.summary.stopped_by = stop_reason(StopSignal::signal_number());
            break;
        }
        const std::int64_t now_ns = time.now_ns();
        if (duration_ns > 0 && now_ns - start_ns >= duration_ns) {
            s.summary.stopped_by = "duration";
            break;
        }
        const std::int64_t index = options.benchmark ? bench_index : p.clock->index_at(now_ns);
        p.scheduler->feed(index);
        if (!current || index != *current) {
            if (current && !current_shown) {
                // The snapshots take locks: only when someone reads the line.
                if (log::logger().should_log(spdlog::level::debug)) {
                    const loader::PairKey want = p.scheduler->key_at(*current);
                    INTERLEAVE_LOG_DEBUG("render",
                                         "miss: index {} (folders {}/{}, frame {}), fifo depth "
                                         "{}, loader in flight {}",
                                         *current, want.main_folder, want.float_folder,
                                         p.clock->frame_of(*current), p.fifo->stats().depth,
                                         p.loaders->stats().in_flight);
                }
                ++s.summary.misses;
                if (now_ns - start_ns > kNsPerS) ++s.summary.misses_after_1s;
            }
            current = index;
            current_shown = false;
            ++s.summary.indices;
        }
        if (!current_shown) {
            // Benchmark: wait for the pair (the pipeline sets the pace), then move on; a pair
            // that never comes, or failed, is a miss when the index changes.
            const auto wait = options.benchmark ? std::chrono::milliseconds(2000)
                                                : std::chrono::milliseconds(0);
            if (auto pair = p.scheduler->take(index, wait)) {
                if (pair->ok()) {
                    current_shown = show(p, options, s, *pair, backend, frame);
                } else {
                    // Failed to load (counted, logged once per file by the loader): the last
                    // good frame stays for this index; looking again would show the next
                    // index's pair early and run ahead of the clock.
                    current_shown = true;
                    ++s.failed_indices;
                }
            }
            if (options.benchmark) ++bench_index;
        }
        if (frame_limit > 0 && s.summary.frames_shown >= frame_limit) {
            s.summary.stopped_by = "frames";
            break;
        }
        if (stats_ns > 0 && now_ns >= next_stats_ns) {
            print_stats(options.stats_out_file(), p, s,
                        static_cast<double>(now_ns - start_ns) / kNsPerS,
                        static_cast<double>(now_ns - last_stats_ns) / kNsPerS, index);
            s.interval_frames = 0;
            last_stats_ns = now_ns;
            next_stats_ns += stats_ns;
        }
        if (options.benchmark) continue;
        // Sleep to a deadline: the next index, the next retry, or the next stats line.
        std::int64_t wake_ns = p.clock->start_ns_of(index + 1);
        if (!current_shown) wake_ns = std::min(wake_ns, now_ns + kRetryNs);
        if (stats_ns > 0) wake_ns = std::min(wake_ns, next_stats_ns);
        const std::int64_t sleep_ns = std::min<std::int64_t>(wake_ns - time.now_ns(), kNsPerS / 10);
        if (sleep_ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(sleep_ns));
    }
    s.summary.duration_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
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

Result<PlaySummary> play(const PlayOptions& options, std::FILE* stats_out) {
    SystemTimeSource time;
    Pipeline p;
    if (auto ok = build(options, time.now_ns(), p); !ok) return tl::unexpected(ok.error());
    LoopState state;
    PlayOptions run_options = options;
    run_options.stats_out = stats_out;
    std::promise<Result<void>> ready;
    auto ready_result = ready.get_future();
    std::thread render([&] {
        try {
            run_loop(p, run_options, time, state, ready);
        } catch (const std::exception& e) {
            INTERLEAVE_LOG_ERROR("render", "render loop stopped: {}", e.what());
            state.summary.stopped_by = "error";
            try {
                ready.set_value(make_error(ErrorCode::kInternal, "render", "{}", e.what()));
            } catch (const std::future_error&) {
                // the loop had already reported a good start
            }
        }
    });
    Result<void> started = ready_result.get();
    render.join();
    if (!started) {
        p.loaders->stop();
        if (p.recorder) p.recorder->stop();
        return tl::unexpected(started.error());
    }
    // Stop in order: producers, then sinks; counters are final after the joins.
    p.loaders->stop();
    if (p.recorder) p.recorder->stop();

    PlaySummary& s = state.summary;
    const auto fifo = p.fifo->stats();
    const auto loader = p.loaders->stats();
    const auto pool = p.pool->stats();
    s.dropped = fifo.dropped;
    s.failed_loads = loader.failed_loads;
    s.failed_files = loader.failed_files;
    s.fps = s.duration_s > 0 ? static_cast<double>(s.frames_shown) / s.duration_s : 0.0;
    s.peak_rss_mb = mb(peak_rss_bytes());  // the kernel's high-water mark (VmHWM)
    s.details = {
        {"mode", options.benchmark ? "benchmark" : "headless"},
        {"renderer", state.renderer},
        {"output", {{"width", p.out_w}, {"height", p.out_h}}},
        {"frame_count", p.report.catalog.frame_count},
        {"decode_ms_p50", loader.decode_ms_p50},
        {"decode_ms_p99", loader.decode_ms_p99},
        {"composite_ms_p50", state.composite_times.percentile_ms(50)},
        {"composite_ms_p99", state.composite_times.percentile_ms(99)},
        {"rss_mb_end", mb(current_rss_bytes())},
        {"failed_indices", state.failed_indices},
        {"fifo", {{"capacity", fifo.capacity}, {"pushed", fifo.pushed}, {"hits", fifo.hits},
                  {"stale_evicted", fifo.stale_evicted}, {"late_evicted", fifo.late_evicted},
                  {"drop_rate", fifo.drop_rate()}}},
        {"loader", {{"workers", loader.workers}, {"late_dropped", loader.late_dropped},
                    {"pairs_failed", loader.pairs_failed}}},
        {"buffer_pool", {{"max_buffers", pool.max_buffers}, {"high_water", pool.high_water},
                         {"allocations", pool.allocations}, {"bytes", pool.bytes}}},
    };
    if (p.recorder) {
        const auto rec = p.recorder->stats();
        s.details["record"] = {{"dir", p.recorder->dir().string()},
                               {"written", rec.written},
                               {"dropped", rec.dropped},
                               {"failed", rec.failed}};
    }
    if (options.summary_json) {
        std::ofstream out(*options.summary_json);
        out << s.to_json().dump(2) << "\n";
        if (!out) {
            return make_error(ErrorCode::kIo, options.summary_json->string(),
                              "cannot write the summary ({})", std::strerror(errno));
        }
    }
    return s;
}

}  // namespace interleave::app
