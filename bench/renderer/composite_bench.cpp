// CPU compositing benchmarks at 1080p on one core: the SIMD fused blend, its scalar reference
// and the whole CpuCompositor, against pixman's OVER (one and two premultiplied layers); and
// the compositor with both layers scaled up to 1080p, against pixman's bilinear scaling alone.
// Thread: the benchmark main thread.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <pixman.h>

#include "bench/bench_support.hpp"
#include "renderer/cpu/blend_scalar.hpp"
#include "renderer/cpu/blend_simd.hpp"
#include "renderer/cpu/cpu_compositor.hpp"

namespace interleave::bench {
namespace {

using renderer::cpu::BgColour;

constexpr int kWidth = 1920;
constexpr int kHeight = 1080;
constexpr int kStride = kWidth * 4;
constexpr BgColour kBg{4, 4, 4};

// Two photographic layers with soft elliptic masks, straight alpha, as the decoder delivers
// them (SBS threshold applied), plus premultiplied copies for pixman.
struct Content {
    std::string error;
    std::vector<std::uint8_t> main, overlay;                 // RGBA, straight alpha
    std::vector<std::uint8_t> main_premul, overlay_premul;   // the same, premultiplied
};

// A soft ellipse (1 inside, 0 outside, a ramp of `ramp` in normalised radius), thresholded
// like an SBS mask: below 13 counts as 0.
void apply_mask(std::vector<std::uint8_t>& rgba, double cx, double cy, double rx, double ry,
                double ramp) {
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x) {
            const double dx = (x - cx * kWidth) / (rx * kWidth);
            const double dy = (y - cy * kHeight) / (ry * kHeight);
            const double a = std::clamp((1.0 - std::sqrt(dx * dx + dy * dy)) / ramp + 1.0, 0.0,
                                        1.0);
            auto v = static_cast<std::uint8_t>(std::lround(a * 255));
            if (v < 13) v = 0;
            rgba[(static_cast<std::size_t>(y) * kWidth + x) * 4 + 3] = v;
        }
    }
}

std::vector<std::uint8_t> premultiplied(const std::vector<std::uint8_t>& rgba) {
    std::vector<std::uint8_t> out(rgba.size());
    for (std::size_t i = 0; i < rgba.size(); i += 4) {
        const std::uint32_t a = rgba[i + 3];
        for (int c = 0; c < 3; ++c) out[i + c] = renderer::cpu::mix8(0, rgba[i + c], a);
        out[i + 3] = static_cast<std::uint8_t>(a);
    }
    return out;
}

const Content& content() {
    static const Content c = [] {
        Content out;
        const Rgba photo = load_photo(kWidth, kHeight, out.error);
        if (photo.pixels.empty()) return out;
        out.main = photo.pixels;
        apply_mask(out.main, 0.5, 0.5, 0.38, 0.42, 0.3);
        // The float layer: the same photo mirrored, masked by a smaller off-centre ellipse.
        out.overlay.resize(out.main.size());
        for (int y = 0; y < kHeight; ++y) {
            for (int x = 0; x < kWidth; ++x) {
                std::copy_n(&photo.pixels[(static_cast<std::size_t>(y) * kWidth + x) * 4], 4,
                            &out.overlay[(static_cast<std::size_t>(y) * kWidth +
                                          (kWidth - 1 - x)) * 4]);
            }
        }
        apply_mask(out.overlay, 0.65, 0.45, 0.25, 0.35, 0.5);
        out.main_premul = premultiplied(out.main);
        out.overlay_premul = premultiplied(out.overlay);
        return out;
    }();
    return c;
}

void set_counters(benchmark::State& state) {
    state.SetItemsProcessed(state.iterations() * kWidth * kHeight);  // output pixels
}

