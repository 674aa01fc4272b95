// TelnetServer: the "telnet" sink (--telnet-port P): the playing frames as coloured text to
// telnet and nc clients. One Boost.Asio I/O thread ("sink-telnet") serves every client; a
// conversion thread ("sink-telnet-cv") turns frames into text, so conversion never blocks I/O.
// Thread: create()/stop()/stats() on main; the work on the two threads above.
//
// What a client gets:
//   - On connect: IAC WILL ECHO, IAC WILL SGA (BSD telnet switches to character mode), IAC DO
//     NAWS. A client that reports its window size (NAWS, again on every resize) gets frames at
//     that size, each side clamped to 1..kMaxNawsCols x kMaxNawsRows (0 = unknown: the
//     default); one that does not within `naws_grace` (nc) gets the default: ascii.size when
//     set, else 60x40. A set ascii.size is every client's size, NAWS or not.
//   - A full frame that begins with a clear screen (CSI 2J, inside the frame's synchronized
//     update, so no blank flash), then only what changed; a full redraw (with a clear) after a
//     resize and a full frame after a skipped one.
//   - Ctrl-C (IAC IP, or a raw 0x03 byte from nc-like clients) closes it. Options it asks for
//     that the server lacks are refused once each (TelnetNegotiator).
//   - Past max_clients, one line ("interleave: server full (N viewers), try again later") and
//     the connection is closed.
//
// Cost and memory:
//   - Each frame is converted once per grid size in use (every client has the same look): 50
//     clients at one size cost one conversion. Per size the server keeps the previous text
//     frame, encodes the diff once and the full frame once (only when a client needs it) and
//     shares the bytes among that size's clients.
//   - Per client at most one write in flight plus one pending frame: a newer frame replaces
//     the pending one (counted as skipped). A client whose write has made no progress for
//     stall_timeout_s is closed (counted). Input is parsed as it arrives, never buffered
//     beyond a 64-byte subnegotiation; answers to negotiation are capped at 4 KiB per client.
//   - Frames are taken from the port at most `fps` times a second; an unchanged sequence
//     sends nothing; while no client is connected the port says it wants no frames.
// Failure: should either thread end by an exception (a bug, or out of memory), the server
// closes every client and the listener (new connects are refused, not served nothing), logs an
// error naming the telnet sink, says no more frames are wanted and reports "failed" in its
// stats; playback goes on.
// Limits: no authentication, no encryption (telnet): keep output.listen on loopback or a
// trusted network. The colour mode and look are the server's, not negotiated per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "app/sinks/frame_hub.hpp"
#include "app/sinks/sink.hpp"
#include "config/config.hpp"
#include "core/error.hpp"

namespace interleave::app {

// The largest grid a client's NAWS may ask for: bounds the conversion cost a client can cause.
inline constexpr int kMaxNawsCols = 400;
inline constexpr int kMaxNawsRows = 200;

struct TelnetOptions {
    std::string listen = "127.0.0.1";  // output.listen: an IPv4 or IPv6 literal
    int port = 2323;                   // telnet.port; 0 = any free port (see local_port())
    int max_clients = 10;              // telnet.max_clients; 1..1000
    double stall_timeout_s = 10.0;     // telnet.stall_timeout_s
    double fps = 15.0;                 // ascii.fps: frames taken per second, at most
    config::AsciiConfig ascii;         // the look; ascii.size: every client's grid when set
    // How long a new client may take to report its size before it gets the default one.
    std::chrono::milliseconds naws_grace{250};
    // Tests only: called on the conversion thread before each batch it converts, and on the
    // I/O thread with each batch it delivers; an exception from one is that thread's failure.
    std::function<void()> conversion_hook_for_test;
    std::function<void()> io_hook_for_test;
};

// The options from the config: output.listen, telnet.*, ascii.*.
[[nodiscard]] TelnetOptions telnet_options_of(const config::Config& config);

// Counters, each since start. Thread: read anywhere (atomics underneath).
struct TelnetStats {
    std::uint64_t clients_now = 0;
    std::uint64_t clients_peak = 0;
    std::uint64_t clients_total = 0;      // clients served (refused ones not included)
    std::uint64_t refused_full = 0;       // told "server full" and closed
    std::uint64_t closed_stalled = 0;     // no write progress for stall_timeout_s
    std::uint64_t closed_by_client = 0;   // EOF, IAC IP or Ctrl-C
    std::uint64_t read_errors = 0;        // reads that failed (connection reset, ...)
    std::uint64_t write_errors = 0;       // writes that failed (broken pipe, reset, ...)
    std::uint64_t accept_errors = 0;      // accept() failed (out of file descriptors, ...)
    std::uint64_t frames_sent = 0;        // frames (full or diff) written to a client
    std::uint64_t frames_full = 0;        // of those, full frames
    std::uint64_t frames_skipped = 0;     // a pending frame replaced by a newer one
    std::uint64_t bytes_sent = 0;         // every byte written (frames, negotiation, messages)
    std::uint64_t frames_taken = 0;       // frames taken from the port
    std::uint64_t conversions = 0;        // AsciiConverter::convert calls (one per size a frame)
    std::uint64_t negotiations_seen = 0;  // WILL/WONT/DO/DONT and subnegotiations from clients
    std::uint64_t malformed = 0;          // malformed telnet sequences from clients
    std::uint64_t replies_dropped = 0;    // negotiation answers over a client's cap
    bool failed = false;                  // a thread ended by an exception: serving nothing
};

class TelnetServer final : public Sink {
public:
    // Listens on options.listen:options.port and starts both threads. Errors: a bad address
    // (subject output.listen), a port that cannot be bound, e.g. in use (subject telnet.port).
    // `port` is the hub's "telnet" port (kLatest).
    [[nodiscard]] static Result<std::unique_ptr<TelnetServer>> create(
        const TelnetOptions& options, std::shared_ptr<SinkPort> port);
    ~TelnetServer() override;  // stop()
    TelnetServer(const TelnetServer&) = delete;
    TelnetServer& operator=(const TelnetServer&) = delete;

    [[nodiscard]] std::string_view name() const override { return "telnet"; }
    // Closes the listener and every client, ends both threads (within a second). Idempotent.
    void stop() override;
    // The counters above plus the port's: {"clients": {"now", "peak", "total"}, ...,
    // "failed": bool, "failure": text (when failed), "port": {"offered", "taken", "skipped"}}.
    [[nodiscard]] nlohmann::json stats() const override;
    [[nodiscard]] TelnetStats counters() const;
    // The port actually listened on (options.port, or the one chosen for 0).
    [[nodiscard]] int local_port() const;

private:
    struct Impl;
    explicit TelnetServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace interleave::app
