// TerminalSink: `--mode ascii`'s output. On its own thread ("sink-terminal") it takes the
// latest composited frame at ascii.fps, converts it to text and writes it to stdout. On a
// terminal: the alternate screen with the cursor hidden (TerminalScreen), a full redraw first
// and after each resize (SIGWINCH) or cut-short write, otherwise only the cells that changed;
// `q`, Esc and Ctrl-C quit. To a pipe or file: every frame whole (encode_plain, a blank line
// after), no cursor movement, no screen switching, termios untouched; a closed pipe ends the
// output ("viewer gone"); at stop the frame being written is finished (for up to kFinishBound,
// then a colour reset and a line end if the pipe takes them), so a slow reader still gets
// whole frames. If the thread fails it asks to stop ("output failed"), the picture frozen
// otherwise. The sink never calls into app/: it reports quits through a callback.
// Thread: start()/stop()/stats() on main; the work on "sink-terminal".
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include "app/sinks/ascii_settings.hpp"
#include "app/sinks/frame_hub.hpp"
#include "app/sinks/sink.hpp"
#include "app/sinks/terminal_screen.hpp"
#include "config/config.hpp"
#include "core/error.hpp"
#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::app {

// Why the sink asks the player to stop.
enum class TerminalQuit {
    kKey,         // q, Esc or Ctrl-C read from the terminal
    kViewerGone,  // stdout closed (EPIPE), or the terminal hung up (EIO)
    kFailed,      // the sink's thread failed (an exception); the picture would freeze
};
// "key", "viewer gone", "output failed" (string literals: StopSignal::request_by takes them).
[[nodiscard]] const char* to_string(TerminalQuit why);

struct TerminalSinkOptions {
    config::AsciiConfig ascii;
    int out_fd = 1;  // stdout: the picture
    int in_fd = 0;   // stdin: keys, read only when it is the same terminal as out_fd; -1: none
    // Called once, on the sink's thread, when a key or a gone viewer asks to stop. The sink
    // keeps running until stop(). Must be cheap and must not call stop().
    std::function<void(TerminalQuit)> on_quit;
    // DEC mode 2026 around each frame (terminals that lack it ignore it).
    bool synchronized = true;
    // Tests only: called on the sink's thread before each frame is converted; it may throw,
    // to stand for a failure of the conversion. Empty: nothing.
    std::function<void()> before_frame;
};

// Which encoder a frame went out with.
enum class TerminalEncoding { kFull, kDiff, kPlain };

// The encoder choice, apart from the thread and the fds (unit-tested on its own): plain for a
// pipe; on a terminal full for the first frame, after invalidate() (resize, cut-short write)
// or a change of shape, else the diff against the last frame written. Thread: one at a time.
class TerminalPainter {
public:
    explicit TerminalPainter(bool terminal, bool synchronized = true)
        : terminal_(terminal), synchronized_(synchronized) {}
    // Encodes `next` into `out`; afterwards `next` is what the screen shows (swapped into the
    // painter's previous frame: `next` holds garbage of the right size afterwards, reusable by
    // the converter).
    TerminalEncoding paint(renderer::ascii::TextFrame& next, std::string& out);
    // The next paint is a full redraw (the screen's content is unknown or was resized).
    void invalidate() { valid_ = false; }
    [[nodiscard]] bool terminal() const { return terminal_; }

private:
    const bool terminal_;
    const bool synchronized_;
    bool valid_ = false;
    renderer::ascii::TextFrame prev_;
};

// Grows by one key read; `feed` returns true when a quit key is complete: q, Q, Ctrl-C (when
// the terminal delivers it as a byte), or Esc alone. Esc followed by more bytes within
// kEscapeWait is a key sequence (arrows, F-keys: CSI and SS3), not a quit. Thread: one.
class QuitKeys {
public:
    static constexpr std::chrono::milliseconds kEscapeWait{50};
    bool feed(std::string_view bytes, std::chrono::steady_clock::time_point now);
    // True once when a lone Esc has waited kEscapeWait with nothing after it (the Esc key).
    bool take_expired(std::chrono::steady_clock::time_point now);
    // Whether an Esc waits for its next byte (the reader should look again soon).
    [[nodiscard]] bool pending() const { return state_ == State::kEscape; }

private:
    enum class State { kNormal, kEscape, kCsi, kSs3 };
    State state_ = State::kNormal;
    std::chrono::steady_clock::time_point escape_at_{};
};

