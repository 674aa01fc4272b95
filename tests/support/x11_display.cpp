// XDisplay: Xvfb as a child process, and the Xlib/XTEST calls window tests need.
#include "tests/support/x11_display.hpp"

#include <signal.h>

#include <filesystem>
#include <thread>

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <X11/extensions/XTest.h>

namespace interleave::test {
namespace {

Display* dpy(void* display) { return static_cast<Display*>(display); }

// The position of a mask's lowest set bit, and the mask's value range (for 8-bit scaling).
int shift_of(unsigned long mask) {
    int shift = 0;
    while (mask != 0 && (mask & 1UL) == 0) {
        mask >>= 1;
        ++shift;
    }
    return shift;
}

}  // namespace

std::unique_ptr<XDisplay> XDisplay::start(int width_px, int height_px, std::string& why) {
    const char* xvfb = "/usr/bin/Xvfb";
    if (!std::filesystem::exists(xvfb)) {
        why = "Xvfb is not installed (package xvfb)";
        return nullptr;
    }
    const std::string screen =
        std::to_string(width_px) + "x" + std::to_string(height_px) + "x24";
    // -displayfd 1: Xvfb picks a free display number and writes it to stdout when ready.
    auto server = std::make_unique<ChildProcess>(
        xvfb, std::vector<std::string>{"-displayfd", "1", "-screen", "0", screen, "-nolisten",
                                       "tcp", "-noreset"});
    if (server->pid() < 0) {
        why = "cannot start Xvfb: " + server->spawn_error();
        return nullptr;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::string number;
    while (std::chrono::steady_clock::now() < deadline) {
        const std::string out = server->out();
        if (!out.empty() && out.back() == '\n') {
            number = out.substr(0, out.size() - 1);
            break;
        }
        if (server->wait_for(std::chrono::milliseconds(0))) {
            why = "Xvfb exited: " + server->err();
            return nullptr;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (number.empty()) {
        why = "Xvfb did not report a display within 15 s: " + server->err();
        return nullptr;
    }
    const std::string name = ":" + number;
    Display* display = XOpenDisplay(name.c_str());
    if (display == nullptr) {
        why = "cannot connect to Xvfb at " + name;
        return nullptr;
    }
    int event = 0, error = 0, major = 0, minor = 0;
    if (!XTestQueryExtension(display, &event, &error, &major, &minor)) {
        XCloseDisplay(display);
        why = "Xvfb has no XTEST extension";
        return nullptr;
    }
    return std::unique_ptr<XDisplay>(new XDisplay(std::move(server), display, name));
}

XDisplay::XDisplay(std::unique_ptr<ChildProcess> server, void* display, std::string name)
    : server_(std::move(server)), display_(display), name_(std::move(name)) {}

XDisplay::~XDisplay() {
    XCloseDisplay(dpy(display_));
    server_->send_signal(SIGTERM);
    (void)server_->wait_for(std::chrono::seconds(5));
}

Screenshot XDisplay::screenshot_root() const {
    Display* d = dpy(display_);
    const int screen = DefaultScreen(d);
    return screenshot({RootWindow(d, screen), 0, 0, DisplayWidth(d, screen),
                       DisplayHeight(d, screen)});
}

Screenshot XDisplay::screenshot(const WindowGeometry& g) const {
    Display* d = dpy(display_);
    Screenshot shot;
    XImage* image = XGetImage(d, DefaultRootWindow(d), g.x, g.y,
                              static_cast<unsigned>(g.width_px),
                              static_cast<unsigned>(g.height_px), AllPlanes, ZPixmap);
    if (image == nullptr) return shot;
    shot.width_px = g.width_px;
    shot.height_px = g.height_px;
    shot.rgba.resize(static_cast<std::size_t>(g.width_px) * g.height_px * 4);
    const int rs = shift_of(image->red_mask);
    const int gs = shift_of(image->green_mask);
    const int bs = shift_of(image->blue_mask);
    for (int y = 0; y < g.height_px; ++y) {
        for (int x = 0; x < g.width_px; ++x) {
            const unsigned long p = XGetPixel(image, x, y);
            std::uint8_t* out = &shot.rgba[(static_cast<std::size_t>(y) * g.width_px + x) * 4];
            out[0] = static_cast<std::uint8_t>((p & image->red_mask) >> rs);
            out[1] = static_cast<std::uint8_t>((p & image->green_mask) >> gs);
            out[2] = static_cast<std::uint8_t>((p & image->blue_mask) >> bs);
            out[3] = 255;
        }
    }
    XDestroyImage(image);
    return shot;
}

std::vector<WindowGeometry> XDisplay::viewable_windows() const {
    Display* d = dpy(display_);
    std::vector<WindowGeometry> found;
    Window root = 0, parent = 0;
    Window* children = nullptr;
    unsigned count = 0;
    if (XQueryTree(d, DefaultRootWindow(d), &root, &parent, &children, &count) == 0) {
        return found;
    }
    for (unsigned i = 0; i < count; ++i) {
        XWindowAttributes a;
        if (XGetWindowAttributes(d, children[i], &a) == 0 || a.map_state != IsViewable) continue;
        found.push_back({children[i], a.x, a.y, a.width, a.height});
    }
    if (children != nullptr) XFree(children);
    return found;
}

std::optional<WindowGeometry> XDisplay::wait_for_window(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto windows = viewable_windows();
        if (!windows.empty()) return windows.back();
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void XDisplay::press_key(unsigned long window, const char* keysym_name) const {
    Display* d = dpy(display_);
    XSetInputFocus(d, window, RevertToPointerRoot, CurrentTime);
    const KeyCode code = XKeysymToKeycode(d, XStringToKeysym(keysym_name));
    XTestFakeKeyEvent(d, code, True, CurrentTime);
    XTestFakeKeyEvent(d, code, False, CurrentTime);
    XSync(d, False);
}

void XDisplay::resize(unsigned long window, int width_px, int height_px) const {
    Display* d = dpy(display_);
    XResizeWindow(d, window, static_cast<unsigned>(width_px), static_cast<unsigned>(height_px));
    XSync(d, False);
}

}  // namespace interleave::test
