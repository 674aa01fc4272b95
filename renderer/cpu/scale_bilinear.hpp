// BilinearScaler: separable bilinear scaling of straight-alpha RGBA8 images as GL_LINEAR with
// GL_CLAMP_TO_EDGE samples, correctly rounded; Highway SIMD (run-time dispatch) and a scalar
// reference of the same arithmetic. Thread: one thread per scaler object (the render thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "renderer/cpu/rgba_view.hpp"

namespace interleave::renderer::cpu {

// Where one output pixel samples along one axis: two source pixels and the second's weight.
struct BilinearTap {
    int i0 = 0;  // first source pixel
    int i1 = 0;  // second source pixel: i0 + 1, or i0 at the far edge and wherever w1 is 0
    int w1 = 0;  // weight of i1 in 1/256, 0..255; i0 gets 256 - w1
    friend bool operator==(const BilinearTap&, const BilinearTap&) = default;
};

// The GL_LINEAR tap of output pixel `d` (0..dst_px-1) when `src_px` pixels become `dst_px`:
// source position p = (d + 0.5) * src_px / dst_px - 0.5, clamped to [0, src_px - 1] (clamp to
// edge), rounded to the nearest 1/256 pixel (ties up; GPUs keep 8 bits of subtexel position
// too), computed exactly in integers. i0 = floor(p), w1 = the fraction in 1/256.
[[nodiscard]] BilinearTap bilinear_tap(int src_px, int dst_px, int d);

enum class ScalePath : std::uint8_t { kSimd, kScalarReference };

// Scales RGBA8 images, each channel (straight alpha included) on its own, with this arithmetic
// (the scalar reference is its definition, and every SIMD target matches it bit for bit):
//   horizontal  h(row, x) = src(row, tx.i0) * (256 - tx.w1) + src(row, tx.i1) * tx.w1
//               (exact, 0..65280: 8 fractional bits kept in a 16-bit intermediate)
//   vertical    out(x, y) = (h(ty.i0, x) * (256 - ty.w1) + h(ty.i1, x) * ty.w1 + 32768) >> 16
// with tx = bilinear_tap(src_w, dst_w, x) and ty = bilinear_tap(src_h, dst_h, y): the
// bilinear mix of the 8-bit-weight sample, rounded to nearest once (ties up). So a constant
// image stays exactly constant (255 stays 255), an identical size copies exactly, and where
// the sampling position lies on the 1/256 grid the result is within 0.5 of exact GL_LINEAR.
// No mipmaps, as GL_LINEAR: a downscale by more than 2 skips source pixels.
//
// Tables (taps and per-channel weights per output column and row) are built when a size pair
// first appears and kept while it stays; they and the row buffers (two horizontally scaled
// rows, so an upscale filters each source row once) only grow. Steady-state scale() on the
// same sizes allocates nothing.
class BilinearScaler {
public:
    explicit BilinearScaler(ScalePath path = ScalePath::kSimd) : path_(path) {}

    // Scales all of `src` into all of `dst`. Any sizes >= 1 (up to 32767 per side, which
    // the compositor checks), any stride >= width * 4, any alignment (each source row is
    // copied into an aligned row buffer before filtering). Writes exactly dst.width_px * 4 bytes
    // per row (stride padding untouched). `src` and `dst` must not overlap. Asserts on empty
    // views; bad input is the caller's to reject.
    void scale(const RgbaView& src, const RgbaTarget& dst);

    [[nodiscard]] ScalePath path() const { return path_; }
    // Bytes held by tables and row buffers (for stats).
    [[nodiscard]] std::size_t scratch_bytes() const;

private:
    void prepare(int src_w, int src_h, int dst_w, int dst_h);
    void scale_scalar(const RgbaView& src, const RgbaTarget& dst) const;
    void scale_simd(const RgbaView& src, const RgbaTarget& dst);
    // Slot (0 or 1) of rows_ holding source row `sy` filtered horizontally; fills the slot
    // that does not hold `keep_sy` when neither holds `sy`.
    const std::uint16_t* filtered_row(const RgbaView& src, int sy, int keep_sy);

    // --- immutable after construction
    const ScalePath path_;
    // --- the owner's thread only
    int src_w_ = 0, src_h_ = 0, dst_w_ = 0, dst_h_ = 0;  // sizes the tables hold; 0 = none
    std::size_t padded_w_ = 0;               // dst_w_ rounded up to a whole number of vectors
    std::vector<BilinearTap> x_taps_;        // dst_w_
    std::vector<BilinearTap> y_taps_;        // dst_h_
    std::vector<std::int32_t> x0_, x1_;      // padded_w_: x_taps_ as gather indices (padding: 0)
    std::vector<std::uint16_t> xw0_, xw1_;   // padded_w_ * 4: each weight once per channel
    std::vector<std::uint16_t> rows_;        // 2 * padded_w_ * 4: horizontally filtered rows
    int row_in_slot_[2] = {-1, -1};          // source row each half of rows_ holds; -1 = none
    std::vector<std::uint32_t> source_row_;  // the row being filtered, copied, + kPadPx slack
};

// Every Highway target compiled into scale_bilinear.cpp that this CPU supports, best first.
[[nodiscard]] std::vector<std::int64_t> scale_simd_targets();

// The target that BilinearScaler's SIMD path dispatches to now.
[[nodiscard]] std::int64_t scale_simd_dispatched_target();

// Test hook: restricts dispatch to `target` (one of scale_simd_targets()); 0 restores normal
// detection. Process-wide (hwy::SetSupportedTargetsForTest, shared with blend_simd): never call
// it while another thread scales or blends.
void set_scale_simd_target_for_test(std::int64_t target);

}  // namespace interleave::renderer::cpu
