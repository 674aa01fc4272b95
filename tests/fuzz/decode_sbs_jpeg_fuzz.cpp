// Fuzz target: one input is one side-by-side JPEG (RGB left, mask right) frame file, decoded as a loader worker does.
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/decoder_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    interleave::fuzz::fuzz_decoder(interleave::loader::LayerEncoding::kSbsJpeg, {data, size});
    return 0;
}
