// The telnet sink's cost beyond the conversion: 10 loopback clients at 30 frames/s of a panning
// 1280x720 photograph, for 5 s, with every client at one grid size (60x40) and spread over
// three (60x40, 80x24, 160x60). Measured per server thread from /proc/self/task/TID/schedstat:
// the I/O thread ("sink-telnet": negotiation, writes, bookkeeping) and the conversion thread
// ("sink-telnet-cv": conversion plus encoding). The baseline, timed in the same run on the
// same frames: the conversions alone (AsciiConverter::convert, thread CPU time), so
//   beyond conversion = I/O thread + (conversion thread - conversions alone).
// Thread: the benchmark main thread publishes; one reader thread drains the clients. main() is
// bench_support's.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "app/sinks/ascii_settings.hpp"
#include "app/sinks/frame_hub.hpp"
#include "app/sinks/telnet_server.hpp"
#include "bench/bench_support.hpp"
#include "renderer/ascii/ascii_converter.hpp"

namespace {

using namespace std::chrono_literals;
using interleave::app::FrameHub;
using interleave::app::SinkPolicy;
using interleave::app::TelnetOptions;
using interleave::app::TelnetServer;
using SteadyClock = std::chrono::steady_clock;

constexpr int kClients = 10;
constexpr double kFps = 30.0;
constexpr double kSeconds = 5.0;
constexpr int kW = 1280;
constexpr int kH = 720;
constexpr int kPan = 160;  // the photo is this much wider and taller than a frame

// Thread CPU in ns of this process's thread named `name`; -1 when there is none.
long long thread_cpu_ns(const std::string& name) {
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string line;
        if (!std::getline(comm, line) || line != name) continue;
        std::ifstream schedstat(task.path() / "schedstat");
        long long ns = -1;
        schedstat >> ns;
        return ns;
    }
    return -1;
}

double thread_cpu_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

int connect_to(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
    pollfd p{fd, POLLOUT, 0};
    ::poll(&p, 1, 2000);
    return fd;
}

// Drains every client socket on one thread, as fast as loopback allows.
class Readers {
public:
    explicit Readers(std::vector<int> fds) : fds_(std::move(fds)), thread_([this] { run(); }) {}
    ~Readers() {
        stop_.store(true);
        thread_.join();
        for (const int fd : fds_) ::close(fd);
    }
    [[nodiscard]] std::uint64_t bytes() const { return bytes_.load(); }

private:
    void run() {
        std::vector<pollfd> polls;
        for (const int fd : fds_) polls.push_back({fd, POLLIN, 0});
        std::vector<char> buf(1 << 16);
        while (!stop_.load()) {
            if (::poll(polls.data(), polls.size(), 10) <= 0) continue;
            for (pollfd& p : polls) {
                if (p.revents == 0) continue;
                ssize_t n;
                while ((n = ::recv(p.fd, buf.data(), buf.size(), 0)) > 0) bytes_ += n;
            }
        }
    }
    std::vector<int> fds_;
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> bytes_{0};
    std::thread thread_;
};

std::string naws(int w, int h) {
    const unsigned char b[] = {255,
                               251,
                               31,
                               255,
                               250,
                               31,
                               static_cast<unsigned char>(w >> 8),
                               static_cast<unsigned char>(w),
                               static_cast<unsigned char>(h >> 8),
                               static_cast<unsigned char>(h),
                               255,
                               240};
    return {reinterpret_cast<const char*>(b), sizeof b};
}

// Frame k: a kW x kH window panning slowly over the photo (a Ken Burns move).
void fill_frame(const interleave::bench::Rgba& photo, int k, std::uint8_t* out) {
    const int phase = k % (2 * kPan);
    const int x0 = phase < kPan ? phase : 2 * kPan - phase;
    const int y0 = x0 / 2;
    for (int y = 0; y < kH; ++y) {
        const std::uint8_t* src =
            photo.pixels.data() + (static_cast<std::size_t>(y + y0) * photo.width + x0) * 4;
        std::copy(src, src + static_cast<std::size_t>(kW) * 4,
                  out + static_cast<std::size_t>(y) * kW * 4);
    }
}

