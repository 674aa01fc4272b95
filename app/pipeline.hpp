// Pipeline: everything playback needs, built from the Config and checked before anything plays:
// the scanned catalog, clock, folder selector, FIFO, buffer pool, loader pool, scheduler and
// the frame hub with its sinks (the optional recorder, ...). Thread: built on main; afterwards
// the render thread drives the clock, selector and scheduler and publishes frames to the hub,
// the loader workers fill the FIFO, each sink takes frames on its own thread, and main stops
// them in order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "app/playback/clock.hpp"
#include "app/content_reloader.hpp"
#include "app/playback/folder_selector.hpp"
#include "app/sinks/frame_hub.hpp"
#include "app/sinks/frame_recorder.hpp"
#include "app/sinks/sink.hpp"
#include "app/player.hpp"
#include "app/playback/scheduler.hpp"
#include "core/error.hpp"
#include "loader/buffer_pool.hpp"
#include "loader/catalog.hpp"
#include "loader/frame_fifo.hpp"
#include "loader/loader_pool.hpp"
#include "renderer/backend_ladder.hpp"
#include "renderer/cpu/cpu_compositor.hpp"

namespace interleave::app {

struct Pipeline {
    loader::ScanReport report;
    std::optional<Clock> clock;
    std::optional<FolderSelector> selector;
    std::unique_ptr<loader::FrameFifo> fifo;
    std::unique_ptr<loader::BufferPool> pool;
    std::unique_ptr<loader::LoaderPool> loaders;
    std::unique_ptr<Scheduler> scheduler;
    std::unique_ptr<ContentReloader> reloader;  // SIGHUP: rescans, swaps clock and selector
    // The capture path: the render thread publishes composited frames here; each sink takes
    // them from its port. Declared before the sinks, destroyed after them.
    std::unique_ptr<FrameHub> hub;
    std::vector<std::unique_ptr<Sink>> sinks;
    FrameRecorder* recorder = nullptr;  // --record: the recorder among `sinks` (not owned)
    renderer::cpu::ComposeOptions compose;  // background, rotation and mirror at start
    int out_w = 0;  // headless frame size (window mode: the window's first size)
    int out_h = 0;
};

// Scans the content and builds the pipeline; the loader workers and the sinks (start_sinks())
// start. Errors name the path or key (content, settings, recorder directory, an output mode
// this build lacks).
[[nodiscard]] Result<void> build_pipeline(const PlayOptions& options, std::int64_t launch_ns,
                                          Pipeline& p);

// Stops producers, then sinks: the reload scan and the loader workers, then (the render thread
// has ended already) the hub's ports are closed and each sink stops, a recorder after writing
// what it queued. Idempotent.
void stop_pipeline(Pipeline& p);

renderer::cpu::Rotation rotation_of(int degrees);
renderer::RendererRequest request_of(config::RendererChoice choice);

}  // namespace interleave::app
