// Tests of the telnet sink in process: a FrameHub with the server's port, synthetic frames
// published from the test thread, and raw loopback sockets as clients (nc-like ones that send
// nothing, telnet-like ones that report a size, one that never reads, one that sends
// malformed negotiation). No test asserts on timing; every wait has a generous timeout.
#include "app/sinks/telnet_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "app/sinks/frame_hub.hpp"
#include "app/sinks/telnet_protocol.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/wait.hpp"

namespace interleave::app {
namespace {

using namespace std::chrono_literals;
using test::wait_until;

constexpr std::string_view kFrameEnd = "\x1b[?2026l";  // ends every full and diff frame
constexpr std::string_view kClear = "\x1b[2J";
constexpr std::size_t kHeadBytes = 4096;

// Whether the first clear in `head` is just inside a full frame's synchronized update:
// CSI ?2026h, CSI 0m, CSI 2J, CSI H (the clear never shows as a blank screen of its own).
bool clear_inside_sync(const std::string& head) {
    constexpr std::string_view before = "\x1b[?2026h\x1b[0m";
    constexpr std::string_view after = "\x1b[H";
    const std::size_t at = head.find(kClear);
    return at != std::string::npos && at >= before.size() &&
           head.compare(at - before.size(), before.size(), before) == 0 &&
           head.compare(at + kClear.size(), after.size(), after) == 0;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

std::string bytes(std::initializer_list<int> values) {
    std::string out;
    for (const int v : values) out.push_back(static_cast<char>(v));
    return out;
}

std::string naws(int width, int height) {
    using namespace telnet;
    return bytes({kIac, kWill, kOptNaws, kIac, kSb, kOptNaws, width >> 8, width & 0xff, height >> 8,
                  height & 0xff, kIac, kSe});
}

// Counts `needle` in a byte stream that arrives in pieces.
struct StreamCounter {
    std::string_view needle;
    std::string carry;
    std::uint64_t count = 0;
    void add(std::string_view chunk) {
        std::string text = carry;
        text.append(chunk);
        for (auto at = text.find(needle); at != std::string::npos;
             at = text.find(needle, at + needle.size())) {
            ++count;
        }
        const std::size_t keep = std::min(text.size(), needle.size() - 1);
        carry = text.substr(text.size() - keep);
    }
};

// One client socket. Its counters are written by the Fleet's poller, read by the test.
struct Conn {
    int fd = -1;
    bool polled = true;
    // --- guarded by Fleet::mutex_
    std::string head;  // the first kHeadBytes received
    std::uint64_t bytes = 0;
    StreamCounter frames{kFrameEnd};
    StreamCounter clears{kClear};
    bool eof = false;
    int error = 0;
};

int connect_to(int port, int rcvbuf = 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (rcvbuf > 0) ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            pollfd p{fd, POLLOUT, 0};
            ::poll(&p, 1, 100);
        } else {
            return false;
        }
    }
    return true;
}

// Client sockets read by one poller thread. Thread: the test's; the poller reads.
class Fleet {
public:
    Fleet() : poller_([this] { run(); }) {}
    ~Fleet() {
        stop_.store(true);
        poller_.join();
        for (const auto& c : conns_) close_fd(*c);
    }

    // Connects a client; nullptr when the connection failed.
    Conn* connect(int port, bool polled = true, int rcvbuf = 0) {
        const int fd = connect_to(port, rcvbuf);
        if (fd < 0) return nullptr;
        auto conn = std::make_unique<Conn>();
        conn->fd = fd;
        conn->polled = polled;
        std::lock_guard lock(mutex_);
        conns_.push_back(std::move(conn));
        return conns_.back().get();
    }

    // Closes a client: with `reset`, abruptly (SO_LINGER 0 sends RST).
    void disconnect(Conn* c, bool reset) {
        std::lock_guard lock(mutex_);
        if (reset) {
            const linger l{1, 0};
            ::setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        }
        close_fd(*c);
    }

