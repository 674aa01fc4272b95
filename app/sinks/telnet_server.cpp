// TelnetServer: the I/O thread's clients (accept, negotiation, per-client write queue of one
// frame in flight plus one pending, stall sweep) and the conversion thread's size groups (one
// converter, previous frame and shared encoded bytes per grid size).
//
// Index:
//   [SECTION] Types          grid keys, the frames handed from conversion to I/O, clients
//   [SECTION] Impl           the shared state and who may touch what
//   [SECTION] I/O thread     accept, read, negotiate, join/leave groups, deliver, write, sweep
//   [SECTION] Conversion     take, convert once per size, encode diff and full, hand over
//   [SECTION] TelnetServer   create, stop, stats
#ifndef BOOST_ASIO_NO_DEPRECATED
#define BOOST_ASIO_NO_DEPRECATED
#endif

#include "app/sinks/telnet_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "app/sinks/ascii_settings.hpp"
#include "app/sinks/telnet_protocol.hpp"
#include "core/log.hpp"
#include "core/thread.hpp"
#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::app {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using boost::system::error_code;

// [SECTION] Types

namespace {

using Bytes = std::shared_ptr<const std::string>;

struct GridKey {
    int cols = 0;
    int rows = 0;
    auto operator<=>(const GridKey&) const = default;
};

// One frame for one grid size, from the conversion thread to the I/O thread.
struct GroupFrame {
    GridKey grid;
    std::uint64_t gen = 0;       // this conversion; unique across sizes, increasing
    std::uint64_t prev_gen = 0;  // what `diff` applies to; 0: none
    Bytes diff;                  // null: none; empty: nothing changed
    Bytes full;                  // null: not encoded (no client of this size needed one)
};
using Batch = std::vector<GroupFrame>;

// What the I/O thread tells the conversion thread about one grid size.
struct Demand {
    int clients = 0;    // clients of this size
    int want_full = 0;  // of those, waiting for a full frame: encode one with the next frame
    // Raised (from one counter for every size) each time a client starts waiting for a full
    // frame: a stamp newer than the conversion thread's last answer asks for one of the
    // newest conversion now, even when no new frame comes.
    std::uint64_t full_request = 0;
};

constexpr std::size_t kReadChunk = 512;
constexpr std::size_t kMaxControlBytes = 4096;  // negotiation answers queued per client
constexpr auto kRefusedLinger = std::chrono::seconds(2);
constexpr auto kTakeSlice = std::chrono::milliseconds(20);
constexpr auto kStopGrace = std::chrono::seconds(1);
// Before a client's first full frame and after a resize: the old picture may stick out of the
// new grid. Put inside the frame's synchronized update, as the terminal sink does.
constexpr std::string_view kClearScreen = "\x1b[0m\x1b[2J";
constexpr std::string_view kSyncBegin = "\x1b[?2026h";

// Text frames have no 0xFF byte (ASCII, escapes and UTF-8); should one appear, it is doubled
// as telnet requires. A memchr per frame.
void escape_iac(std::string& bytes) {
    if (std::memchr(bytes.data(), 0xff, bytes.size()) == nullptr) return;
    std::string escaped;
    escaped.reserve(bytes.size() + 16);
    for (const char c : bytes) {
        escaped.push_back(c);
        if (static_cast<unsigned char>(c) == telnet::kIac) escaped.push_back(c);
    }
    bytes.swap(escaped);
}

// A full frame with a clear screen just inside its synchronized-update bracket (at the start
// when it has none). One copy per client join or resize, not per frame.
Bytes with_clear(const std::string& full) {
    auto out = std::make_shared<std::string>();
    const std::size_t at = full.rfind(kSyncBegin, 0) == 0 ? kSyncBegin.size() : 0;
    out->reserve(full.size() + kClearScreen.size());
    out->append(full, 0, at);
    out->append(kClearScreen);
    out->append(full, at, std::string::npos);
    return out;
}

std::string endpoint_text(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                           : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

// One connection. Thread: the I/O thread only.
struct Client {
    Client(asio::io_context& io, tcp::socket s) : socket(std::move(s)), naws_timer(io) {}

    std::uint64_t id = 0;
    tcp::socket socket;
    asio::steady_timer naws_timer;
    telnet::TelnetParser parser;
    telnet::TelnetNegotiator negotiator;
    std::array<std::uint8_t, kReadChunk> read_buf{};
    std::string data_scratch;
    std::vector<telnet::TelnetEvent> event_scratch;
    SteadyClock::time_point accepted_at{};

    bool open = true;
    bool refused = false;  // told "server full"; drained until EOF or kRefusedLinger
    bool joined = false;   // has a size and belongs to its group
    GridKey grid;
    bool needs_full = false;       // counted in its group's want_full while joined
    bool needs_clear = true;       // the next full frame starts with a clear screen
    std::uint64_t queued_gen = 0;  // what it shows once its writes complete; 0: nothing valid

    // --- the write queue: one write in flight, one frame pending
    bool writing = false;
    std::string control;  // negotiation answers: sent first with the next write
    std::string in_flight_control;
    Bytes in_flight_frame;
    bool in_flight_full = false;
    std::size_t control_offset = 0;
    std::size_t frame_offset = 0;
    Bytes pending;
    bool pending_full = false;
    SteadyClock::time_point last_progress{};  // a write started on an idle client, or advanced
};
using ClientRef = std::shared_ptr<Client>;

// One grid size's frames on the I/O thread.
struct IoGroup {
    int clients = 0;
    int want_full = 0;
    std::uint64_t full_request = 0;
    std::uint64_t current_gen = 0;  // the newest frame delivered for this size
    Bytes full;                     // its full encoding, when one was made
    std::uint64_t full_gen = 0;
};

// One grid size on the conversion thread.
struct ConvGroup {
    explicit ConvGroup(const renderer::ascii::AsciiOptions& options) : converter(options) {}
    renderer::ascii::AsciiConverter converter;
    renderer::ascii::TextFrame prev;
    renderer::ascii::TextFrame cur;
    std::uint64_t gen = 0;              // cur's conversion; 0: none yet
    std::uint64_t source_sequence = 0;  // the hub sequence cur was converted from
    std::uint64_t full_posted_gen = 0;  // the newest gen whose full frame went out
    std::uint64_t full_answered = 0;    // the newest Demand::full_request answered
};

}  // namespace

// [SECTION] Impl

struct TelnetServer::Impl {
    Impl(const TelnetOptions& opts, std::shared_ptr<SinkPort> p)
        : options(opts),
          port(std::move(p)),
          period(std::chrono::duration_cast<SteadyClock::duration>(
              std::chrono::duration<double>(1.0 / std::clamp(opts.fps, 0.1, 1000.0)))),
          stall_timeout(std::chrono::duration_cast<SteadyClock::duration>(
              std::chrono::duration<double>(std::max(0.001, opts.stall_timeout_s)))),
          default_grid(grid_of(0, 0)),
          full_message(fmt::format("interleave: server full ({} viewers), try again later\r\n",
                                   opts.max_clients)) {}

