// HeadlessEglContext: a GL or GLES context with no window and no display server (EGL, drawing
// into FBOs only). Thread: created on any thread; made current and used on the render thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <EGL/egl.h>

#include "core/error.hpp"

namespace interleave::renderer::gl {

// The client API of a context, best first as in the backend ladder.
enum class GlApi {
    kGl33Core,  // desktop OpenGL 3.3 core profile (GLSL 330)
    kGles30,    // OpenGL ES 3.0 (GLSL 300 es)
    kGles20,    // OpenGL ES 2.0 (GLSL 100)
};

std::string_view to_string(GlApi api);

// Owns an EGL display connection and one context on it, with no surface. The display comes
// from the first of these that initialises:
//   1. eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA): Mesa, no X or Wayland needed;
//   2. EGL_EXT_platform_device: each device from eglQueryDevicesEXT (the portable choice on
//      NVIDIA);
//   3. eglGetDisplay(EGL_DEFAULT_DISPLAY): needs X, or EGL_PLATFORM=surfaceless, under Mesa.
// Limits:
//  - EGL hands out one display per platform and device per process, and the destructor
//    terminates it: keep one HeadlessEglContext alive at a time.
//  - glad's function pointers are process-wide; make_current() reloads them for this context.
class HeadlessEglContext {
public:
    // Opens a display, chooses a pbuffer-capable RGBA8888 config for `api` and creates the
    // context; does not make it current. Fails naming the EGL call and its error code (hex),
    // or every display path and why each failed.
    [[nodiscard]] static Result<std::unique_ptr<HeadlessEglContext>> create(GlApi api);

    // Releases the context if it is current on the calling thread, destroys it and terminates
    // the display. Call it on the render thread, or after the render thread has released the
    // context (a context current elsewhere is only marked for deletion).
    ~HeadlessEglContext();

    HeadlessEglContext(const HeadlessEglContext&) = delete;
    HeadlessEglContext& operator=(const HeadlessEglContext&) = delete;

    // Makes the context current on the calling thread with EGL_NO_SURFACE (draw into an FBO),
    // loads glad there and reads GL_RENDERER and GL_VERSION. Thread: render.
    [[nodiscard]] Result<void> make_current();

    // Releases the context from the calling thread if it is current there, so another thread
    // can make it current. Thread: the one it is current on.
    void release_current();
    [[nodiscard]] GlApi api() const { return api_; }
    // Which display path worked: "surfaceless", "device" or "default".
    [[nodiscard]] std::string_view platform() const { return platform_; }
    // GL_RENDERER and GL_VERSION (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)", "4.5 (Core Profile)
    // Mesa 22.3.6"); empty until make_current() has succeeded.
    [[nodiscard]] const std::string& renderer() const { return renderer_; }
    [[nodiscard]] const std::string& version() const { return version_; }

private:
    HeadlessEglContext(GlApi api, EGLDisplay display, std::string_view platform);

    // --- immutable after create()
    const GlApi api_;
    const EGLDisplay display_;
    const std::string_view platform_;
    EGLContext context_ = EGL_NO_CONTEXT;
    // --- render thread, set by make_current()
    std::string renderer_;
    std::string version_;
};

}  // namespace interleave::renderer::gl
