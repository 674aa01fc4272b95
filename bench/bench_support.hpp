// Shared bench helpers: photographic test images and a reporter that prints ratios of
// benchmarks run in the same process. Thread: the benchmark main thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace interleave::bench {

// A real photograph from Debian's mate-backgrounds (or $INTERLEAVE_BENCH_PHOTO), decoded to
// RGBA and cropped/scaled to cover width x height. Empty on failure (error says why).
struct Rgba {
    int width = 0;
    int height = 0;
    std::vector<std::uint8_t> pixels;
};
Rgba load_photo(int width, int height, std::string& error);

// An SBS JPEG (2*width x height): the photo on the left, a soft ellipse mask on the right.
std::vector<std::uint8_t> make_sbs_jpeg(const Rgba& photo, int quality);

// Registers "numerator / denominator" to print after all benchmarks ran (real time, same run).
void add_ratio(std::string label, std::string faster, std::string baseline);

}  // namespace interleave::bench
