// GlCompositor: program, quad, FBO and PBO rings for the composite (layer textures come from a
// TexturePool), readback now or a frame later, and presenting. Thread: render only, with the GL
// context current.
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

// Copies a frame read with glReadPixels (row 0 at the bottom, rows width * 4 bytes) into `out`
// (row 0 at the top), whose size the caller has checked.
void copy_flipped(const std::uint8_t* bottom_up, const RgbaTarget& out) {
    const std::size_t row_bytes = static_cast<std::size_t>(out.width_px) * 4;
    for (int y = 0; y < out.height_px; ++y) {
        const std::size_t src_row = static_cast<std::size_t>(out.height_px - 1 - y);
        std::memcpy(out.pixels + static_cast<std::ptrdiff_t>(y) * out.stride_bytes,
                    bottom_up + src_row * row_bytes, row_bytes);
    }
}

bool fits(const RgbaTarget& out, int width_px, int height_px) {
    return out.pixels != nullptr && out.width_px == width_px && out.height_px == height_px &&
           out.stride_bytes >= width_px * 4;
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
    : api_(api), options_(options), texture_pool_(api) {
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
    for (ReadbackSlot& slot : readback_slots_) {
        if (slot.fence != nullptr) glDeleteSync(slot.fence);
        if (slot.buffer != 0) glDeleteBuffers(1, &slot.buffer);
    }
    // texture_pool_'s destructor deletes the layer textures.
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
    use_pbo_readback_ = api_ != GlApi::kGles20;
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
    transparent_texture_ = texture_pool_.create_unpooled(1, 1, TextureFormat::kRgba8);
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

Result<void> GlCompositor::wait_fence(GLsync& fence, std::uint64_t& waits, double& wait_ms,
                                      const char* what) {
    if (fence == nullptr) return {};
    GLenum status = glClientWaitSync(fence, 0, 0);
    if (status == GL_TIMEOUT_EXPIRED) {
        const auto start = Clock::now();
        status = glClientWaitSync(fence, GL_SYNC_FLUSH_COMMANDS_BIT, kFenceTimeoutNs);
        ++waits;
        wait_ms += ms_since(start);
    }
    if (status != GL_ALREADY_SIGNALED && status != GL_CONDITION_SATISFIED) {
        return make_error(ErrorCode::kInternal, "glClientWaitSync",
                          "{} fence did not signal (expected within {} ms, got 0x{:04x})", what,
                          kFenceTimeoutNs / 1'000'000, status);
    }
    glDeleteSync(fence);
    fence = nullptr;
    return {};
}

Result<GLuint> GlCompositor::upload(const RgbaView& layer, PboRing& ring) {
    const auto start = Clock::now();
    const int w = layer.width_px;
    const int h = layer.height_px;
    const std::size_t row_bytes = static_cast<std::size_t>(w) * 4;
    const auto acquired = texture_pool_.acquire(w, h, TextureFormat::kRgba8);
    if (!acquired) return tl::unexpected(acquired.error());
    const GLuint texture = *acquired;

    if (use_pbo_) {
        PboSlot& slot = ring.slots[static_cast<std::size_t>(ring.next)];
        ring.next = (ring.next + 1) % options_.pbo_slots_per_layer;
        if (auto ok = wait_fence(slot.fence, fence_waits_, fence_wait_ms_, "PBO slot"); !ok) {
            return tl::unexpected(ok.error());
        }
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
    target_texture_ = texture_pool_.create_unpooled(out_w, out_h, TextureFormat::kRgba8);
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

Result<void> GlCompositor::check_output_size(const char* subject, int out_w, int out_h) const {
    if (out_w <= 0 || out_h <= 0 || out_w > max_texture_px_ || out_h > max_texture_px_) {
        return make_error(ErrorCode::kInvalidArgument, subject,
                          "bad size (expected sides 1..{}, got {}x{})", max_texture_px_, out_w,
                          out_h);
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
    if (auto ok = check_output_size("output frame", out_w, out_h); !ok) return ok;

    // From here on the last compose()'s textures may be handed out and overwritten: until this
    // one has uploaded both layers there is nothing to redraw.
    texture_pool_.begin_frame();
    layers_ = {};
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
    layers_ = Layers{*main_texture, main_layer.width_px, main_layer.height_px, float_texture};
    return draw_layers(options, out_w, out_h, "GlCompositor::compose");
}

Result<void> GlCompositor::redraw(const ComposeOptions& options, int out_w, int out_h) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (layers_.main == 0) {
        return make_error(ErrorCode::kInvalidArgument, "redraw",
                          "no layers to draw again (expected a successful compose() first)");
    }
    if (auto ok = check_output_size("redraw output frame", out_w, out_h); !ok) return ok;
    return draw_layers(options, out_w, out_h, "GlCompositor::redraw");
}

void GlCompositor::draw_quad() {
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
}

Result<void> GlCompositor::draw_layers(const ComposeOptions& options, int out_w, int out_h,
                                       const char* subject) {
    assert(layers_.main != 0 && "drawing with no layers uploaded");
    if (auto ok = ensure_target(out_w, out_h); !ok) return ok;

    // The bars: clear everything to the background, then draw the content rectangle.
    const cpu::PlacedRect rect =
        cpu::letterbox_rect(layers_.main_w, layers_.main_h, options.rotation, out_w, out_h);
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
    glBindTexture(GL_TEXTURE_2D, layers_.main);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, layers_.floating);
    draw_quad();
    glBindTexture(GL_TEXTURE_2D, 0);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, 0);
    glUseProgram(0);
    return check_gl(subject);
}

Result<void> GlCompositor::read_pixels(const RgbaTarget& out) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (target_texture_ == 0 || target_w_ == 0) {
        return make_error(ErrorCode::kInvalidArgument, "read_pixels", "nothing composed yet");
    }
    if (!fits(out, target_w_, target_h_)) {
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
    copy_flipped(readback_.data(), out);
    return {};
}

Result<void> GlCompositor::begin_readback() {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (target_texture_ == 0 || target_w_ == 0) {
        return make_error(ErrorCode::kInvalidArgument, "begin_readback", "nothing composed yet");
    }
    if (readbacks_pending_ == kReadbackSlots) {
        return make_error(ErrorCode::kInvalidArgument, "begin_readback",
                          "too many readbacks pending (expected at most {}, got {} already: "
                          "finish_readback() first)",
                          kReadbackSlots, readbacks_pending_);
    }
    ReadbackSlot& slot = readback_slots_[static_cast<std::size_t>(
        (readbacks_head_ + readbacks_pending_) % kReadbackSlots)];
    assert(slot.fence == nullptr && "a free readback slot still has a fence");
    slot.width_px = target_w_;
    slot.height_px = target_h_;
    const std::size_t bytes =
        static_cast<std::size_t>(target_w_) * 4 * static_cast<std::size_t>(target_h_);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    glPixelStorei(GL_PACK_ALIGNMENT, 4);  // rows are width * 4 bytes: always aligned
    if (use_pbo_readback_) {
        if (slot.buffer == 0) glGenBuffers(1, &slot.buffer);
        glBindBuffer(GL_PIXEL_PACK_BUFFER, slot.buffer);
        if (slot.capacity_bytes < static_cast<GLsizeiptr>(bytes)) {
            glBufferData(GL_PIXEL_PACK_BUFFER, static_cast<GLsizeiptr>(bytes), nullptr,
                         GL_STREAM_READ);
            slot.capacity_bytes = static_cast<GLsizeiptr>(bytes);
        }
        glReadPixels(0, 0, target_w_, target_h_, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
        slot.fence = glFenceSync(GL_SYNC_GPU_COMMANDS_COMPLETE, 0);
        glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
        // Submit now, so the copy runs while the caller prepares the next frame.
        glFlush();
    } else {
        slot.pixels.resize(bytes);
        glReadPixels(0, 0, target_w_, target_h_, GL_RGBA, GL_UNSIGNED_BYTE, slot.pixels.data());
    }
    if (auto ok = check_gl("glReadPixels"); !ok) {
        if (slot.fence != nullptr) glDeleteSync(slot.fence);
        slot.fence = nullptr;
        slot.capacity_bytes = 0;  // glBufferData may have failed: reallocate next time
        return ok;
    }
    ++readbacks_pending_;
    return {};
}

void GlCompositor::drop_oldest_readback() {
    assert(readbacks_pending_ > 0 && "no readback to drop");
    ReadbackSlot& slot = readback_slots_[static_cast<std::size_t>(readbacks_head_)];
    if (slot.fence != nullptr) glDeleteSync(slot.fence);
    slot.fence = nullptr;
    readbacks_head_ = (readbacks_head_ + 1) % kReadbackSlots;
    --readbacks_pending_;
}

bool GlCompositor::readback_ready() {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (readbacks_pending_ == 0) return false;
    const ReadbackSlot& slot = readback_slots_[static_cast<std::size_t>(readbacks_head_)];
    if (!use_pbo_readback_ || slot.fence == nullptr) return true;
    // begin_readback() flushed after the fence, so it signals without another GL call.
    return glClientWaitSync(slot.fence, 0, 0) != GL_TIMEOUT_EXPIRED;
}

Result<void> GlCompositor::finish_readback(const RgbaTarget& out) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (readbacks_pending_ == 0) {
        return make_error(ErrorCode::kInvalidArgument, "finish_readback",
                          "no readback pending (expected begin_readback() first)");
    }
    ReadbackSlot& slot = readback_slots_[static_cast<std::size_t>(readbacks_head_)];
    if (!fits(out, slot.width_px, slot.height_px)) {
        const int w = slot.width_px;
        const int h = slot.height_px;
        drop_oldest_readback();
        return make_error(ErrorCode::kInvalidArgument, "finish_readback",
                          "bad target, readback dropped (expected {}x{} with stride >= {}, got "
                          "{}x{} with stride {})",
                          w, h, w * 4, out.width_px, out.height_px, out.stride_bytes);
    }
    if (!use_pbo_readback_) {
        copy_flipped(slot.pixels.data(), out);
        drop_oldest_readback();
        ++readbacks_;
        return {};
    }
    if (auto ok = wait_fence(slot.fence, readback_waits_, readback_wait_ms_, "readback");
        !ok) {
        drop_oldest_readback();
        return ok;
    }
    const auto bytes = static_cast<GLsizeiptr>(slot.width_px) * 4 * slot.height_px;
    glBindBuffer(GL_PIXEL_PACK_BUFFER, slot.buffer);
    const void* mapped = glMapBufferRange(GL_PIXEL_PACK_BUFFER, 0, bytes, GL_MAP_READ_BIT);
    if (mapped == nullptr) {
        glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
        drop_oldest_readback();
        if (auto ok = check_gl("glMapBufferRange"); !ok) return ok;
        return make_error(ErrorCode::kInternal, "glMapBufferRange", "returned null");
    }
    copy_flipped(static_cast<const std::uint8_t*>(mapped), out);
    const GLboolean intact = glUnmapBuffer(GL_PIXEL_PACK_BUFFER);
    glBindBuffer(GL_PIXEL_PACK_BUFFER, 0);
    drop_oldest_readback();
    if (intact != GL_TRUE) {
        return make_error(ErrorCode::kInternal, "glUnmapBuffer",
                          "readback contents lost (expected GL_TRUE, got GL_FALSE)");
    }
    ++readbacks_;
    return {};
}

Result<void> GlCompositor::present(int fb_w, int fb_h, GLuint dest_framebuffer) {
    INTERLEAVE_ASSERT_THREAD(render_thread_);
    if (target_texture_ == 0 || target_w_ == 0) {
        return make_error(ErrorCode::kInvalidArgument, "present", "nothing composed yet");
    }
    if (fb_w <= 0 || fb_h <= 0) {
        return make_error(ErrorCode::kInvalidArgument, "present",
                          "bad framebuffer size (expected sides > 0, got {}x{})", fb_w, fb_h);
    }
    glDisable(GL_SCISSOR_TEST);  // it clips blits and draws alike; an overlay may leave it on
    if (api_ != GlApi::kGles20) {
        glBindFramebuffer(GL_READ_FRAMEBUFFER, framebuffer_);
        glBindFramebuffer(GL_DRAW_FRAMEBUFFER, dest_framebuffer);
        // 1:1 copies texels exactly with either filter; GL_LINEAR only matters when stretching.
        const bool same_size = fb_w == target_w_ && fb_h == target_h_;
        glBlitFramebuffer(0, 0, target_w_, target_h_, 0, 0, fb_w, fb_h, GL_COLOR_BUFFER_BIT,
                          same_size ? GL_NEAREST : GL_LINEAR);
    } else {
        // No glBlitFramebuffer in GLES 2.0: draw the target with the composite program. The
        // target is opaque, so mix(bg, texel, 1) gives the texel, and the transparent float
        // layer leaves it alone; the pass-through transform samples texel centres at 1:1.
        static constexpr std::array<float, 9> kPassThrough = {0.5f, 0.0f, 0.0f, 0.0f, 0.5f,
                                                              0.0f, 0.5f, 0.5f, 1.0f};
        glBindFramebuffer(GL_FRAMEBUFFER, dest_framebuffer);
        glDisable(GL_BLEND);
        glDisable(GL_DITHER);
        glViewport(0, 0, fb_w, fb_h);
        glUseProgram(program_);
        glUniformMatrix3fv(uv_transform_location_, 1, GL_FALSE, kPassThrough.data());
        glUniform3f(background_location_, 0.0f, 0.0f, 0.0f);
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, target_texture_);
        glActiveTexture(GL_TEXTURE1);
        glBindTexture(GL_TEXTURE_2D, transparent_texture_);
        draw_quad();
        glBindTexture(GL_TEXTURE_2D, 0);
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, 0);
        glUseProgram(0);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
    return check_gl("GlCompositor::present");
}

GlCompositorStats GlCompositor::stats() const {
    GlCompositorStats s;
    s.pbo_uploads = use_pbo_;
    s.immutable_textures = texture_pool_.immutable_storage();
    s.uploads = upload_times_.count();
    s.upload_ms_p50 = upload_times_.percentile_ms(50);
    s.upload_ms_p99 = upload_times_.percentile_ms(99);
    s.fence_waits = fence_waits_;
    s.fence_wait_ms = fence_wait_ms_;
    s.texture_pool = texture_pool_.stats();
    s.pbo_readbacks = use_pbo_readback_;
    s.readbacks = readbacks_;
    s.readback_waits = readback_waits_;
    s.readback_wait_ms = readback_wait_ms_;
    return s;
}

GlObjectNames GlCompositor::object_names() const {
    GlObjectNames names;
    names.textures = texture_pool_.object_names();
    if (target_texture_ != 0) names.textures.push_back(target_texture_);
    if (transparent_texture_ != 0) names.textures.push_back(transparent_texture_);
    for (const PboRing& ring : rings_) {
        for (const PboSlot& slot : ring.slots) {
            if (slot.buffer != 0) names.buffers.push_back(slot.buffer);
            if (slot.fence != nullptr) names.fences.push_back(slot.fence);
        }
    }
    for (const ReadbackSlot& slot : readback_slots_) {
        if (slot.buffer != 0) names.buffers.push_back(slot.buffer);
        if (slot.fence != nullptr) names.fences.push_back(slot.fence);
    }
    if (quad_buffer_ != 0) names.buffers.push_back(quad_buffer_);
    if (framebuffer_ != 0) names.framebuffers.push_back(framebuffer_);
    if (vertex_array_ != 0) names.vertex_arrays.push_back(vertex_array_);
    if (program_ != 0) names.programs.push_back(program_);
    return names;
}

}  // namespace interleave::renderer::gl
