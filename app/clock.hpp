// Clock: the play index from the wall clock, index = floor((now - epoch) * ips), and the frame
// it shows (ping-pong with the original's double pivot, or plain looping). Machines with
// synchronised clocks and the same epoch show the same index. Thread: the render thread owns
// a Clock; TimeSource implementations must be callable from it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/error.hpp"

namespace interleave::app {

// Nanoseconds since the Unix epoch (UTC). Injectable so tests control time.
class TimeSource {
public:
    virtual ~TimeSource() = default;
    [[nodiscard]] virtual std::int64_t now_ns() const = 0;
};

// std::chrono::system_clock: the wall clock that chrony/PTP keep in step across machines.
class SystemTimeSource final : public TimeSource {
public:
    [[nodiscard]] std::int64_t now_ns() const override;
};

// A clock that moves only when told to. Thread: tests, one thread.
class ManualTimeSource final : public TimeSource {
public:
    explicit ManualTimeSource(std::int64_t start_ns = 0) : now_ns_(start_ns) {}
    [[nodiscard]] std::int64_t now_ns() const override { return now_ns_; }
    void set_ns(std::int64_t ns) { now_ns_ = ns; }
    void advance_ns(std::int64_t ns) { now_ns_ += ns; }

private:
    std::int64_t now_ns_;
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
