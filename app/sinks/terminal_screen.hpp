// TerminalScreen: the terminal while the picture owns it: the termios settings saved and
// changed (no echo, no line mode, no flow control; signals kept, so Ctrl-C stays SIGINT), the
// alternate screen, the hidden cursor, the window size and SIGWINCH; and its exact restore on
// every way out: restore() (the owner's normal end), the destructor, atexit,
// restore_after_signal() (the async-signal-safe form a signal handler calls before _exit), and
// while entered its own handlers for SIGQUIT, SIGABRT, SIGSEGV, SIGBUS and SIGFPE, which
// restore and then let the signal end the process as it would have (status, core dump).
// Thread: enter() and restore() on the owning thread (a sink's or main); the size and the
// resize flag from any thread; restore_after_signal() from anywhere, a signal handler included.
// At most one TerminalScreen is entered per process (the saved state is process-wide, so the
// signal path can reach it without locks).
#pragma once

#include <memory>
#include <string_view>

#include "core/error.hpp"

namespace interleave::app {

// Rows and columns of a terminal (TIOCGWINSZ); 0x0 when the terminal does not say.
struct TerminalSize {
    int cols = 0;
    int rows = 0;
    bool operator==(const TerminalSize&) const = default;
};

// What enter() writes and what every restore writes, in this order (exposed for tests).
// Enter: alternate screen (1049), hidden cursor, cleared, cursor home.
inline constexpr std::string_view kEnterSequence = "\x1b[?1049h\x1b[?25l\x1b[0m\x1b[2J\x1b[H";
// Restore: end a synchronized update left open, reset attributes, show the cursor, back to the
// main screen (its cursor and contents as they were). It opens with ESC, which also cancels an
// escape sequence a cut-short write left half-written.
inline constexpr std::string_view kRestoreSequence = "\x1b[?2026l\x1b[0m\x1b[?25h\x1b[?1049l";

class TerminalScreen {
public:
    // Whether `fd` is a terminal (isatty).
    [[nodiscard]] static bool is_terminal(int fd);
    // Whether `a` and `b` are the same terminal device (both character devices with one
    // st_rdev): stderr on the terminal the picture owns.
    [[nodiscard]] static bool same_terminal(int a, int b);
    // The size of terminal `fd` (TIOCGWINSZ), 0x0 when it is no terminal or reports none.
    [[nodiscard]] static TerminalSize size_of(int fd);

    // Takes over terminal `out_fd`: saves its termios, turns off ECHO, ICANON, IEXTEN, IXON
    // and the suspend and quit characters (Ctrl-Z would stop the player with the screen still
    // taken, Ctrl-\ would kill it), keeps ISIG (Ctrl-C is SIGINT), reads byte by byte (VMIN 1,
    // VTIME 0); installs a SIGWINCH handler and the fatal signals' restoring handlers (the
    // earlier ones come back at restore()); writes kEnterSequence. `in_fd`'s file status flags are never changed (stdin
    // stays blocking). Errors: kUnsupported when `out_fd` is no terminal, kIo when its termios
    // cannot be read or set, kInternal when another TerminalScreen is entered.
    [[nodiscard]] static Result<std::unique_ptr<TerminalScreen>> enter(int out_fd);
    ~TerminalScreen();  // restore()
    TerminalScreen(const TerminalScreen&) = delete;
    TerminalScreen& operator=(const TerminalScreen&) = delete;

    // Writes kRestoreSequence and sets the saved termios back (TCSANOW), and the SIGWINCH and
    // fatal signal handlers that were there before. Idempotent; whichever restore runs first does it once.
    void restore();
    // The async-signal-safe restore (write() and tcsetattr() only) of whichever screen is
    // entered; nothing when none is. For StopSignal's forced exit and fatal paths.
    static void restore_after_signal() noexcept;
    // Whether a screen is entered now (not yet restored). Any thread.
    [[nodiscard]] static bool entered_now();

    // Whether SIGWINCH came since the last call (clears the flag). Any thread.
    [[nodiscard]] static bool take_resize();
    [[nodiscard]] TerminalSize size() const { return size_of(fd_); }
    [[nodiscard]] int fd() const { return fd_; }

private:
    explicit TerminalScreen(int fd) : fd_(fd) {}
    const int fd_;
    bool restored_ = false;
};

}  // namespace interleave::app
