// TexturePool: the size-keyed texture cache shared by the GL backend's layers.
// Thread: render only, with the GL context current.
#include "renderer/gl/texture_pool.hpp"

#include <algorithm>
#include <cassert>

namespace interleave::renderer::gl {
namespace {

// Immutable storage: core in GLES 3.0 and GL 4.2; ARB_texture_storage on older desktop GL.
bool has_texture_storage(GlApi api) {
    return glTexStorage2D != nullptr &&
           (api == GlApi::kGles30 || (api == GlApi::kGl33Core && GLAD_GL_ARB_texture_storage != 0));
}

}  // namespace

int bytes_per_pixel(TextureFormat format) {
    switch (format) {
    case TextureFormat::kRgba8: return 4;
    }
    return 4;
}

TexturePool::TexturePool(GlApi api, std::size_t max_textures)
    : api_(api), max_textures_(max_textures), use_storage_(has_texture_storage(api)) {
    assert(max_textures >= 1 && "a texture pool needs room for one texture");
    render_thread_.bind_to_current();
}

TexturePool::~TexturePool() {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    for (const Entry& entry : entries_) glDeleteTextures(1, &entry.texture);
}

void TexturePool::begin_frame() {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    ++frame_;
    evict_down_to(max_textures_);
}

GLuint TexturePool::create_unpooled(int width_px, int height_px, TextureFormat format) const {
    assert(width_px > 0 && height_px > 0 && "texture sides must be positive");
    GLuint texture = 0;
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    // Layers scale with GL_LINEAR (the CPU path scales bilinearly); a presenter may scale an
    // FBO target too.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    switch (format) {
    case TextureFormat::kRgba8:
        if (use_storage_) {
            glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, width_px, height_px);
        } else {
            // GLES 2.0 takes only the unsized GL_RGBA; GL 3.3 and GLES 3.0 take GL_RGBA8.
            const GLint internal = api_ == GlApi::kGles20 ? GL_RGBA : GL_RGBA8;
            if (api_ != GlApi::kGles20) glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
            glTexImage2D(GL_TEXTURE_2D, 0, internal, width_px, height_px, 0, GL_RGBA,
                         GL_UNSIGNED_BYTE, nullptr);
        }
        break;
    }
    return texture;
}

Result<GLuint> TexturePool::acquire(int width_px, int height_px, TextureFormat format) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (width_px <= 0 || height_px <= 0) {
        return make_error(ErrorCode::kInvalidArgument, "TexturePool::acquire",
                          "bad texture size (expected sides > 0, got {}x{})", width_px,
                          height_px);
    }
    Entry* best = nullptr;
    for (Entry& entry : entries_) {
        if (entry.width_px == width_px && entry.height_px == height_px &&
            entry.format == format && entry.frame != frame_ &&
            (best == nullptr || entry.last_use > best->last_use)) {
            best = &entry;
        }
    }
    if (best != nullptr) {
        best->frame = frame_;
        best->last_use = ++tick_;
        ++reuses_;
        return best->texture;
    }

    // Make room first, so the pool's peak is the cap, not the cap plus one.
    if (entries_.size() >= max_textures_) evict_down_to(max_textures_ - 1);
    const GLuint texture = create_unpooled(width_px, height_px, format);
    if (const GLenum error = glGetError(); error != GL_NO_ERROR) {
        while (glGetError() != GL_NO_ERROR) {
        }
        glDeleteTextures(1, &texture);
        return make_error(ErrorCode::kInternal,
                          use_storage_ ? "glTexStorage2D" : "glTexImage2D",
                          "GL error 0x{:04x} creating a {}x{} RGBA8 texture", error, width_px,
                          height_px);
    }
    entries_.push_back(Entry{texture, width_px, height_px, format, frame_, ++tick_});
    ++allocations_;
    return texture;
}

void TexturePool::evict_down_to(std::size_t keep) {
    while (entries_.size() > keep) {
        auto oldest = entries_.end();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->frame == frame_) continue;  // in use this frame
            if (oldest == entries_.end() || it->last_use < oldest->last_use) oldest = it;
        }
        if (oldest == entries_.end()) return;  // everything left is in use
        glDeleteTextures(1, &oldest->texture);
        entries_.erase(oldest);
        ++evictions_;
    }
}

std::uint64_t TexturePool::bytes_of(const Entry& entry) {
    return static_cast<std::uint64_t>(entry.width_px) *
           static_cast<std::uint64_t>(entry.height_px) *
           static_cast<std::uint64_t>(bytes_per_pixel(entry.format));
}

TexturePoolStats TexturePool::stats() const {
    TexturePoolStats s;
    s.allocations = allocations_;
    s.reuses = reuses_;
    s.evictions = evictions_;
    s.live = entries_.size();
    for (const Entry& entry : entries_) s.bytes += bytes_of(entry);
    return s;
}

std::vector<GLuint> TexturePool::object_names() const {
    std::vector<GLuint> names;
    names.reserve(entries_.size());
    for (const Entry& entry : entries_) names.push_back(entry.texture);
    return names;
}

}  // namespace interleave::renderer::gl
