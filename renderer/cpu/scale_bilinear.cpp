// BilinearScaler: tables, the scalar reference, and the Highway row kernels (compiled once per
// target by foreach_target.h, dispatched at run time). Thread: the scaler's owner.
#include "renderer/cpu/scale_bilinear.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "renderer/cpu/scale_bilinear.cpp"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

static_assert(std::endian::native == std::endian::little,
              "the horizontal kernel gathers RGBA8 pixels as little-endian 32-bit words");

HWY_BEFORE_NAMESPACE();
namespace interleave::renderer::cpu {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// One source row to `padded_px` filtered pixels, 4 u16 values each (R, G, B, A; value * 256
// precision): h = p0 * w0 + p1 * w1 <= 255 * 256, so every product and sum fits 16 bits.
// `x0`, `x1` index the 32-bit pixels of `src_row`, which holds at least one vector of readable
// pixels past the last one indexed; `w0`, `w1` hold each pixel's weight four times.
// `padded_px` is a whole number of vectors, and x0 never decreases.
void scale_horizontal_row(const std::uint32_t* src_row, const std::int32_t* x0,
                          const std::int32_t* x1, const std::uint16_t* w0, const std::uint16_t* w1,
                          std::uint16_t* out, std::size_t padded_px) {
#if HWY_TARGET == HWY_SCALAR
    // One-lane vectors cannot be re-split into bytes: the same arithmetic, pixel by pixel.
    for (std::size_t x = 0; x < padded_px; ++x) {
        const auto* p0 = reinterpret_cast<const std::uint8_t*>(src_row + x0[x]);
        const auto* p1 = reinterpret_cast<const std::uint8_t*>(src_row + x1[x]);
        for (std::size_t c = 0; c < 4; ++c) {
            out[x * 4 + c] =
                static_cast<std::uint16_t>(p0[c] * w0[x * 4 + c] + p1[c] * w1[x * 4 + c]);
        }
    }
#else
    const hn::ScalableTag<std::uint32_t> d32;
    const hn::RebindToSigned<decltype(d32)> di32;
    const hn::Repartition<std::uint8_t, decltype(d32)> d8;
    const hn::Half<decltype(d8)> d8h;
    const hn::Repartition<std::uint16_t, decltype(d32)> d16;
    const std::size_t n = hn::Lanes(d32);
    const std::size_t n16 = hn::Lanes(d16);  // 2n: half a vector of pixels' channels
    assert(padded_px % n == 0 && "tables are padded to whole vectors");
    for (std::size_t x = 0; x < padded_px; x += n) {
        // Where the vector's source pixels lie within one vector (any upscale, mild downscales),
        // two loads and a lane permute replace the gathers. The second load starts one pixel
        // later: p1 = pixel x0 + 1, which is x1 wherever w1 > 0 (and in bounds, see above).
        const std::int32_t first = x0[x];
        hn::Vec<decltype(d8)> p0, p1;
        if (x0[x + n - 1] - first < static_cast<std::int32_t>(n)) {
            const auto rel =
                hn::IndicesFromVec(d32, hn::Sub(hn::LoadU(di32, x0 + x), hn::Set(di32, first)));
            p0 = hn::BitCast(d8, hn::TableLookupLanes(hn::LoadU(d32, src_row + first), rel));
            p1 = hn::BitCast(d8, hn::TableLookupLanes(hn::LoadU(d32, src_row + first + 1), rel));
        } else {
            p0 = hn::BitCast(d8, hn::GatherIndex(d32, src_row, hn::LoadU(di32, x0 + x)));
            p1 = hn::BitCast(d8, hn::GatherIndex(d32, src_row, hn::LoadU(di32, x1 + x)));
        }
        const std::size_t i = x * 4;
        const auto lo =
            hn::Add(hn::Mul(hn::PromoteTo(d16, hn::LowerHalf(d8h, p0)), hn::LoadU(d16, w0 + i)),
                    hn::Mul(hn::PromoteTo(d16, hn::LowerHalf(d8h, p1)), hn::LoadU(d16, w1 + i)));
        const auto hi = hn::Add(
            hn::Mul(hn::PromoteTo(d16, hn::UpperHalf(d8h, p0)), hn::LoadU(d16, w0 + i + n16)),
            hn::Mul(hn::PromoteTo(d16, hn::UpperHalf(d8h, p1)), hn::LoadU(d16, w1 + i + n16)));
        hn::StoreU(lo, d16, out + i);
        hn::StoreU(hi, d16, out + i + n16);
    }
#endif
}

// out = (h0 * (256 - w1) + h1 * w1 + 32768) >> 16 for `count` values, in 16-bit lanes: with
// h = 256 * hh + hl (bytes), A = hh0 * wa + hh1 * wb and B = hl0 * wa + hl1 * wb both fit 16
// bits, the sum is 256 * A + B, and (256 * A + B + 32768) >> 16 == (A + (B >> 8) + 128) >> 8
// (nested floor division), where A + (B >> 8) <= 65280. `h0`, `h1` may be read up to a whole
// vector past `count`; `out` is written for exactly `count` bytes.
void scale_vertical_row(const std::uint16_t* h0, const std::uint16_t* h1, std::uint32_t w1,
                        std::uint8_t* out, std::size_t count) {
    const hn::ScalableTag<std::uint16_t> d16;
    const hn::RebindToSigned<decltype(d16)> di16;
    const hn::Rebind<std::uint8_t, decltype(d16)> d8;
    const std::size_t n = hn::Lanes(d16);
    const auto wa = hn::Set(d16, static_cast<std::uint16_t>(256 - w1));
    const auto wb = hn::Set(d16, static_cast<std::uint16_t>(w1));
    const auto low_byte = hn::Set(d16, std::uint16_t{0xFF});
    const auto half = hn::Set(d16, std::uint16_t{128});
    const auto mix = [&](std::size_t i) {
        const auto a = hn::LoadU(d16, h0 + i);
        const auto b = hn::LoadU(d16, h1 + i);
        const auto high =
            hn::Add(hn::Mul(hn::ShiftRight<8>(a), wa), hn::Mul(hn::ShiftRight<8>(b), wb));
        const auto low =
            hn::Add(hn::Mul(hn::And(a, low_byte), wa), hn::Mul(hn::And(b, low_byte), wb));
        const auto rounded =
            hn::ShiftRight<8>(hn::Add(hn::Add(high, hn::ShiftRight<8>(low)), half));
        return hn::DemoteTo(d8, hn::BitCast(di16, rounded));  // values 0..255
    };
    std::size_t i = 0;
    for (; i + n <= count; i += n) hn::StoreU(mix(i), d8, out + i);
    if (i == count) return;
    alignas(64) std::uint8_t tail[HWY_MAX_BYTES];
    hn::StoreU(mix(i), d8, tail);
    std::memcpy(out + i, tail, count - i);
}

std::int64_t scale_compiled_target() {
    return HWY_TARGET;
}

}  // namespace HWY_NAMESPACE
}  // namespace interleave::renderer::cpu
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace interleave::renderer::cpu {

HWY_EXPORT(scale_horizontal_row);
HWY_EXPORT(scale_vertical_row);
HWY_EXPORT(scale_compiled_target);

namespace {

// Tables are padded to a multiple of the widest vector of 32-bit lanes (SVE's 2048 bits), so
// the horizontal kernel never needs a tail; padding entries repeat the last tap with weight 0.
// The source row copy has as many pixels of slack, for the kernel's whole-vector loads.
constexpr std::size_t kPadPx = 64;

const std::uint8_t* row_of(const RgbaView& v, int y) {
    return v.pixels + static_cast<std::ptrdiff_t>(y) * v.stride_bytes;
}

std::uint8_t* row_of(const RgbaTarget& t, int y) {
    return t.pixels + static_cast<std::ptrdiff_t>(y) * t.stride_bytes;
}

void fill_taps(std::vector<BilinearTap>& taps, int src_px, int dst_px) {
    taps.resize(static_cast<std::size_t>(dst_px));
    for (int d = 0; d < dst_px; ++d) {
        taps[static_cast<std::size_t>(d)] = bilinear_tap(src_px, dst_px, d);
    }
}

}  // namespace

BilinearTap bilinear_tap(int src_px, int dst_px, int d) {
    assert(src_px > 0 && dst_px > 0 && d >= 0 && d < dst_px && "tap outside the image");
    // 256 * p = 256 * ((2d + 1) * src - dst) / (2 * dst), rounded half up, then clamped.
    const std::int64_t num = (std::int64_t{2} * d + 1) * src_px - dst_px;
    const std::int64_t den = std::int64_t{2} * dst_px;
    const std::int64_t last = std::int64_t{src_px - 1} * 256;
    const std::int64_t pos = num <= 0 ? 0 : std::min((num * 256 + dst_px) / den, last);
    BilinearTap tap;
    tap.i0 = static_cast<int>(pos >> 8);
    tap.w1 = static_cast<int>(pos & 255);
    tap.i1 = tap.w1 == 0 ? tap.i0 : tap.i0 + 1;  // w1 > 0 implies i0 < src_px - 1
    return tap;
}

void BilinearScaler::prepare(int src_w, int src_h, int dst_w, int dst_h) {
    if (src_w != src_w_ || dst_w != dst_w_) {
        fill_taps(x_taps_, src_w, dst_w);
        padded_w_ = (static_cast<std::size_t>(dst_w) + kPadPx - 1) / kPadPx * kPadPx;
        // Padding repeats the last tap (x0 never decreases) with weight 0.
        x0_.assign(padded_w_, x_taps_.back().i0);
        x1_.assign(padded_w_, x_taps_.back().i1);
        xw0_.assign(padded_w_ * 4, 0);
        xw1_.assign(padded_w_ * 4, 0);
        for (std::size_t x = 0; x < x_taps_.size(); ++x) {
            const BilinearTap t = x_taps_[x];
            x0_[x] = t.i0;
            x1_[x] = t.i1;
            std::fill_n(xw0_.begin() + static_cast<std::ptrdiff_t>(x * 4), 4,
                        static_cast<std::uint16_t>(256 - t.w1));
            std::fill_n(xw1_.begin() + static_cast<std::ptrdiff_t>(x * 4), 4,
                        static_cast<std::uint16_t>(t.w1));
        }
        src_w_ = src_w;
        dst_w_ = dst_w;
    }
    if (src_h != src_h_ || dst_h != dst_h_) {
        fill_taps(y_taps_, src_h, dst_h);
        src_h_ = src_h;
        dst_h_ = dst_h;
    }
}

void BilinearScaler::scale(const RgbaView& src, const RgbaTarget& dst) {
    assert(!src.empty() && dst.pixels != nullptr && dst.width_px > 0 && dst.height_px > 0 &&
           "BilinearScaler::scale needs two non-empty images");
    prepare(src.width_px, src.height_px, dst.width_px, dst.height_px);
    if (path_ == ScalePath::kScalarReference) {
        scale_scalar(src, dst);
    } else {
        scale_simd(src, dst);
    }
}

void BilinearScaler::scale_scalar(const RgbaView& src, const RgbaTarget& dst) const {
    for (int y = 0; y < dst.height_px; ++y) {
        const BilinearTap ty = y_taps_[static_cast<std::size_t>(y)];
        const std::uint8_t* r0 = row_of(src, ty.i0);
        const std::uint8_t* r1 = row_of(src, ty.i1);
        std::uint8_t* out = row_of(dst, y);
        for (int x = 0; x < dst.width_px; ++x) {
            const BilinearTap tx = x_taps_[static_cast<std::size_t>(x)];
            for (int c = 0; c < 4; ++c) {
                const auto h = [&](const std::uint8_t* r) {
                    return std::uint32_t{r[tx.i0 * 4 + c]} *
                               static_cast<std::uint32_t>(256 - tx.w1) +
                           std::uint32_t{r[tx.i1 * 4 + c]} * static_cast<std::uint32_t>(tx.w1);
                };
                const std::uint32_t v = h(r0) * static_cast<std::uint32_t>(256 - ty.w1) +
                                        h(r1) * static_cast<std::uint32_t>(ty.w1);
                out[x * 4 + c] = static_cast<std::uint8_t>((v + 32768) >> 16);
            }
        }
    }
}

const std::uint16_t* BilinearScaler::filtered_row(const RgbaView& src, int sy, int keep_sy) {
    const std::size_t values = padded_w_ * 4;
    for (int slot = 0; slot < 2; ++slot) {
        if (row_in_slot_[slot] == sy) return rows_.data() + slot * values;
    }
    const int slot = row_in_slot_[0] == keep_sy ? 1 : 0;
    // Copied: aligned 32-bit words (whatever the source's alignment), with slack to load
    // whole vectors past the row's end. About a tenth of the kernel's time.
    std::memcpy(source_row_.data(), row_of(src, sy), static_cast<std::size_t>(src.width_px) * 4);
    std::uint16_t* out = rows_.data() + slot * values;
    HWY_DYNAMIC_DISPATCH(scale_horizontal_row)
    (source_row_.data(), x0_.data(), x1_.data(), xw0_.data(), xw1_.data(), out, padded_w_);
    row_in_slot_[slot] = sy;
    return out;
}

void BilinearScaler::scale_simd(const RgbaView& src, const RgbaTarget& dst) {
    if (rows_.size() < 2 * padded_w_ * 4) rows_.resize(2 * padded_w_ * 4);
    if (source_row_.size() < static_cast<std::size_t>(src.width_px) + kPadPx) {
        source_row_.resize(static_cast<std::size_t>(src.width_px) + kPadPx);
    }
    // The source pixels may differ from the last call's: no filtered row carries over.
    row_in_slot_[0] = row_in_slot_[1] = -1;
    const std::size_t count = static_cast<std::size_t>(dst.width_px) * 4;
    for (int y = 0; y < dst.height_px; ++y) {
        const BilinearTap ty = y_taps_[static_cast<std::size_t>(y)];
        const std::uint16_t* h0 = filtered_row(src, ty.i0, ty.i1);
        const std::uint16_t* h1 = filtered_row(src, ty.i1, ty.i0);
        HWY_DYNAMIC_DISPATCH(scale_vertical_row)
        (h0, h1, static_cast<std::uint32_t>(ty.w1), row_of(dst, y), count);
    }
}

std::size_t BilinearScaler::scratch_bytes() const {
    return x_taps_.capacity() * sizeof(BilinearTap) + y_taps_.capacity() * sizeof(BilinearTap) +
           (x0_.capacity() + x1_.capacity()) * sizeof(std::int32_t) +
           (xw0_.capacity() + xw1_.capacity() + rows_.capacity()) * sizeof(std::uint16_t) +
           source_row_.capacity() * sizeof(std::uint32_t);
}

std::vector<std::int64_t> scale_simd_targets() {
    // HWY_TARGETS here is this file's set of compiled targets.
    return hwy::SupportedAndGeneratedTargets();
}

std::int64_t scale_simd_dispatched_target() {
    return HWY_DYNAMIC_DISPATCH(scale_compiled_target)();
}

void set_scale_simd_target_for_test(std::int64_t target) {
    hwy::SetSupportedTargetsForTest(target);
}

}  // namespace interleave::renderer::cpu
#endif  // HWY_ONCE
