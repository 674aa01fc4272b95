// LoaderSettings: the loader's settings with their defaults and allowed ranges, and their
// validation. Every error names the setting's key. Thread: any (plain values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

#include "core/error.hpp"

namespace interleave::config {

struct LoaderSettings {
    int workers = 0;                   // loader.workers: 0 = one per hardware thread; 0..64
    int fifo_pairs = 15;               // loader.fifo_pairs: decoded pairs kept ahead; 2..240
    int tolerance = 10;                // loader.tolerance: frames a shown pair may be off; 0..240
    bool main_jpeg_sbs = true;         // loader.main_jpeg_sbs: .jpg main frames are RGB|mask
    bool float_jpeg_sbs = true;        // loader.float_jpeg_sbs: .jpg float frames are RGB|mask
    std::uint32_t max_side_px = 16384; // loader.max_side_px: larger headers are refused; 16..65535
    std::uint32_t max_megapixels = 256;  // loader.max_megapixels: 1..kMaxMegapixels (10^6 px)
};

// The most bytes one buffer can span on this platform: 2 GiB - 1 with 32-bit pointers (armhf
// Raspberry Pi OS).
inline constexpr std::uint64_t kAddressableBufferBytes =
    static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max());

// The largest loader.max_megapixels where one buffer spans `addressable_bytes`: a frame at the
// limit decodes into one RGBA buffer of 4 bytes a pixel. 4096, or 536 with 32-bit pointers.
[[nodiscard]] constexpr std::uint32_t max_megapixels_for(std::uint64_t addressable_bytes) {
    constexpr std::uint64_t kMost = 4096;
    const std::uint64_t fits = addressable_bytes / 4 / 1'000'000;
    return static_cast<std::uint32_t>(fits < kMost ? fits : kMost);
}
inline constexpr std::uint32_t kMaxMegapixels = max_megapixels_for(kAddressableBufferBytes);

// Ok, or kInvalidArgument naming the first key out of range, its value and what is allowed,
// e.g. "loader.fifo_pairs: 1 is out of range (expected 2..240)". `addressable_bytes` is the
// largest buffer the platform can address; tests pass a 32-bit figure on any platform.
[[nodiscard]] Result<void> validate(const LoaderSettings& settings,
                                    std::uint64_t addressable_bytes = kAddressableBufferBytes);

}  // namespace interleave::config