// The fused pass alone, row by row, as the compositor calls it.
template <void (*kBlend)(const std::uint8_t*, const std::uint8_t*, BgColour, std::uint8_t*, int)>
void blend_frame(benchmark::State& state) {
    const Content& c = content();
    if (c.main.empty()) return state.SkipWithError(c.error.c_str());
    std::vector<std::uint8_t> out(c.main.size());
    for (auto _ : state) {
        for (int y = 0; y < kHeight; ++y) {
            const std::size_t row = static_cast<std::size_t>(y) * kStride;
            kBlend(c.main.data() + row, c.overlay.data() + row, kBg, out.data() + row, kWidth);
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_counters(state);
}

void BM_BlendSimd(benchmark::State& state) {
    state.SetLabel(renderer::cpu::blend_simd_target_name(
        renderer::cpu::blend_simd_dispatched_target()));
    blend_frame<renderer::cpu::blend_row_simd>(state);
}
BENCHMARK(BM_BlendSimd)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BlendScalar(benchmark::State& state) {
    blend_frame<renderer::cpu::blend_row_scalar>(state);
}
BENCHMARK(BM_BlendScalar)->Unit(benchmark::kMillisecond)->UseRealTime();

// Times CpuCompositor::compose of (main, overlay) into a 1920x1080 frame.
void compose_frames(benchmark::State& state, const renderer::cpu::RgbaView& main,
                    const renderer::cpu::RgbaView& overlay) {
    renderer::cpu::CpuCompositor compositor;
    std::vector<std::uint8_t> out(static_cast<std::size_t>(kStride) * kHeight);
    const renderer::cpu::RgbaTarget target{out.data(), kWidth, kHeight, kStride};
    for (auto _ : state) {
        if (!compositor.compose(main, overlay, {kBg}, target)) {
            return state.SkipWithError("compose failed");
        }
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    set_counters(state);
}

// The whole compositor, layers already at the output size (no scaling, no rotation).
void BM_CpuCompositor(benchmark::State& state) {
    const Content& c = content();
    if (c.main.empty()) return state.SkipWithError(c.error.c_str());
    using renderer::cpu::RgbaView;
    compose_frames(state, RgbaView{c.main.data(), kWidth, kHeight, kStride},
                   RgbaView{c.overlay.data(), kWidth, kHeight, kStride});
}
BENCHMARK(BM_CpuCompositor)->Unit(benchmark::kMillisecond)->UseRealTime();

// Both layers at `divisor` times less than 1080p per side (every divisor-th pixel of the 1080p
// content), so the compositor scales each up to 1920x1080 before blending.
struct SmallLayers {
    int width_px = 0, height_px = 0;
    std::vector<std::uint8_t> main, overlay;
};

SmallLayers small_layers(const Content& c, int divisor) {
    SmallLayers out{kWidth / divisor, kHeight / divisor, {}, {}};
    const auto pick = [&](const std::vector<std::uint8_t>& full, std::vector<std::uint8_t>& dst) {
        dst.resize(static_cast<std::size_t>(out.width_px) * out.height_px * 4);
        for (int y = 0; y < out.height_px; ++y) {
            for (int x = 0; x < out.width_px; ++x) {
                std::copy_n(&full[(static_cast<std::size_t>(y) * divisor * kWidth +
                                   static_cast<std::size_t>(x) * divisor) * 4],
                            4, &dst[(static_cast<std::size_t>(y) * out.width_px + x) * 4]);
            }
        }
    };
    pick(c.main, out.main);
    pick(c.overlay, out.overlay);
    return out;
}

// The whole compositor with both layers scaled (BilinearScaler) to 1920x1080 and blended.
// Argument: the divisor (4: 480x270 layers, 2: 960x540).
void BM_CpuCompositorScaled(benchmark::State& state) {
    const Content& c = content();
    if (c.main.empty()) return state.SkipWithError(c.error.c_str());
    using renderer::cpu::RgbaView;
    const SmallLayers small = small_layers(c, static_cast<int>(state.range(0)));
    state.SetLabel(std::to_string(small.width_px) + "x" + std::to_string(small.height_px) +
                   " -> 1920x1080");
    compose_frames(state,
                   RgbaView{small.main.data(), small.width_px, small.height_px,
                            small.width_px * 4},
                   RgbaView{small.overlay.data(), small.width_px, small.height_px,
                            small.width_px * 4});
}
BENCHMARK(BM_CpuCompositorScaled)->Arg(4)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The baseline: what the compositor used before, pixman's bilinear filter (PAD, OP_SRC between
// a8b8g8r8 images, as GL_LINEAR samples), scaling both layers to 1920x1080; no blend.
void BM_PixmanBilinearScaled(benchmark::State& state) {
    const Content& c = content();
    if (c.main.empty()) return state.SkipWithError(c.error.c_str());
    SmallLayers small = small_layers(c, static_cast<int>(state.range(0)));
    std::vector<std::uint32_t> dst_pixels(static_cast<std::size_t>(kWidth) * kHeight);
    pixman_image_t* sources[2] = {};
    std::vector<std::uint8_t>* layers[2] = {&small.main, &small.overlay};
    pixman_transform_t transform;
    pixman_transform_init_scale(&transform, pixman_int_to_fixed(small.width_px) / kWidth,
                                pixman_int_to_fixed(small.height_px) / kHeight);
    for (int i = 0; i < 2; ++i) {
        sources[i] = pixman_image_create_bits(
            PIXMAN_a8b8g8r8, small.width_px, small.height_px,
            reinterpret_cast<std::uint32_t*>(layers[i]->data()), small.width_px * 4);
        pixman_image_set_filter(sources[i], PIXMAN_FILTER_BILINEAR, nullptr, 0);
        pixman_image_set_repeat(sources[i], PIXMAN_REPEAT_PAD);
        pixman_image_set_transform(sources[i], &transform);
    }
    pixman_image_t* dst =
        pixman_image_create_bits(PIXMAN_a8b8g8r8, kWidth, kHeight, dst_pixels.data(), kStride);
    for (auto _ : state) {
        for (pixman_image_t* src : sources) {
            pixman_image_composite32(PIXMAN_OP_SRC, src, nullptr, dst, 0, 0, 0, 0, 0, 0, kWidth,
                                     kHeight);
        }
        benchmark::DoNotOptimize(dst_pixels.data());
        benchmark::ClobberMemory();
    }
    pixman_image_unref(dst);
    for (pixman_image_t* src : sources) pixman_image_unref(src);
    set_counters(state);
}
BENCHMARK(BM_PixmanBilinearScaled)->Arg(4)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// pixman OVER of premultiplied a8r8g8b8 layers onto a background-filled 1080p destination.
// (pixman wants premultiplied alpha; the content was premultiplied once, outside the timing.)
void pixman_over(benchmark::State& state, int layers) {
    const Content& c = content();
    if (c.main.empty()) return state.SkipWithError(c.error.c_str());
    auto* main_data = reinterpret_cast<std::uint32_t*>(
        const_cast<std::uint8_t*>(c.main_premul.data()));
    auto* overlay_data = reinterpret_cast<std::uint32_t*>(
        const_cast<std::uint8_t*>(c.overlay_premul.data()));
    std::vector<std::uint32_t> dst_pixels(static_cast<std::size_t>(kWidth) * kHeight,
                                          0xFF040404u);
    pixman_image_t* src_main =
        pixman_image_create_bits(PIXMAN_a8r8g8b8, kWidth, kHeight, main_data, kStride);
    pixman_image_t* src_overlay =
        pixman_image_create_bits(PIXMAN_a8r8g8b8, kWidth, kHeight, overlay_data, kStride);
    pixman_image_t* dst =
        pixman_image_create_bits(PIXMAN_a8r8g8b8, kWidth, kHeight, dst_pixels.data(), kStride);
    for (auto _ : state) {
        pixman_image_composite32(PIXMAN_OP_OVER, src_main, nullptr, dst, 0, 0, 0, 0, 0, 0,
                                 kWidth, kHeight);
        if (layers == 2) {
            pixman_image_composite32(PIXMAN_OP_OVER, src_overlay, nullptr, dst, 0, 0, 0, 0, 0, 0,
                                     kWidth, kHeight);
        }
        benchmark::DoNotOptimize(dst_pixels.data());
        benchmark::ClobberMemory();
    }
    pixman_image_unref(dst);
    pixman_image_unref(src_overlay);
    pixman_image_unref(src_main);
    set_counters(state);
}

void BM_PixmanOverOneLayer(benchmark::State& state) { pixman_over(state, 1); }
BENCHMARK(BM_PixmanOverOneLayer)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_PixmanOverTwoLayers(benchmark::State& state) { pixman_over(state, 2); }
BENCHMARK(BM_PixmanOverTwoLayers)->Unit(benchmark::kMillisecond)->UseRealTime();

const bool kRatios = [] {
    add_ratio("SIMD two-layer composite vs pixman two OVERs", "BM_CpuCompositor/real_time",
              "BM_PixmanOverTwoLayers/real_time");
    add_ratio("SIMD blend pass vs pixman two OVERs", "BM_BlendSimd/real_time",
              "BM_PixmanOverTwoLayers/real_time");
    add_ratio("SIMD two-layer composite vs pixman one OVER", "BM_CpuCompositor/real_time",
              "BM_PixmanOverOneLayer/real_time");
    add_ratio("SIMD blend pass vs scalar reference blend", "BM_BlendSimd/real_time",
              "BM_BlendScalar/real_time");
    add_ratio("scaled composite 480x270 vs pixman bilinear scaling alone",
              "BM_CpuCompositorScaled/4/real_time", "BM_PixmanBilinearScaled/4/real_time");
    add_ratio("scaled composite 960x540 vs pixman bilinear scaling alone",
              "BM_CpuCompositorScaled/2/real_time", "BM_PixmanBilinearScaled/2/real_time");
    return true;
}();

}  // namespace
}  // namespace interleave::bench
