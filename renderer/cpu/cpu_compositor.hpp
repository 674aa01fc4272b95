// CpuCompositor: the CPU backend's frame compositor: scale, fused SIMD blend, rotate, mirror
// and letterbox two straight-alpha RGBA layers into one RGBA frame. Thread: render only.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"
#include "core/thread.hpp"
#include "loader/frame.hpp"
#include "renderer/cpu/blend_scalar.hpp"
#include "renderer/cpu/rgba_view.hpp"
#include "renderer/cpu/scale_bilinear.hpp"

namespace interleave::renderer::cpu {

// A view of a LayerImage (width * 4 stride); empty when the layer holds no pixels.
[[nodiscard]] RgbaView view_of(const loader::LayerImage& layer);

// kInvalidArgument naming `name` when a side exceeds `max_side_px` or the stride is below
// width * 4; shared by the CPU and GL compositors (each with its own side limit).
[[nodiscard]] Result<void> check_rgba_view(const RgbaView& view, const char* name,
                                           int max_side_px);

// Clockwise rotation of the content on screen, in 90-degree steps.
enum class Rotation : std::uint8_t { k0, k90, k180, k270 };

struct ComposeOptions {
    BgColour background;              // bars and the base under the main layer; default 4,4,4
    Rotation rotation = Rotation::k0; // clockwise
    bool mirror = false;              // horizontal flip on screen, after the rotation
};

// Where the content lands in the output: x, y, width, height in output pixels.
struct PlacedRect {
    int x = 0, y = 0, width_px = 0, height_px = 0;
    friend bool operator==(const PlacedRect&, const PlacedRect&) = default;
};

// The letterbox rectangle for content of `content_w x content_h` (before rotation) shown with
// `rotation` in an `out_w x out_h` frame: the largest rectangle with the displayed content's
// aspect ratio (w/h swapped for 90 and 270) that fits, centred (odd spare pixels go to the
// right and bottom bar). The limiting side fills the frame exactly; the other is
// round(limit * aspect), at least 1 and at most the frame. Empty (all 0) when any size <= 0.
[[nodiscard]] PlacedRect letterbox_rect(int content_w, int content_h, Rotation rotation,
                                        int out_w, int out_h);

// Which blend implementation a compositor uses. kScalarReference runs the identical pipeline
// with blend_row_scalar, so tests can compare whole frames bit for bit.
enum class BlendPath : std::uint8_t { kSimd, kScalarReference };

// Composites (main, float) into an output frame. The pipeline, in this order (the GL path
// matches it within +-2 per channel, scaled layers included):
//   1. Content size = the main layer's size. rect = letterbox_rect(main size, rotation, output).
//      The pre-rotation content size is rect's size, with w/h swapped for 90 and 270.
//   2. Scale main and float, each to the pre-rotation content size, with BilinearScaler
//      (scale_bilinear.hpp; a layer already at that size is used as is). It samples as
//      GL_LINEAR with GL_CLAMP_TO_EDGE does: output pixel x reads source position
//      (x + 0.5) * src_w / dst_w - 0.5 (the same for y), between the two nearest source pixel
//      centres, edge pixels repeated, with 8-bit weights, and rounds the result to nearest once.
//      A float layer of another size than main is stretched into the same rectangle. Scaling
//      works on straight alpha, channel by channel, as GL_LINEAR sampling of the straight-alpha
//      textures does. A constant layer stays exactly constant (255 stays 255).
//      Limit: llvmpipe's GL_LINEAR is itself only within about 0.75 of exact, so scaled frames
//      match the GL path within +-2 per channel, not exactly: at most 2 on every value of every
//      case in tests/renderer/gl/scaled_match_test.cpp. Why not a library: libyuv's ARGBScale
//      aligns corners, not centres, and mixes with 7-bit (127 - f, f) >> 7 weights, up to 9 off
//      GL; pixman's bilinear filter truncates its sum, up to 3 off GL where a scaled main and
//      float layer overlap. Speed: a compose of two 480x270 (960x540) layers scaled to
//      1920x1080 takes about 3-4 (4-5) ms on one core, a little under pixman's bilinear
//      scaling of the two layers alone (bench/renderer/composite_bench.cpp).
//   3. Blend row by row: out = mix(mix(bg, main.rgb, main.a), float.rgb, float.a) with the
//      fused pass (blend_row_simd, or blend_row_scalar for kScalarReference); alpha 255.
//   4. Rotate the blended content clockwise by `rotation` (libyuv ARGBRotate).
//   5. Mirror it horizontally if `mirror` (libyuv ARGBMirror).
//   6. Place it at rect; fill the bars (everything outside rect) with bg, alpha 255.
// Steps that change nothing (same size, 0 degrees, no mirror) are skipped, not copied: with
// equal layer and output sizes, no rotation and no mirror, the blend writes the output rows
// directly and no scratch memory is touched. kScalarReference also scales with the scalar
// reference (ScalePath::kScalarReference), so whole frames compare bit for bit.
//
// Scratch buffers (scaled layers, blended and rotated content) and the scalers' tables and row
// buffers are members, grown when a larger size first appears and reused afterwards:
// steady-state compose() allocates nothing, whichever buffers the layers arrive in.
class CpuCompositor {
public:
    explicit CpuCompositor(BlendPath path = BlendPath::kSimd);

    // Composites `main_layer` and `float_layer` into `out`. An empty float layer counts as
    // fully transparent (the frame shows main over bg); an empty main layer is an error, as is
    // a null output, a size <= 0 or a stride below width * 4 (kInvalidArgument; `out` is left
    // untouched). Layers and output up to 32767 px per side (libyuv's int strides for
    // rotation and mirroring).
    [[nodiscard]] Result<void> compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                       const ComposeOptions& options, const RgbaTarget& out);

    // The same for decoded layers.
    [[nodiscard]] Result<void> compose(const loader::LayerImage& main_layer,
                                       const loader::LayerImage& float_layer,
                                       const ComposeOptions& options, const RgbaTarget& out);

    [[nodiscard]] BlendPath blend_path() const { return path_; }
    // Binds the thread checker to the caller (debug builds assert it in compose()). Unbound,
    // compose() binds it on its first call.
    void bind_to_current_thread() { render_thread_.bind_to_current(); thread_bound_ = true; }
    // Bytes of scratch memory held now (for stats).
    [[nodiscard]] std::size_t scratch_bytes() const;

private:
    // Scales `layer` into `buffer` (cw x ch, tightly packed) with `scaler`.
    static RgbaView scale_layer(const RgbaView& layer, int cw, int ch,
                                std::vector<std::uint8_t>& buffer, BilinearScaler& scaler);
    // Grows `buffer` to at least `bytes`; never shrinks (reuse across size changes).
    static std::uint8_t* scratch(std::vector<std::uint8_t>& buffer, std::size_t bytes);
    void blend_row(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba, BgColour bg,
                   std::uint8_t* out_rgba, int width_px) const;

    // --- immutable after construction
    const BlendPath path_;
    // --- render thread only
    ThreadChecker render_thread_;
    bool thread_bound_ = false;
    std::vector<std::uint8_t> main_scaled_;
    std::vector<std::uint8_t> float_scaled_;
    std::vector<std::uint8_t> blended_;
    std::vector<std::uint8_t> rotated_;
    std::vector<std::uint8_t> transparent_row_;  // all zero: the float layer when there is none
    BilinearScaler main_scaler_;   // tables for the main layer's size -> content size
    BilinearScaler float_scaler_;  // the same for the float layer's (often the same sizes)
};

}  // namespace interleave::renderer::cpu
