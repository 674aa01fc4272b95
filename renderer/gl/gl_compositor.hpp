// GlCompositor: the GL backend's frame compositor: uploads two straight-alpha RGBA layers (PBO
// ring or direct) and draws them, letterboxed, rotated and mirrored, into an RGBA8 FBO, which it
// reads back (now or a frame later) or presents to a window. Thread: render only, with the GL
// context current.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include <glad/gl.h>

#include "core/error.hpp"
#include "core/latency_histogram.hpp"
#include "core/thread.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "renderer/gl/egl_context.hpp"
#include "renderer/gl/texture_pool.hpp"

namespace interleave::renderer::gl {

using cpu::ComposeOptions;
using cpu::RgbaTarget;
using cpu::RgbaView;

struct GlCompositorOptions {
    // Upload with glTexSubImage2D from client memory even where PBOs exist (GL 3.3, GLES 3.0),
    // so tests and benchmarks can compare both paths. GLES 2.0 always uploads directly.
    bool force_direct_upload = false;
    int pbo_slots_per_layer = 3;  // 2..8: the CPU fills one slot while the GPU reads another
};

// Counters since create(). Upload times cover one layer each: copy into the PBO (or straight
// from client memory) and the glTexSubImage2D call, not the GPU's completion.
struct GlCompositorStats {
    bool pbo_uploads = false;         // false on GLES 2.0 or with force_direct_upload
    bool immutable_textures = false;  // glTexStorage2D in use
    std::uint64_t uploads = 0;        // layer uploads (up to two per compose)
    double upload_ms_p50 = 0;
    double upload_ms_p99 = 0;
    std::uint64_t fence_waits = 0;    // slot reuses whose fence had not signalled yet
    double fence_wait_ms = 0;         // total time blocked in glClientWaitSync
    // The layer textures (the output texture and the 1x1 transparent one not included).
    TexturePoolStats texture_pool;
    bool pbo_readbacks = false;        // begin_readback() reads into pack buffers (not GLES 2.0)
    std::uint64_t readbacks = 0;       // completed by finish_readback()
    std::uint64_t readback_waits = 0;  // finish_readback() calls whose fence had not signalled
    double readback_wait_ms = 0;       // total time finish_readback() blocked on fences
};

// Every GL object name the compositor holds now (tests check that none outlives it).
struct GlObjectNames {
    std::vector<GLuint> textures;
    std::vector<GLuint> buffers;
    std::vector<GLuint> framebuffers;
    std::vector<GLuint> vertex_arrays;
    std::vector<GLuint> programs;
    std::vector<GLsync> fences;
};

// Composites (main, float) on the GPU, matching cpu::CpuCompositor's pipeline (see
// cpu_compositor.hpp) within +-2 per channel where no layer is scaled:
//   - rect = cpu::letterbox_rect(main size, rotation, out size); the bars are the background
//     (glClear), the content is one quad drawn with the viewport at rect;
//   - each layer is sampled with GL_LINEAR and clamp-to-edge, stretched over the content (a
//     float layer of another size than main included); scaled layers differ from libyuv's
//     bilinear by a few levels (different weights and edge handling);
//   - out = mix(mix(bg, main.rgb, main.a), float.rgb, float.a), straight alpha, alpha 255;
//   - rotation clockwise by 90-degree steps, then the horizontal mirror, on screen.
// Layer textures come from a TexturePool keyed by size (a few per size, least recently used
// evicted), so alternating sizes reuse textures instead of creating them; the last compose()'s
// textures stay intact until the next compose() for redraw(). Uploads on GL 3.3 / GLES 3.0 go
// through a ring of pixel-unpack buffers per layer with a fence per slot; a slot is reused only
// after its fence signals (glClientWaitSync, counted in the stats). GLES 2.0 uploads directly.
class GlCompositor {
public:
    static constexpr int kReadbackSlots = 3;  // begin_readback()s that may be pending at once

    // Compiles the composite program for `api`'s dialect (330 / 300 es / 100) and creates the
    // quad, the FBO and the PBO rings. The context for `api` must be current on the calling
    // thread, which becomes the render thread. Fails naming the GL call (compile or link logs,
    // glGetError codes in hex).
    [[nodiscard]] static Result<std::unique_ptr<GlCompositor>> create(
        GlApi api, GlCompositorOptions options = {});

