// Memory figures of this process, for stats lines and summaries. Thread: any.
#pragma once

#include <cstdint>

namespace interleave {

// Resident set size now, from /proc/self/statm; 0 if unavailable.
[[nodiscard]] std::uint64_t current_rss_bytes();
// The most resident memory this process has had (VmHWM); 0 if unavailable.
[[nodiscard]] std::uint64_t peak_rss_bytes();

}  // namespace interleave
