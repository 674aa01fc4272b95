// The decoder fuzz targets' shared body: one Decoder kept across inputs, as a loader worker
// keeps its own, fed each input as one frame file of a fixed encoding. Thread: the fuzzing
// thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "loader/image_format.hpp"

namespace interleave::fuzz {

// Decodes `bytes` as a frame file of `encoding` with the player's default options and checks:
// a decoded layer has the size the header probe reports and consistent alpha; and whatever
// the input did, the same decoder then decodes a known good frame of that encoding to exactly
// the pixels a fresh decoder gives (after any failure a decoder must be as good as new).
void fuzz_decoder(loader::LayerEncoding encoding, std::span<const std::uint8_t> bytes);

}  // namespace interleave::fuzz
