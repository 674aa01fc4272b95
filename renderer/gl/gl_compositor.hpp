// GlCompositor: the GL backend's frame compositor: uploads two straight-alpha RGBA layers (PBO
// ring or direct) and draws them, letterboxed, rotated and mirrored, into an RGBA8 FBO.
// Thread: render only, with the GL context current.
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
    std::uint64_t textures_created = 0;  // layer textures (the output texture not included)
    std::uint64_t textures_reused = 0;   // layer uploads into a cached texture of that size
    std::uint64_t textures_deleted = 0;  // evicted from the size cache
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
// Textures are cached by size (a few per size, least recently used evicted), so alternating
// sizes reuse textures instead of creating them. Uploads on GL 3.3 / GLES 3.0 go through a ring
// of pixel-unpack buffers per layer with a fence per slot; a slot is reused only after its fence
// signals (glClientWaitSync, counted in the stats). GLES 2.0 uploads directly.
class GlCompositor {
public:
    // Compiles the composite program for `api`'s dialect (330 / 300 es / 100) and creates the
    // quad, the FBO and the PBO rings. The context for `api` must be current on the calling
    // thread, which becomes the render thread. Fails naming the GL call (compile or link logs,
    // glGetError codes in hex).
    [[nodiscard]] static Result<std::unique_ptr<GlCompositor>> create(
        GlApi api, GlCompositorOptions options = {});

    // Deletes every GL object it created (program, buffers, textures, FBO, VAO, fences). The
    // same context must be current on the calling thread (the render thread); otherwise the
    // names leak, or worse, other objects of the current context are deleted.
    ~GlCompositor();

    GlCompositor(const GlCompositor&) = delete;
    GlCompositor& operator=(const GlCompositor&) = delete;

    // Uploads both layers and draws the frame into the out_w x out_h RGBA8 FBO (created or
    // resized as needed). An empty float layer counts as fully transparent. Errors
    // (kInvalidArgument; nothing drawn): an empty main layer, a stride below width * 4, a size
    // <= 0 or above GL_MAX_TEXTURE_SIZE. A GL error or a fence that never signals (1 s) is
    // kInternal naming the call. Thread: render.
    [[nodiscard]] Result<void> compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                       const ComposeOptions& options, int out_w, int out_h);

    // Reads the last composed frame into `out` (row 0 at the top, as the CPU output), which
    // must have the FBO's size. Blocks until the GPU has finished drawing. kInvalidArgument for
    // a size mismatch or nothing composed yet. Thread: render.
    [[nodiscard]] Result<void> read_pixels(const RgbaTarget& out);

    // The FBO's colour texture (RGBA8, row 0 at the bottom), for presenting; 0 before compose().
    [[nodiscard]] GLuint output_texture() const { return target_texture_; }
    [[nodiscard]] GlApi api() const { return api_; }
    [[nodiscard]] GlCompositorStats stats() const;
    [[nodiscard]] GlObjectNames object_names() const;

private:
    static constexpr int kMaxSlots = 8;
    static constexpr std::size_t kMaxCachedTextures = 6;  // e.g. 3 sizes x (main, float)

    struct PboSlot {
        GLuint buffer = 0;
        GLsizeiptr capacity_bytes = 0;
        GLsync fence = nullptr;
    };
    struct PboRing {
        std::array<PboSlot, kMaxSlots> slots{};
        int next = 0;
    };
    struct CachedTexture {
        GLuint texture = 0;
        int width_px = 0;
        int height_px = 0;
        std::uint64_t last_used = 0;  // compose() serial; in use when equal to the current one
    };

    GlCompositor(GlApi api, GlCompositorOptions options);
    [[nodiscard]] Result<void> init();
    [[nodiscard]] Result<void> check_gl(const char* call) const;
    // A texture of that size not yet used by this compose(), from the cache or new.
    [[nodiscard]] GLuint acquire_texture(int width_px, int height_px);
    void evict_textures();
    [[nodiscard]] GLuint create_texture(int width_px, int height_px) const;
    [[nodiscard]] Result<GLuint> upload(const RgbaView& layer, PboRing& ring);
    [[nodiscard]] Result<void> wait_fence(PboSlot& slot);
    [[nodiscard]] Result<void> ensure_target(int out_w, int out_h);

    // --- immutable after create()
    const GlApi api_;
    const GlCompositorOptions options_;
    bool use_pbo_ = false;
    bool use_storage_ = false;
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
    std::vector<CachedTexture> textures_;
    std::array<PboRing, 2> rings_{};  // main, float
    std::vector<std::uint8_t> staging_;  // tight copy for direct uploads of padded rows
    std::vector<std::uint8_t> readback_;
    std::uint64_t serial_ = 0;
    // --- stats (render thread writes; stats() reads on the render thread)
    LatencyHistogram upload_times_;
    std::uint64_t fence_waits_ = 0;
    double fence_wait_ms_ = 0;
    std::uint64_t textures_created_ = 0;
    std::uint64_t textures_reused_ = 0;
    std::uint64_t textures_deleted_ = 0;
};

}  // namespace interleave::renderer::gl
