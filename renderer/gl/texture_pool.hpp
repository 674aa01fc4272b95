// TexturePool: GL textures cached by (width, height, format), handed out once per frame and
// reused across frames, least recently used evicted beyond a cap. Thread: render only, with the
// GL context current.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include <glad/gl.h>

#include "core/error.hpp"
#include "core/thread.hpp"
#include "renderer/gl/egl_context.hpp"

namespace interleave::renderer::gl {

enum class TextureFormat : std::uint8_t {
    kRgba8,  // 4 bytes per pixel; GL_RGBA8 (unsized GL_RGBA on GLES 2.0)
};

[[nodiscard]] int bytes_per_pixel(TextureFormat format);

// Counters since construction; live and bytes are the pool's textures now (unpooled ones from
// create_unpooled() are not counted).
struct TexturePoolStats {
    std::uint64_t allocations = 0;  // textures created by acquire()
    std::uint64_t reuses = 0;       // acquire() calls served by a cached texture
    std::uint64_t live = 0;         // textures the pool holds now (in use or not)
    std::uint64_t bytes = 0;        // their storage: width * height * bytes per pixel, summed
    std::uint64_t evictions = 0;    // textures deleted to stay within the cap
};

// Hands out textures for one frame at a time. A texture acquire()d since the last
// begin_frame() is in use: the pool neither hands it out again nor evicts it until the next
// begin_frame(), so a frame's textures stay intact for redraws until the next frame starts.
// There is no release call: begin_frame() releases everything at once.
//
// Every texture has GL_LINEAR min/mag filters, clamp-to-edge wrapping and one mip level, with
// immutable storage (glTexStorage2D) on GLES 3.0 and on GL 3.3 where ARB_texture_storage is
// present, glTexImage2D otherwise. Contents are undefined when handed out: the caller uploads.
//
// Limits: the cap counts textures, not bytes. A frame that acquires more textures than the cap
// goes over it until the next begin_frame(). Textures of one key are interchangeable; the pool
// hands out the most recently used free one, so spare ones age out and are evicted first.
class TexturePool {
public:
    static constexpr std::size_t kDefaultMaxTextures = 6;  // e.g. 3 sizes x (main, float)

    // Reads which texture storage `api`'s context offers (glad must be loaded for it; no GL
    // call is made). max_textures >= 1.
    explicit TexturePool(GlApi api, std::size_t max_textures = kDefaultMaxTextures);

    // Deletes every texture it created. The same context must be current on the calling thread
    // (the render thread); otherwise the names leak, or other objects of the current context go.
    ~TexturePool();

    TexturePool(const TexturePool&) = delete;
    TexturePool& operator=(const TexturePool&) = delete;

    // Starts a frame: every texture handed out before becomes free for acquire() again, and
    // the pool evicts the least recently used ones beyond the cap.
    void begin_frame();

    // A texture of that size and format not handed out since the last begin_frame(): a cached
    // one (a reuse), or a new one, after evicting the least recently used free texture when the
    // pool is full. May change the GL_TEXTURE_2D binding of the active unit. Errors:
    // kInvalidArgument for a side <= 0; kInternal naming the GL call when creating it raised a
    // GL error (the texture is then deleted; an error left pending by earlier code counts too).
    // The texture belongs to the pool: don't delete it.
    [[nodiscard]] Result<GLuint> acquire(int width_px, int height_px, TextureFormat format);

    // A texture with the same parameters and storage as the pool's, owned by the caller (who
    // deletes it) and not counted in the stats: an FBO target, a constant 1x1 layer. Leaves it
    // bound to GL_TEXTURE_2D of the active unit. Sides must be > 0.
    [[nodiscard]] GLuint create_unpooled(int width_px, int height_px, TextureFormat format) const;

    [[nodiscard]] bool immutable_storage() const { return use_storage_; }
    [[nodiscard]] TexturePoolStats stats() const;
    // Every texture name the pool holds now, in use or not.
    [[nodiscard]] std::vector<GLuint> object_names() const;

private:
    struct Entry {
        GLuint texture = 0;
        int width_px = 0;
        int height_px = 0;
        TextureFormat format = TextureFormat::kRgba8;
        std::uint64_t frame = 0;     // frame_ at its last acquire(): in use while equal
        std::uint64_t last_use = 0;  // tick_ at its last acquire(): least recently used order
    };

    // Deletes free textures, least recently used first, until at most `keep` remain or only
    // textures in use are left.
    void evict_down_to(std::size_t keep);
    [[nodiscard]] static std::uint64_t bytes_of(const Entry& entry);

    // --- immutable after construction
    const GlApi api_;
    const std::size_t max_textures_;
    const bool use_storage_;
    // --- render thread only
    ThreadChecker render_thread_;
    std::vector<Entry> entries_;
    std::uint64_t frame_ = 1;  // entries with frame == frame_ are in use
    std::uint64_t tick_ = 0;
    // --- stats (render thread writes and reads)
    std::uint64_t allocations_ = 0;
    std::uint64_t reuses_ = 0;
    std::uint64_t evictions_ = 0;
};

}  // namespace interleave::renderer::gl
