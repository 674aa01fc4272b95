// End-to-end tests of the telnet output: the real player, headless on the bundled sample with
// --telnet-port, read by a raw socket (as nc would): coloured text frames arrive, SIGTERM ends
// the player with exit 0 and the summary counts the telnet sink; a port in use is a start-up
// error naming telnet.port (exit 2).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/app_test_env.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

constexpr auto kGuard = seconds(30);  // hang guard for a slow, shared machine

// A loopback TCP socket bound to a free port, listening or not; closed on destruction.
struct BoundSocket {
    explicit BoundSocket(bool listening) {
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
        if (listening && ::listen(fd, 4) != 0) return;
        socklen_t len = sizeof addr;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
            port = ntohs(addr.sin_port);
        }
    }
    ~BoundSocket() {
        if (fd >= 0) ::close(fd);
    }
    BoundSocket(const BoundSocket&) = delete;
    BoundSocket& operator=(const BoundSocket&) = delete;
    int fd = -1;
    int port = 0;
};

// A port that was free a moment ago (bound, then released).
int free_port() {
    const BoundSocket probe(/*listening=*/false);
    return probe.port;
}

int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

std::vector<std::string> headless_args(int port, std::vector<std::string> extra) {
    std::vector<std::string> args{"--mode",        "headless",          "--renderer",
                                  "cpu",           "--images",          std::string(kSample),
                                  "--telnet-port", std::to_string(port)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

TEST(TelnetE2E, RawClientReceivesColouredFramesAndSigtermEndsThePlayer) {
    TempDir dir;
    const fs::path summary_file = dir / "summary.json";
    const int port = free_port();
    ASSERT_GT(port, 0);
    ChildProcess child(
        kExe, headless_args(port, {"--duration", "0", "--summary-json", summary_file.string()}));
    ASSERT_GT(child.pid(), 0) << child.spawn_error();

    // The player listens once it has scanned the content: retry until it does.
    int fd = -1;
    const auto give_up = SteadyClock::now() + kGuard;
    while ((fd = connect_loopback(port)) < 0) {
        if (auto code = child.wait_for(milliseconds(50))) {
            FAIL() << "the player ended (exit " << *code << ")\n" << child.err();
        }
        ASSERT_LT(SteadyClock::now(), give_up) << "no listener after 30 s\n" << child.err();
    }

    // Read like nc: no negotiation, no size. Frames end with the synchronized-output end.
    std::string received;
    char buf[65536];
    while (count_of(received, "\x1b[?2026l") < 5) {
        pollfd p{fd, POLLIN, 0};
        ASSERT_LT(SteadyClock::now(), give_up)
            << "fewer than 5 frames in 30 s (" << received.size() << " bytes)\n"
            << child.err();
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        ASSERT_GT(n, 0) << "the server closed the connection";
        received.append(buf, static_cast<std::size_t>(n));
    }
    // Negotiation first (IAC WILL ECHO), a clear screen once, colour (xterm-256 by default).
    EXPECT_EQ(received.rfind("\xff\xfb\x01", 0), 0u);
    EXPECT_EQ(count_of(received, "\x1b[2J"), 1u);
    // The clear is inside the first frame's synchronized update (no blank flash).
    EXPECT_NE(received.find("\x1b[?2026h\x1b[0m\x1b[2J\x1b[H"), std::string::npos);
    EXPECT_NE(received.find("\x1b[38;5;"), std::string::npos) << "no xterm-256 colour escape";

    ASSERT_TRUE(child.send_signal(SIGTERM));
    const std::optional<int> code = child.wait_for(seconds(10));
    ::close(fd);
    ASSERT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
    EXPECT_EQ(*code, 0) << child.err();

    std::ifstream in(summary_file);
    const auto summary = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(summary.is_discarded()) << "no summary at " << summary_file;
    const nlohmann::json telnet = summary["sinks"]["telnet"];
    ASSERT_TRUE(telnet.is_object()) << summary.dump(2);
    EXPECT_GE(telnet.value("frames_sent", 0), 5) << telnet.dump(2);
    EXPECT_EQ(telnet["clients"].value("total", 0), 1) << telnet.dump(2);
}

TEST(TelnetE2E, PortInUseIsAStartupErrorNamingTelnetPort) {
    const BoundSocket taken(/*listening=*/true);
    ASSERT_GT(taken.port, 0);
    const ProcessResult r =
        run_child(kExe, headless_args(taken.port, {"--frames", "5"}), {}, kGuard);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("telnet.port"), std::string::npos) << r.err;
}

TEST(TelnetE2E, ListenAddressThatIsNotThisMachinesIsAStartupError) {
    const ProcessResult r = run_child(
        kExe, headless_args(free_port(), {"--frames", "5", "--listen", "192.0.2.1"}), {}, kGuard);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("output.listen"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace interleave::test