struct TerminalSinkStats {
    bool terminal = false;  // a terminal (diffs) or a pipe/file (plain frames)
    int cols = 0;           // the grid now
    int rows = 0;
    std::uint64_t frames_written = 0;  // frames that went out (full, diff or plain)
    std::uint64_t full_redraws = 0;
    std::uint64_t diff_frames = 0;
    std::uint64_t plain_frames = 0;
    std::uint64_t unchanged_frames = 0;  // diff frames that wrote nothing
    std::uint64_t bytes = 0;             // everything written, screen set-up excluded
    std::uint64_t diff_bytes = 0;        // bytes of diff frames only
    std::uint64_t resizes = 0;           // SIGWINCH that changed the grid or needed a redraw
    std::uint64_t cut_short = 0;         // writes abandoned at stop (the next frame is full)
    std::uint64_t keys_quit = 0;         // 1 once a key asked to quit
    bool viewer_gone = false;            // EPIPE or EIO on the output
    SinkPortStats port;                  // offered, taken, skipped (replaced before taken)
};

class TerminalSink final : public Sink {
public:
    // Attaches a kLatest port "terminal" to `hub` and starts "sink-terminal". When out_fd is a
    // terminal it is taken over first (TerminalScreen::enter); errors from that come back
    // (kIo) and nothing runs. Thread: main, before the render thread publishes.
    [[nodiscard]] static Result<std::unique_ptr<TerminalSink>> start(FrameHub& hub,
                                                                     TerminalSinkOptions options);
    ~TerminalSink() override;  // stop()
    TerminalSink(const TerminalSink&) = delete;
    TerminalSink& operator=(const TerminalSink&) = delete;

    [[nodiscard]] std::string_view name() const override { return "terminal"; }
    // How long stop() lets a pipe or file take the rest of the frame being written.
    static constexpr std::chrono::milliseconds kFinishBound{1000};

    // Ends the thread (within its poll period, ~50 ms; a write blocked on a stalled terminal
    // is abandoned at its next chunk, one to a pipe or file within kFinishBound), then
    // restores the terminal. Idempotent.
    void stop() override;
    [[nodiscard]] nlohmann::json stats() const override;
    [[nodiscard]] TerminalSinkStats counters() const;
    // Whether the picture owns a terminal (false for a pipe or file).
    [[nodiscard]] bool on_terminal() const { return screen_ != nullptr; }

private:
    TerminalSink(std::shared_ptr<SinkPort> port, TerminalSinkOptions options,
                 std::unique_ptr<TerminalScreen> screen, int wake_fd);
    void run();
    // Reads what the keyboard sent; true when it asks to quit.
    bool read_keys(QuitKeys& keys);
    // Sleeps until `deadline` or a key or stop(), whichever first.
    void wait_until(std::chrono::steady_clock::time_point deadline, bool keys_pending);
    // Writes `bytes` whole; false when stop() cut it short or the viewer is gone. On a
    // terminal stop() cuts it at once (the restore follows); to a pipe or file it goes on for
    // up to kFinishBound after stop(), then ends the cut frame with a reset and a line end
    // when the fd takes them at once.
    bool write_frame(std::string_view bytes);
    void quit(TerminalQuit why);

    // --- immutable after construction
    const std::shared_ptr<SinkPort> port_;
    const TerminalSinkOptions options_;
    const bool read_input_;  // in_fd is the terminal out_fd shows
    const int wake_fd_;      // eventfd: stop() wakes the thread's poll
    // --- owned by main (start/stop); the thread only reads size through it
    std::unique_ptr<TerminalScreen> screen_;
    std::thread thread_;
    bool stopped_ = false;
    // --- sink thread only
    bool input_open_ = true;  // false once stdin hung up or failed: no more polling it
    // --- written by the sink thread, read anywhere
    std::atomic<bool> stop_{false};
    std::atomic<bool> quit_sent_{false};
    std::atomic<bool> viewer_gone_{false};
    std::atomic<int> cols_{0};
    std::atomic<int> rows_{0};
    std::atomic<std::uint64_t> frames_written_{0};
    std::atomic<std::uint64_t> full_redraws_{0};
    std::atomic<std::uint64_t> diff_frames_{0};
    std::atomic<std::uint64_t> plain_frames_{0};
    std::atomic<std::uint64_t> unchanged_frames_{0};
    std::atomic<std::uint64_t> bytes_{0};
    std::atomic<std::uint64_t> diff_bytes_{0};
    std::atomic<std::uint64_t> resizes_{0};
    std::atomic<std::uint64_t> cut_short_{0};
    std::atomic<std::uint64_t> keys_quit_{0};
};

}  // namespace interleave::app
