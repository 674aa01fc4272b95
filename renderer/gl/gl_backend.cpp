// GlBackend: GL compositing with read-backs collected by fence, or CPU compositing presented
// through GL.
#include "renderer/gl/gl_backend.hpp"

#include <cassert>
#include <utility>

namespace interleave::renderer::gl {
namespace {

bool fits(const cpu::RgbaTarget& t, int w, int h) {
    return t.pixels != nullptr && t.width_px == w && t.height_px == h && t.stride_bytes >= w * 4;
}

}  // namespace

GlBackend::GlBackend(std::unique_ptr<GlCompositor> compositor)
    : compositor_(std::move(compositor)) {
    assert(compositor_ && "GlBackend needs a compositor");
}

GlBackend::GlBackend(std::unique_ptr<GlCompositor> compositor,
                     std::unique_ptr<cpu::CpuBackend> cpu)
    : compositor_(std::move(compositor)), cpu_(std::move(cpu)) {
    assert(compositor_ && "GlBackend needs a compositor");
}

GlBackend::~GlBackend() {
    pending_.clear();
    compositor_.reset();  // drops the compositor's pending read-backs with their fences
}

Result<Composed> GlBackend::compose(const cpu::RgbaView& main_layer,
                                    const cpu::RgbaView& float_layer,
                                    const cpu::ComposeOptions& options, int out_w, int out_h,
                                    const cpu::RgbaTarget* capture) {
    if (cpu_ == nullptr) return compose_gl(main_layer, float_layer, options, out_w, out_h, capture);
    auto composed = cpu_->compose(main_layer, float_layer, options, out_w, out_h, capture);
    if (!composed) return composed;
    if (auto ok = upload_cpu_frame(options); !ok) return tl::unexpected(ok.error());
    ++composes_;
    return composed;
}

Result<Composed> GlBackend::compose_gl(const cpu::RgbaView& main_layer,
                                       const cpu::RgbaView& float_layer,
                                       const cpu::ComposeOptions& options, int out_w, int out_h,
                                       const cpu::RgbaTarget* capture) {
    if (auto ok = compositor_->compose(main_layer, float_layer, options, out_w, out_h); !ok) {
        return tl::unexpected(ok.error());
    }
    ++composes_;
    Composed composed;
    if (capture == nullptr) return composed;
    composed.capture = CaptureState::kFailed;
    if (!fits(*capture, out_w, out_h)) {
        ++capture_failures_;
        composed.capture_error =
            make_error(ErrorCode::kInvalidArgument, "capture",
                       "bad capture buffer (expected {}x{} with stride >= {}, got {}x{} with "
                       "stride {})",
                       out_w, out_h, out_w * 4, capture->width_px, capture->height_px,
                       capture->stride_bytes)
                .value();
        return composed;
    }
    if (auto ok = compositor_->begin_readback(); !ok) {
        ++capture_failures_;
        composed.capture_error = ok.error();
        return composed;
    }
    pending_.push_back(*capture);
    ++readbacks_begun_;
    composed.capture = CaptureState::kPending;
    return composed;
}

Result<void> GlBackend::upload_cpu_frame(const cpu::ComposeOptions& options) {
    const cpu::RgbaView frame = cpu_->frame();
    cpu::ComposeOptions plain;  // the CPU rotated and mirrored already
    plain.background = options.background;
    return compositor_->compose(frame, {}, plain, frame.width_px, frame.height_px);
}

Result<void> GlBackend::redraw(const cpu::ComposeOptions& options, int out_w, int out_h) {
    if (cpu_ != nullptr) {
        if (auto ok = cpu_->redraw(options, out_w, out_h); !ok) return ok;
        if (auto ok = upload_cpu_frame(options); !ok) return ok;
    } else if (auto ok = compositor_->redraw(options, out_w, out_h); !ok) {
        return ok;
    }
    ++redraws_;
    return {};
}

std::optional<Result<void>> GlBackend::collect(bool wait) {
    if (pending_.empty()) return std::nullopt;
    // Not ready yet: leave it unless the caller waits, then finish_readback() waits on the
    // read-back's own fence (a second at most) and reports the outcome.
    if (!wait && !compositor_->readback_ready()) return std::nullopt;
    const cpu::RgbaTarget target = pending_.front();
    pending_.pop_front();
    Result<void> done = compositor_->finish_readback(target);
    if (done) {
        ++readbacks_done_;
    } else {
        ++capture_failures_;
    }
    return done;
}

std::optional<Result<void>> GlBackend::try_collect() { return collect(false); }

std::optional<Result<void>> GlBackend::wait_collect() { return collect(true); }

Result<void> GlBackend::present(int fb_w, int fb_h) { return compositor_->present(fb_w, fb_h); }

BackendStats GlBackend::stats() const {
    BackendStats s;
    if (cpu_ != nullptr) s = cpu_->stats();
    s.gpu_composite = cpu_ == nullptr;
    s.composes = composes_;
    s.redraws = redraws_;
    s.readbacks_begun = readbacks_begun_;
    s.readbacks_done = readbacks_done_;
    s.capture_failures = capture_failures_;
    if (cpu_ == nullptr) {
        const GlCompositorStats g = compositor_->stats();
        s.upload_ms_p50 = g.upload_ms_p50;
        s.upload_ms_p99 = g.upload_ms_p99;
        s.fence_waits = g.fence_waits;
        s.textures_live = g.texture_pool.live;
        s.texture_bytes = g.texture_pool.bytes;
    }
    return s;
}

std::string GlBackend::api() const {
    if (cpu_ != nullptr) return "cpu";
    switch (compositor_->api()) {
    case GlApi::kGl33Core: return "gl";
    case GlApi::kGles30: return "gles3";
    default: return "gles2";
    }
}

}  // namespace interleave::renderer::gl
