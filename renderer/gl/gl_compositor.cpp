// GlCompositor: program, quad, FBO, size-keyed texture cache and PBO rings for the composite.
// Thread: render only, with the GL context current.
#include "renderer/gl/gl_compositor.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cstring>
#include <string>

#include "shaders/shader_sources.hpp"

namespace interleave::renderer::gl {
namespace {

using cpu::Rotation;
using Clock = std::chrono::steady_clock;

constexpr GLuint64 kFenceTimeoutNs = 1'000'000'000;  // a fence that takes longer is an error

shaders::Dialect dialect_of(GlApi api) {
    switch (api) {
    case GlApi::kGl33Core: return shaders::Dialect::kGlsl330;
    case GlApi::kGles30: return shaders::Dialect::kGlsl300es;
    case GlApi::kGles20: break;
    }
    return shaders::Dialect::kGlsl100;
}

Result<GLuint> compile_shader(GLenum stage, const char* name, shaders::Dialect dialect) {
    const std::string text = shaders::program_source(dialect, name);
    if (text.empty()) {
        return make_error(ErrorCode::kInternal, name, "shader source not embedded");
    }
    const GLuint shader = glCreateShader(stage);
    const char* data = text.c_str();
    glShaderSource(shader, 1, &data, nullptr);
    glCompileShader(shader);
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok == GL_TRUE) return shader;
    std::string log(4096, '\0');
    GLsizei length = 0;
    glGetShaderInfoLog(shader, static_cast<GLsizei>(log.size()), &length, log.data());
    log.resize(static_cast<std::size_t>(length));
    glDeleteShader(shader);
    return make_error(ErrorCode::kInternal, name, "glCompileShader failed: {}", log);
}

// One affine form a*sx + b*sy + c of the screen position (sx right, sy down, both 0..1 over
// the content rectangle).
struct Affine {
    double a = 0, b = 0, c = 0;
    [[nodiscard]] Affine one_minus() const { return Affine{-a, -b, 1 - c}; }
};

// Column-major mat3 from clip space (x, y, 1) of the content viewport to content uv, where
// uv (0, 0) is the first uploaded row's first pixel (the image's top left). The screen shows
// the content rotated clockwise by `rotation`, then mirrored horizontally.
std::array<float, 9> uv_transform(Rotation rotation, bool mirror) {
    // Undo the mirror: the rotated image's (rx, ry) shown at screen (sx, sy).
    const Affine rx = mirror ? Affine{-1, 0, 1} : Affine{1, 0, 0};
    const Affine ry{0, 1, 0};
    // Undo the clockwise rotation: content (u, v) shown at rotated (rx, ry).
    Affine u = rx;
    Affine v = ry;
    switch (rotation) {
    case Rotation::k0: break;
    case Rotation::k90: u = ry; v = rx.one_minus(); break;
    case Rotation::k180: u = rx.one_minus(); v = ry.one_minus(); break;
    case Rotation::k270: u = ry.one_minus(); v = rx; break;
    }
    // sx = (x + 1) / 2, sy = (1 - y) / 2: clip y points up, row 0 of the read-back frame is
    // the top (read_pixels flips).
    const auto column = [](const Affine& f) {
        return std::array<double, 3>{0.5 * f.a, -0.5 * f.b, 0.5 * f.a + 0.5 * f.b + f.c};
    };
    const auto cu = column(u);
    const auto cv = column(v);
    return {static_cast<float>(cu[0]), static_cast<float>(cv[0]), 0.0f,
            static_cast<float>(cu[1]), static_cast<float>(cv[1]), 0.0f,
            static_cast<float>(cu[2]), static_cast<float>(cv[2]), 1.0f};
}

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

Result<std::unique_ptr<GlCompositor>> GlCompositor::create(GlApi api,
                                                           GlCompositorOptions options) {
    if (options.pbo_slots_per_layer < 2 || options.pbo_slots_per_layer > kMaxSlots) {
        return make_error(ErrorCode::kInvalidArgument, "pbo_slots_per_layer",
                          "expected 2..{}, got {}", kMaxSlots, options.pbo_slots_per_layer);
    }
    std::unique_ptr<GlCompositor> compositor(new GlCompositor(api, options));
    // On failure the destructor deletes whatever init() had created.
    if (auto ok = compositor->init(); !ok) return tl::unexpected(ok.error());
    return compositor;
}

GlCompositor::GlCompositor(GlApi api, GlCompositorOptions options)
    : api_(api), options_(options) {
    render_thread_.bind_to_current();
}

GlCompositor::~GlCompositor() {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    for (PboRing& ring : rings_) {
        for (PboSlot& slot : ring.slots) {
            if (slot.fence != nullptr) glDeleteSync(slot.fence);
            if (slot.buffer != 0) glDeleteBuffers(1, &slot.buffer);
        }
    }
    for (const CachedTexture& cached : textures_) glDeleteTextures(1, &cached.texture);
    if (target_texture_ != 0) glDeleteTextures(1, &target_texture_);
    if (transparent_texture_ != 0) glDeleteTextures(1, &transparent_texture_);
    if (framebuffer_ != 0) glDeleteFramebuffers(1, &framebuffer_);
    if (vertex_array_ != 0) glDeleteVertexArrays(1, &vertex_array_);
    if (quad_buffer_ != 0) glDeleteBuffers(1, &quad_buffer_);
    if (program_ != 0) glDeleteProgram(program_);
}

Result<void> GlCompositor::check_gl(const char* call) const {
    const GLenum first = glGetError();
    if (first == GL_NO_ERROR) return {};
    while (glGetError() != GL_NO_ERROR) {
    }
    return make_error(ErrorCode::kInternal, call, "GL error 0x{:04x}", first);
}

Result<void> GlCompositor::init() {
    while (glGetError() != GL_NO_ERROR) {
    }  // errors left by earlier code are not ours
    use_pbo_ = api_ != GlApi::kGles20 && !options_.force_direct_upload;
    // Immutable storage: core in GLES 3.0 and GL 4.2; ARB_texture_storage on older desktop GL.
    use_storage_ = glTexStorage2D != nullptr &&
                   (api_ == GlApi::kGles30 || (api_ == GlApi::kGl33Core &&
                                               GLAD_GL_ARB_texture_storage != 0));
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_texture_px_);