    // Deletes every GL object it created (program, buffers, textures, FBO, VAO, fences), pending
    // readbacks' included (they are dropped). The same context must be current on the calling
    // thread (the render thread); otherwise the names leak, or worse, other objects of the
    // current context are deleted.
    ~GlCompositor();

    GlCompositor(const GlCompositor&) = delete;
    GlCompositor& operator=(const GlCompositor&) = delete;

    // Uploads both layers and draws the frame into the out_w x out_h RGBA8 FBO (created or
    // resized as needed). An empty float layer counts as fully transparent. Errors
    // (kInvalidArgument; nothing drawn): an empty main layer, a stride below width * 4, a size
    // <= 0 or above GL_MAX_TEXTURE_SIZE. A GL error or a fence that never signals (1 s) is
    // kInternal naming the call. Once the arguments are accepted, the previous compose()'s
    // textures may be overwritten: if uploading then fails, redraw() fails until the next
    // successful compose(), while the FBO keeps the last frame drawn. Thread: render.
    [[nodiscard]] Result<void> compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                       const ComposeOptions& options, int out_w, int out_h);

    // Draws the layers of the last compose() again with new options and output size, without
    // uploading (window resize, rotate, mirror): the frame equals a compose() of the same
    // layers with these arguments exactly. kInvalidArgument before the first compose(), after
    // a compose() that failed while uploading, or for a bad output size (as compose()).
    // Thread: render.
    [[nodiscard]] Result<void> redraw(const ComposeOptions& options, int out_w, int out_h);

    // Reads the last composed frame into `out` (row 0 at the top, as the CPU output), which
    // must have the FBO's size. Blocks until the GPU has finished drawing. kInvalidArgument for
    // a size mismatch or nothing composed yet. Thread: render.
    [[nodiscard]] Result<void> read_pixels(const RgbaTarget& out);

    // Starts reading the last composed frame back: glReadPixels into a pixel-pack buffer with a
    // fence (GL 3.3, GLES 3.0), so the caller can collect it a frame later without stalling.
    // GLES 2.0 (no PBOs) reads synchronously into memory here. At most kReadbackSlots (3) may
    // be pending; starting one more is kInvalidArgument. kInvalidArgument before the first
    // compose(). A GL error is kInternal (nothing left pending). Later compose() and redraw()
    // calls do not change what a pending readback returns. Thread: render.
    [[nodiscard]] Result<void> begin_readback();
    [[nodiscard]] int pending_readbacks() const { return readbacks_pending_; }
    // Whether finish_readback() would complete the oldest pending readback without waiting:
    // its fence has signalled (GLES 2.0: always, the read was synchronous). False when none is
    // pending. Never blocks. Thread: render.
    [[nodiscard]] bool readback_ready();
    // Completes the oldest pending readback into `out` (row 0 at the top, as the CPU output),
    // which must have the size that frame had; waits on its fence if the GPU is not done
    // (counted in stats: readback_waits, readback_wait_ms). kInvalidArgument when none is
    // pending or for a size mismatch (the readback is then dropped, not left pending); a fence
    // that never signals (1 s) or a failed map is kInternal, and drops it too. Thread: render.
    [[nodiscard]] Result<void> finish_readback(const RgbaTarget& out);

    // Draws the last composed frame (the FBO) to `dest_framebuffer` (0: the default framebuffer
    // of the current context, e.g. a GLFW window's back buffer) at (0, 0, fb_w, fb_h), 1:1 (the
    // caller composes at the framebuffer size; another size is stretched with GL_LINEAR):
    // glBlitFramebuffer on GL 3.3 / GLES 3.0, a textured quad with the composite program on
    // GLES 2.0. The destination must be single-sampled (no GLFW_SAMPLES: a blit cannot
    // resolve into multisampled buffers). Disables the scissor test (and on GLES 2.0 blending
    // and dithering) and leaves the FBO bound again afterwards; the caller swaps buffers.
    // kInvalidArgument before the first compose() or for a size <= 0; a GL error (e.g. an
    // incomplete or multisampled destination) is kInternal. Thread: render.
    [[nodiscard]] Result<void> present(int fb_w, int fb_h, GLuint dest_framebuffer = 0);

