// Decoded frames: one RGBA layer, and the (main, float) pair the renderer shows together.
// Thread: values handed from a loader worker to the FIFO to the render thread by move only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "loader/buffer_pool.hpp"

namespace interleave::loader {

// One decoded layer: tightly packed RGBA8 (straight alpha), row stride width_px * 4.
// For SBS JPEG layers the alpha is the mask with values below kSbsAlphaThreshold set to 0.
struct LayerImage {
    PooledBuffer pixels;
    int width_px = 0;
    int height_px = 0;

    [[nodiscard]] std::size_t stride_bytes() const { return static_cast<std::size_t>(width_px) * 4; }
    [[nodiscard]] bool empty() const { return !pixels; }
};

// SBS masks below 0.05 (0..12 of 255) count as fully transparent.
inline constexpr std::uint8_t kSbsAlphaThreshold = 13;

enum class Layer : std::uint8_t { kMain = 0, kFloat = 1 };

// Identifies what a pair shows: the play index, the folder of each layer and the catalog
// those folder positions refer to. A pair decoded for other folders than the ones now
// selected, or from another catalog (before a content reload), is stale.
struct PairKey {
    std::int64_t index = 0;  // the monotonic play index (wall clock x ips), not the frame number
    int main_folder = 0;   // position in Catalog::main_folders
    int float_folder = 0;  // position in Catalog::float_folders
    std::uint32_t generation = 0;  // the catalog: 0 at start, +1 per content reload
    friend bool operator==(const PairKey&, const PairKey&) = default;
};

// Main and float of one index, decoded together. A failed pair carries no pixels for the
// layer that failed and names what failed in `error`; the renderer keeps its last good frame.
struct FramePair {
    PairKey key;
    std::size_t frame = 0;         // frame number within both folders (after ping-pong)
    LayerImage main;
    LayerImage overlay;            // the float layer ("float" is a keyword)
    std::optional<Error> error;    // set when either layer failed to load

    [[nodiscard]] bool ok() const { return !error.has_value(); }
};

}  // namespace interleave::loader