    // The program.
    const shaders::Dialect dialect = dialect_of(api_);
    auto vertex = compile_shader(GL_VERTEX_SHADER, "composite.vert.glsl", dialect);
    if (!vertex) return tl::unexpected(vertex.error());
    auto fragment = compile_shader(GL_FRAGMENT_SHADER, "composite.frag.glsl", dialect);
    if (!fragment) {
        glDeleteShader(*vertex);
        return tl::unexpected(fragment.error());
    }
    program_ = glCreateProgram();
    glAttachShader(program_, *vertex);
    glAttachShader(program_, *fragment);
    glBindAttribLocation(program_, 0, "a_position");  // GLSL 100 has no layout qualifiers
    glLinkProgram(program_);
    glDeleteShader(*vertex);  // flagged; freed with the program
    glDeleteShader(*fragment);
    GLint linked = GL_FALSE;
    glGetProgramiv(program_, GL_LINK_STATUS, &linked);
    if (linked != GL_TRUE) {
        std::string log(4096, '\0');
        GLsizei length = 0;
        glGetProgramInfoLog(program_, static_cast<GLsizei>(log.size()), &length, log.data());
        log.resize(static_cast<std::size_t>(length));
        return make_error(ErrorCode::kInternal, "composite program", "glLinkProgram failed: {}",
                          log);
    }
    uv_transform_location_ = glGetUniformLocation(program_, "u_uv_transform");
    background_location_ = glGetUniformLocation(program_, "u_background");
    glUseProgram(program_);
    glUniform1i(glGetUniformLocation(program_, "u_main"), 0);
    glUniform1i(glGetUniformLocation(program_, "u_float"), 1);

    // The quad: a triangle strip over clip space. Core profiles need a VAO; GLES 2.0 has none.
    const std::array<float, 8> quad = {-1, -1, 1, -1, -1, 1, 1, 1};
    glGenBuffers(1, &quad_buffer_);
    glBindBuffer(GL_ARRAY_BUFFER, quad_buffer_);
    glBufferData(GL_ARRAY_BUFFER, sizeof(quad), quad.data(), GL_STATIC_DRAW);
    if (api_ != GlApi::kGles20) {
        glGenVertexArrays(1, &vertex_array_);
        glBindVertexArray(vertex_array_);
        glEnableVertexAttribArray(0);
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
        glBindVertexArray(0);
    }
    glBindBuffer(GL_ARRAY_BUFFER, 0);

    glGenFramebuffers(1, &framebuffer_);
    transparent_texture_ = create_texture(1, 1);
    const std::array<std::uint8_t, 4> zero{};
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, 1, 1, GL_RGBA, GL_UNSIGNED_BYTE, zero.data());

    if (use_pbo_) {
        for (PboRing& ring : rings_) {
            for (int i = 0; i < options_.pbo_slots_per_layer; ++i) {
                glGenBuffers(1, &ring.slots[static_cast<std::size_t>(i)].buffer);
            }
        }
    }
    glBindTexture(GL_TEXTURE_2D, 0);
    glUseProgram(0);
    return check_gl("GlCompositor::create");
}

