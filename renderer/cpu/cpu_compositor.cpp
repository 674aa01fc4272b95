// CpuCompositor: scale (BilinearScaler), fused blend (Highway or scalar reference), rotate and
// mirror (libyuv), letterbox. Thread: render only.
#include "renderer/cpu/cpu_compositor.hpp"

#include <algorithm>
#include <cassert>  // INTERLEAVE_ASSERT_THREAD
#include <cstring>

#include <libyuv/planar_functions.h>
#include <libyuv/rotate_argb.h>

#include "renderer/cpu/blend_simd.hpp"

namespace interleave::renderer::cpu {
namespace {

constexpr int kMaxSidePx = 32767;

bool is_quarter_turn(Rotation rotation) {
    return rotation == Rotation::k90 || rotation == Rotation::k270;
}

libyuv::RotationMode to_libyuv(Rotation rotation) {
    switch (rotation) {
    case Rotation::k90: return libyuv::kRotate90;
    case Rotation::k180: return libyuv::kRotate180;
    case Rotation::k270: return libyuv::kRotate270;
    case Rotation::k0: break;
    }
    return libyuv::kRotate0;
}

std::size_t bytes_of(int width_px, int height_px) {
    return static_cast<std::size_t>(width_px) * static_cast<std::size_t>(height_px) * 4;
}

const std::uint8_t* row_of(const RgbaView& v, int y) {
    return v.pixels + static_cast<std::ptrdiff_t>(y) * v.stride_bytes;
}

Result<void> check_view(const RgbaView& v, const char* name) {
    return check_rgba_view(v, name, kMaxSidePx);
}

// Bytes of one RGBA pixel of the background colour, alpha 255, as libyuv's native 32-bit word.
std::uint32_t bg_word(BgColour bg) {
    const std::uint8_t bytes[4] = {bg.r, bg.g, bg.b, 255};
    std::uint32_t word;
    std::memcpy(&word, bytes, sizeof word);
    return word;
}

void fill_rect(const RgbaTarget& out, int x, int y, int w, int h, std::uint32_t word) {
    if (w <= 0 || h <= 0) return;
    libyuv::ARGBRect(out.pixels, out.stride_bytes, x, y, w, h, word);
}

}  // namespace

RgbaView view_of(const loader::LayerImage& layer) {
    if (layer.empty()) return {};
    return RgbaView{layer.pixels.data(), layer.width_px, layer.height_px,
                    static_cast<int>(layer.stride_bytes())};
}

PlacedRect letterbox_rect(int content_w, int content_h, Rotation rotation, int out_w,
                          int out_h) {
    if (content_w <= 0 || content_h <= 0 || out_w <= 0 || out_h <= 0) return {};
    const std::int64_t dw = is_quarter_turn(rotation) ? content_h : content_w;
    const std::int64_t dh = is_quarter_turn(rotation) ? content_w : content_h;
    std::int64_t w = out_w;
    std::int64_t h = out_h;
    if (std::int64_t{out_w} * dh <= std::int64_t{out_h} * dw) {
        // Width-limited: h = round(out_w * dh / dw).
        h = std::clamp<std::int64_t>((2 * std::int64_t{out_w} * dh + dw) / (2 * dw), 1, out_h);
    } else {
        w = std::clamp<std::int64_t>((2 * std::int64_t{out_h} * dw + dh) / (2 * dh), 1, out_w);
    }
    return PlacedRect{static_cast<int>((out_w - w) / 2), static_cast<int>((out_h - h) / 2),
                      static_cast<int>(w), static_cast<int>(h)};
}

CpuCompositor::CpuCompositor(BlendPath path)
    : path_(path),
      main_scaler_(path == BlendPath::kSimd ? ScalePath::kSimd : ScalePath::kScalarReference),
      float_scaler_(main_scaler_.path()) {}

RgbaView CpuCompositor::scale_layer(const RgbaView& layer, int cw, int ch,
                                    std::vector<std::uint8_t>& buffer, BilinearScaler& scaler) {
    const RgbaTarget dst{scratch(buffer, bytes_of(cw, ch)), cw, ch, cw * 4};
    scaler.scale(layer, dst);
    return RgbaView{dst.pixels, cw, ch, cw * 4};
}

std::uint8_t* CpuCompositor::scratch(std::vector<std::uint8_t>& buffer, std::size_t bytes) {
    if (buffer.size() < bytes) buffer.resize(bytes);
    return buffer.data();
}

std::size_t CpuCompositor::scratch_bytes() const {
    return main_scaled_.capacity() + float_scaled_.capacity() + blended_.capacity() +
           rotated_.capacity() + transparent_row_.capacity() + main_scaler_.scratch_bytes() +
           float_scaler_.scratch_bytes();
}

void CpuCompositor::blend_row(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba,
                              BgColour bg, std::uint8_t* out_rgba, int width_px) const {
    if (path_ == BlendPath::kSimd) {
        blend_row_simd(main_rgba, float_rgba, bg, out_rgba, width_px);
    } else {
        blend_row_scalar(main_rgba, float_rgba, bg, out_rgba, width_px);
    }
}

Result<void> CpuCompositor::compose(const loader::LayerImage& main_layer,
                                    const loader::LayerImage& float_layer,
                                    const ComposeOptions& options, const RgbaTarget& out) {
    return compose(view_of(main_layer), view_of(float_layer), options, out);
}

Result<void> CpuCompositor::compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                    const ComposeOptions& options, const RgbaTarget& out) {
    if (!thread_bound_) bind_to_current_thread();
    INTERLEAVE_ASSERT_THREAD(render_thread_);

    if (main_layer.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "main layer", "no pixels to composite");
    }
    if (auto ok = check_view(main_layer, "main layer"); !ok) return ok;
    if (!float_layer.empty()) {
        if (auto ok = check_view(float_layer, "float layer"); !ok) return ok;
    }
    const RgbaView out_view{out.pixels, out.width_px, out.height_px, out.stride_bytes};
    if (out_view.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "output frame", "no pixels to write ({}x{})",
                          out.width_px, out.height_px);
    }
    if (auto ok = check_view(out_view, "output frame"); !ok) return ok;

    // 1. Where the content goes, and its size before rotation.
    const PlacedRect rect = letterbox_rect(main_layer.width_px, main_layer.height_px,
                                           options.rotation, out.width_px, out.height_px);
    const bool quarter = is_quarter_turn(options.rotation);
    const int cw = quarter ? rect.height_px : rect.width_px;
    const int ch = quarter ? rect.width_px : rect.height_px;
    const int content_stride = cw * 4;

    // 2. Scale each layer to the content size (or use it as is).
    RgbaView main_src = main_layer;
    if (main_layer.width_px != cw || main_layer.height_px != ch) {
        main_src = scale_layer(main_layer, cw, ch, main_scaled_, main_scaler_);
    }
    RgbaView float_src = float_layer;
    if (float_layer.empty()) {
        // Fully transparent: one zero row, read again for every row (stride 0).
        std::uint8_t* zeros = scratch(transparent_row_, bytes_of(cw, 1));
        std::memset(zeros, 0, bytes_of(cw, 1));
        float_src = RgbaView{zeros, cw, ch, 0};
    } else if (float_layer.width_px != cw || float_layer.height_px != ch) {
        float_src = scale_layer(float_layer, cw, ch, float_scaled_, float_scaler_);
    }

    // 3. Blend, straight into the output when nothing follows.
    const bool direct = options.rotation == Rotation::k0 && !options.mirror;
    std::uint8_t* const out_rect = out.pixels +
                                   static_cast<std::ptrdiff_t>(rect.y) * out.stride_bytes +
                                   static_cast<std::ptrdiff_t>(rect.x) * 4;
    std::uint8_t* blend_dst = direct ? out_rect : scratch(blended_, bytes_of(cw, ch));
    const int blend_stride = direct ? out.stride_bytes : content_stride;
    if (main_src.stride_bytes == content_stride && float_src.stride_bytes == content_stride &&
        blend_stride == content_stride) {
        // All contiguous: one long row, so the SIMD tail is paid once per frame.
        blend_row(main_src.pixels, float_src.pixels, options.background, blend_dst, cw * ch);
    } else {
        for (int y = 0; y < ch; ++y) {
            blend_row(row_of(main_src, y), row_of(float_src, y), options.background,
                      blend_dst + static_cast<std::ptrdiff_t>(y) * blend_stride, cw);
        }
    }

    // 4. Rotate; 5. mirror. Each writes the output rectangle when it is the last step.
    if (!direct) {
        const std::uint8_t* src = blend_dst;
        int src_stride = content_stride;
        if (options.rotation != Rotation::k0) {
            const int rotated_stride = rect.width_px * 4;
            std::uint8_t* dst = options.mirror
                                    ? scratch(rotated_, bytes_of(rect.width_px, rect.height_px))
                                    : out_rect;
            libyuv::ARGBRotate(src, src_stride, dst, options.mirror ? rotated_stride
                                                                    : out.stride_bytes,
                               cw, ch, to_libyuv(options.rotation));
            src = dst;
            src_stride = rotated_stride;
        }
        if (options.mirror) {
            libyuv::ARGBMirror(src, src_stride, out_rect, out.stride_bytes, rect.width_px,
                               rect.height_px);
        }
    }

    // 6. The bars.
    const std::uint32_t bg = bg_word(options.background);
    const int right = rect.x + rect.width_px;
    const int bottom = rect.y + rect.height_px;
    fill_rect(out, 0, 0, out.width_px, rect.y, bg);
    fill_rect(out, 0, bottom, out.width_px, out.height_px - bottom, bg);
    fill_rect(out, 0, rect.y, rect.x, rect.height_px, bg);
    fill_rect(out, right, rect.y, out.width_px - right, rect.height_px, bg);
    return {};
}

Result<void> check_rgba_view(const RgbaView& view, const char* name, int max_side_px) {
    if (view.width_px > max_side_px || view.height_px > max_side_px ||
        view.stride_bytes < view.width_px * 4) {
        return make_error(ErrorCode::kInvalidArgument, name,
                          "bad RGBA view (expected sides 1..{} and stride >= width * 4, got "
                          "{}x{} with stride {})",
                          max_side_px, view.width_px, view.height_px, view.stride_bytes);
    }
    return {};
}

}  // namespace interleave::renderer::cpu