void BM_TelnetTenClients30fps(benchmark::State& state) {
    const int groups = static_cast<int>(state.range(0));
    std::string error;
    const interleave::bench::Rgba photo =
        interleave::bench::load_photo(kW + kPan, kH + kPan, error);
    if (photo.pixels.empty()) {
        state.SkipWithError(error.c_str());
        return;
    }
    const int sizes[3][2] = {{60, 40}, {80, 24}, {160, 60}};

    for (auto _ : state) {
        FrameHub hub;
        auto port = hub.attach("telnet", SinkPolicy::kLatest);
        TelnetOptions options;
        options.port = 0;
        options.fps = kFps;
        options.max_clients = kClients;
        auto created = TelnetServer::create(options, port);
        if (!created) {
            state.SkipWithError(created.error().message().c_str());
            return;
        }
        std::unique_ptr<TelnetServer> server = std::move(*created);
        std::vector<int> fds;
        for (int i = 0; i < kClients; ++i) {
            const int fd = connect_to(server->local_port());
            const int g = i % groups;
            if (g != 0) {
                const std::string hello = naws(sizes[g][0], sizes[g][1]);
                ::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL);
            }
            fds.push_back(fd);
        }
        Readers readers(fds);
        const auto connected_by = SteadyClock::now() + 5s;
        while (server->counters().clients_now < kClients && SteadyClock::now() < connected_by) {
            std::this_thread::sleep_for(5ms);
        }
        std::this_thread::sleep_for(400ms);  // past the NAWS grace: every client has its size

        const auto stats0 = server->counters();
        const long long io0 = thread_cpu_ns("sink-telnet");
        const long long cv0 = thread_cpu_ns("sink-telnet-cv");
        const auto start = SteadyClock::now();
        const auto period = std::chrono::duration_cast<SteadyClock::duration>(
            std::chrono::duration<double>(1.0 / kFps));
        const int frames = static_cast<int>(kSeconds * kFps);
        for (int k = 0; k < frames; ++k) {
            std::this_thread::sleep_until(start + k * period);
            auto frame = hub.try_acquire(kW, kH);
            if (!frame) continue;  // counted by the hub; the server still holds its buffers
            fill_frame(photo, k, frame->pixels.data());
            frame->shown = static_cast<std::uint64_t>(k);
            hub.publish(std::move(frame));
        }
        std::this_thread::sleep_until(start + frames * period + 100ms);
        const double wall_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
        const long long io1 = thread_cpu_ns("sink-telnet");
        const long long cv1 = thread_cpu_ns("sink-telnet-cv");
        const auto stats1 = server->counters();
        server->stop();
        state.SetIterationTime(wall_s);

        // Baseline: the conversions alone, on the same frames and sizes, one converter per size.
        std::vector<std::uint8_t> pixels(static_cast<std::size_t>(kW) * kH * 4);
        double convert_ns = 0;
        int converted = 0;
        for (int g = 0; g < groups; ++g) {
            interleave::renderer::ascii::AsciiConverter converter(
                interleave::app::ascii_options(options.ascii, sizes[g][0], sizes[g][1]));
            interleave::renderer::ascii::TextFrame text;
            for (int k = 0; k < frames; k += 2) {
                fill_frame(photo, k, pixels.data());
                const double t0 = thread_cpu_now_ns();
                converter.convert({pixels.data(), kW, kH, kW * 4}, text);
                convert_ns += thread_cpu_now_ns() - t0;
                ++converted;
            }
        }
        const double per_conversion_ns = convert_ns / std::max(1, converted);
        const double conversions = static_cast<double>(stats1.conversions - stats0.conversions);
        const double io_ms = static_cast<double>(io1 - io0) / 1e6;
        const double cv_ms = static_cast<double>(cv1 - cv0) / 1e6;
        const double conversion_ms = conversions * per_conversion_ns / 1e6;
        const double sent = static_cast<double>(stats1.frames_sent - stats0.frames_sent);
        const double taken = static_cast<double>(stats1.frames_taken - stats0.frames_taken);

        state.counters["io_cpu_pct"] = 100.0 * io_ms / 1e3 / wall_s;
        state.counters["cv_cpu_pct"] = 100.0 * cv_ms / 1e3 / wall_s;
        state.counters["conversion_cpu_pct"] = 100.0 * conversion_ms / 1e3 / wall_s;
        state.counters["beyond_conversion_pct"] =
            100.0 * (io_ms + cv_ms - conversion_ms) / 1e3 / wall_s;
        state.counters["io_us_per_client_frame"] = sent > 0 ? io_ms * 1e3 / sent : 0.0;
        state.counters["frames_taken_per_s"] = taken / wall_s;
        state.counters["conversions_per_frame"] = taken > 0 ? conversions / taken : 0.0;
        state.counters["client_frames_per_s"] = sent / wall_s;
        state.counters["kB_per_client_frame"] =
            sent > 0 ? static_cast<double>(stats1.bytes_sent - stats0.bytes_sent) / sent / 1e3
                     : 0.0;
        state.counters["skipped"] =
            static_cast<double>(stats1.frames_skipped - stats0.frames_skipped);
        state.counters["convert_ms"] = per_conversion_ns / 1e6;
    }
}
BENCHMARK(BM_TelnetTenClients30fps)
    ->ArgName("sizes")
    ->Arg(1)
    ->Arg(3)
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
