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

Result<void> validate(const LoaderSettings& s, std::uint64_t addressable_bytes) {
    if (auto r = check_range("loader.workers", s.workers, 0, 64); !r) return r;
    if (auto r = check_range("loader.fifo_pairs", s.fifo_pairs, 2, 240); !r) return r;
    if (auto r = check_range("loader.tolerance", s.tolerance, 0, 240); !r) return r;
    if (auto r = check_range("loader.max_side_px", s.max_side_px, 16, 65535); !r) return r;
    if (auto r = check_range("loader.max_megapixels", s.max_megapixels, 1, 4096); !r) return r;
    // A frame at the limit decodes into one RGBA buffer: it must be one the platform can address.
    if (const std::uint32_t most = max_megapixels_for(addressable_bytes); s.max_megapixels > most) {
        return make_error(ErrorCode::kInvalidArgument, "loader.max_megapixels",
                          "{} is out of range on this platform (expected 1..{}: a frame of {} Mpx "
                          "needs a {}-byte RGBA buffer, and one buffer can span at most {} bytes "
                          "here)",
                          s.max_megapixels, most, s.max_megapixels,
                          std::uint64_t{s.max_megapixels} * 1'000'000 * 4, addressable_bytes);
    }
    return {};
}

}  // namespace interleave::config
