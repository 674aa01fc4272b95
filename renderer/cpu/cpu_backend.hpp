// CpuBackend: the Backend on the SIMD CPU compositor, headless (no GL at all): frames are
// composited into its own buffer, or straight into a capture buffer the caller hands it, so a
// captured frame costs no copy. gl::GlBackend wraps one when the CPU composites a window's
// frames and GL only presents them. Thread: render only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "renderer/backend.hpp"
#include "renderer/cpu/cpu_compositor.hpp"

namespace interleave::renderer::cpu {

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(BlendPath path = BlendPath::kSimd);

    // Composites into `capture` when given (kDone), else into frame(); never kPending.
    [[nodiscard]] Result<Composed> compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                           const ComposeOptions& options, int out_w, int out_h,
                                           const RgbaTarget* capture = nullptr) override;
    // Composites the last compose()'s layers again, into frame().
    [[nodiscard]] Result<void> redraw(const ComposeOptions& options, int out_w,
                                      int out_h) override;
    [[nodiscard]] int pending_captures() const override { return 0; }
    [[nodiscard]] std::optional<Result<void>> try_collect() override { return std::nullopt; }
    [[nodiscard]] std::optional<Result<void>> wait_collect() override { return std::nullopt; }
    [[nodiscard]] Result<void> present(int fb_w, int fb_h) override;
    [[nodiscard]] BackendStats stats() const override;
    [[nodiscard]] std::string api() const override { return "cpu"; }

    // The last composited frame: the capture buffer it went into, or the backend's own
    // buffer (valid until the next compose() or redraw(); a capture buffer as long as the
    // caller keeps it). Empty before the first compose().
    [[nodiscard]] RgbaView frame() const { return last_frame_; }
    // Binds the compositor's thread checker to the calling thread (the render thread).
    void bind_to_current_thread() { compositor_.bind_to_current_thread(); }

private:
    [[nodiscard]] Result<void> compose_into(const RgbaView& main_layer,
                                            const RgbaView& float_layer,
                                            const ComposeOptions& options, int out_w, int out_h,
                                            const RgbaTarget* capture);

    CpuCompositor compositor_;
    std::vector<std::uint8_t> frame_;  // the output when no capture buffer is given
    RgbaView last_frame_;
    // The last compose()'s layers, for redraw(): the caller keeps them valid (backend.hpp).
    std::optional<RgbaView> last_main_;
    RgbaView last_float_;
    std::uint64_t composes_ = 0;
    std::uint64_t redraws_ = 0;
    std::uint64_t captures_inline_ = 0;
};

}  // namespace interleave::renderer::cpu