    std::uint64_t frames(const Conn* c) const {
        std::lock_guard lock(mutex_);
        return c->frames.count;
    }
    std::uint64_t clears(const Conn* c) const {
        std::lock_guard lock(mutex_);
        return c->clears.count;
    }
    bool eof(const Conn* c) const {
        std::lock_guard lock(mutex_);
        return c->eof || c->error != 0;
    }
    std::string head(const Conn* c) const {
        std::lock_guard lock(mutex_);
        return c->head;
    }

private:
    static void close_fd(Conn& c) {
        if (c.fd >= 0) ::close(c.fd);
        c.fd = -1;
    }

    void run() {
        std::vector<pollfd> fds;
        std::vector<Conn*> owners;
        char buf[65536];
        while (!stop_.load()) {
            fds.clear();
            owners.clear();
            {
                std::lock_guard lock(mutex_);
                for (const auto& c : conns_) {
                    if (c->fd >= 0 && c->polled && !c->eof && c->error == 0) {
                        fds.push_back({c->fd, POLLIN, 0});
                        owners.push_back(c.get());
                    }
                }
            }
            if (fds.empty()) {
                std::this_thread::sleep_for(2ms);
                continue;
            }
            if (::poll(fds.data(), fds.size(), 10) <= 0) continue;
            std::lock_guard lock(mutex_);  // disconnect() closes under it: fds stay valid
            for (std::size_t i = 0; i < fds.size(); ++i) {
                Conn& c = *owners[i];
                if (c.fd != fds[i].fd || fds[i].revents == 0) continue;
                for (;;) {
                    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
                    if (n > 0) {
                        const std::string_view chunk(buf, static_cast<std::size_t>(n));
                        if (c.head.size() < kHeadBytes) {
                            c.head.append(chunk.substr(0, kHeadBytes - c.head.size()));
                        }
                        c.bytes += static_cast<std::uint64_t>(n);
                        c.frames.add(chunk);
                        c.clears.add(chunk);
                        continue;
                    }
                    if (n == 0) c.eof = true;
                    if (n < 0 && errno != EAGAIN && errno != EINTR) c.error = errno;
                    break;
                }
            }
        }
    }

    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Conn>> conns_;
    std::atomic<bool> stop_{false};
    std::thread poller_;  // last: starts once the rest is built
};

// A hub, the server's port and the server, on a free loopback port.
struct Harness {
    explicit Harness(TelnetOptions options = base_options()) {
        port = hub.attach("telnet", SinkPolicy::kLatest);
        auto created = TelnetServer::create(options, port);
        if (created)
            server = std::move(*created);
        else
            error = created.error().message();
    }
    static TelnetOptions base_options() {
        TelnetOptions o;
        o.listen = "127.0.0.1";
        o.port = 0;
        o.max_clients = 10;
        o.stall_timeout_s = 1.0;
        o.fps = 120.0;
        o.naws_grace = 150ms;
        return o;
    }

    // Publishes synthetic frame `k`: a gradient that moves and changes hue each frame, so
    // every cell changes. Waits for a pool buffer (the server releases them).
    bool publish(int k) {
        std::shared_ptr<CapturedFrame> frame;
        if (!wait_until([&] { return (frame = hub.try_acquire(kW, kH)) != nullptr; })) {
            return false;
        }
        std::uint8_t* p = frame->pixels.data();
        for (int y = 0; y < kH; ++y) {
            for (int x = 0; x < kW; ++x, p += 4) {
                p[0] = static_cast<std::uint8_t>((x * 4 + k * 37) & 0xff);
                p[1] = static_cast<std::uint8_t>((y * 5 + k * 91) & 0xff);
                p[2] = static_cast<std::uint8_t>((k * 53 + x + y) & 0xff);
                p[3] = 255;
            }
        }
        frame->shown = static_cast<std::uint64_t>(k);
        frame->index = k;
        hub.publish(std::move(frame));
        return true;
    }

    static constexpr int kW = 192;
    static constexpr int kH = 108;
    FrameHub hub;
    std::shared_ptr<SinkPort> port;
    std::unique_ptr<TelnetServer> server;
    std::string error;
};

std::size_t open_fds() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/fd")) {
        ++n;
    }
    return n;
}

long rss_kb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

// [SECTION] Tests

