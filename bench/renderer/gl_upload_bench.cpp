// GL upload throughput: one RGBA layer per frame through the PBO ring against direct
// glTexSubImage2D, for 1080p and 4K layers, in one run, on whatever EGL offers (Mesa's llvmpipe
// on a machine with no GPU). Each iteration composes into a 1x1 output and reads it back, so
// the upload is complete, and nothing but the upload is large.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "renderer/gl/egl_context.hpp"
#include "renderer/gl/gl_compositor.hpp"

namespace interleave::bench {
namespace {

namespace gl = renderer::gl;

// One GL 3.3 core context for the whole process, current on the benchmark thread.
gl::HeadlessEglContext* context(std::string& error) {
    static std::unique_ptr<gl::HeadlessEglContext> ctx = [&]() -> std::unique_ptr<gl::HeadlessEglContext> {
        auto created = gl::HeadlessEglContext::create(gl::GlApi::kGl33Core);
        if (!created) {
            error = created.error().message();
            return nullptr;
        }
        if (auto current = (*created)->make_current(); !current) {
            error = current.error().message();
            return nullptr;
        }
        return std::move(*created);
    }();
    return ctx.get();
}

void upload(benchmark::State& state, bool pbo) {
    std::string error;
    if (context(error) == nullptr) return state.SkipWithError(error.c_str());
    const int w = static_cast<int>(state.range(0));
    const int h = static_cast<int>(state.range(1));
    std::vector<std::uint8_t> layer(static_cast<std::size_t>(w) * h * 4);
    for (std::size_t i = 0; i < layer.size(); ++i) layer[i] = static_cast<std::uint8_t>(i * 31);
    gl::GlCompositorOptions options;
    options.force_direct_upload = !pbo;
    auto compositor = gl::GlCompositor::create(gl::GlApi::kGl33Core, options);
    if (!compositor) return state.SkipWithError(compositor.error().message().c_str());
    std::uint8_t pixel[4];
    const gl::RgbaView view{layer.data(), w, h, w * 4};
    for (auto _ : state) {
        auto composed = (*compositor)->compose(view, {}, {}, 1, 1);
        if (composed) composed = (*compositor)->read_pixels({pixel, 1, 1, 4});
        if (!composed) return state.SkipWithError(composed.error().message().c_str());
        benchmark::DoNotOptimize(pixel[0]);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * w * h * 4);
    const auto stats = (*compositor)->stats();
    state.counters["fence_waits"] = static_cast<double>(stats.fence_waits);
    state.counters["pbo"] = stats.pbo_uploads ? 1 : 0;
}

void BM_GlUploadPbo(benchmark::State& state) { upload(state, true); }
void BM_GlUploadDirect(benchmark::State& state) { upload(state, false); }
BENCHMARK(BM_GlUploadPbo)->Args({1920, 1080})->Args({3840, 2160})
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_GlUploadDirect)->Args({1920, 1080})->Args({3840, 2160})
    ->Unit(benchmark::kMillisecond)->UseRealTime();

const bool kRatios = [] {
    add_ratio("GL upload 1080p: PBO ring vs direct glTexSubImage2D",
              "BM_GlUploadPbo/1920/1080/real_time", "BM_GlUploadDirect/1920/1080/real_time");
    add_ratio("GL upload 4K: PBO ring vs direct glTexSubImage2D",
              "BM_GlUploadPbo/3840/2160/real_time", "BM_GlUploadDirect/3840/2160/real_time");
    return true;
}();

}  // namespace
}  // namespace interleave::bench
