// start_sinks: creates the outputs the options ask for (the recorder; the terminal and telnet
// outputs later), each attached to the pipeline's FrameHub and running on its own "sink-NAME"
// thread. Thread: main, before the render thread starts.
#pragma once

#include "app/pipeline.hpp"
#include "app/player.hpp"
#include "core/error.hpp"

namespace interleave::app {

// Needs p.hub. Each sink created is appended to p.sinks (p.recorder points at the recorder).
// Errors name the path or key (a record directory that cannot be made); sinks already started
// stay in p.sinks for stop_pipeline().
[[nodiscard]] Result<void> start_sinks(const PlayOptions& options, Pipeline& p);

}  // namespace interleave::app
