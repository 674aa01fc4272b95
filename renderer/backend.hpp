// Backend: what the render loop composites, captures and presents through, whichever compositor
// does the work: cpu::CpuBackend (SIMD CPU, headless), gl::GlBackend (GL composites; or the CPU
// composites and GL only presents, for windows on a software rasteriser). Thread: render only
// (a GL backend's context is current there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "renderer/cpu/rgba_view.hpp"

namespace interleave::renderer {

// What became of the capture asked for with a compose().
enum class CaptureState : std::uint8_t {
    kNone,     // none was asked for
    kDone,     // the frame is in the capture buffer already (the CPU composited straight into it)
    kPending,  // a read-back has begun; try_collect() / wait_collect() complete it (GL)
    kFailed,   // the frame was composited, but its capture could not begin (`capture_error`)
};

struct Composed {
    CaptureState capture = CaptureState::kNone;
    std::optional<Error> capture_error;  // kFailed: why
};

// Counters since the backend was made; the GL figures are zero where the CPU composites.
struct BackendStats {
    bool gpu_composite = false;        // GL composites (uploads, fences, read-backs apply)
    std::uint64_t composes = 0;        // successful compose() calls
    std::uint64_t redraws = 0;         // successful redraw() calls
    std::uint64_t captures_inline = 0; // captures composited straight into the caller's buffer
    std::uint64_t readbacks_begun = 0; // GL read-backs begun for captures
    std::uint64_t readbacks_done = 0;  // ... and completed into the caller's buffer
    std::uint64_t capture_failures = 0;
    std::size_t cpu_scratch_bytes = 0; // the CPU compositor's scratch memory
    // GL compositing only (see gl::GlCompositorStats).
    double upload_ms_p50 = 0;
    double upload_ms_p99 = 0;
    std::uint64_t fence_waits = 0;
    std::uint64_t textures_live = 0;
    std::uint64_t texture_bytes = 0;
};

// One backend interface, so the render loop never asks which compositor it has. A frame is
// composited into the backend's own output (a CPU buffer, or GL's FBO), optionally captured
// into a caller's buffer for the sinks, and presented to a window by backends that can.
class Backend {
public:
    virtual ~Backend() = default;
    Backend() = default;
    Backend(const Backend&) = delete;
    Backend& operator=(const Backend&) = delete;

    // Composites (main, float) into an out_w x out_h frame (cpu_compositor.hpp's pipeline; an
    // empty float layer counts as transparent). `capture`, when not null, is a tightly packed
    // out_w x out_h RGBA buffer that should receive the frame: a CPU compositor composites
    // straight into it (kDone: no copy at all); GL begins an asynchronous read-back into it
    // (kPending), which the caller completes later; the buffer must stay valid until then.
    // The layers must stay valid until the next compose(): redraw() reads them again (CPU).
    // An error means nothing was composited (and nothing captured); a capture that fails
    // after a good composite is kFailed with the reason. Thread: render.
    [[nodiscard]] virtual Result<Composed> compose(const cpu::RgbaView& main_layer,
                                                   const cpu::RgbaView& float_layer,
                                                   const cpu::ComposeOptions& options, int out_w,
                                                   int out_h,
                                                   const cpu::RgbaTarget* capture = nullptr) = 0;

    // Composites the last compose()'s layers again with new options and size (a window
    // resized, rotated or exposed): GL draws its textures again without uploading, the CPU
    // composites again. kInvalidArgument before the first compose() (and on GL after one that
    // failed while uploading): the caller composes the layers again instead. Captures nothing.
    // Thread: render.
    [[nodiscard]] virtual Result<void> redraw(const cpu::ComposeOptions& options, int out_w,
                                              int out_h) = 0;

    // Captures begun (kPending) and not yet collected, oldest first; collected in that order.
    [[nodiscard]] virtual int pending_captures() const = 0;
    // Completes the oldest pending capture into its buffer when its read-back has finished;
    // never waits for the GPU. nullopt when none is pending or the oldest is still in flight;
    // otherwise that capture's outcome (an error: its buffer holds nothing useful; either way
    // it is no longer pending). Thread: render.
    [[nodiscard]] virtual std::optional<Result<void>> try_collect() = 0;
    // The same, waiting for the GPU (a second at most); nullopt only when none is pending.
    [[nodiscard]] virtual std::optional<Result<void>> wait_collect() = 0;

    // Draws the last composited frame to the current context's default framebuffer at
    // fb_w x fb_h (the caller composites at that size and swaps buffers; an overlay may draw
    // on top first). kUnsupported for the CPU backend; call it only for a window (a GL
    // context without one has no framebuffer that anybody sees). Thread: render.
    [[nodiscard]] virtual Result<void> present(int fb_w, int fb_h) = 0;

    [[nodiscard]] virtual BackendStats stats() const = 0;
    // "cpu", "gl", "gles3", "gles2": what composites (the CPU when GL only presents).
    [[nodiscard]] virtual std::string api() const = 0;
};

}  // namespace interleave::renderer