    // The grid for a client's NAWS report (0: unknown).
    [[nodiscard]] GridKey grid_of(int width, int height) const {
        const CellSize viewer{width > 0 ? std::min(width, kMaxNawsCols) : 0,
                              height > 0 ? std::min(height, kMaxNawsRows) : 0};
        const CellSize grid = ascii_grid(options.ascii, viewer);
        return {grid.cols, grid.rows};
    }

    // --- immutable after construction
    const TelnetOptions options;
    const std::shared_ptr<SinkPort> port;
    const SteadyClock::duration period;
    const SteadyClock::duration stall_timeout;
    const GridKey default_grid;
    const std::string full_message;
    std::string listen_text;  // set in create() before the threads start
    int local_port = 0;

    // --- Asio objects: used by the I/O thread once it runs (post() from any thread)
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    asio::steady_timer sweep_timer{io};
    asio::steady_timer accept_retry{io};

    // --- I/O thread only
    ThreadChecker io_thread_checker;
    std::map<std::uint64_t, ClientRef> clients;   // served
    std::map<std::uint64_t, ClientRef> refusing;  // told "server full", draining
    std::map<GridKey, IoGroup> io_groups;
    std::uint64_t next_client_id = 1;
    std::uint64_t next_full_request = 1;
    bool io_stopping = false;
    bool accept_error_logged = false;

    // --- conversion thread only
    std::map<GridKey, ConvGroup> conv_groups;
    std::uint64_t next_gen = 1;

    // --- guarded by mutex (leaf lock: never call out while holding it)
    std::mutex mutex;
    std::condition_variable wake;  // the conversion thread: demand changed, or stopping
    std::map<GridKey, Demand> demand;
    bool demand_dirty = false;
    bool stopping = false;
    bool halted = false;  // a thread failed: the conversion thread ends
    std::string failure;  // which thread failed and why; empty: none

    // --- counters: written by the two threads, read anywhere
    std::atomic<std::uint64_t> clients_now{0}, clients_peak{0}, clients_total{0}, refused_full{0},
        closed_stalled{0}, closed_by_client{0}, read_errors{0}, write_errors{0}, accept_errors{0},
        frames_sent{0}, frames_full{0}, frames_skipped{0}, bytes_sent{0}, frames_taken{0},
        conversions{0}, negotiations_seen{0}, malformed{0}, replies_dropped{0};
    std::atomic<bool> failed{false};

    // --- main thread only
    std::thread io_thread;
    std::thread conversion_thread;
    std::future<void> io_done;
    bool stopped = false;

