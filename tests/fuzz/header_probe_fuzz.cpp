// Fuzz target: the header probe the catalog runs on each folder's first frame. The first byte
// picks the layer encoding, the rest is the file. parse_header (in memory) and probe_file (the
// same bytes on disk) must agree, and an accepted header must respect the limits.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>

#include "loader/image_format.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using interleave::loader::ImageHeader;
using interleave::loader::LayerEncoding;

constexpr LayerEncoding kEncodings[] = {LayerEncoding::kSbsJpeg, LayerEncoding::kOpaqueJpeg,
                                        LayerEncoding::kWebp, LayerEncoding::kPng};

void check_accepted(const ImageHeader& h, LayerEncoding encoding,
                    const interleave::loader::ImageLimits& limits) {
    FUZZ_CHECK(h.file_width_px > 0 && h.file_height_px > 0, "dimensions are positive");
    FUZZ_CHECK(static_cast<std::uint64_t>(h.file_width_px) <= limits.max_side_px &&
                   static_cast<std::uint64_t>(h.file_height_px) <= limits.max_side_px,
               "each side within max_side_px");
    FUZZ_CHECK(static_cast<std::uint64_t>(h.file_width_px) *
                       static_cast<std::uint64_t>(h.file_height_px) <=
                   limits.max_pixels,
               "pixels within max_pixels");
    if (encoding == LayerEncoding::kSbsJpeg) {
        FUZZ_CHECK(h.file_width_px % 2 == 0 && h.layer_width_px * 2 == h.file_width_px,
                   "an SBS layer is half the file's (even) width");
        FUZZ_CHECK(h.has_alpha, "an SBS layer has alpha");
    } else {
        FUZZ_CHECK(h.layer_width_px == h.file_width_px, "the layer is as wide as the file");
    }
    FUZZ_CHECK(h.layer_height_px == h.file_height_px, "the layer is as high as the file");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return -1;  // no encoding byte: not an input of this target
    static const interleave::test::TempDir dir("interleave-fuzz-probe");
    static const std::filesystem::path file = dir / "frame";
    static const auto limits = interleave::fuzz::default_decoder_options().limits;

    const LayerEncoding encoding = kEncodings[data[0] % 4];
    const std::span<const std::uint8_t> bytes(data + 1, size - 1);
    auto in_memory = interleave::loader::parse_header(bytes, encoding, limits, "frame");
    if (in_memory) check_accepted(*in_memory, encoding, limits);

    interleave::test::write_file(file, bytes);
    auto on_disk = interleave::loader::probe_file(file, encoding, limits);
    FUZZ_CHECK(in_memory.has_value() == on_disk.has_value(),
               "probe_file and parse_header agree on the same bytes");
    if (in_memory) {
        FUZZ_CHECK(in_memory->file_width_px == on_disk->file_width_px &&
                       in_memory->file_height_px == on_disk->file_height_px &&
                       in_memory->has_alpha == on_disk->has_alpha,
                   "probe_file reports the same header");
    } else {
        FUZZ_CHECK(in_memory.error().code == on_disk.error().code,
                   "probe_file fails with the same code");
    }
    return 0;
}
