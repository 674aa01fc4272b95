// start_sinks: one block per output. Thread: main.
#include "app/sink_setup.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>

#include "app/sinks/frame_recorder.hpp"
#include "app/sinks/telnet_server.hpp"
#include "app/sinks/terminal_sink.hpp"
#include "app/stop_signal.hpp"

namespace interleave::app {

Result<void> start_sinks(const PlayOptions& options, Pipeline& p) {
    if (!p.hub) return make_error(ErrorCode::kInternal, "sinks", "no frame hub to attach to");

    // [SINK] record: --record DIR (every --record-every K-th shown frame), a bounded queue.
    if (options.record_dir) {
        const auto every = static_cast<std::uint64_t>(std::max(1, options.record_every));
        auto recorder = FrameRecorder::create(*options.record_dir, *p.hub, every);
        if (!recorder) return tl::unexpected(recorder.error());
        auto sink = std::make_unique<RecordSink>(std::move(*recorder));
        p.recorder = &sink->recorder();
        p.sinks.push_back(std::move(sink));
    }

    // [SINK] terminal: --mode ascii, the picture on stdout (a terminal: alternate screen and
    // diffs; a pipe or file: plain frames). A key (q, Esc, Ctrl-C) or a gone viewer (closed
    // pipe) ends the player as a stop request does.
    if (options.config.output.mode == config::OutputMode::kAscii) {
        TerminalSinkOptions terminal;
        terminal.ascii = options.config.ascii;
        terminal.on_quit = [](TerminalQuit why) {
            StopSignal::request_by(to_string(why));  // "key", "viewer gone", "output failed"
        };
        auto sink = TerminalSink::start(*p.hub, std::move(terminal));
        if (!sink) return tl::unexpected(sink.error());
        p.sinks.push_back(std::move(*sink));
    }

    // [SINK] telnet: --telnet-port P in any mode, on output.listen; a port in use or a bad
    // address is a start-up error naming telnet.port or output.listen.
    if (options.config.telnet.port != 0) {
        auto port = p.hub->attach("telnet", SinkPolicy::kLatest);
        auto sink = TelnetServer::create(telnet_options_of(options.config), std::move(port));
        if (!sink) return tl::unexpected(sink.error());
        p.sinks.push_back(std::move(*sink));
    }

    return {};
}

}  // namespace interleave::app
