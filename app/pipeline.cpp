// Pipeline: building and stopping the playback pipeline. Thread: main.
#include "app/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "app/loader_flags.hpp"
#include "app/sink_setup.hpp"
#include "app/stop_signal.hpp"
#include "core/log.hpp"

namespace interleave::app {
namespace {

SelectMode select_mode_of(config::SelectMode mode) {
    switch (mode) {
    case config::SelectMode::kFixed: return SelectMode::kFixed;
    case config::SelectMode::kSequential: return SelectMode::kSequential;
    default: return SelectMode::kRandom;
    }
}

// Every output mode is built in (ascii: headless rendering plus the terminal sink).
Result<void> check_output(const config::OutputConfig&) { return {}; }

}  // namespace

renderer::cpu::Rotation rotation_of(int degrees) {
    switch (degrees) {
    case 90: return renderer::cpu::Rotation::k90;
    case 180: return renderer::cpu::Rotation::k180;
    case 270: return renderer::cpu::Rotation::k270;
    default: return renderer::cpu::Rotation::k0;
    }
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

Result<void> build_pipeline(const PlayOptions& options, std::int64_t launch_ns, Pipeline& p) {
    const config::Config& cfg = options.config;
    if (auto ok = check_output(cfg.output); !ok) return ok;
    loader::CatalogOptions scan_options = catalog_options(cfg.loader);
    scan_options.stop_requested = &StopSignal::requested;  // a signal ends a long scan at once
    p.report = loader::scan_catalog(cfg.content.images, scan_options);
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
    ReloadSettings reload{cfg.content.images, catalog_options(cfg.loader), select};
    p.reloader = std::make_unique<ContentReloader>(std::move(reload), catalog, *p.clock,
                                                   *p.selector, *p.loaders, *p.scheduler);

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
    p.hub = std::make_unique<FrameHub>();
    return start_sinks(options, p);
}

void stop_pipeline(Pipeline& p) {
    if (p.reloader) p.reloader->stop();
    // The pool first: a worker waiting for a free buffer wakes now instead of after the
    // decoder's pool_timeout (a second), and every later acquire fails at once.
    if (p.pool) p.pool->shutdown();
    if (p.loaders) p.loaders->stop();
    // The render thread has ended (it publishes nothing more): the sinks' waits end, and each
    // stops, a recorder after writing what its port still holds.
    if (p.hub) p.hub->close_all();
    for (const auto& sink : p.sinks) sink->stop();
}

}  // namespace interleave::app
