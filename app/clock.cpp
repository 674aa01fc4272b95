// Clock arithmetic (128-bit intermediates, floor division) and ISO-8601 epoch parsing.
#include "app/clock.hpp"

#include <chrono>
#include <string>

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

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// A cursor over the text that reads fixed-width digit groups.
struct Cursor {
    std::string_view s;
    std::size_t i = 0;
    bool digits(int count, int& out) {
        out = 0;
        for (int k = 0; k < count; ++k, ++i) {
            if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    }
    bool eat(char c) {
        if (i < s.size() && s[i] == c) {
            ++i;
            return true;
        }
        return false;
    }
    [[nodiscard]] bool done() const { return i == s.size(); }
    [[nodiscard]] char peek() const { return i < s.size() ? s[i] : '\0'; }
};

}  // namespace

std::int64_t SystemTimeSource::now_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Result<std::int64_t> parse_epoch(std::string_view text, std::string_view key) {
    auto bad = [&](const char* what) {
        return make_error(ErrorCode::kInvalidArgument, std::string(key),
                          "'{}' is not an ISO-8601 time with zone ({}; expected e.g. "
                          "2026-11-22T18:30:00Z or 2026-11-22T19:30:00+01:00)",
                          text, what);
    };
    Cursor c{text};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!c.digits(4, year) || !c.eat('-') || !c.digits(2, month) || !c.eat('-') ||
        !c.digits(2, day)) {
        return bad("date must be YYYY-MM-DD");
    }
    if (!c.eat('T') && !c.eat('t') && !c.eat(' ')) return bad("expected T between date and time");
    if (!c.digits(2, hour) || !c.eat(':') || !c.digits(2, minute)) {
        return bad("time must be HH:MM[:SS[.fraction]]");
    }
    std::int64_t fraction_ns = 0;
    if (c.eat(':')) {
        if (!c.digits(2, second)) return bad("seconds must be two digits");
        if (c.eat('.') || c.eat(',')) {
            std::int64_t scale = 100'000'000;
            int digits = 0;
            while (c.peek() >= '0' && c.peek() <= '9') {
                if (scale == 0) return bad("more than 9 fractional digits");
                fraction_ns += (c.peek() - '0') * scale;
                scale /= 10;
                ++digits;
                ++c.i;
            }
            if (digits == 0) return bad("empty fraction");
        }
    }
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return bad("month out of range");
    const int month_days = kDays[month - 1] + (month == 2 && is_leap(year) ? 1 : 0);
    if (day < 1 || day > month_days) return bad("day out of range");
    if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
    std::int64_t offset_s = 0;
    if (c.eat('Z') || c.eat('z')) {
    } else if (c.peek() == '+' || c.peek() == '-') {
        const bool negative = c.peek() == '-';
        ++c.i;
        int oh = 0, om = 0;
        if (!c.digits(2, oh)) return bad("zone must be Z or +HH:MM");
        c.eat(':');
        if (!c.digits(2, om) || oh > 23 || om > 59) return bad("zone must be Z or +HH:MM");
        offset_s = (oh * 3600 + om * 60) * (negative ? -1 : 1);
    } else {
        return bad("missing zone: add Z or an offset such as +01:00");
    }
    if (!c.done()) return bad("unexpected characters after the zone");
    const std::int64_t seconds = days_from_civil(year, static_cast<unsigned>(month),
                                                 static_cast<unsigned>(day)) *
                                     86400 +
                                 hour * 3600 + minute * 60 + second - offset_s;
    return seconds * kNsPerS + fraction_ns;
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