GLuint GlCompositor::create_texture(int width_px, int height_px) const {
    GLuint texture = 0;
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    // Layers scale with GL_LINEAR (the CPU path scales bilinearly); the target is never sampled
    // here, but a presenter may scale it.
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    if (use_storage_) {
        glTexStorage2D(GL_TEXTURE_2D, 1, GL_RGBA8, width_px, height_px);
    } else {
        // GLES 2.0 takes only the unsized GL_RGBA; GL 3.3 and GLES 3.0 take GL_RGBA8.
        const GLint internal = api_ == GlApi::kGles20 ? GL_RGBA : GL_RGBA8;
        if (api_ != GlApi::kGles20) glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAX_LEVEL, 0);
        glTexImage2D(GL_TEXTURE_2D, 0, internal, width_px, height_px, 0, GL_RGBA,
                     GL_UNSIGNED_BYTE, nullptr);
    }
    return texture;
}

GLuint GlCompositor::acquire_texture(int width_px, int height_px) {
    for (CachedTexture& cached : textures_) {
        if (cached.width_px == width_px && cached.height_px == height_px &&
            cached.last_used != serial_) {
            cached.last_used = serial_;
            ++textures_reused_;
            return cached.texture;
        }
    }
    const GLuint texture = create_texture(width_px, height_px);
    textures_.push_back(CachedTexture{texture, width_px, height_px, serial_});
    ++textures_created_;
    return texture;
}

void GlCompositor::evict_textures() {
    while (textures_.size() > kMaxCachedTextures) {
        auto oldest = std::min_element(textures_.begin(), textures_.end(),
                                       [](const CachedTexture& a, const CachedTexture& b) {
                                           return a.last_used < b.last_used;
                                       });
        // At most two textures are in use per compose(), fewer than the cache holds.
        assert(oldest->last_used != serial_ && "evicting a texture in use");
        glDeleteTextures(1, &oldest->texture);
        textures_.erase(oldest);
        ++textures_deleted_;
    }
}

Result<void> GlCompositor::wait_fence(PboSlot& slot) {
    if (slot.fence == nullptr) return {};
    GLenum status = glClientWaitSync(slot.fence, 0, 0);
    if (status == GL_TIMEOUT_EXPIRED) {
        const auto start = Clock::now();
        status = glClientWaitSync(slot.fence, GL_SYNC_FLUSH_COMMANDS_BIT, kFenceTimeoutNs);
        ++fence_waits_;
        fence_wait_ms_ += ms_since(start);
    }
    if (status != GL_ALREADY_SIGNALED && status != GL_CONDITION_SATISFIED) {
        return make_error(ErrorCode::kInternal, "glClientWaitSync",
                          "PBO slot fence did not signal (expected within {} ms, got 0x{:04x})",
                          kFenceTimeoutNs / 1'000'000, status);
    }
    glDeleteSync(slot.fence);
    slot.fence = nullptr;
    return {};
}

