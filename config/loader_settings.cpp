// LoaderSettings validation.
#include "config/loader_settings.hpp"

namespace interleave::config {
namespace {

Result<void> check_range(const char* key, std::int64_t value, std::int64_t low,
                         std::int64_t high) {
    if (value < low || value > high) {
        return make_error(ErrorCode::kInvalidArgument, key,
                          "{} is out of range (expected {}..{})", value, low, high);
    }
    return {};
}

}  // namespace

Result<void> validate(const LoaderSettings& s) {
    if (auto r = check_range("loader.workers", s.workers, 0, 64); !r) return r;
    if (auto r = check_range("loader.fifo_pairs", s.fifo_pairs, 2, 240); !r) return r;
    if (auto r = check_range("loader.tolerance", s.tolerance, 0, 240); !r) return r;
    if (auto r = check_range("loader.max_side_px", s.max_side_px, 16, 65535); !r) return r;
    if (auto r = check_range("loader.max_megapixels", s.max_megapixels, 1, 4096); !r) return r;
    return {};
}

}  // namespace interleave::config
