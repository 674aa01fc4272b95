// Memory figures from /proc/self.
#include "core/process_stats.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace interleave {

std::uint64_t current_rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/statm", "r");
    if (f == nullptr) return 0;
    unsigned long long size = 0;
    unsigned long long resident = 0;
    const int n = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    if (n != 2) return 0;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::uint64_t peak_rss_bytes() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (f == nullptr) return 0;
    char line[256];
    std::uint64_t kib = 0;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::strncmp(line, "VmHWM:", 6) == 0) {
            unsigned long long value = 0;
            if (std::sscanf(line + 6, "%llu", &value) == 1) kib = value;
            break;
        }
    }
    std::fclose(f);
    return kib * 1024;
}

}  // namespace interleave