TEST(TelnetServer, FiftyClientsAtThreeSizesShareConversionsWhileOthersMisbehave) {
    TelnetOptions options = Harness::base_options();
    options.max_clients = 52;
    Harness h(options);
    ASSERT_TRUE(h.server) << h.error;
    const int port = h.server->local_port();
    Fleet fleet;

    // First the one that never reads (a tiny receive buffer), then 25 raw (nc-like) clients,
    // 25 telnet-like ones at three sizes, and one that sends malformed negotiation first.
    Conn* never_reads = fleet.connect(port, /*polled=*/false, /*rcvbuf=*/4096);
    ASSERT_NE(never_reads, nullptr);
    std::vector<Conn*> readers;
    for (int i = 0; i < 25; ++i) readers.push_back(fleet.connect(port));
    const int sizes[3][2] = {{80, 24}, {120, 40}, {60, 40}};
    for (int i = 0; i < 25; ++i) {
        Conn* c = fleet.connect(port);
        ASSERT_NE(c, nullptr);
        ASSERT_TRUE(send_all(c->fd, naws(sizes[i % 3][0], sizes[i % 3][1])));
        readers.push_back(c);
    }
    Conn* malformed = fleet.connect(port);
    ASSERT_NE(malformed, nullptr);
    {
        using namespace telnet;
        const std::string garbage =
            bytes({kIac,  kSb,  kOptNaws, 0,    80,       kIac, kWill, kIac, kSb,  kIac,
                   kSe,   kIac, 0x41,     kIac, kDo,      99,   kIac,  kDo,  99,   kIac,
                   kWill, 24,   kIac,     kSb,  kOptNaws, 1,    2,     3,    kIac, kSe}) +
            std::string(300, 'z') + naws(80, 24);
        ASSERT_TRUE(send_all(malformed->fd, garbage));
    }
    readers.push_back(malformed);
    for (Conn* c : readers) ASSERT_NE(c, nullptr);
    ASSERT_TRUE(wait_until([&] { return h.server->counters().clients_now == 52; }));

    // Over the limit: one line, then closed.
    Conn* over = fleet.connect(port);
    ASSERT_NE(over, nullptr);
    ASSERT_TRUE(wait_until([&] { return fleet.eof(over); }));
    EXPECT_EQ(fleet.head(over), "interleave: server full (52 viewers), try again later\r\n");
    EXPECT_EQ(h.server->counters().refused_full, 1u);

    // Frame 1 reaches every reader (all have joined their size's group by then).
    ASSERT_TRUE(h.publish(1));
    ASSERT_TRUE(wait_until([&] {
        for (Conn* c : readers) {
            if (fleet.frames(c) < 1) return false;
        }
        return true;
    })) << "every client gets the first frame";
    for (Conn* c : readers) {
        const std::string head = fleet.head(c);
        EXPECT_EQ(head.rfind(std::string(telnet::TelnetNegotiator::greeting()), 0), 0u);
        EXPECT_EQ(fleet.clears(c), 1u);
        EXPECT_TRUE(clear_inside_sync(head));
    }
    const TelnetStats before = h.server->counters();
    const long rss_before = rss_kb();

    // Lockstep: each frame reaches every reader before the next is published.
    constexpr int kFrames = 20;
    for (int k = 2; k <= kFrames + 1; ++k) {
        ASSERT_TRUE(h.publish(k));
        ASSERT_TRUE(wait_until([&] {
            for (Conn* c : readers) {
                if (fleet.frames(c) < static_cast<std::uint64_t>(k)) return false;
            }
            return true;
        })) << "frame "
            << k << " reaches every reader";
    }
    const TelnetStats after = h.server->counters();
    const std::uint64_t taken = after.frames_taken - before.frames_taken;
    EXPECT_EQ(taken, static_cast<std::uint64_t>(kFrames));
    EXPECT_EQ(after.conversions - before.conversions, 3 * taken)
        << "one conversion per size and frame, not per client";
    EXPECT_GT(after.malformed, 0u);
    EXPECT_GT(after.negotiations_seen, 25u);
    for (Conn* c : readers) EXPECT_EQ(fleet.clears(c), 1u) << "no redraw from scratch";

    // The one that never reads: frames keep coming until its socket is full and a pending
    // frame of its is replaced (skipped); then it is closed once it took nothing for 1 s.
    int k = kFrames + 2;
    ASSERT_TRUE(wait_until(
        [&] {
            if (!h.publish(k++)) return false;
            std::this_thread::sleep_for(5ms);
            return h.server->counters().frames_skipped > 0;
        },
        30s));
    ASSERT_TRUE(wait_until([&] { return h.server->counters().closed_stalled == 1; }));
    EXPECT_TRUE(wait_until([&] { return h.server->counters().clients_now == 51; }));

    // Many more frames: the server's memory does not grow with them.
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(h.publish(k++));
    const std::uint64_t target = fleet.frames(readers[0]) + 1;
    ASSERT_TRUE(h.publish(k++));
    ASSERT_TRUE(wait_until([&] { return fleet.frames(readers[0]) >= target; }));
    const long rss_after = rss_kb();
    std::printf("[ info     ] RSS %ld kB -> %ld kB over %d frames to 51 clients\n", rss_before,
                rss_after, k - kFrames);
    if (!kAddressSanitizer) {  // ASan's quarantine keeps freed memory; LeakSanitizer checks it
        EXPECT_LT(rss_after - rss_before, 64 * 1024) << "RSS " << rss_before << " -> " << rss_after;
    }

    // A fresh client still works (the slot the stalled one left).
    Conn* fresh = fleet.connect(port);
    ASSERT_NE(fresh, nullptr);
    ASSERT_TRUE(wait_until([&] {
        h.publish(k++);
        std::this_thread::sleep_for(5ms);
        return fleet.frames(fresh) >= 2;
    }));
    EXPECT_FALSE(fleet.eof(fresh));

    const nlohmann::json stats = h.server->stats();
    for (const char* key : {"clients", "refused_full", "closed_stalled", "closed_by_client",
                            "frames_sent", "frames_skipped", "bytes_sent", "conversions",
                            "negotiations_seen", "malformed", "port"}) {
        EXPECT_TRUE(stats.contains(key)) << key;
    }
    EXPECT_EQ(stats["clients"]["peak"], 52);
    EXPECT_EQ(stats["failed"], false);
    EXPECT_FALSE(stats.contains("failure"));
    h.server->stop();
    EXPECT_EQ(h.server->counters().clients_now, 0u);
}