Result<GLuint> GlCompositor::upload(const RgbaView& layer, PboRing& ring) {
    const auto start = Clock::now();
    const int w = layer.width_px;
    const int h = layer.height_px;
    const std::size_t row_bytes = static_cast<std::size_t>(w) * 4;
    const GLuint texture = acquire_texture(w, h);

    if (use_pbo_) {
        PboSlot& slot = ring.slots[static_cast<std::size_t>(ring.next)];
        ring.next = (ring.next + 1) % options_.pbo_slots_per_layer;
        if (auto ok = wait_fence(slot); !ok) return tl::unexpected(ok.error());
        const auto bytes = static_cast<GLsizeiptr>(row_bytes * static_cast<std::size_t>(h));
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, slot.buffer);
        if (slot.capacity_bytes < bytes) {
            glBufferData(GL_PIXEL_UNPACK_BUFFER, bytes, nullptr, GL_STREAM_DRAW);
            slot.capacity_bytes = bytes;
        }
        // Unsynchronized is safe: the slot's fence has signalled, so the GPU is done with it.
        void* mapped = glMapBufferRange(GL_PIXEL_UNPACK_BUFFER, 0, bytes,
                                        GL_MAP_WRITE_BIT | GL_MAP_INVALIDATE_BUFFER_BIT |
                                            GL_MAP_UNSYNCHRONIZED_BIT);
        if (mapped == nullptr) {
            glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
            if (auto ok = check_gl("glMapBufferRange"); !ok) return tl::unexpected(ok.error());
            return make_error(ErrorCode::kInternal, "glMapBufferRange", "returned null");
        }
        auto* dst = static_cast<std::uint8_t*>(mapped);
        if (static_cast<std::size_t>(layer.stride_bytes) == row_bytes) {
            std::memcpy(dst, layer.pixels, row_bytes * static_cast<std::size_t>(h));
        } else {
            for (int y = 0; y < h; ++y) {
                std::memcpy(dst + row_bytes * static_cast<std::size_t>(y),
                            layer.pixels + static_cast<std::ptrdiff_t>(y) * layer.stride_bytes,
                            row_bytes);
            }
        }
        const GLboolean intact = glUnmapBuffer(GL_PIXEL_UNPACK_BUFFER);
        if (intact == GL_TRUE) {
            glBindTexture(GL_TEXTURE_2D, texture);
            glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
            slot.fence = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
        }
        glBindBuffer(GL_PIXEL_UNPACK_BUFFER, 0);
        if (intact != GL_TRUE) {
            return make_error(ErrorCode::kInternal, "glUnmapBuffer",
                              "PBO contents lost (expected GL_TRUE, got GL_FALSE)");
        }
    } else {
        const std::uint8_t* pixels = layer.pixels;
        if (static_cast<std::size_t>(layer.stride_bytes) != row_bytes) {
            // GLES 2.0 has no GL_UNPACK_ROW_LENGTH: pack the rows tightly first.
            staging_.resize(row_bytes * static_cast<std::size_t>(h));
            for (int y = 0; y < h; ++y) {
                std::memcpy(staging_.data() + row_bytes * static_cast<std::size_t>(y),
                            layer.pixels + static_cast<std::ptrdiff_t>(y) * layer.stride_bytes,
                            row_bytes);
            }
            pixels = staging_.data();
        }
        glBindTexture(GL_TEXTURE_2D, texture);
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    }
    upload_times_.record(Clock::now() - start);
    return texture;
}

Result<void> GlCompositor::ensure_target(int out_w, int out_h) {
    if (target_texture_ != 0 && target_w_ == out_w && target_h_ == out_h) return {};
    if (target_texture_ != 0) glDeleteTextures(1, &target_texture_);
    target_texture_ = create_texture(out_w, out_h);
    target_w_ = out_w;
    target_h_ = out_h;
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target_texture_,
                           0);
    const GLenum status = glCheckFramebufferStatus(GL_FRAMEBUFFER);
    if (status != GL_FRAMEBUFFER_COMPLETE) {
        target_w_ = target_h_ = 0;  // rebuild next time
        return make_error(ErrorCode::kInternal, "glCheckFramebufferStatus",
                          "RGBA8 target {}x{} incomplete (expected 0x{:04x}, got 0x{:04x})",
                          out_w, out_h, GL_FRAMEBUFFER_COMPLETE, status);
    }
    return {};
}

Result<void> GlCompositor::compose(const RgbaView& main_layer, const RgbaView& float_layer,
                                   const ComposeOptions& options, int out_w, int out_h) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    const auto check_view = [&](const RgbaView& v, const char* name) {
        return cpu::check_rgba_view(v, name, max_texture_px_);
    };
    if (main_layer.empty()) {
        return make_error(ErrorCode::kInvalidArgument, "main layer", "no pixels to composite");
    }
    if (auto ok = check_view(main_layer, "main layer"); !ok) return ok;
    if (!float_layer.empty()) {
        if (auto ok = check_view(float_layer, "float layer"); !ok) return ok;
    }
    if (out_w <= 0 || out_h <= 0 || out_w > max_texture_px_ || out_h > max_texture_px_) {
        return make_error(ErrorCode::kInvalidArgument, "output frame",
                          "bad size (expected sides 1..{}, got {}x{})", max_texture_px_, out_w,
                          out_h);
    }
    ++serial_;

    // Uploads first (they bind textures on unit 0), then the draw binds both units.
    glActiveTexture(GL_TEXTURE0);
    auto main_texture = upload(main_layer, rings_[0]);
    if (!main_texture) return tl::unexpected(main_texture.error());
    GLuint float_texture = transparent_texture_;
    if (!float_layer.empty()) {
        auto uploaded = upload(float_layer, rings_[1]);
        if (!uploaded) return tl::unexpected(uploaded.error());
        float_texture = *uploaded;
    }
    evict_textures();
    if (auto ok = ensure_target(out_w, out_h); !ok) return ok;

    // The bars: clear everything to the background, then draw the content rectangle.
    const cpu::PlacedRect rect = cpu::letterbox_rect(main_layer.width_px, main_layer.height_px,
                                                     options.rotation, out_w, out_h);
    const cpu::BgColour bg = options.background;
    const float bg_r = static_cast<float>(bg.r) / 255.0f;
    const float bg_g = static_cast<float>(bg.g) / 255.0f;
    const float bg_b = static_cast<float>(bg.b) / 255.0f;
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_BLEND);
    glDisable(GL_DITHER);
    glViewport(0, 0, out_w, out_h);
    glClearColor(bg_r, bg_g, bg_b, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    // The FBO's row 0 is the bottom; rect.y counts from the top.
    glViewport(rect.x, out_h - rect.y - rect.height_px, rect.width_px, rect.height_px);

    glUseProgram(program_);
    const std::array<float, 9> transform = uv_transform(options.rotation, options.mirror);
    glUniformMatrix3fv(uv_transform_location_, 1, GL_FALSE, transform.data());
    glUniform3f(background_location_, bg_r, bg_g, bg_b);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, *main_texture);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, float_texture);
    if (vertex_array_ != 0) {
        glBindVertexArray(vertex_array_);
    } else {
        glBindBuffer(GL_ARRAY_BUFFER, quad_buffer_);
        glEnableVertexAttribArray(0);
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    }
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    if (vertex_array_ != 0) glBindVertexArray(0);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glUseProgram(0);
    return check_gl("GlCompositor::compose");
}

