// PlayerWindow: the GLFW window of `--mode window`, windowed or kiosk fullscreen, and its
// events. Keys and window events become RenderCommands for the render thread; F (fullscreen)
// is a window operation, done here. Thread: main only (GLFW wants window creation, events and
// size queries there); the render thread only makes the context current through
// make_context_current() and swaps (GLFW allows both off the main thread).
#pragma once

#include <memory>
#include <string>
#include <string>

#include "app/render_commands.hpp"
#include "core/error.hpp"
#include "renderer/backend_ladder.hpp"
#include "renderer/gl/egl_context.hpp"

struct GLFWwindow;
struct GLFWmonitor;

namespace interleave::app {

// glfwInit() for the process lifetime of one window mode run; glfwTerminate() on destruction.
// Fails (kUnsupported) when there is no display (no X, or X refused): the message says so.
class GlfwSession {
public:
    [[nodiscard]] static Result<std::unique_ptr<GlfwSession>> init();
    ~GlfwSession();
    GlfwSession(const GlfwSession&) = delete;
    GlfwSession& operator=(const GlfwSession&) = delete;

private:
    GlfwSession() = default;
};

struct WindowSettings {
    bool fullscreen = false;   // borderless fullscreen at the monitor's current mode
    int monitor = 0;           // 0 = primary, else GLFW's order; a missing one falls back to 0
    int width_px = 960;        // windowed size (fullscreen uses the monitor's mode)
    int height_px = 540;
    std::string title = "Interleave";
};

class PlayerWindow {
public:
    // Creates the window with a context for `rung` (GL 3.3 core, GLES 3.0 or GLES 2.0; not
    // kCpu), not current anywhere. Fails (kUnsupported) with GLFW's reason when the context or
    // window cannot be created. Events post to `commands`, which must outlive the window.
    [[nodiscard]] static Result<std::unique_ptr<PlayerWindow>> create(
        const WindowSettings& settings, renderer::Rung rung, CommandQueue& commands);
    ~PlayerWindow();
    PlayerWindow(const PlayerWindow&) = delete;
    PlayerWindow& operator=(const PlayerWindow&) = delete;

    // Handles events for up to `timeout_s` (keys, resizes, close), and puts a kiosk window
    // back to fullscreen if something (a compositor, a focus change) took it away.
    void poll(double timeout_s);
    // True once the user asked to quit (Q, Esc, the close button).
    [[nodiscard]] bool quit_requested() const;
    // Switches between fullscreen on the chosen monitor and the windowed size (the F key).
    void toggle_fullscreen();
    // The framebuffer's size in pixels now.
    void framebuffer_size(int& width_px, int& height_px) const;

    // --- render thread
    // Makes the window's context current on the calling thread, loads glad's GL or GLES
    // functions for `api` through GLFW, and reads GL_RENDERER and GL_VERSION. Fails
    // (kUnsupported) naming the call.
    [[nodiscard]] Result<void> make_current(renderer::gl::GlApi api, std::string& gl_renderer,
                                            std::string& gl_version) const;
    // Releases the context from the calling thread (before the window is destroyed on main).
    void release_current() const;
    void swap_buffers() const;
    // glfwSwapInterval for the current context: 1 waits for the display's refresh (vsync).
    void set_swap_interval(int interval) const;

private:
    PlayerWindow(GLFWwindow* window, GLFWmonitor* monitor, const WindowSettings& settings,
                 CommandQueue& commands);
    void on_key(int key, int action);
    void enter_fullscreen();
    static void key_callback(GLFWwindow* window, int key, int scancode, int action, int mods);
    static void framebuffer_callback(GLFWwindow* window, int width_px, int height_px);
    static void refresh_callback(GLFWwindow* window);
    static void iconify_callback(GLFWwindow* window, int iconified);

    // --- main thread
    GLFWwindow* window_ = nullptr;
    GLFWmonitor* monitor_ = nullptr;  // the one fullscreen goes to
    const WindowSettings settings_;
    CommandQueue& commands_;
    bool fullscreen_ = false;
    bool quit_ = false;
};

}  // namespace interleave::app