TEST(TelnetServer, InterruptAndCtrlCCloseTheClient) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    Fleet fleet;
    Conn* telnet_like = fleet.connect(h.server->local_port());
    Conn* nc_like = fleet.connect(h.server->local_port());
    ASSERT_NE(telnet_like, nullptr);
    ASSERT_NE(nc_like, nullptr);
    ASSERT_TRUE(wait_until([&] { return h.server->counters().clients_now == 2; }));
    ASSERT_TRUE(send_all(telnet_like->fd, bytes({telnet::kIac, telnet::kIp})));
    ASSERT_TRUE(send_all(nc_like->fd, "abc\x03\r\n"));
    ASSERT_TRUE(wait_until([&] { return fleet.eof(telnet_like) && fleet.eof(nc_like); }));
    ASSERT_TRUE(wait_until([&] { return h.server->counters().clients_now == 0; }));
    EXPECT_EQ(h.server->counters().closed_by_client, 2u);
    EXPECT_FALSE(h.port->wanted()) << "no clients: no frames wanted";
}

TEST(TelnetServer, AbruptDisconnectsLeaveNoDescriptorsBehind) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    const int port = h.server->local_port();
    auto fleet = std::make_unique<Fleet>();
    const std::size_t fds_before = open_fds();
    for (int round = 0; round < 3; ++round) {
        std::vector<Conn*> conns;
        for (int i = 0; i < 8; ++i) {
            Conn* c = fleet->connect(port);
            ASSERT_NE(c, nullptr);
            if (i % 2 == 1) {
                ASSERT_TRUE(send_all(c->fd, naws(70 + i, 20 + i)));
            }
            conns.push_back(c);
        }
        ASSERT_TRUE(wait_until([&] { return h.server->counters().clients_now == 8; }));
        ASSERT_TRUE(h.publish(round + 1));
        ASSERT_TRUE(wait_until([&] {
            for (Conn* c : conns) {
                if (fleet->frames(c) < 1) return false;
            }
            return true;
        }));
        // Half reset (RST), half a plain close (EOF), while frames may be in flight.
        for (std::size_t i = 0; i < conns.size(); ++i) fleet->disconnect(conns[i], i % 2 == 0);
        ASSERT_TRUE(h.publish(round + 100));
        ASSERT_TRUE(wait_until([&] { return h.server->counters().clients_now == 0; }));
    }
    ASSERT_TRUE(wait_until([&] { return open_fds() == fds_before; }))
        << open_fds() << " open, " << fds_before << " before";
    // Afterwards a fresh client still works.
    Conn* fresh = fleet->connect(port);
    ASSERT_NE(fresh, nullptr);
    ASSERT_TRUE(wait_until([&] {
        h.publish(1000);
        std::this_thread::sleep_for(5ms);
        return fleet->frames(fresh) >= 1;
    }));
}

