// Decode benchmarks on a photographic 1080p SBS JPEG (3840x1080 file): the libjpeg-turbo
// ceiling (plain RGB decode of the whole file) against the Decoder's two SBS paths.
#include <memory>
#include <string>

#include <benchmark/benchmark.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include "bench/bench_support.hpp"
#include "loader/decoder.hpp"

namespace interleave::bench {
namespace {

struct Content {
    std::string error;
    std::vector<std::uint8_t> sbs_jpeg;  // 3840x1080, q90, 4:2:0
    std::vector<std::uint8_t> webp;      // 1920x1080 RGBA lossy q80
};

const Content& content() {
    static const Content c = [] {
        Content out;
        const Rgba photo = load_photo(1920, 1080, out.error);
        if (photo.pixels.empty()) return out;
        out.sbs_jpeg = make_sbs_jpeg(photo, 90);
        Rgba with_alpha = photo;
        for (std::size_t i = 3; i < with_alpha.pixels.size(); i += 4) {
            const std::size_t px = i / 4;
            with_alpha.pixels[i] = static_cast<std::uint8_t>((px % 1920) * 255 / 1919);
        }
        std::uint8_t* encoded = nullptr;
        const std::size_t size = WebPEncodeRGBA(with_alpha.pixels.data(), 1920, 1080, 1920 * 4,
                                                80.0f, &encoded);
        out.webp.assign(encoded, encoded + size);
        WebPFree(encoded);
        return out;
    }();
    return c;
}

void BM_TurboJpegCeilingRgb(benchmark::State& state) {
    const Content& c = content();
    if (c.sbs_jpeg.empty()) return state.SkipWithError(c.error.c_str());
    tjhandle tj = tjInitDecompress();
    std::vector<std::uint8_t> out(3840u * 1080u * 3u);
    for (auto _ : state) {
        tjDecompress2(tj, c.sbs_jpeg.data(), c.sbs_jpeg.size(), out.data(), 3840, 3840 * 3, 1080,
                      TJPF_RGB, 0);
        benchmark::DoNotOptimize(out.data());
    }
    tjDestroy(tj);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TurboJpegCeilingRgb)->Unit(benchmark::kMillisecond)->UseRealTime();

// The YUV-planes decode alone (no colour conversion): the floor of the planes path.
void BM_TurboJpegPlanesOnly(benchmark::State& state) {
    const Content& c = content();
    if (c.sbs_jpeg.empty()) return state.SkipWithError(c.error.c_str());
    tjhandle tj = tjInitDecompress();
    std::vector<std::uint8_t> y(3840u * 1080u), u(1920u * 540u), v(1920u * 540u);
    unsigned char* planes[3] = {y.data(), u.data(), v.data()};
    for (auto _ : state) {
        tjDecompressToYUVPlanes(tj, c.sbs_jpeg.data(), c.sbs_jpeg.size(), planes, 3840, nullptr,
                                1080, 0);
        benchmark::DoNotOptimize(y.data());
    }
    tjDestroy(tj);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TurboJpegPlanesOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

void decode_sbs(benchmark::State& state, bool planes) {
    const Content& c = content();
    if (c.sbs_jpeg.empty()) return state.SkipWithError(c.error.c_str());
    loader::DecoderOptions options;
    options.sbs_via_planes = planes;
    loader::Decoder decoder(options);
    loader::BufferPool pool(2);
    for (auto _ : state) {
        auto image = decoder.decode_memory(c.sbs_jpeg, loader::LayerEncoding::kSbsJpeg, pool,
                                           "bench.jpg");
        if (!image) return state.SkipWithError(image.error().message().c_str());
        benchmark::DoNotOptimize(image->pixels.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_DecodeSbsPlanes(benchmark::State& state) { decode_sbs(state, true); }
void BM_DecodeSbsFullRgb(benchmark::State& state) { decode_sbs(state, false); }
BENCHMARK(BM_DecodeSbsPlanes)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeSbsFullRgb)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_DecodeWebpRgba(benchmark::State& state) {
    const Content& c = content();
    if (c.webp.empty()) return state.SkipWithError(c.error.c_str());
    loader::Decoder decoder;
    loader::BufferPool pool(2);
    for (auto _ : state) {
        auto image = decoder.decode_memory(c.webp, loader::LayerEncoding::kWebp, pool, "bench.webp");
        if (!image) return state.SkipWithError(image.error().message().c_str());
        benchmark::DoNotOptimize(image->pixels.data());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeWebpRgba)->Unit(benchmark::kMillisecond)->UseRealTime();

const bool kRatios = [] {
    add_ratio("SBS 1080p: planes path vs full RGB decode + split", "BM_DecodeSbsPlanes/real_time",
              "BM_DecodeSbsFullRgb/real_time");
    add_ratio("SBS 1080p: planes path vs libjpeg-turbo RGB ceiling",
              "BM_DecodeSbsPlanes/real_time", "BM_TurboJpegCeilingRgb/real_time");
    return true;
}();

}  // namespace
}  // namespace interleave::bench
