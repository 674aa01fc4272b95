// GlBackend: the Backend on a GlCompositor, in one of two forms: GL composites (headless EGL
// or a window; captures are asynchronous PBO read-backs, collected once their fence has
// signalled), or the CPU composites (a cpu::CpuBackend it owns) and GL only uploads and
// presents the frame, for windows on a software rasteriser. Thread: render only, with the GL
// context current (from create() to destruction).
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>

#include <glad/gl.h>

#include "renderer/backend.hpp"
#include "renderer/cpu/cpu_backend.hpp"
#include "renderer/gl/gl_compositor.hpp"

namespace interleave::renderer::gl {

class GlBackend final : public Backend {
public:
    // GL composites. `compositor` was created with the current context.
    explicit GlBackend(std::unique_ptr<GlCompositor> compositor);
    // The CPU composites (`cpu`), GL presents: each frame is uploaded as one unscaled layer.
    GlBackend(std::unique_ptr<GlCompositor> compositor, std::unique_ptr<cpu::CpuBackend> cpu);
    // Deletes the compositor; pending captures are dropped. The context must
    // still be current (gl_compositor.hpp).
    ~GlBackend() override;

    [[nodiscard]] Result<Composed> compose(const cpu::RgbaView& main_layer,
                                           const cpu::RgbaView& float_layer,
                                           const cpu::ComposeOptions& options, int out_w,
                                           int out_h,
                                           const cpu::RgbaTarget* capture = nullptr) override;
    [[nodiscard]] Result<void> redraw(const cpu::ComposeOptions& options, int out_w,
                                      int out_h) override;
    [[nodiscard]] int pending_captures() const override {
        return static_cast<int>(pending_.size());
    }
    [[nodiscard]] std::optional<Result<void>> try_collect() override;
    [[nodiscard]] std::optional<Result<void>> wait_collect() override;
    [[nodiscard]] Result<void> present(int fb_w, int fb_h) override;
    [[nodiscard]] BackendStats stats() const override;
    [[nodiscard]] std::string api() const override;

    [[nodiscard]] bool cpu_composites() const { return cpu_ != nullptr; }
    [[nodiscard]] GlApi gl_api() const { return compositor_->api(); }
    [[nodiscard]] GlCompositorStats compositor_stats() const { return compositor_->stats(); }
    // The compositor's GL names (tests check none outlives it).
    [[nodiscard]] GlObjectNames object_names() const { return compositor_->object_names(); }

private:
    [[nodiscard]] Result<Composed> compose_gl(const cpu::RgbaView& main_layer,
                                              const cpu::RgbaView& float_layer,
                                              const cpu::ComposeOptions& options, int out_w,
                                              int out_h, const cpu::RgbaTarget* capture);
    // Uploads the CPU's last frame as the one layer GL presents.
    [[nodiscard]] Result<void> upload_cpu_frame(const cpu::ComposeOptions& options);
    [[nodiscard]] std::optional<Result<void>> collect(bool wait);

    std::unique_ptr<GlCompositor> compositor_;
    std::unique_ptr<cpu::CpuBackend> cpu_;  // null: GL composites
    std::deque<cpu::RgbaTarget> pending_;  // captures begun: where each goes, oldest first
    std::uint64_t composes_ = 0;
    std::uint64_t redraws_ = 0;
    std::uint64_t readbacks_begun_ = 0;
    std::uint64_t readbacks_done_ = 0;
    std::uint64_t capture_failures_ = 0;
};

}  // namespace interleave::renderer::gl