TEST(TelnetServer, NewClientGetsTheLatestFrameAtOnce) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    Fleet fleet;
    Conn* first = fleet.connect(h.server->local_port());
    ASSERT_NE(first, nullptr);
    ASSERT_TRUE(wait_until([&] { return h.port->wanted(); }));
    ASSERT_TRUE(h.publish(1));
    ASSERT_TRUE(wait_until([&] { return fleet.frames(first) >= 1; }));
    // No frame is published after these connect: they still get one (the group's, and a new
    // size's converted from the port's latest frame).
    Conn* same_size = fleet.connect(h.server->local_port());
    Conn* other_size = fleet.connect(h.server->local_port());
    ASSERT_NE(same_size, nullptr);
    ASSERT_NE(other_size, nullptr);
    ASSERT_TRUE(send_all(other_size->fd, naws(100, 30)));
    ASSERT_TRUE(
        wait_until([&] { return fleet.frames(same_size) >= 1 && fleet.frames(other_size) >= 1; }));
    // Nothing new: nothing more is sent (once the three writes have been counted complete).
    ASSERT_TRUE(wait_until([&] { return h.server->counters().frames_sent >= 3; }));
    const std::uint64_t sent = h.server->counters().frames_sent;
    EXPECT_EQ(sent, 3u);
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(h.server->counters().frames_sent, sent);
    EXPECT_EQ(h.server->counters().frames_taken, 1u);
}

// A size whose last client left and a new one arrives at once, with no new frame: the new
// one still gets a picture (whether or not the conversion thread dropped that size between).
TEST(TelnetServer, SizeLeftAndRejoinedWithoutNewFramesStillGetsAPicture) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    Fleet fleet;
    Conn* a = fleet.connect(h.server->local_port());
    ASSERT_NE(a, nullptr);
    ASSERT_TRUE(send_all(a->fd, naws(90, 30)));
    ASSERT_TRUE(wait_until([&] { return h.port->wanted(); }));
    ASSERT_TRUE(h.publish(1));
    ASSERT_TRUE(wait_until([&] { return fleet.frames(a) >= 1; }));
    for (int round = 0; round < 10; ++round) {
        // Even rounds: the old one goes first (its size may be dropped); odd: it goes after.
        if (round % 2 == 0) fleet.disconnect(a, /*reset=*/round % 4 == 0);
        Conn* b = fleet.connect(h.server->local_port());
        ASSERT_NE(b, nullptr);
        ASSERT_TRUE(send_all(b->fd, naws(90, 30)));
        if (round % 2 == 1) fleet.disconnect(a, /*reset=*/round % 4 == 1);
        ASSERT_TRUE(wait_until([&] { return fleet.frames(b) >= 1; })) << "round " << round;
        a = b;
    }
    EXPECT_EQ(h.server->counters().frames_taken, 1u);
}