    // I/O thread
    void run_io(std::promise<void> done);
    void start_accept();
    void on_accept(const error_code& ec, tcp::socket socket);
    void admit(const ClientRef& c);
    void refuse(const ClientRef& c);
    void start_read(const ClientRef& c);
    void on_read(const ClientRef& c, const error_code& ec, std::size_t n);
    void handle_input(const ClientRef& c, std::size_t n);
    void add_control(Client& c, std::string_view bytes);
    void join(const ClientRef& c, GridKey grid);
    void leave(Client& c);
    void set_needs_full(Client& c, bool needs);
    void update_demand(GridKey grid, const IoGroup* group);
    void deliver(const Batch& batch);
    void offer(const ClientRef& c, const GroupFrame& frame);
    void queue_frame(const ClientRef& c, Bytes bytes, std::uint64_t gen, bool full);
    void start_write(const ClientRef& c);
    void write_more(const ClientRef& c);
    void on_written(const ClientRef& c, const error_code& ec, std::size_t n);
    void close(const ClientRef& c);
    void start_sweep();
    void sweep();
    void shutdown_io();
    void abandon_io();
    // either thread
    void fail(std::string_view where, std::string_view what);
    // conversion thread
    void run_conversion();
    void convert_group(GridKey grid, ConvGroup& g, const FrameRef& frame, bool want_full,
                       Batch& batch);
};

// [SECTION] I/O thread

void TelnetServer::Impl::run_io(std::promise<void> done) {
    set_current_thread_name("sink-telnet");
    io_thread_checker.bind_to_current();
    bool threw = true;
    try {
        start_accept();
        start_sweep();
        io.run();
        threw = false;
    } catch (const std::exception& e) {
        fail("I/O", e.what());
    } catch (...) {
        fail("I/O", "an unknown exception");
    }
    if (threw) {
        // What is left in io (aborted reads and writes) is destroyed with it, never run.
        try {
            abandon_io();
        } catch (...) {  // best effort: the failure is logged already
        }
    }
    done.set_value();
}

void TelnetServer::Impl::start_accept() {
    acceptor.async_accept(
        [this](const error_code& ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void TelnetServer::Impl::on_accept(const error_code& ec, tcp::socket socket) {
    INTERLEAVE_ASSERT_THREAD(io_thread_checker);
    if (io_stopping || ec == asio::error::operation_aborted) return;
    if (ec) {
        // Out of file descriptors, or the like: try again shortly, without a busy loop.
        accept_errors.fetch_add(1, std::memory_order_relaxed);
        if (!accept_error_logged) {
            accept_error_logged = true;
            INTERLEAVE_LOG_WARN("telnet", "accept failed: {} (retrying; logged once)",
                                ec.message());
        }
        accept_retry.expires_after(std::chrono::milliseconds(100));
        accept_retry.async_wait([this](const error_code& wait_ec) {
            if (!wait_ec && !io_stopping) start_accept();
        });
        return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto c = std::make_shared<Client>(io, std::move(socket));
    c->id = next_client_id++;
    c->accepted_at = SteadyClock::now();
    if (clients.size() >= static_cast<std::size_t>(std::max(1, options.max_clients))) {
        refuse(c);
    } else {
        admit(c);
    }
    start_accept();
}

void TelnetServer::Impl::admit(const ClientRef& c) {
    clients.emplace(c->id, c);
    const std::uint64_t now = clients.size();
    clients_now.store(now, std::memory_order_relaxed);
    if (now > clients_peak.load(std::memory_order_relaxed)) {
        clients_peak.store(now, std::memory_order_relaxed);
    }
    clients_total.fetch_add(1, std::memory_order_relaxed);
    port->set_wanted(true);
    error_code ignored;
    INTERLEAVE_LOG_DEBUG("telnet", "client {} connected from {}", c->id,
                         endpoint_text(c->socket.remote_endpoint(ignored)));
    add_control(*c, telnet::TelnetNegotiator::greeting());
    start_write(c);
    start_read(c);
    // A client that has not told its size by then (nc never does) gets the default one.
    c->naws_timer.expires_after(options.naws_grace);
    c->naws_timer.async_wait([this, c](const error_code& ec) {
        if (!ec && c->open && !c->joined) join(c, default_grid);
    });
}

void TelnetServer::Impl::refuse(const ClientRef& c) {
    refused_full.fetch_add(1, std::memory_order_relaxed);
    c->refused = true;
    // Past a cap of connections being told, close at once: a connection flood costs nothing.
    if (refusing.size() >= static_cast<std::size_t>(std::max(16, options.max_clients))) {
        error_code ignored;
        c->socket.close(ignored);
        c->open = false;
        return;
    }
    refusing.emplace(c->id, c);
    c->control.assign(full_message);
    start_write(c);
    start_read(c);
}

void TelnetServer::Impl::start_read(const ClientRef& c) {
    c->socket.async_read_some(
        asio::buffer(c->read_buf),
        [this, c](const error_code& ec, std::size_t n) { on_read(c, ec, n); });
}

void TelnetServer::Impl::on_read(const ClientRef& c, const error_code& ec, std::size_t n) {
    INTERLEAVE_ASSERT_THREAD(io_thread_checker);
    if (!c->open) return;
    if (ec) {
        if (ec == asio::error::eof) {
            if (!c->refused) closed_by_client.fetch_add(1, std::memory_order_relaxed);
        } else if (ec != asio::error::operation_aborted) {
            read_errors.fetch_add(1, std::memory_order_relaxed);
        }
        close(c);
        return;
    }
    if (!c->refused) {
        handle_input(c, n);
        if (!c->open) return;
    }
    start_read(c);
}

void TelnetServer::Impl::handle_input(const ClientRef& c, std::size_t n) {
    c->data_scratch.clear();
    c->event_scratch.clear();
    const std::uint64_t malformed_before = c->parser.malformed();
    c->parser.feed(std::span<const std::uint8_t>(c->read_buf.data(), n), c->data_scratch,
                   c->event_scratch);
    malformed.fetch_add(c->parser.malformed() - malformed_before, std::memory_order_relaxed);

    using Kind = telnet::TelnetEvent::Kind;
    std::string reply;
    for (const telnet::TelnetEvent& event : c->event_scratch) {
        switch (event.kind) {
            case Kind::kNegotiation:
                negotiations_seen.fetch_add(1, std::memory_order_relaxed);
                c->negotiator.on_negotiation(event.verb, event.code, reply);
                if (event.verb == telnet::Verb::kWont && event.code == telnet::kOptNaws &&
                    !c->joined) {
                    join(c, default_grid);  // it will never tell its size
                }
                break;
            case Kind::kWindowSize: {
                negotiations_seen.fetch_add(1, std::memory_order_relaxed);
                const GridKey grid = grid_of(event.width, event.height);
                if (!c->joined || grid != c->grid) {
                    INTERLEAVE_LOG_DEBUG("telnet", "client {}: window {}x{}, grid {}x{}", c->id,
                                         event.width, event.height, grid.cols, grid.rows);
                    join(c, grid);
                }
                break;
            }
            case Kind::kSubnegotiation:
                negotiations_seen.fetch_add(1, std::memory_order_relaxed);
                break;
            case Kind::kInterrupt:
                closed_by_client.fetch_add(1, std::memory_order_relaxed);
                close(c);
                return;
            case Kind::kCommand:
                break;
        }
    }
    if (c->data_scratch.find(telnet::kCtrlC) != std::string::npos) {
        closed_by_client.fetch_add(1, std::memory_order_relaxed);
        close(c);
        return;
    }
    if (!reply.empty()) {
        add_control(*c, reply);
        start_write(c);
    }
}

void TelnetServer::Impl::add_control(Client& c, std::string_view bytes) {
    if (c.control.size() + bytes.size() > kMaxControlBytes) {
        replies_dropped.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    c.control.append(bytes);
}

// Puts `c` into the group of `grid` (leaving its old one): it needs a full frame, after a
// clear. The group's full frame of its newest conversion, when there is one, goes out at once.
void TelnetServer::Impl::join(const ClientRef& c, GridKey grid) {
    c->naws_timer.cancel();
    leave(*c);
    if (c->pending) c->pending.reset();  // a frame for the old size
    c->grid = grid;
    c->joined = true;
    c->needs_clear = true;
    c->queued_gen = 0;
    IoGroup& group = io_groups[grid];
    ++group.clients;
    if (group.full && group.full_gen == group.current_gen && group.current_gen != 0) {
        update_demand(grid, &group);
        queue_frame(c, group.full, group.current_gen, true);
    } else {
        set_needs_full(*c, true);  // the conversion thread makes one
    }
}

void TelnetServer::Impl::leave(Client& c) {
    if (!c.joined) return;
    set_needs_full(c, false);
    c.joined = false;
    const auto it = io_groups.find(c.grid);
    assert(it != io_groups.end() && "a joined client's group exists");
    if (--it->second.clients == 0) {
        io_groups.erase(it);
        update_demand(c.grid, nullptr);
    } else {
        update_demand(c.grid, &it->second);
    }
}

void TelnetServer::Impl::set_needs_full(Client& c, bool needs) {
    if (c.needs_full == needs) return;
    c.needs_full = needs;
    if (!c.joined) return;
    const auto it = io_groups.find(c.grid);
    assert(it != io_groups.end() && "a joined client's group exists");
    it->second.want_full += needs ? 1 : -1;
    if (needs) it->second.full_request = next_full_request++;
    update_demand(c.grid, &it->second);
}

// Mirrors one group's counts into `demand` for the conversion thread (nullptr: gone).
void TelnetServer::Impl::update_demand(GridKey grid, const IoGroup* group) {
    bool notify = false;
    {
        std::lock_guard lock(mutex);
        if (group == nullptr) {
            demand.erase(grid);
        } else {
            Demand& d = demand[grid];
            notify = d.clients == 0 || group->full_request != d.full_request;
            d.clients = group->clients;
            d.want_full = group->want_full;
            d.full_request = group->full_request;
        }
        demand_dirty = true;
    }
    if (notify) wake.notify_one();
}

void TelnetServer::Impl::deliver(const Batch& batch) {
    INTERLEAVE_ASSERT_THREAD(io_thread_checker);
    if (io_stopping) return;
    if (options.io_hook_for_test) options.io_hook_for_test();
    for (const GroupFrame& frame : batch) {
        const auto it = io_groups.find(frame.grid);
        if (it == io_groups.end()) continue;
        IoGroup& group = it->second;
        if (frame.gen >= group.current_gen) {
            group.current_gen = frame.gen;
            if (frame.full) {
                group.full = frame.full;
                group.full_gen = frame.gen;
            } else if (group.full_gen != frame.gen) {
                group.full.reset();
            }
        }
    }
    for (const auto& [id, c] : clients) {
        if (!c->joined) continue;
        for (const GroupFrame& frame : batch) {
            if (frame.grid == c->grid) offer(c, frame);
        }
    }
}

// The frame's diff when the client will be at the frame it applies to and nothing is pending;
// otherwise its full frame, replacing a pending one (a skip); without a full frame, the client
// waits for the one the conversion thread makes next.
void TelnetServer::Impl::offer(const ClientRef& c, const GroupFrame& frame) {
    if (!c->needs_full) {
        if (c->queued_gen == frame.gen) return;  // has it already (a repeat for others)
        if (frame.diff && frame.prev_gen != 0 && c->queued_gen == frame.prev_gen) {
            if (frame.diff->empty()) {
                c->queued_gen = frame.gen;
                return;
            }
            if (!c->pending) {
                queue_frame(c, frame.diff, frame.gen, false);
                return;
            }
        }
    }
    if (!frame.full) {
        set_needs_full(*c, true);
        return;
    }
    queue_frame(c, frame.full, frame.gen, true);
}

void TelnetServer::Impl::queue_frame(const ClientRef& c, Bytes bytes, std::uint64_t gen,
                                     bool full) {
    if (c->pending) {  // the newest replaces the older
        frames_skipped.fetch_add(1, std::memory_order_relaxed);
        c->pending.reset();
    }
    if (full) {
        if (c->needs_clear) {
            bytes = with_clear(*bytes);
            c->needs_clear = false;
        }
        set_needs_full(*c, false);
    }
    c->pending = std::move(bytes);
    c->pending_full = full;
    c->queued_gen = gen;
    start_write(c);
}

void TelnetServer::Impl::start_write(const ClientRef& c) {
    if (!c->open || c->writing) return;
    if (c->control.empty() && !c->pending) return;
    c->in_flight_control.swap(c->control);
    c->control.clear();
    c->in_flight_frame = std::move(c->pending);
    c->pending.reset();
    c->in_flight_full = c->pending_full;
    c->control_offset = 0;
    c->frame_offset = 0;
    c->writing = true;
    c->last_progress = SteadyClock::now();
    write_more(c);
}

void TelnetServer::Impl::write_more(const ClientRef& c) {
    const std::array<asio::const_buffer, 2> buffers{
        asio::buffer(c->in_flight_control) + c->control_offset,
        c->in_flight_frame ? asio::buffer(*c->in_flight_frame) + c->frame_offset
                           : asio::const_buffer()};
    c->socket.async_write_some(
        buffers, [this, c](const error_code& ec, std::size_t n) { on_written(c, ec, n); });
}

void TelnetServer::Impl::on_written(const ClientRef& c, const error_code& ec, std::size_t n) {
    INTERLEAVE_ASSERT_THREAD(io_thread_checker);
    bytes_sent.fetch_add(n, std::memory_order_relaxed);
    if (!c->open) return;
    if (ec) {
        if (ec != asio::error::operation_aborted) {
            write_errors.fetch_add(1, std::memory_order_relaxed);
        }
        close(c);
        return;
    }
    c->last_progress = SteadyClock::now();
    const std::size_t from_control = std::min(n, c->in_flight_control.size() - c->control_offset);
    c->control_offset += from_control;
    c->frame_offset += n - from_control;
    const std::size_t frame_size = c->in_flight_frame ? c->in_flight_frame->size() : 0;
    if (c->control_offset < c->in_flight_control.size() || c->frame_offset < frame_size) {
        write_more(c);
        return;
    }
    if (c->in_flight_frame) {
        frames_sent.fetch_add(1, std::memory_order_relaxed);
        if (c->in_flight_full) frames_full.fetch_add(1, std::memory_order_relaxed);
    }
    c->writing = false;
    c->in_flight_frame.reset();
    c->in_flight_control.clear();
    if (c->refused) {
        // The message is out: no more to say; wait for the client's EOF (or the linger).
        error_code ignored;
        c->socket.shutdown(tcp::socket::shutdown_send, ignored);
        return;
    }
    start_write(c);
}

void TelnetServer::Impl::close(const ClientRef& c) {
    if (!c->open) return;
    const ClientRef keep = c;  // the maps may hold the last reference
    c->open = false;
    leave(*c);
    c->pending.reset();
    error_code ignored;
    c->naws_timer.cancel();
    c->socket.close(ignored);  // pending operations end with operation_aborted
    if (c->refused) {
        refusing.erase(c->id);
        return;
    }
    clients.erase(c->id);
    clients_now.store(clients.size(), std::memory_order_relaxed);
    if (clients.empty()) port->set_wanted(false);
    INTERLEAVE_LOG_DEBUG("telnet", "client {} closed", c->id);
}

void TelnetServer::Impl::start_sweep() {
    const auto interval = std::clamp<SteadyClock::duration>(
        stall_timeout / 4, std::chrono::milliseconds(50), std::chrono::seconds(1));
    sweep_timer.expires_after(interval);
    sweep_timer.async_wait([this](const error_code& ec) {
        if (ec || io_stopping) return;
        sweep();
        start_sweep();
    });
}

// Closes clients whose write has not advanced for stall_timeout, and refused connections past
// their linger.
void TelnetServer::Impl::sweep() {
    const auto now = SteadyClock::now();
    std::vector<ClientRef> stalled;
    for (const auto& [id, c] : clients) {
        if (c->writing && now - c->last_progress > stall_timeout) stalled.push_back(c);
    }
    for (const ClientRef& c : stalled) {
        closed_stalled.fetch_add(1, std::memory_order_relaxed);
        INTERLEAVE_LOG_DEBUG("telnet", "client {} stalled; closing", c->id);
        close(c);
    }
    std::vector<ClientRef> done;
    for (const auto& [id, c] : refusing) {
        if (now - c->accepted_at > kRefusedLinger) done.push_back(c);
    }
    for (const ClientRef& c : done) close(c);
}

void TelnetServer::Impl::shutdown_io() {
    io_stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    sweep_timer.cancel();
    accept_retry.cancel();
    std::vector<ClientRef> all;
    for (const auto& [id, c] : clients) all.push_back(c);
    for (const auto& [id, c] : refusing) all.push_back(c);
    for (const ClientRef& c : all) close(c);
    io_groups.clear();
}

// After a failure: closes the listener and every client without the group bookkeeping (which
// a throw may have left half done), so new connects are refused rather than served nothing.
void TelnetServer::Impl::abandon_io() {
    io_stopping = true;
    error_code ignored;
    acceptor.close(ignored);
    sweep_timer.cancel();
    accept_retry.cancel();
    for (auto* map : {&clients, &refusing}) {
        for (const auto& [id, c] : *map) {
            c->open = false;
            c->pending.reset();
            c->naws_timer.cancel();
            c->socket.close(ignored);
        }
        map->clear();
    }
    io_groups.clear();
    clients_now.store(0, std::memory_order_relaxed);
    {
        std::lock_guard lock(mutex);
        demand.clear();
        demand_dirty = true;
    }
    port->set_wanted(false);
}

// Records the first failure, ends the conversion thread, wants no more frames, logs. The
// caller then closes everything on the I/O thread (abandon_io).
void TelnetServer::Impl::fail(std::string_view where, std::string_view what) {
    {
        std::lock_guard lock(mutex);
        halted = true;
        if (!failure.empty()) return;
        failure = fmt::format("{} thread: {}", where, what);
    }
    failed.store(true, std::memory_order_release);
    wake.notify_all();
    port->set_wanted(false);
    INTERLEAVE_LOG_ERROR("telnet",
                         "telnet sink failed ({} thread: {}): closed every client and the "
                         "listener on {}; playback goes on without it",
                         where, what, listen_text);
}

// [SECTION] Conversion

void TelnetServer::Impl::run_conversion() {
    set_current_thread_name("sink-telnet-cv");
    try {
        auto next_tick = SteadyClock::now();
        std::map<GridKey, Demand> snapshot;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                const auto now = SteadyClock::now();
                if (!stopping && !demand_dirty && (demand.empty() || now < next_tick)) {
                    // Until the next frame may be taken, or something changes.
                    const auto until = demand.empty() ? now + std::chrono::seconds(1) : next_tick;
                    wake.wait_until(lock, until,
                                    [this] { return stopping || halted || demand_dirty; });
                }
                if (stopping || halted) break;
                snapshot = demand;
                demand_dirty = false;
            }
            for (auto it = conv_groups.begin(); it != conv_groups.end();) {
                it = snapshot.contains(it->first) ? std::next(it) : conv_groups.erase(it);
            }
            if (snapshot.empty()) continue;
            if (options.conversion_hook_for_test) options.conversion_hook_for_test();

            FrameRef frame;
            if (SteadyClock::now() >= next_tick) {
                // A short wait, so that a new client's request is answered promptly.
                frame = port->wait_take(kTakeSlice);
                if (frame) {
                    frames_taken.fetch_add(1, std::memory_order_relaxed);
                    // On the schedule (a frame late by jitter does not push the next one
                    // back, so a source at exactly `fps` loses none), never before now.
                    next_tick = std::max(next_tick + period, SteadyClock::now());
                }
            }
            Batch batch;
            for (const auto& [grid, d] : snapshot) {
                auto it = conv_groups.find(grid);
                if (it == conv_groups.end()) {
                    it = conv_groups
                             .try_emplace(grid, ascii_options(options.ascii, grid.cols, grid.rows))
                             .first;
                }
                ConvGroup& g = it->second;
                const bool want_full = d.want_full > 0;
                const bool asked = d.full_request > g.full_answered;
                g.full_answered = std::max(g.full_answered, d.full_request);
                if (frame && frame->sequence != g.source_sequence) {
                    convert_group(grid, g, frame, want_full || asked, batch);
                } else if (g.gen == 0) {
                    // A new size: its first picture is the newest frame, at once.
                    if (FrameRef latest = port->latest()) {
                        convert_group(grid, g, latest, true, batch);
                    }
                } else if (asked || (want_full && g.full_posted_gen != g.gen)) {
                    auto full = std::make_shared<std::string>();
                    renderer::ascii::encode_full(g.cur, *full);
                    escape_iac(*full);
                    g.full_posted_gen = g.gen;
                    batch.push_back(GroupFrame{grid, g.gen, 0, nullptr, std::move(full)});
                }
            }
            if (!batch.empty()) {
                asio::post(io, [this, b = std::move(batch)] { deliver(b); });
            }
        }
    } catch (const std::exception& e) {
        fail("conversion", e.what());
        asio::post(io, [this] { abandon_io(); });
    } catch (...) {
        fail("conversion", "an unknown exception");
        asio::post(io, [this] { abandon_io(); });
    }
}

void TelnetServer::Impl::convert_group(GridKey grid, ConvGroup& g, const FrameRef& frame,
                                       bool want_full, Batch& batch) {
    std::swap(g.prev, g.cur);
    g.converter.convert(frame->view(), g.cur);
    conversions.fetch_add(1, std::memory_order_relaxed);
    const std::uint64_t prev_gen = g.gen;
    g.gen = next_gen++;
    g.source_sequence = frame->sequence;
    GroupFrame out{grid, g.gen, 0, nullptr, nullptr};
    if (prev_gen != 0 && g.prev.same_shape(g.cur)) {
        auto diff = std::make_shared<std::string>();
        renderer::ascii::encode_diff(g.prev, g.cur, *diff);
        escape_iac(*diff);
        out.prev_gen = prev_gen;
        out.diff = std::move(diff);
    }
    if (want_full || !out.diff) {
        auto full = std::make_shared<std::string>();
        renderer::ascii::encode_full(g.cur, *full);
        escape_iac(*full);
        g.full_posted_gen = g.gen;
        out.full = std::move(full);
    }
    batch.push_back(std::move(out));
}

// [SECTION] TelnetServer

TelnetOptions telnet_options_of(const config::Config& config) {
    TelnetOptions options;
    options.listen = config.output.listen.text;
    options.port = config.telnet.port;
    options.max_clients = config.telnet.max_clients;
    options.stall_timeout_s = config.telnet.stall_timeout_s;
    options.fps = config.ascii.fps;
    options.ascii = config.ascii;
    return options;
}

TelnetServer::TelnetServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TelnetServer::~TelnetServer() {
    stop();
}

Result<std::unique_ptr<TelnetServer>> TelnetServer::create(const TelnetOptions& options,
                                                           std::shared_ptr<SinkPort> port) {
    if (!port) return make_error(ErrorCode::kInternal, "telnet", "no sink port");
    if (options.port < 0 || options.port > 65535) {
        return make_error(ErrorCode::kInvalidArgument, "telnet.port",
                          "expected a port 0..65535, got {}", options.port);
    }
    error_code ec;
    const asio::ip::address address = asio::ip::make_address(options.listen, ec);
    if (ec) {
        return make_error(ErrorCode::kInvalidArgument, "output.listen",
                          "expected an IPv4 or IPv6 address, got '{}'", options.listen);
    }
    auto impl = std::make_unique<Impl>(options, std::move(port));
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
    const std::string where = endpoint_text(endpoint);
    tcp::acceptor& acceptor = impl->acceptor;
    if (acceptor.open(endpoint.protocol(), ec); !ec) {
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        ec.clear();  // best effort: only a restart within TIME_WAIT needs it
        if (acceptor.bind(endpoint, ec); !ec) {
            acceptor.listen(asio::socket_base::max_listen_connections, ec);
        }
    }
    if (ec) {
        // An address this machine does not have is the address's fault; anything else (in
        // use, no permission) the port's.
        const bool bad_address = ec == boost::system::errc::address_not_available;
        // A setting the machine cannot honour: kInvalidArgument, so the player exits 2.
        return make_error(ErrorCode::kInvalidArgument,
                          bad_address ? "output.listen" : "telnet.port",
                          "cannot listen for telnet on {} ({})", where, ec.message());
    }
    impl->local_port = acceptor.local_endpoint(ec).port();
    impl->listen_text = endpoint_text(tcp::endpoint(address, impl->local_port));
    impl->port->set_wanted(false);  // until a client connects

    Impl* raw = impl.get();
    std::promise<void> io_done;
    impl->io_done = io_done.get_future();
    impl->io_thread =
        std::thread([raw, done = std::move(io_done)]() mutable { raw->run_io(std::move(done)); });
    impl->conversion_thread = std::thread([raw] { raw->run_conversion(); });
    INTERLEAVE_LOG_INFO("telnet", "listening on {} (at most {} clients)", impl->listen_text,
                        options.max_clients);
    return std::unique_ptr<TelnetServer>(new TelnetServer(std::move(impl)));
}

void TelnetServer::stop() {
    Impl& impl = *impl_;
    if (impl.stopped) return;
    impl.stopped = true;
    {
        std::lock_guard lock(impl.mutex);
        impl.stopping = true;
    }
    impl.wake.notify_all();
    if (impl.conversion_thread.joinable()) impl.conversion_thread.join();
    // The conversion thread posts nothing more: close everything on the I/O thread, which then
    // runs out of work.
    asio::post(impl.io, [&impl] { impl.shutdown_io(); });
    if (impl.io_done.valid() && impl.io_done.wait_for(kStopGrace) != std::future_status::ready) {
        INTERLEAVE_LOG_WARN("telnet", "I/O thread did not finish within {} s; stopping it",
                            std::chrono::duration<double>(kStopGrace).count());
        impl.io.stop();
    }
    if (impl.io_thread.joinable()) impl.io_thread.join();
    impl.port->set_wanted(false);
    impl.port->close();
}

TelnetStats TelnetServer::counters() const {
    const Impl& i = *impl_;
    const auto get = [](const std::atomic<std::uint64_t>& v) {
        return v.load(std::memory_order_relaxed);
    };
    TelnetStats s;
    s.clients_now = get(i.clients_now);
    s.clients_peak = get(i.clients_peak);
    s.clients_total = get(i.clients_total);
    s.refused_full = get(i.refused_full);
    s.closed_stalled = get(i.closed_stalled);
    s.closed_by_client = get(i.closed_by_client);
    s.read_errors = get(i.read_errors);
    s.write_errors = get(i.write_errors);
    s.accept_errors = get(i.accept_errors);
    s.frames_sent = get(i.frames_sent);
    s.frames_full = get(i.frames_full);
    s.frames_skipped = get(i.frames_skipped);
    s.bytes_sent = get(i.bytes_sent);
    s.frames_taken = get(i.frames_taken);
    s.conversions = get(i.conversions);
    s.negotiations_seen = get(i.negotiations_seen);
    s.malformed = get(i.malformed);
    s.replies_dropped = get(i.replies_dropped);
    s.failed = i.failed.load(std::memory_order_acquire);
    return s;
}

nlohmann::json TelnetServer::stats() const {
    const TelnetStats s = counters();
    const SinkPortStats p = impl_->port->stats();
    std::string failure;
    if (s.failed) {
        std::lock_guard lock(impl_->mutex);
        failure = impl_->failure;
    }
    nlohmann::json out = {
        {"listen", impl_->listen_text},
        {"clients", {{"now", s.clients_now}, {"peak", s.clients_peak}, {"total", s.clients_total}}},
        {"refused_full", s.refused_full},
        {"closed_stalled", s.closed_stalled},
        {"closed_by_client", s.closed_by_client},
        {"read_errors", s.read_errors},
        {"write_errors", s.write_errors},
        {"accept_errors", s.accept_errors},
        {"frames_sent", s.frames_sent},
        {"frames_full", s.frames_full},
        {"frames_skipped", s.frames_skipped},
        {"bytes_sent", s.bytes_sent},
        {"frames_taken", s.frames_taken},
        {"conversions", s.conversions},
        {"negotiations_seen", s.negotiations_seen},
        {"malformed", s.malformed},
        {"replies_dropped", s.replies_dropped},
        {"failed", s.failed},
        {"port", {{"offered", p.offered}, {"taken", p.taken}, {"skipped", p.skipped}}},
    };
    if (s.failed) out["failure"] = failure;
    return out;
}

int TelnetServer::local_port() const {
    return impl_->local_port;
}

}  // namespace interleave::app
