// PlayerWindow: GLFW window creation per backend rung, fullscreen on a monitor, keys and
// events. Thread: main (see the header for the two render-thread calls).
#include "app/player_window.hpp"

#include <algorithm>
#include <cstdlib>

#include <glad/gl.h>
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include "core/log.hpp"

namespace interleave::app {
namespace {

// GLFW's description of its last error on this thread, or `fallback`.
std::string last_glfw_error(const char* fallback) {
    const char* description = nullptr;
    if (glfwGetError(&description) != GLFW_NO_ERROR && description != nullptr) {
        return description;
    }
    return fallback;
}

void set_context_hints(renderer::Rung rung) {
    glfwDefaultWindowHints();
    switch (rung) {
    case renderer::Rung::kGl33:
        glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_API);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
        glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
        break;
    case renderer::Rung::kGles30:
    case renderer::Rung::kGles20:
        glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, rung == renderer::Rung::kGles30 ? 3 : 2);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
        break;
    case renderer::Rung::kCpu: break;
    }
    glfwWindowHint(GLFW_RED_BITS, 8);
    glfwWindowHint(GLFW_GREEN_BITS, 8);
    glfwWindowHint(GLFW_BLUE_BITS, 8);
    glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE);
    // A kiosk keeps its fullscreen window when focus moves (a notification, a second screen).
    glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE);
}

PlayerWindow* self_of(GLFWwindow* window) {
    return static_cast<PlayerWindow*>(glfwGetWindowUserPointer(window));
}

}  // namespace

// [SECTION] GlfwSession

Result<std::unique_ptr<GlfwSession>> GlfwSession::init() {
    if (glfwInit() != GLFW_TRUE) {
        const char* display = std::getenv("DISPLAY");
        return make_error(ErrorCode::kUnsupported, "output.mode",
                          "window mode needs a display: GLFW could not start ({}; DISPLAY={}); "
                          "use --mode headless",
                          last_glfw_error("no reason given"),
                          display != nullptr ? display : "(unset)");
    }
    return std::unique_ptr<GlfwSession>(new GlfwSession());
}

GlfwSession::~GlfwSession() { glfwTerminate(); }

// [SECTION] PlayerWindow

Result<std::unique_ptr<PlayerWindow>> PlayerWindow::create(const WindowSettings& settings,
                                                           renderer::Rung rung,
                                                           CommandQueue& commands) {
    int count = 0;
    GLFWmonitor** monitors = glfwGetMonitors(&count);
    GLFWmonitor* monitor = glfwGetPrimaryMonitor();
    if (settings.monitor > 0) {
        if (settings.monitor < count) {
            monitor = monitors[settings.monitor];
        } else {
            INTERLEAVE_LOG_WARN("window",
                                "output.monitor: monitor {} does not exist ({} connected); using "
                                "the primary monitor",
                                settings.monitor, count);
        }
    }
    if (settings.fullscreen && monitor == nullptr) {
        return make_error(ErrorCode::kUnsupported, "output.fullscreen",
                          "no monitor is connected: {}", last_glfw_error("GLFW lists none"));
    }
    set_context_hints(rung);
    int width = std::max(1, settings.width_px);
    int height = std::max(1, settings.height_px);
    GLFWmonitor* fullscreen_on = nullptr;
    if (settings.fullscreen) {
        // The monitor's current mode: no mode switch, the window just covers the screen.
        const GLFWvidmode* mode = glfwGetVideoMode(monitor);
        glfwWindowHint(GLFW_REFRESH_RATE, mode->refreshRate);
        width = mode->width;
        height = mode->height;
        fullscreen_on = monitor;
    }
    GLFWwindow* window =
        glfwCreateWindow(width, height, settings.title.c_str(), fullscreen_on, nullptr);
    if (window == nullptr) {
        return make_error(ErrorCode::kUnsupported, std::string(renderer::to_string(rung)),
                          "no window with this context: {}",
                          last_glfw_error("glfwCreateWindow failed"));
    }
    return std::unique_ptr<PlayerWindow>(new PlayerWindow(window, monitor, settings, commands));
}

