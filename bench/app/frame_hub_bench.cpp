// The render thread's cost of publishing one 1080p frame to three sinks through the FrameHub
// (try_acquire, the metadata the recorder needs, publish) with two kLatest ports and one kQueue
// port whose takers run on their own threads; against the same with one 1080p memcpy per sink,
// what a copy-per-sink capture path would cost. Thread: the benchmark main thread plays the
// render thread; each taker runs on its own "sink-N" thread.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "app/sinks/frame_hub.hpp"
#include "bench/bench_support.hpp"
#include "core/thread.hpp"

namespace interleave::bench {
namespace {

constexpr int kWidth = 1920;
constexpr int kHeight = 1080;
constexpr std::size_t kFrameBytes = static_cast<std::size_t>(kWidth) * kHeight * 4;
constexpr int kSinks = 3;

// A hub with three ports (live, live, a recorder-like queue of 4) and a taker thread on each
// that takes frames, reads one byte and lets them go.
class ThreeSinks {
public:
    ThreeSinks() {
        ports_.push_back(hub_.attach("terminal", app::SinkPolicy::kLatest));
        ports_.push_back(hub_.attach("telnet", app::SinkPolicy::kLatest));
        ports_.push_back(hub_.attach("record", app::SinkPolicy::kQueue, 4));
        for (int i = 0; i < kSinks; ++i) {
            takers_.emplace_back([this, i](std::stop_token stop) {
                set_current_thread_name(("sink-" + std::to_string(i)).c_str());
                const auto& port = ports_[static_cast<std::size_t>(i)];
                while (!stop.stop_requested()) {
                    if (app::FrameRef f = port->wait_take(std::chrono::milliseconds(5))) {
                        seen_.fetch_add(f->pixels.data()[0] + 1u, std::memory_order_relaxed);
                    }
                }
            });
        }
    }
    ~ThreeSinks() {
        hub_.close_all();
        for (auto& t : takers_) t.request_stop();
    }
    app::FrameHub& hub() { return hub_; }

private:
    app::FrameHub hub_;
    std::vector<std::shared_ptr<app::SinkPort>> ports_;
    std::atomic<std::uint64_t> seen_{0};
    std::vector<std::jthread> takers_;  // last: joined before the ports and hub go
};

// One publish as the render loop does it; `copies` non-null: a copy per sink as well.
bool publish_once(app::FrameHub& hub, std::uint64_t shown,
                  std::vector<std::vector<std::uint8_t>>* copies) {
    if (!hub.wanted(shown)) return false;
    auto frame = hub.try_acquire(kWidth, kHeight);
    if (!frame) return false;
    frame->index = static_cast<std::int64_t>(shown);
    frame->frame = static_cast<std::size_t>(shown % 240);
    frame->main_file = "/srv/content/face/0_a/frame_" + std::to_string(shown % 240) + ".jpg";
    frame->float_file = "/srv/content/float/255_b/frame_" + std::to_string(shown % 240) + ".webp";
    frame->shown = shown;
    frame->composited_at = std::chrono::steady_clock::now();
    if (copies != nullptr) {
        for (auto& copy : *copies) std::memcpy(copy.data(), frame->pixels.data(), kFrameBytes);
    }
    hub.publish(std::move(frame));
    return true;
}

void run(benchmark::State& state, bool copy_per_sink) {
    ThreeSinks sinks;
    std::vector<std::vector<std::uint8_t>> copies;
    if (copy_per_sink) copies.assign(kSinks, std::vector<std::uint8_t>(kFrameBytes, 1));
    // Warm the pool: every buffer it may hand out allocated and touched once.
    for (std::uint64_t i = 0; i < 32; ++i) publish_once(sinks.hub(), i, nullptr);
    std::uint64_t shown = 32;
    std::uint64_t published = 0;
    for (auto _ : state) {
        published += publish_once(sinks.hub(), shown++, copy_per_sink ? &copies : nullptr);
    }
    const auto s = sinks.hub().stats();
    state.counters["published"] = static_cast<double>(published);
    state.counters["pool_exhausted"] = static_cast<double>(s.pool_exhausted);
}

void BM_PublishToThreeSinks(benchmark::State& state) { run(state, false); }
BENCHMARK(BM_PublishToThreeSinks)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_PublishToThreeSinksCopyPerSink(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_PublishToThreeSinksCopyPerSink)->Unit(benchmark::kMicrosecond)->UseRealTime();

const bool kRatios = [] {
    add_ratio("1080p publish to 3 sinks by reference vs a memcpy per sink",
              "BM_PublishToThreeSinks/real_time", "BM_PublishToThreeSinksCopyPerSink/real_time");
    return true;
}();

}  // namespace
}  // namespace interleave::bench