Result<void> GlCompositor::read_pixels(const RgbaTarget& out) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (target_texture_ == 0 || target_w_ == 0) {
        return make_error(ErrorCode::kInvalidArgument, "read_pixels", "nothing composed yet");
    }
    if (out.pixels == nullptr || out.width_px != target_w_ || out.height_px != target_h_ ||
        out.stride_bytes < out.width_px * 4) {
        return make_error(ErrorCode::kInvalidArgument, "read_pixels",
                          "bad target (expected {}x{} with stride >= {}, got {}x{} with stride "
                          "{})",
                          target_w_, target_h_, target_w_ * 4, out.width_px, out.height_px,
                          out.stride_bytes);
    }
    const std::size_t row_bytes = static_cast<std::size_t>(target_w_) * 4;
    readback_.resize(row_bytes * static_cast<std::size_t>(target_h_));
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);  // rows are width * 4 bytes: always aligned
    glReadPixels(0, 0, target_w_, target_h_, GL_RGBA, GL_UNSIGNED_BYTE, readback_.data());
    if (auto ok = check_gl("glReadPixels"); !ok) return ok;
    for (int y = 0; y < target_h_; ++y) {
        const std::size_t src_row = static_cast<std::size_t>(target_h_ - 1 - y);
        std::memcpy(out.pixels + static_cast<std::ptrdiff_t>(y) * out.stride_bytes,
                    readback_.data() + src_row * row_bytes, row_bytes);
    }
    return {};
}

GlCompositorStats GlCompositor::stats() const {
    GlCompositorStats s;
    s.pbo_uploads = use_pbo_;
    s.immutable_textures = use_storage_;
    s.uploads = upload_times_.count();
    s.upload_ms_p50 = upload_times_.percentile_ms(50);
    s.upload_ms_p99 = upload_times_.percentile_ms(99);
    s.fence_waits = fence_waits_;
    s.fence_wait_ms = fence_wait_ms_;
    s.textures_created = textures_created_;
    s.textures_reused = textures_reused_;
    s.textures_deleted = textures_deleted_;
    return s;
}

GlObjectNames GlCompositor::object_names() const {
    GlObjectNames names;
    for (const CachedTexture& cached : textures_) names.textures.push_back(cached.texture);
    if (target_texture_ != 0) names.textures.push_back(target_texture_);
    if (transparent_texture_ != 0) names.textures.push_back(transparent_texture_);
    for (const PboRing& ring : rings_) {
        for (const PboSlot& slot : ring.slots) {
            if (slot.buffer != 0) names.buffers.push_back(slot.buffer);
            if (slot.fence != nullptr) names.fences.push_back(slot.fence);
        }
    }
    if (quad_buffer_ != 0) names.buffers.push_back(quad_buffer_);
    if (framebuffer_ != 0) names.framebuffers.push_back(framebuffer_);
    if (vertex_array_ != 0) names.vertex_arrays.push_back(vertex_array_);
    if (program_ != 0) names.programs.push_back(program_);
    return names;
}

}  // namespace interleave::renderer::gl
