// Render commands: what the main thread (window events, keys, signals) asks of the render
// thread. Thread: post() from any thread (main in practice); drain() on the render thread only.
#pragma once

#include <cstdint>
#include <string_view>

#include <concurrentqueue/concurrentqueue.h>

namespace interleave::app {

enum class CommandKind : std::uint8_t {
    kResize,          // the window's framebuffer is now width x height pixels (0 x 0: minimised)
    kRotate,          // rotate the picture a further 90 degrees clockwise
    kMirror,          // toggle the left-right flip
    kToggleOverlay,   // show or hide the stats overlay
    kRedraw,          // present again (the window was exposed, or went fullscreen)
    kQuit,            // stop playing
};

[[nodiscard]] constexpr std::string_view to_string(CommandKind kind) {
    switch (kind) {
    case CommandKind::kResize: return "resize";
    case CommandKind::kRotate: return "rotate";
    case CommandKind::kMirror: return "mirror";
    case CommandKind::kToggleOverlay: return "overlay";
    case CommandKind::kRedraw: return "redraw";
    case CommandKind::kQuit: return "quit";
    }
    return "?";
}

struct RenderCommand {
    CommandKind kind = CommandKind::kRedraw;
    int width_px = 0;   // kResize only
    int height_px = 0;  // kResize only
};

// A lock-free multi-producer queue with one consumer. Commands are few and tiny (a key press,
// a resize), so the queue is not bounded by count: a burst of resize events while the render
// thread is busy is coalesced by drain(), which hands only the newest resize on.
class CommandQueue {
public:
    void post(RenderCommand command) { queue_.enqueue(command); }

    // Calls `handle(command)` for each queued command in order, except that of several kResize
    // commands only the last is handed on (at its own position). Returns how many were handed
    // on. Thread: render.
    template <typename Handler>
    int drain(Handler&& handle) {
        RenderCommand batch[32];
        int handed = 0;
        for (;;) {
            const std::size_t n = queue_.try_dequeue_bulk(batch, std::size(batch));
            if (n == 0) return handed;
            int last_resize = -1;
            for (std::size_t i = 0; i < n; ++i) {
                if (batch[i].kind == CommandKind::kResize) last_resize = static_cast<int>(i);
            }
            for (std::size_t i = 0; i < n; ++i) {
                if (batch[i].kind == CommandKind::kResize && static_cast<int>(i) != last_resize) {
                    continue;
                }
                handle(batch[i]);
                ++handed;
            }
        }
    }

private:
    moodycamel::ConcurrentQueue<RenderCommand> queue_;
};

}  // namespace interleave::app