TEST(TelnetServer, ResizeRedrawsInFullAfterAClear) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    Fleet fleet;
    Conn* c = fleet.connect(h.server->local_port());
    ASSERT_NE(c, nullptr);
    ASSERT_TRUE(send_all(c->fd, naws(80, 24)));
    ASSERT_TRUE(wait_until([&] { return h.port->wanted(); }));
    ASSERT_TRUE(h.publish(1));
    ASSERT_TRUE(wait_until([&] { return fleet.frames(c) >= 1; }));
    ASSERT_TRUE(h.publish(2));
    ASSERT_TRUE(wait_until([&] { return fleet.frames(c) >= 2; }));
    EXPECT_EQ(fleet.clears(c), 1u);
    const std::uint64_t full_before = h.server->counters().frames_full;
    // A resize (and a zero, "unknown", side later) redraws from scratch.
    ASSERT_TRUE(send_all(c->fd, naws(100, 30)));
    ASSERT_TRUE(wait_until([&] { return fleet.clears(c) >= 2 && fleet.frames(c) >= 3; }));
    EXPECT_GT(h.server->counters().frames_full, full_before);
    // A huge size is clamped (the conversion stays bounded) and still served.
    ASSERT_TRUE(send_all(c->fd, naws(5000, 5000)));
    ASSERT_TRUE(wait_until([&] { return fleet.clears(c) >= 3 && fleet.frames(c) >= 4; }));
    EXPECT_FALSE(fleet.eof(c));
}

TEST(TelnetServer, UnsupportedOptionsAreRefusedOnce) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    Fleet fleet;
    Conn* c = fleet.connect(h.server->local_port());
    ASSERT_NE(c, nullptr);
    using namespace telnet;
    // Acknowledgements of the greeting, then requests the server lacks, twice each.
    ASSERT_TRUE(send_all(
        c->fd, bytes({kIac,      kDo,      kOptEcho, kIac,      kDo,       kOptSga, kIac,
                      kWont,     kOptNaws, kIac,     kDo,       kOptTtype, kIac,    kWill,
                      kOptTtype, kIac,     kDo,      kOptTtype, kIac,      kWill,   kOptTtype})));
    ASSERT_TRUE(wait_until([&] { return h.server->counters().negotiations_seen == 7; }));
    ASSERT_TRUE(h.publish(1));  // the answers are before this frame in the stream
    ASSERT_TRUE(wait_until([&] { return fleet.frames(c) >= 1; }));
    const std::string head = fleet.head(c);
    const std::string greeting(TelnetNegotiator::greeting());
    ASSERT_EQ(head.rfind(greeting, 0), 0u);
    const std::string wont_ttype = bytes({kIac, kWont, kOptTtype});
    const std::string dont_ttype = bytes({kIac, kDont, kOptTtype});
    const auto count = [&](const std::string& needle) {
        std::size_t n = 0;
        for (auto at = head.find(needle); at != std::string::npos; at = head.find(needle, at + 1)) {
            ++n;
        }
        return n;
    };
    EXPECT_EQ(count(wont_ttype), 1u);
    EXPECT_EQ(count(dont_ttype), 1u);
    // Nothing answered the acknowledgements: greeting, the two refusals, then the screen.
    EXPECT_EQ(head.substr(greeting.size(), 6), wont_ttype + dont_ttype);
}

TEST(TelnetServer, StartupErrorsNameTheKey) {
    Harness first;
    ASSERT_TRUE(first.server) << first.error;
    {
        TelnetOptions o = Harness::base_options();
        o.port = first.server->local_port();  // in use
        Harness second(o);
        EXPECT_FALSE(second.server);
        EXPECT_NE(second.error.find("telnet.port"), std::string::npos) << second.error;
    }
    {
        TelnetOptions o = Harness::base_options();
        o.listen = "not-an-address";
        Harness bad(o);
        EXPECT_FALSE(bad.server);
        EXPECT_NE(bad.error.find("output.listen"), std::string::npos) << bad.error;
    }
    {
        TelnetOptions o = Harness::base_options();
        o.listen = "192.0.2.1";  // TEST-NET-1: not this machine's
        Harness foreign(o);
        EXPECT_FALSE(foreign.server);
        EXPECT_NE(foreign.error.find("output.listen"), std::string::npos) << foreign.error;
    }
    {
        TelnetOptions o = Harness::base_options();
        o.listen = "::1";  // IPv6 loopback, where the machine has it
        Harness v6(o);
        if (v6.server) {
            EXPECT_EQ(v6.server->stats()["listen"].get<std::string>().rfind("[::1]:", 0), 0u);
        }
    }
}

