// HeadlessEglContext: surfaceless EGL display, config and context, and glad loading.
// Thread: create() on any thread; make_current() and destruction on the render thread.
#include "renderer/gl/egl_context.hpp"

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include <EGL/eglext.h>
#include <fmt/format.h>
#include <glad/gl.h>

#include "core/log.hpp"

namespace interleave::renderer::gl {
namespace {

struct ApiProfile {
    std::string_view name;
    EGLenum egl_api;
    EGLint renderable_bit;
    std::array<EGLint, 7> context_attribs;
    int min_major;
    int min_minor;
};

const ApiProfile& profile_for(GlApi api) {
    static const ApiProfile kGl33{
        "OpenGL 3.3 core", EGL_OPENGL_API, EGL_OPENGL_BIT,
        {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 3,
         EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT, EGL_NONE},
        3, 3};
    static const ApiProfile kGles30{
        "OpenGL ES 3.0", EGL_OPENGL_ES_API, EGL_OPENGL_ES3_BIT,
        {EGL_CONTEXT_MAJOR_VERSION, 3, EGL_CONTEXT_MINOR_VERSION, 0, EGL_NONE}, 3, 0};
    static const ApiProfile kGles20{
        "OpenGL ES 2.0", EGL_OPENGL_ES_API, EGL_OPENGL_ES2_BIT,
        {EGL_CONTEXT_MAJOR_VERSION, 2, EGL_NONE}, 2, 0};
    switch (api) {
    case GlApi::kGl33Core: return kGl33;
    case GlApi::kGles30: return kGles30;
    case GlApi::kGles20: return kGles20;
    }
    return kGl33;
}

std::string_view egl_error_name(EGLint code) {
    switch (code) {
    case EGL_SUCCESS: return "EGL_SUCCESS";
    case EGL_NOT_INITIALIZED: return "EGL_NOT_INITIALIZED";
    case EGL_BAD_ACCESS: return "EGL_BAD_ACCESS";
    case EGL_BAD_ALLOC: return "EGL_BAD_ALLOC";
    case EGL_BAD_ATTRIBUTE: return "EGL_BAD_ATTRIBUTE";
    case EGL_BAD_CONFIG: return "EGL_BAD_CONFIG";
    case EGL_BAD_CONTEXT: return "EGL_BAD_CONTEXT";
    case EGL_BAD_CURRENT_SURFACE: return "EGL_BAD_CURRENT_SURFACE";
    case EGL_BAD_DISPLAY: return "EGL_BAD_DISPLAY";
    case EGL_BAD_MATCH: return "EGL_BAD_MATCH";
    case EGL_BAD_NATIVE_PIXMAP: return "EGL_BAD_NATIVE_PIXMAP";
    case EGL_BAD_NATIVE_WINDOW: return "EGL_BAD_NATIVE_WINDOW";
    case EGL_BAD_PARAMETER: return "EGL_BAD_PARAMETER";
    case EGL_BAD_SURFACE: return "EGL_BAD_SURFACE";
    case EGL_CONTEXT_LOST: return "EGL_CONTEXT_LOST";
    }
    return "unknown EGL error";
}

// The calling thread's last EGL error, e.g. "EGL_BAD_MATCH (0x3009)".
std::string last_egl_error() {
    const EGLint code = eglGetError();
    return fmt::format("{} (0x{:04x})", egl_error_name(code), code);
}

// Whether the space-separated `list` (from eglQueryString; may be null) holds `name`.
bool has_extension(const char* list, std::string_view name) {
    std::string_view rest = list != nullptr ? list : "";
    while (!rest.empty()) {
        const std::size_t end = rest.find(' ');
        if (rest.substr(0, end) == name) return true;
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    }
    return false;
}

struct OpenedDisplay {
    EGLDisplay display;
    std::string_view platform;
};

// Walks the display paths best first (see the header) and returns the first that initialises,
// or every path's failure.
Result<OpenedDisplay> open_display() {
    std::string failures;
    // Initialises `display` from path `platform`; records why not otherwise.
    const auto try_initialize = [&failures](EGLDisplay display, std::string_view platform,
                                            std::string_view get_call) {
        if (display == EGL_NO_DISPLAY) {
            failures += fmt::format("{}: {} gave no display, {}; ", platform, get_call,
                                    last_egl_error());
            return false;
        }
        EGLint major = 0;
        EGLint minor = 0;
        if (eglInitialize(display, &major, &minor) != EGL_TRUE) {
            failures += fmt::format("{}: eglInitialize failed, {}; ", platform, last_egl_error());
            return false;
        }
        return true;
    };

    // Null when EGL_EXT_client_extensions is missing; has_extension() treats that as empty.
    const char* client_extensions = eglQueryString(EGL_NO_DISPLAY, EGL_EXTENSIONS);
    const auto get_platform_display =
        has_extension(client_extensions, "EGL_EXT_platform_base")
            ? reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(
                  eglGetProcAddress("eglGetPlatformDisplayEXT"))
            : nullptr;

    if (get_platform_display == nullptr ||
        !has_extension(client_extensions, "EGL_MESA_platform_surfaceless")) {
        failures += "surfaceless: EGL_MESA_platform_surfaceless not offered; ";
    } else {
        const EGLDisplay display =
            get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
        if (try_initialize(display, "surfaceless", "eglGetPlatformDisplayEXT")) {
            return OpenedDisplay{display, "surfaceless"};
        }
    }

    const auto query_devices = reinterpret_cast<PFNEGLQUERYDEVICESEXTPROC>(
        eglGetProcAddress("eglQueryDevicesEXT"));
    if (get_platform_display == nullptr || query_devices == nullptr ||
        !has_extension(client_extensions, "EGL_EXT_platform_device")) {
        failures += "device: EGL_EXT_platform_device not offered; ";
    } else {
        std::array<EGLDeviceEXT, 16> devices{};
        EGLint count = 0;
        if (query_devices(static_cast<EGLint>(devices.size()), devices.data(), &count) !=
            EGL_TRUE) {
            failures += fmt::format("device: eglQueryDevicesEXT failed, {}; ", last_egl_error());
        } else if (count == 0) {
            failures += "device: eglQueryDevicesEXT found no device; ";
        }
        for (EGLint i = 0; i < count; ++i) {
            const EGLDisplay display =
                get_platform_display(EGL_PLATFORM_DEVICE_EXT, devices[i], nullptr);
            if (try_initialize(display, "device", "eglGetPlatformDisplayEXT")) {
                return OpenedDisplay{display, "device"};
            }
        }
    }

    const EGLDisplay display = eglGetDisplay(EGL_DEFAULT_DISPLAY);
    if (try_initialize(display, "default", "eglGetDisplay")) {
        return OpenedDisplay{display, "default"};
    }
    failures.resize(failures.size() - 2);  // the last "; "
    return make_error(ErrorCode::kUnsupported, "EGL display",
                      "no display path initialised (expected surfaceless, device or default; "
                      "got {})",
                      failures);
}

}  // namespace

std::string_view to_string(GlApi api) { return profile_for(api).name; }

HeadlessEglContext::HeadlessEglContext(GlApi api, EGLDisplay display, std::string_view platform)
    : api_(api), display_(display), platform_(platform) {}

Result<std::unique_ptr<HeadlessEglContext>> HeadlessEglContext::create(GlApi api) {
    const ApiProfile& profile = profile_for(api);
    auto opened = open_display();
    if (!opened) return tl::unexpected(std::move(opened.error()));
    // Owned from here on: every failure below terminates the display through the destructor.
    std::unique_ptr<HeadlessEglContext> context(
        new HeadlessEglContext(api, opened->display, opened->platform));

    const char* extensions = eglQueryString(context->display_, EGL_EXTENSIONS);
    if (!has_extension(extensions, "EGL_KHR_surfaceless_context")) {
        return make_error(ErrorCode::kUnsupported, "eglQueryString(EGL_EXTENSIONS)",
                          "expected EGL_KHR_surfaceless_context on the {} display, got \"{}\" ({})",
                          context->platform_, extensions != nullptr ? extensions : "",
                          last_egl_error());
    }
    if (eglBindAPI(profile.egl_api) != EGL_TRUE) {
        return make_error(ErrorCode::kUnsupported, "eglBindAPI", "cannot bind {}: {}",
                          profile.name, last_egl_error());
    }
    const std::array<EGLint, 13> config_attribs{
        EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, profile.renderable_bit,
        EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8, EGL_NONE};
    EGLConfig config = nullptr;
    EGLint config_count = 0;
    if (eglChooseConfig(context->display_, config_attribs.data(), &config, 1, &config_count) !=
            EGL_TRUE ||
        config_count == 0) {
        return make_error(ErrorCode::kUnsupported, "eglChooseConfig",
                          "expected a {} config with EGL_PBUFFER_BIT and 8 bits per channel, "
                          "got {} ({})",
                          profile.name, config_count, last_egl_error());
    }
    context->context_ = eglCreateContext(context->display_, config, EGL_NO_CONTEXT,
                                         profile.context_attribs.data());
    if (context->context_ == EGL_NO_CONTEXT) {
        return make_error(ErrorCode::kUnsupported, "eglCreateContext",
                          "cannot create an {} context on the {} display: {}", profile.name,
                          context->platform_, last_egl_error());
    }
    return context;
}

HeadlessEglContext::~HeadlessEglContext() {
    if (context_ != EGL_NO_CONTEXT) {
        // eglGetCurrentContext() answers for the thread's bound API.
        eglBindAPI(profile_for(api_).egl_api);
        if (eglGetCurrentContext() == context_) {
            eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
        }
        eglDestroyContext(display_, context_);
    }
    eglTerminate(display_);
}

void HeadlessEglContext::release_current() {
    eglBindAPI(profile_for(api_).egl_api);
    if (eglGetCurrentContext() == context_) {
        eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    }
}

Result<void> HeadlessEglContext::make_current() {
    const ApiProfile& profile = profile_for(api_);
    // The bound API is per thread, and this may not be the thread that ran create().
    if (eglBindAPI(profile.egl_api) != EGL_TRUE) {
        return make_error(ErrorCode::kUnsupported, "eglBindAPI", "cannot bind {}: {}",
                          profile.name, last_egl_error());
    }
    if (eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_) != EGL_TRUE) {
        return make_error(ErrorCode::kUnsupported, "eglMakeCurrent",
                          "cannot make the {} context current without a surface: {}",
                          profile.name, last_egl_error());
    }
    const bool desktop = api_ == GlApi::kGl33Core;
    const int version =
        desktop ? gladLoadGL(eglGetProcAddress) : gladLoadGLES2(eglGetProcAddress);
    const int major = GLAD_VERSION_MAJOR(version);
    const int minor = GLAD_VERSION_MINOR(version);
    if (major < profile.min_major || (major == profile.min_major && minor < profile.min_minor)) {
        return make_error(ErrorCode::kUnsupported, desktop ? "gladLoadGL" : "gladLoadGLES2",
                          "expected {}.{} or later through eglGetProcAddress, got {}.{} ({})",
                          profile.min_major, profile.min_minor, major, minor, last_egl_error());
    }
    const auto gl_string = [](GLenum name) {
        const auto* text = reinterpret_cast<const char*>(glGetString(name));
        return std::string(text != nullptr ? text : "");
    };
    renderer_ = gl_string(GL_RENDERER);
    version_ = gl_string(GL_VERSION);
    INTERLEAVE_LOG_INFO("renderer", "{} via EGL {}: {}, {}", profile.name, platform_, renderer_,
                        version_);
    return {};
}

}  // namespace interleave::renderer::gl
