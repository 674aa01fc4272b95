// Clock: the play index from the wall clock, index = floor((now - epoch) * ips), and the frame
// it shows (ping-pong with the original's double pivot, or plain looping). Machines with
// synchronised clocks and the same epoch show the same index. Thread: the render thread owns
// a Clock; TimeSource implementations must be callable from it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "core/error.hpp"

namespace interleave::app {

// Nanoseconds since the Unix epoch (UTC), and a monotonic clock beside it. Injectable so tests
// control time. The wall clock may step (chrony at boot, NTP, a manual change); the monotonic
// one never does: the index follows the wall clock, durations and intervals the monotonic one.
class TimeSource {
public:
    virtual ~TimeSource() = default;
    [[nodiscard]] virtual std::int64_t now_ns() const = 0;
    // Nanoseconds on a clock that never steps (any origin).
    [[nodiscard]] virtual std::int64_t steady_ns() const = 0;
};

// std::chrono::system_clock: the wall clock that chrony/PTP keep in step across machines;
// std::chrono::steady_clock beside it.
class SystemTimeSource final : public TimeSource {
public:
    [[nodiscard]] std::int64_t now_ns() const override;
    [[nodiscard]] std::int64_t steady_ns() const override;
};

// A clock that moves only when told to: advance_ns() is time passing (both clocks move),
// step_ns()/set_ns() a wall-clock step (only the wall clock moves). Thread: any (atomic), so a
// test may step it while a render thread reads it.
class ManualTimeSource final : public TimeSource {
public:
    explicit ManualTimeSource(std::int64_t start_ns = 0) : now_ns_(start_ns) {}
    [[nodiscard]] std::int64_t now_ns() const override { return now_ns_.load(); }
    [[nodiscard]] std::int64_t steady_ns() const override { return steady_ns_.load(); }
    void set_ns(std::int64_t ns) { now_ns_.store(ns); }
    void step_ns(std::int64_t delta_ns) { now_ns_.fetch_add(delta_ns); }
    void advance_ns(std::int64_t ns) {
        now_ns_.fetch_add(ns);
        steady_ns_.fetch_add(ns);
    }

private:
    std::atomic<std::int64_t> now_ns_;
    std::atomic<std::int64_t> steady_ns_{0};
};

// ClockStepDetector: tells a wall-clock step from time passing by comparing how far the wall
// clock moved with how far the monotonic clock moved between two readings. A difference above
// threshold_ns plus a tenth of the time that passed is a step: slewing (chrony at most 8.3 %,
// ntpd 0.05 %) and reading jitter never reach it; a stall of the caller moves both clocks alike
// and is no step. Thread: one owner (the render thread).
class ClockStepDetector {
public:
    static constexpr std::int64_t kDefaultThresholdNs = 100'000'000;  // 100 ms

    explicit ClockStepDetector(std::int64_t threshold_ns = kDefaultThresholdNs)
        : threshold_ns_(threshold_ns) {}

    // One reading of both clocks. Returns the step (positive: the wall clock jumped forward),
    // or 0 when there was none (and for the first reading).
    [[nodiscard]] std::int64_t observe(std::int64_t wall_ns, std::int64_t steady_ns);

private:
    std::int64_t threshold_ns_;
    bool have_last_ = false;
    std::int64_t last_wall_ns_ = 0;
    std::int64_t last_steady_ns_ = 0;
};

struct ClockSettings {
    std::int64_t ips_milli = 30'000;  // images per second x 1000, exact; 1..1'000'000 (0.001..1000)
    bool ping_pong = true;            // 0..N-1, N-1..0, 0.. (each end shown twice); else looping
    std::int64_t epoch_ns = 0;        // index 0 starts here (launch, or config::Epoch::unix_ns)
};

class Clock {
public:
    // frame_count: frames per folder, at least 1. Errors name the setting.
    [[nodiscard]] static Result<Clock> create(ClockSettings settings, std::size_t frame_count);

    // floor((now_ns - epoch) * ips) in exact integer arithmetic, for any int64 time (negative
    // before the epoch). Overflow-free: the product is taken in 128 bits.
    [[nodiscard]] std::int64_t index_at(std::int64_t now_ns) const;
    // The first nanosecond at which `index` is shown (inverse of index_at, rounded up).
    [[nodiscard]] std::int64_t start_ns_of(std::int64_t index) const;

    // The frame (0..N-1) that `index` shows.
    [[nodiscard]] std::size_t frame_of(std::int64_t index) const;
    // +1 while frames count up at `index`, -1 while they count down (the scheduler prefetches
    // in this direction). Looping always counts up.
    [[nodiscard]] int direction_at(std::int64_t index) const;
    // Indices in one full cycle: 2N with ping-pong, N when looping.
    [[nodiscard]] std::int64_t cycle_length() const;

    // Moves index 0 to `epoch_ns`: a "launch" epoch is set once set-up is done, so playback
    // starts at frame 0. Call before the render loop starts.
    void set_epoch_ns(std::int64_t epoch_ns) { settings_.epoch_ns = epoch_ns; }

    [[nodiscard]] const ClockSettings& settings() const { return settings_; }
    [[nodiscard]] std::size_t frame_count() const { return frame_count_; }

private:
    Clock(ClockSettings settings, std::size_t frame_count)
        : settings_(settings), frame_count_(frame_count) {}

    ClockSettings settings_;
    std::size_t frame_count_;
};

}  // namespace interleave::app
