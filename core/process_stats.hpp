// Memory figures of this process and the machine's name, for stats lines, summaries and
// benchmark reports. Thread: any.
#pragma once

#include <cstdint>
#include <string>

namespace interleave {

// Resident set size now, from /proc/self/statm; 0 if unavailable.
[[nodiscard]] std::uint64_t current_rss_bytes();
// The most resident memory this process has had (VmHWM); 0 if unavailable.
[[nodiscard]] std::uint64_t peak_rss_bytes();
// The CPU's model name from /proc/cpuinfo ("unknown" if there is none).
[[nodiscard]] std::string cpu_model_name();

}  // namespace interleave
