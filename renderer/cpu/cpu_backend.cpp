// CpuBackend: the CPU compositor behind the Backend interface.
#include "renderer/cpu/cpu_backend.hpp"

namespace interleave::renderer::cpu {

CpuBackend::CpuBackend(BlendPath path) : compositor_(path) {}

Result<void> CpuBackend::compose_into(const RgbaView& main_layer, const RgbaView& float_layer,
                                      const ComposeOptions& options, int out_w, int out_h,
                                      const RgbaTarget* capture) {
    if (out_w <= 0 || out_h <= 0) {
        return make_error(ErrorCode::kInvalidArgument, "compose",
                          "bad output size (expected sides > 0, got {}x{})", out_w, out_h);
    }
    RgbaTarget target;
    if (capture != nullptr) {
        if (capture->width_px != out_w || capture->height_px != out_h ||
            capture->stride_bytes < out_w * 4) {
            return make_error(ErrorCode::kInvalidArgument, "compose",
                              "bad capture buffer (expected {}x{} with stride >= {}, got {}x{} "
                              "with stride {})",
                              out_w, out_h, out_w * 4, capture->width_px, capture->height_px,
                              capture->stride_bytes);
        }
        target = *capture;
    } else {
        frame_.resize(static_cast<std::size_t>(out_w) * static_cast<std::size_t>(out_h) * 4);
        target = {frame_.data(), out_w, out_h, out_w * 4};
    }
    if (auto ok = compositor_.compose(main_layer, float_layer, options, target); !ok) return ok;
    last_frame_ = {target.pixels, target.width_px, target.height_px, target.stride_bytes};
    return {};
}

Result<Composed> CpuBackend::compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                     const ComposeOptions& options, int out_w, int out_h,
                                     const RgbaTarget* capture) {
    if (auto ok = compose_into(main_layer, float_layer, options, out_w, out_h, capture); !ok) {
        return tl::unexpected(ok.error());
    }
    last_main_ = main_layer;
    last_float_ = float_layer;
    ++composes_;
    Composed composed;
    if (capture != nullptr) {
        composed.capture = CaptureState::kDone;
        ++captures_inline_;
    }
    return composed;
}

Result<void> CpuBackend::redraw(const ComposeOptions& options, int out_w, int out_h) {
    if (!last_main_) {
        return make_error(ErrorCode::kInvalidArgument, "redraw", "nothing composed yet");
    }
    if (auto ok = compose_into(*last_main_, last_float_, options, out_w, out_h, nullptr); !ok) {
        return ok;
    }
    ++redraws_;
    return {};
}

Result<void> CpuBackend::present(int, int) {
    return make_error(ErrorCode::kUnsupported, "present",
                      "the CPU backend has no window to present to");
}

BackendStats CpuBackend::stats() const {
    BackendStats s;
    s.composes = composes_;
    s.redraws = redraws_;
    s.captures_inline = captures_inline_;
    s.cpu_scratch_bytes = compositor_.scratch_bytes() + frame_.capacity();
    return s;
}

}  // namespace interleave::renderer::cpu
