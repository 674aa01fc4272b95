// Highway implementation of blend_row_simd, compiled once per target by foreach_target.h and
// dispatched at run time. Thread: any (see blend_simd.hpp for the test hooks).
#include "renderer/cpu/blend_simd.hpp"

#include <bit>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "renderer/cpu/blend_simd.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

static_assert(std::endian::native == std::endian::little,
              "blend_simd handles RGBA8 pixels as little-endian 32-bit words");

HWY_BEFORE_NAMESPACE();
namespace interleave::renderer::cpu {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Each 32-bit pixel word is split into two "field" words: rb = R | B<<16 and ga = G | A<<16,
// one 8-bit value per 16-bit field. A stage mix8(c1, c2, a) then runs on 16-bit fields:
// c1*(255-a) + c2*a <= 255*255 and the rounding below stay within 16 bits, so no field ever
// carries into its neighbour and the result equals the scalar reference exactly.
using D32 = hn::ScalableTag<std::uint32_t>;
using V32 = hn::Vec<D32>;

// Field-wise 16-bit multiply of `fields` by `alpha` (the same value in both fields). Each
// product fits in its field.
HWY_INLINE V32 mul_fields(D32 d32, V32 fields, V32 alpha) {
#if HWY_TARGET == HWY_SCALAR
    // One 32-bit lane: (lo | hi << 16) * a = lo * a + (hi * a) << 16, no carry between them.
    return hn::Mul(fields, hn::And(alpha, hn::Set(d32, 0xFFFFu)));
#else
    const hn::Repartition<std::uint16_t, D32> d16;
    return hn::BitCast(d32, hn::Mul(hn::BitCast(d16, fields), hn::BitCast(d16, alpha)));
#endif
}

// Field-wise div255_round: y = x + 128; (y + (y >> 8)) >> 8, which equals (y * 257) >> 16.
HWY_INLINE V32 div255_fields(D32 d32, V32 x) {
#if HWY_TARGET == HWY_SCALAR
    const V32 low_bytes = hn::Set(d32, 0x00FF00FFu);
    const V32 y = hn::Add(x, hn::Set(d32, 0x00800080u));
    return hn::And(hn::ShiftRight<8>(hn::Add(y, hn::And(hn::ShiftRight<8>(y), low_bytes))),
                   low_bytes);
#else
    const hn::Repartition<std::uint16_t, D32> d16;
    const auto y = hn::Add(hn::BitCast(d16, x), hn::Set(d16, std::uint16_t{128}));
    return hn::BitCast(d32, hn::MulHigh(y, hn::Set(d16, std::uint16_t{257})));
#endif
}

// mix8 on fields: c1, c2 hold one value per field, a / inv_a the alpha / 255-alpha in both.
HWY_INLINE V32 mix_fields(D32 d32, V32 c1, V32 c2, V32 a, V32 inv_a) {
    return div255_fields(d32, hn::Add(mul_fields(d32, c1, inv_a), mul_fields(d32, c2, a)));
}

HWY_INLINE V32 load_pixels(D32 d32, const std::uint8_t* p) {
#if HWY_TARGET == HWY_SCALAR
    std::uint32_t word;
    std::memcpy(&word, p, sizeof word);
    return hn::Set(d32, word);
#else
    const hn::Repartition<std::uint8_t, D32> d8;
    return hn::BitCast(d32, hn::LoadU(d8, p));
#endif
}

HWY_INLINE void store_pixels([[maybe_unused]] D32 d32, V32 v, std::uint8_t* p) {
#if HWY_TARGET == HWY_SCALAR
    const std::uint32_t word = hn::GetLane(v);
    std::memcpy(p, &word, sizeof word);
#else
    const hn::Repartition<std::uint8_t, D32> d8;
    hn::StoreU(hn::BitCast(d8, v), d8, p);
#endif
}

// Alpha (bits 24..31) copied into both 16-bit fields.
HWY_INLINE V32 alpha_fields(V32 px) {
    const V32 a = hn::ShiftRight<24>(px);
    return hn::Or(a, hn::ShiftLeft<16>(a));
}

HWY_INLINE void blend_vector(D32 d32, const std::uint8_t* main_rgba,
                             const std::uint8_t* float_rgba, V32 bg_rb, V32 bg_ga,
                             std::uint8_t* out_rgba) {
    const V32 low_bytes = hn::Set(d32, 0x00FF00FFu);
    const V32 m = load_pixels(d32, main_rgba);
    const V32 f = load_pixels(d32, float_rgba);
    const V32 ma = alpha_fields(m);
    const V32 fa = alpha_fields(f);
    const V32 inv_ma = hn::Xor(ma, low_bytes);  // 255 - a, for a in 0..255
    const V32 inv_fa = hn::Xor(fa, low_bytes);
    const V32 s_rb = mix_fields(d32, bg_rb, hn::And(m, low_bytes), ma, inv_ma);
    const V32 s_ga = mix_fields(d32, bg_ga, hn::And(hn::ShiftRight<8>(m), low_bytes), ma, inv_ma);
    const V32 o_rb = mix_fields(d32, s_rb, hn::And(f, low_bytes), fa, inv_fa);
    const V32 o_ga = mix_fields(d32, s_ga, hn::And(hn::ShiftRight<8>(f), low_bytes), fa, inv_fa);
    // The alpha field of o_ga lands in bits 24..31 and is overwritten with 255.
    const V32 out = hn::Or(hn::Or(o_rb, hn::ShiftLeft<8>(o_ga)), hn::Set(d32, 0xFF000000u));
    store_pixels(d32, out, out_rgba);
}

void blend_row(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba, BgColour bg,
               std::uint8_t* out_rgba, int width_px) {
    const D32 d32;
    const std::size_t lanes = hn::Lanes(d32);
    const std::size_t width = width_px > 0 ? static_cast<std::size_t>(width_px) : 0;
    const V32 bg_rb = hn::Set(d32, std::uint32_t{bg.r} | (std::uint32_t{bg.b} << 16));
    const V32 bg_ga = hn::Set(d32, std::uint32_t{bg.g} | (std::uint32_t{255} << 16));
    std::size_t x = 0;
    for (; x + lanes <= width; x += lanes) {
        blend_vector(d32, main_rgba + x * 4, float_rgba + x * 4, bg_rb, bg_ga, out_rgba + x * 4);
    }
    if (x == width) return;
    // The tail (fewer than `lanes` pixels) goes through the same vector code via a copy, so
    // every pixel takes one path and nothing is read or written past the row.
    static_assert(HWY_MAX_BYTES <= 256, "tail buffers are sized for x86 and Arm vectors");
    alignas(64) std::uint8_t tail_main[HWY_MAX_BYTES] = {};
    alignas(64) std::uint8_t tail_float[HWY_MAX_BYTES] = {};
    alignas(64) std::uint8_t tail_out[HWY_MAX_BYTES];
    const std::size_t tail_bytes = (width - x) * 4;
    std::memcpy(tail_main, main_rgba + x * 4, tail_bytes);
    std::memcpy(tail_float, float_rgba + x * 4, tail_bytes);
    blend_vector(d32, tail_main, tail_float, bg_rb, bg_ga, tail_out);
    std::memcpy(out_rgba + x * 4, tail_out, tail_bytes);
}

std::int64_t compiled_target() { return HWY_TARGET; }

}  // namespace HWY_NAMESPACE
}  // namespace interleave::renderer::cpu
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace interleave::renderer::cpu {

HWY_EXPORT(blend_row);
HWY_EXPORT(compiled_target);

void blend_row_simd(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba, BgColour bg,
                    std::uint8_t* out_rgba, int width_px) {
    HWY_DYNAMIC_DISPATCH(blend_row)(main_rgba, float_rgba, bg, out_rgba, width_px);
}

std::vector<std::int64_t> blend_simd_targets() {
    // HWY_TARGETS here is this file's set of compiled targets.
    return hwy::SupportedAndGeneratedTargets();
}

const char* blend_simd_target_name(std::int64_t target) { return hwy::TargetName(target); }

std::int64_t blend_simd_dispatched_target() { return HWY_DYNAMIC_DISPATCH(compiled_target)(); }

void set_blend_simd_target_for_test(std::int64_t target) {
    hwy::SetSupportedTargetsForTest(target);
}

}  // namespace interleave::renderer::cpu
#endif  // HWY_ONCE