PlayerWindow::PlayerWindow(GLFWwindow* window, GLFWmonitor* monitor,
                           const WindowSettings& settings, CommandQueue& commands)
    : window_(window), monitor_(monitor), settings_(settings), commands_(commands),
      fullscreen_(settings.fullscreen) {
    glfwSetWindowUserPointer(window_, this);
    glfwSetKeyCallback(window_, key_callback);
    glfwSetFramebufferSizeCallback(window_, framebuffer_callback);
    glfwSetWindowRefreshCallback(window_, refresh_callback);
    glfwSetWindowIconifyCallback(window_, iconify_callback);
    if (fullscreen_) glfwSetInputMode(window_, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
}

PlayerWindow::~PlayerWindow() {
    if (window_ != nullptr) glfwDestroyWindow(window_);
}

void PlayerWindow::poll(double timeout_s) {
    glfwWaitEventsTimeout(timeout_s);
    if (glfwWindowShouldClose(window_) == GLFW_TRUE) quit_ = true;
    if (!fullscreen_ || monitor_ == nullptr) return;
    // Kiosk: stay fullscreen on our monitor at its current mode, whatever took it away.
    const GLFWvidmode* mode = glfwGetVideoMode(monitor_);
    int w = 0;
    int h = 0;
    glfwGetWindowSize(window_, &w, &h);
    const bool iconified = glfwGetWindowAttrib(window_, GLFW_ICONIFIED) == GLFW_TRUE;
    if (iconified || glfwGetWindowMonitor(window_) != monitor_ ||
        (mode != nullptr && (w != mode->width || h != mode->height))) {
        INTERLEAVE_LOG_INFO("window", "fullscreen was lost (iconified {}, {}x{}); restoring",
                            iconified, w, h);
        if (iconified) glfwRestoreWindow(window_);
        enter_fullscreen();
    }
}

bool PlayerWindow::quit_requested() const { return quit_; }

void PlayerWindow::enter_fullscreen() {
    const GLFWvidmode* mode = glfwGetVideoMode(monitor_);
    if (mode == nullptr) return;
    glfwSetWindowMonitor(window_, monitor_, 0, 0, mode->width, mode->height, mode->refreshRate);
    glfwSetInputMode(window_, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    commands_.post({CommandKind::kRedraw});
}

void PlayerWindow::toggle_fullscreen() {
    if (monitor_ == nullptr) {
        INTERLEAVE_LOG_WARN("window", "fullscreen: no monitor is connected");
        return;
    }
    fullscreen_ = !fullscreen_;
    if (fullscreen_) {
        enter_fullscreen();
    } else {
        glfwSetWindowMonitor(window_, nullptr, 40, 40, std::max(1, settings_.width_px),
                             std::max(1, settings_.height_px), GLFW_DONT_CARE);
        glfwSetInputMode(window_, GLFW_CURSOR, GLFW_CURSOR_NORMAL);
        commands_.post({CommandKind::kRedraw});
    }
    INTERLEAVE_LOG_INFO("window", "fullscreen {}", fullscreen_ ? "on" : "off");
}

void PlayerWindow::framebuffer_size(int& width_px, int& height_px) const {
    glfwGetFramebufferSize(window_, &width_px, &height_px);
}

Result<void> PlayerWindow::make_current(renderer::gl::GlApi api, std::string& gl_renderer,
                                        std::string& gl_version) const {
    glfwMakeContextCurrent(window_);
    const auto load = reinterpret_cast<GLADloadfunc>(glfwGetProcAddress);
    const bool desktop = api == renderer::gl::GlApi::kGl33Core;
    const int version = desktop ? gladLoadGL(load) : gladLoadGLES2(load);
    if (version == 0) {
        glfwMakeContextCurrent(nullptr);
        return make_error(ErrorCode::kUnsupported, desktop ? "gladLoadGL" : "gladLoadGLES2",
                          "could not load the {} functions through GLFW",
                          renderer::gl::to_string(api));
    }
    const auto text = [](GLenum name) {
        const auto* s = reinterpret_cast<const char*>(glGetString(name));
        return std::string(s != nullptr ? s : "");
    };
    gl_renderer = text(GL_RENDERER);
    gl_version = text(GL_VERSION);
    return {};
}

void PlayerWindow::release_current() const { glfwMakeContextCurrent(nullptr); }

void PlayerWindow::swap_buffers() const { glfwSwapBuffers(window_); }

void PlayerWindow::set_swap_interval(int interval) const { glfwSwapInterval(interval); }

void PlayerWindow::on_key(int key, int action) {
    if (action != GLFW_PRESS) return;
    switch (key) {
    case GLFW_KEY_F: toggle_fullscreen(); break;
    case GLFW_KEY_R: commands_.post({CommandKind::kRotate}); break;
    case GLFW_KEY_M: commands_.post({CommandKind::kMirror}); break;
    case GLFW_KEY_O: commands_.post({CommandKind::kToggleOverlay}); break;
    case GLFW_KEY_Q:
    case GLFW_KEY_ESCAPE:
        quit_ = true;
        glfwSetWindowShouldClose(window_, GLFW_TRUE);
        break;
    default: break;
    }
}

void PlayerWindow::key_callback(GLFWwindow* window, int key, int /*scancode*/, int action,
                                int /*mods*/) {
    self_of(window)->on_key(key, action);
}

void PlayerWindow::framebuffer_callback(GLFWwindow* window, int width_px, int height_px) {
    self_of(window)->commands_.post({CommandKind::kResize, width_px, height_px});
}

void PlayerWindow::refresh_callback(GLFWwindow* window) {
    self_of(window)->commands_.post({CommandKind::kRedraw});
}

void PlayerWindow::iconify_callback(GLFWwindow* window, int iconified) {
    PlayerWindow* self = self_of(window);
    // A kiosk window comes back at once; poll() puts it back to fullscreen.
    if (iconified == GLFW_TRUE && self->fullscreen_) glfwRestoreWindow(window);
}

}  // namespace interleave::app
