// Clock arithmetic: 128-bit intermediates and floor division.
#include "app/playback/clock.hpp"

#include <chrono>

namespace interleave::app {
namespace {

constexpr std::int64_t kNsPerS = 1'000'000'000;
constexpr __int128 kNsMilli = static_cast<__int128>(kNsPerS) * 1000;  // ns per index at 1 milli-ips

// floor(a / b) for b > 0.
__int128 floor_div(__int128 a, __int128 b) {
    __int128 q = a / b;
    if ((a % b != 0) && (a < 0)) --q;
    return q;
}

std::int64_t floor_mod(std::int64_t a, std::int64_t m) {
    const std::int64_t r = a % m;
    return r < 0 ? r + m : r;
}

}  // namespace

std::int64_t SystemTimeSource::now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::int64_t SystemTimeSource::steady_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t ClockStepDetector::observe(std::int64_t wall_ns, std::int64_t steady_ns) {
    if (!have_last_) {
        have_last_ = true;
        last_wall_ns_ = wall_ns;
        last_steady_ns_ = steady_ns;
        return 0;
    }
    // 128 bits: a wall clock read as 1970 and then as 2262 still subtracts exactly.
    const __int128 passed = static_cast<__int128>(steady_ns) - last_steady_ns_;
    const __int128 step = static_cast<__int128>(wall_ns) - last_wall_ns_ - passed;
    last_wall_ns_ = wall_ns;
    last_steady_ns_ = steady_ns;
    const __int128 magnitude = step < 0 ? -step : step;
    const __int128 allowed = threshold_ns_ + (passed > 0 ? passed / 10 : 0);
    if (magnitude <= allowed) return 0;
    constexpr __int128 kMax = INT64_MAX;
    return static_cast<std::int64_t>(step > kMax ? kMax : (step < -kMax ? -kMax : step));
}

Result<Clock> Clock::create(ClockSettings settings, std::size_t frame_count) {
    if (settings.ips_milli < 1 || settings.ips_milli > 1'000'000) {
        return make_error(ErrorCode::kInvalidArgument, "playback.ips",
                          "{} is out of range (expected 0.001..1000)",
                          static_cast<double>(settings.ips_milli) / 1000.0);
    }
    if (frame_count == 0) {
        return make_error(ErrorCode::kInvalidArgument, "frame_count",
                          "0 frames (expected at least 1 frame per folder)");
    }
    return Clock(settings, frame_count);
}

std::int64_t Clock::index_at(std::int64_t now_ns) const {
    const __int128 delta = static_cast<__int128>(now_ns) - settings_.epoch_ns;
    return static_cast<std::int64_t>(floor_div(delta * settings_.ips_milli, kNsMilli));
}

std::int64_t Clock::start_ns_of(std::int64_t index) const {
    // Smallest t with floor((t - epoch) * ips_milli / kNsMilli) >= index:
    // t - epoch = ceil(index * kNsMilli / ips_milli).
    const __int128 num = static_cast<__int128>(index) * kNsMilli;
    const __int128 offset = -floor_div(-num, settings_.ips_milli);
    return static_cast<std::int64_t>(offset + settings_.epoch_ns);
}

std::int64_t Clock::cycle_length() const {
    const auto n = static_cast<std::int64_t>(frame_count_);
    return settings_.ping_pong ? 2 * n : n;
}

std::size_t Clock::frame_of(std::int64_t index) const {
    const auto n = static_cast<std::int64_t>(frame_count_);
    const std::int64_t p = floor_mod(index, cycle_length());
    if (!settings_.ping_pong || p < n) return static_cast<std::size_t>(p);
    return static_cast<std::size_t>(2 * n - 1 - p);
}

int Clock::direction_at(std::int64_t index) const {
    if (!settings_.ping_pong) return 1;
    return floor_mod(index, cycle_length()) < static_cast<std::int64_t>(frame_count_) ? 1 : -1;
}

}  // namespace interleave::app