// A thread of the server ends by an exception (here from the test hook on `conversion` or
// I/O): every client is closed, new connects are refused, the port wants no frames, the
// stats say failed, one error line names the telnet sink; stop() still works.
void check_thread_failure(bool conversion) {
    const test::LogCapture log;  // before the server's threads start, gone after they end
    auto armed = std::make_shared<std::atomic<bool>>(false);
    TelnetOptions options = Harness::base_options();
    auto hook = [armed] {
        if (armed->load()) throw std::runtime_error("injected by the test");
    };
    if (conversion) {
        options.conversion_hook_for_test = hook;
    } else {
        options.io_hook_for_test = hook;
    }
    Harness h(options);
    ASSERT_TRUE(h.server) << h.error;
    const int port = h.server->local_port();
    {
        Fleet fleet;
        Conn* nc_like = fleet.connect(port);
        Conn* telnet_like = fleet.connect(port);
        ASSERT_NE(nc_like, nullptr);
        ASSERT_NE(telnet_like, nullptr);
        ASSERT_TRUE(send_all(telnet_like->fd, naws(80, 24)));
        ASSERT_TRUE(wait_until([&] { return h.port->wanted(); }));
        ASSERT_TRUE(h.publish(1));
        ASSERT_TRUE(wait_until(
            [&] { return fleet.frames(nc_like) >= 1 && fleet.frames(telnet_like) >= 1; }));
        EXPECT_FALSE(h.server->counters().failed);

        armed->store(true);
        ASSERT_TRUE(h.publish(2));  // the next batch converted or delivered throws
        ASSERT_TRUE(wait_until([&] { return h.server->counters().failed; }));
        ASSERT_TRUE(wait_until([&] { return fleet.eof(nc_like) && fleet.eof(telnet_like); }));
        EXPECT_TRUE(wait_until([&] { return h.server->counters().clients_now == 0; }));
        EXPECT_TRUE(wait_until([&] {
            const int fd = connect_to(port);
            if (fd >= 0) ::close(fd);
            return fd < 0;
        })) << "the listener is closed: new connects are refused";
        EXPECT_FALSE(h.port->wanted()) << "a failed server wants no frames";
    }
    const nlohmann::json stats = h.server->stats();
    EXPECT_EQ(stats["failed"], true);
    const std::string failure = stats.value("failure", "");
    EXPECT_NE(failure.find(conversion ? "conversion thread" : "I/O thread"), std::string::npos)
        << failure;
    EXPECT_NE(failure.find("injected by the test"), std::string::npos) << failure;
    h.server->stop();
    EXPECT_EQ(log.lines_with({"telnet sink failed", conversion ? "conversion thread" : "I/O thread",
                              "injected by the test"}),
              1u)
        << log.text();
}

TEST(TelnetServer, AConversionThreadFailureClosesClientsAndListener) {
    check_thread_failure(/*conversion=*/true);
}

TEST(TelnetServer, AnIoThreadFailureClosesClientsAndListener) {
    check_thread_failure(/*conversion=*/false);
}

TEST(TelnetServer, StopWithClientsConnectedIsPrompt) {
    Harness h;
    ASSERT_TRUE(h.server) << h.error;
    Fleet fleet;
    for (int i = 0; i < 5; ++i) ASSERT_NE(fleet.connect(h.server->local_port()), nullptr);
    ASSERT_TRUE(wait_until([&] { return h.server->counters().clients_now == 5; }));
    ASSERT_TRUE(h.publish(1));
    h.server->stop();
    h.server->stop();  // idempotent
    EXPECT_EQ(h.server->counters().clients_now, 0u);
    h.server.reset();
}

}  // namespace
}  // namespace interleave::app
