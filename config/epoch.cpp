// Epoch parsing and printing: a strict ISO-8601 subset in proleptic Gregorian UTC arithmetic.
#include "config/epoch.hpp"

#include <cctype>
#include <limits>

namespace interleave::config {
namespace {

constexpr std::int64_t kNsPerSecond = 1'000'000'000;
constexpr std::string_view kExpected =
    "expected \"launch\" or an ISO-8601 time with a zone, e.g. 2026-11-22T18:30:00Z or "
    "2026-11-22T19:30:00+01:00";

// Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The inverse: y-m-d of a day count since 1970-01-01.
struct Civil {
    std::int64_t year;
    unsigned month;
    unsigned day;
};
constexpr Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(1978, 11, 17) == 3242);

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
    constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
}

// A cursor over the text; every reader fails softly and leaves the verdict to the caller.
class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}

    [[nodiscard]] bool done() const { return pos_ == text_.size(); }
    [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
    bool accept(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    // Exactly `digits` decimal digits.
    bool number(int digits, int& out) {
        if (text_.size() - pos_ < static_cast<std::size_t>(digits)) return false;
        int value = 0;
        for (int i = 0; i < digits; ++i) {
            const char c = text_[pos_ + static_cast<std::size_t>(i)];
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
            value = value * 10 + (c - '0');
        }
        pos_ += static_cast<std::size_t>(digits);
        out = value;
        return true;
    }
    // One or more digits after a decimal point, as nanoseconds (digits past the ninth dropped).
    bool fraction(std::int64_t& out_ns) {
        std::int64_t ns = 0;
        int count = 0;
        while (std::isdigit(static_cast<unsigned char>(peek()))) {
            if (count < 9) ns = ns * 10 + (peek() - '0');
            ++count;
            ++pos_;
        }
        for (int i = count; i < 9; ++i) ns *= 10;
        out_ns = ns;
        return count > 0;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

tl::unexpected<Error> bad(std::string_view text, std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument, "", "\"{}\" is not a time: {} ({})", text, why,
                      kExpected);
}

}  // namespace

Result<Epoch> parse_epoch(std::string_view text) {
    if (text == "launch") return Epoch{};
    Reader r(text);
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    std::int64_t fraction_ns = 0;
    if (!r.number(4, year) || !r.accept('-') || !r.number(2, month) || !r.accept('-') ||
        !r.number(2, day)) {
        return bad(text, "no date YYYY-MM-DD");
    }
    if (!r.accept('T') && !r.accept('t') && !r.accept(' ')) {
        return bad(text, "no time after the date");
    }
    if (!r.number(2, hour) || !r.accept(':') || !r.number(2, minute)) {
        return bad(text, "no time HH:MM");
    }
    if (r.accept(':')) {
        if (!r.number(2, second)) return bad(text, "no seconds after HH:MM:");
        if (r.accept('.') && !r.fraction(fraction_ns)) return bad(text, "no digits after '.'");
    }
    int offset_min = 0;
    if (r.accept('Z') || r.accept('z')) {
        offset_min = 0;
    } else if (r.peek() == '+' || r.peek() == '-') {
        const int sign = r.peek() == '-' ? -1 : 1;
        r.accept(r.peek());
        int oh = 0, om = 0;
        if (!r.number(2, oh)) return bad(text, "no zone hours after the sign");
        if (r.accept(':')) {
            if (!r.number(2, om)) return bad(text, "no zone minutes after ':'");
        } else if (!r.done() && !r.number(2, om)) {
            return bad(text, "a malformed zone");
        }
        if (oh > 23 || om > 59) return bad(text, "a zone offset beyond 23:59");
        offset_min = sign * (oh * 60 + om);
    } else if (r.done()) {
        return bad(text, "no zone (add Z or an offset such as +01:00)");
    } else {
        return bad(text, "a malformed zone");
    }
    if (!r.done()) return bad(text, "trailing characters");

    if (month < 1 || month > 12) return bad(text, "month out of range 01..12");
    if (day < 1 || static_cast<unsigned>(day) > days_in_month(year, static_cast<unsigned>(month))) {
        return bad(text, "day out of range for the month");
    }
    if (hour > 23) return bad(text, "hour out of range 00..23");
    if (minute > 59) return bad(text, "minute out of range 00..59");
    if (second > 59) return bad(text, "second out of range 00..59");

    const std::int64_t days =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
    const std::int64_t seconds =
        days * 86'400 + hour * 3'600 + minute * 60 + second - std::int64_t{offset_min} * 60;
    constexpr std::int64_t kMaxSeconds =
        std::numeric_limits<std::int64_t>::max() / kNsPerSecond - 1;
    if (seconds > kMaxSeconds || seconds < -kMaxSeconds) {
        return bad(text, "outside the years 1678..2261 that nanosecond time can hold");
    }
    return Epoch{seconds * kNsPerSecond + fraction_ns, offset_min};
}

std::string format_epoch(const Epoch& epoch) {
    if (!epoch.unix_ns) return "launch";
    const std::int64_t local_ns = *epoch.unix_ns + std::int64_t{epoch.utc_offset_min} * 60 *
                                                       kNsPerSecond;
    std::int64_t seconds = local_ns / kNsPerSecond;
    std::int64_t ns = local_ns % kNsPerSecond;
    if (ns < 0) {
        ns += kNsPerSecond;
        --seconds;
    }
    std::int64_t days = seconds / 86'400;
    std::int64_t in_day = seconds % 86'400;
    if (in_day < 0) {
        in_day += 86'400;
        --days;
    }
    const Civil c = civil_from_days(days);
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", c.year, c.month, c.day,
                                  in_day / 3'600, in_day / 60 % 60, in_day % 60);
    if (ns != 0) {
        std::string digits = fmt::format("{:09}", ns);
        digits.erase(digits.find_last_not_of('0') + 1);
        out += '.' + digits;
    }
    if (epoch.utc_offset_min == 0) return out + 'Z';
    const int magnitude = epoch.utc_offset_min < 0 ? -epoch.utc_offset_min : epoch.utc_offset_min;
    return out + fmt::format("{}{:02}:{:02}", epoch.utc_offset_min < 0 ? '-' : '+',
                             magnitude / 60, magnitude % 60);
}

}  // namespace interleave::config
