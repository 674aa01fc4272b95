// Epoch: the instant at which playback index 0 is shown, either the moment the player starts
// ("launch") or a fixed ISO-8601 time with a zone; its parser and printer. Thread: any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace interleave::config {

struct Epoch {
    std::optional<std::int64_t> unix_ns;  // nanoseconds since 1970-01-01T00:00Z; nullopt: launch
    int utc_offset_min = 0;               // its zone, to print it back as written; -1439..1439

    bool operator==(const Epoch&) const = default;
};

// The original project's FROM_BIRTH = True epoch: 1978-11-17 07:11 EST (settings.py BIRTH_TIME,
// BIRTH_TZ; set_launch_time in globals.py).
inline constexpr Epoch kOriginalEpoch{280'152'660'000'000'000, -5 * 60};

// Accepts "launch", or date, time and zone: "2026-11-22T18:30:00Z", "2026-11-22 19:30:00.25+01:00",
// "2026-11-22T18:30-0530", "2026-11-22T18:30:00+01". Seconds are optional, fractions keep up to
// nanoseconds, 't'/'z' may be lower case. A time without a zone is refused: machines in
// different zones would disagree on it. Errors have an empty subject (the caller names the key)
// and say what was found and what is expected.
[[nodiscard]] Result<Epoch> parse_epoch(std::string_view text);

// "launch", or "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)" in the zone it was written in;
// parse_epoch(format_epoch(e)) == e.
[[nodiscard]] std::string format_epoch(const Epoch& epoch);

}  // namespace interleave::config
