// Sink: an output that takes composited frames from its SinkPort on its own "sink-NAME"
// thread (recorder, terminal, telnet, HTTP stream). The pipeline owns its sinks and stops them
// after the render thread has ended. Thread: start()/stop()/stats() on main; the work on the
// sink's own thread.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace interleave::app {

class Sink {
public:
    virtual ~Sink() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    // Ends the sink's thread within a second (a recorder first writes what it queued);
    // idempotent.
    virtual void stop() = 0;
    // The sink's counters for the summary ("sinks": {"NAME": {...}}), including its port's.
    [[nodiscard]] virtual nlohmann::json stats() const = 0;
};

}  // namespace interleave::app
