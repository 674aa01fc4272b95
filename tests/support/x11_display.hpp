// A private X server for window tests: Xvfb on a free display number, plus an Xlib client that
// takes screenshots (XGetImage of the root window), finds the player's window and types keys
// through XTEST, as a user at the keyboard would. Thread: owned by one test (suite).
#pragma once

#include <chrono>
#include <thread>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace interleave::test {

// What a screenshot holds: tightly packed RGBA8 (alpha 255), row 0 at the top.
struct Screenshot {
    int width_px = 0;
    int height_px = 0;
    std::vector<std::uint8_t> rgba;
};

// Geometry of a top-level window on the root window.
struct WindowGeometry {
    unsigned long id = 0;
    int x = 0, y = 0, width_px = 0, height_px = 0;
};

class XDisplay {
public:
    // Starts `Xvfb -displayfd 1 -screen 0 WxHx24 -nolisten tcp` and connects to it; nullptr
    // with `why` set when Xvfb is missing or does not come up within 15 s.
    static std::unique_ptr<XDisplay> start(int width_px, int height_px, std::string& why);
    ~XDisplay();  // disconnects, then stops Xvfb
    XDisplay(const XDisplay&) = delete;
    XDisplay& operator=(const XDisplay&) = delete;

    // ":N", for the player's DISPLAY.
    [[nodiscard]] const std::string& name() const { return name_; }

    [[nodiscard]] Screenshot screenshot_root() const;
    // The region of the root window at `g` (what is on screen there).
    [[nodiscard]] Screenshot screenshot(const WindowGeometry& g) const;

    // The top-level mapped (viewable) windows, topmost last.
    [[nodiscard]] std::vector<WindowGeometry> viewable_windows() const;
    // Waits up to `timeout` for a viewable window; the topmost one.
    [[nodiscard]] std::optional<WindowGeometry> wait_for_window(
        std::chrono::milliseconds timeout) const;

    // Gives `window` the keyboard focus, then presses and releases the key for `keysym_name`
    // ("r", "Escape") through XTEST.
    void press_key(unsigned long window, const char* keysym_name) const;
    // Asks the server to resize `window` (as a window manager would).
    void resize(unsigned long window, int width_px, int height_px) const;

private:
    XDisplay(std::unique_ptr<ChildProcess> server, void* display, std::string name);

    std::unique_ptr<ChildProcess> server_;
    void* display_;  // Display*
    std::string name_;
};

// Polls `take` until `matches(shot)` holds or `timeout` passes; returns the last screenshot.
template <typename Take, typename Matches>
Screenshot wait_for_screenshot(Take take, Matches matches, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Screenshot shot = take();
    while (!matches(shot) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        shot = take();
    }
    return shot;
}

}  // namespace interleave::test
