// The decoder fuzz targets' shared body; see decoder_target.hpp.
#include "tests/fuzz/decoder_target.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <turbojpeg.h>

#include "loader/buffer_pool.hpp"
#include "loader/decoder.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/image_writers.hpp"

namespace interleave::fuzz {
namespace {

using loader::LayerEncoding;

// A small frame of `encoding` that every decoder must read, with flat quadrants and a mask
// that has values on both sides of the SBS alpha threshold.
std::vector<std::uint8_t> good_frame(LayerEncoding encoding) {
    const test::Image rgb = test::quadrants(32, 16, {200, 30, 30}, {30, 200, 30}, {30, 30, 200},
                                            {220, 220, 220});
    switch (encoding) {
    case LayerEncoding::kSbsJpeg:
        return test::encode_sbs_jpeg(rgb, test::mask_quadrants(32, 16, 0, 12, 13, 255),
                                     TJSAMP_420);
    case LayerEncoding::kOpaqueJpeg: return test::encode_jpeg(rgb, TJSAMP_444);
    case LayerEncoding::kWebp: return test::encode_webp_lossless(rgb);
    case LayerEncoding::kPng: return test::encode_png(rgb);
    }
    std::abort();
}

struct State {
    explicit State(LayerEncoding e)
        : encoding(e), options(default_decoder_options()), decoder(options), good(good_frame(e)) {
        loader::Decoder fresh(options);
        loader::BufferPool fresh_pool(1);
        auto image = fresh.decode_memory(good, encoding, fresh_pool, "good frame");
        FUZZ_CHECK(image.has_value(), "a fresh decoder reads the good frame");
        reference.assign(image->pixels.data(), image->pixels.data() + image->pixels.size());
    }

    const LayerEncoding encoding;
    const loader::DecoderOptions options;
    loader::Decoder decoder;  // lives across inputs, like a loader worker's
    // Two buffers, kept across inputs: reuse and growth run as in the player.
    loader::BufferPool pool{2};
    const std::vector<std::uint8_t> good;
    std::vector<std::uint8_t> reference;  // the good frame's pixels from a fresh decoder
};

void check_layer(const State& s, std::span<const std::uint8_t> bytes,
                 const loader::LayerImage& image) {
    auto header = loader::parse_header(bytes, s.encoding, s.options.limits, "probe");
    FUZZ_CHECK(header.has_value(), "a file the decoder reads passes the header probe");
    FUZZ_CHECK(header->layer_width_px == image.width_px &&
                   header->layer_height_px == image.height_px,
               "decoded size equals the probed layer size");
    const std::size_t bytes_needed = static_cast<std::size_t>(image.width_px) *
                                     static_cast<std::size_t>(image.height_px) * 4;
    FUZZ_CHECK(image.pixels.size() == bytes_needed, "a layer is tightly packed RGBA");
    const std::uint8_t* px = image.pixels.data();
    if (s.encoding == LayerEncoding::kSbsJpeg) {
        for (std::size_t i = 3; i < bytes_needed; i += 4) {
            FUZZ_CHECK(px[i] == 0 || px[i] >= loader::kSbsAlphaThreshold,
                       "SBS alpha below the threshold is 0");
        }
    } else if (s.encoding == LayerEncoding::kOpaqueJpeg) {
        for (std::size_t i = 3; i < bytes_needed; i += 4) {
            FUZZ_CHECK(px[i] == 255, "an opaque JPEG layer has alpha 255");
        }
    }
}

}  // namespace

void fuzz_decoder(LayerEncoding encoding, std::span<const std::uint8_t> bytes) {
    static State state(encoding);
    {
        auto image = state.decoder.decode_memory(bytes, encoding, state.pool, "input");
        if (image) check_layer(state, bytes, *image);
    }  // the layer's buffer goes back to the pool here
    auto again = state.decoder.decode_memory(state.good, encoding, state.pool, "good frame");
    if (!again) std::fprintf(stderr, "good frame after the input: %s\n",
                             again.error().message().c_str());
    FUZZ_CHECK(again.has_value(), "the decoder still reads a good frame after this input");
    FUZZ_CHECK(again->pixels.size() == state.reference.size() &&
                   std::memcmp(again->pixels.data(), state.reference.data(),
                               state.reference.size()) == 0,
               "the good frame decodes to the same pixels as with a fresh decoder");
}

}  // namespace interleave::fuzz