    [[nodiscard]] GlApi api() const { return api_; }
    [[nodiscard]] GlCompositorStats stats() const;
    [[nodiscard]] GlObjectNames object_names() const;

private:
    static constexpr int kMaxSlots = 8;

    struct PboSlot {
        GLuint buffer = 0;
        GLsizeiptr capacity_bytes = 0;
        GLsync fence = nullptr;
    };
    struct PboRing {
        std::array<PboSlot, kMaxSlots> slots{};
        int next = 0;
    };
    // The textures the last compose() drew; valid (main != 0) until the next compose() starts.
    struct Layers {
        GLuint main = 0;
        int main_w = 0;
        int main_h = 0;
        GLuint floating = 0;  // transparent_texture_ when there was no float layer
    };
    // One begin_readback(): the frame's size and where its pixels go (bottom row first).
    struct ReadbackSlot {
        GLuint buffer = 0;  // pixel-pack buffer, created on first use; 0 on GLES 2.0
        GLsizeiptr capacity_bytes = 0;
        GLsync fence = nullptr;  // signals when glReadPixels into `buffer` is done
        int width_px = 0;
        int height_px = 0;
        std::vector<std::uint8_t> pixels;  // GLES 2.0: read synchronously
    };

    GlCompositor(GlApi api, GlCompositorOptions options);
    [[nodiscard]] Result<void> init();
    [[nodiscard]] Result<void> check_gl(const char* call) const;
    [[nodiscard]] Result<void> check_output_size(const char* subject, int out_w,
                                                 int out_h) const;
    [[nodiscard]] Result<GLuint> upload(const RgbaView& layer, PboRing& ring);
    // Waits for `fence` (1 s at most), deletes it and sets it to null; a wait that blocks is
    // added to `waits` and `wait_ms`.
    [[nodiscard]] Result<void> wait_fence(GLsync& fence, std::uint64_t& waits, double& wait_ms,
                                          const char* what);
    [[nodiscard]] Result<void> ensure_target(int out_w, int out_h);
    // Draws layers_ into the FBO (resized to out_w x out_h); `subject` names the caller.
    [[nodiscard]] Result<void> draw_layers(const ComposeOptions& options, int out_w, int out_h,
                                           const char* subject);
    // Draws the quad with program_ bound and its uniforms set.
    void draw_quad();
    void drop_oldest_readback();

    // --- immutable after create()
    const GlApi api_;
    const GlCompositorOptions options_;
    bool use_pbo_ = false;
    bool use_pbo_readback_ = false;
    GLint max_texture_px_ = 0;
    // --- render thread only
    ThreadChecker render_thread_;
    GLuint program_ = 0;
    GLint uv_transform_location_ = -1;
    GLint background_location_ = -1;
    GLuint quad_buffer_ = 0;
    GLuint vertex_array_ = 0;  // 0 on GLES 2.0 (no VAOs)
    GLuint framebuffer_ = 0;
    GLuint target_texture_ = 0;
    int target_w_ = 0;
    int target_h_ = 0;
    GLuint transparent_texture_ = 0;  // 1x1 (0,0,0,0): the float layer when there is none
    TexturePool texture_pool_;
    Layers layers_;
    std::array<PboRing, 2> rings_{};  // main, float
    std::vector<std::uint8_t> staging_;  // tight copy for direct uploads of padded rows
    std::vector<std::uint8_t> readback_;
    std::array<ReadbackSlot, kReadbackSlots> readback_slots_{};
    int readbacks_head_ = 0;  // the oldest pending readback's slot
    int readbacks_pending_ = 0;
    // --- stats (render thread writes; stats() reads on the render thread)
    LatencyHistogram upload_times_;
    std::uint64_t fence_waits_ = 0;
    double fence_wait_ms_ = 0;
    std::uint64_t readbacks_ = 0;
    std::uint64_t readback_waits_ = 0;
    double readback_wait_ms_ = 0;
};

}  // namespace interleave::renderer::gl
