// StopSignal: SIGINT/SIGTERM set a flag that every loop checks, so the player shuts down in
// order (producers, queues, joins) and still writes its summary. A repeated signal while the
// shutdown runs (a second Ctrl-C, systemd's SIGTERM then SIGINT) changes nothing: the shutdown
// is bounded (every wait has a timeout, well under a second) and ends with exit code 0 and the
// summary. Only a signal that comes later than force_exit_after after the first, when the
// shutdown has clearly hung, exits at once with 128 + the signal's number, after the force-exit
// hook (the terminal output's async-signal-safe restore) has run.
// Thread: install() on the main thread before any other thread starts; the rest from any
// thread (lock-free, async-signal-safe in the handler).
#pragma once

#include <chrono>

namespace interleave::app {

class StopSignal {
public:
    // Three times the shutdown bound: a signal this long after the first means it hung.
    static constexpr std::chrono::milliseconds kForceExitAfter{3000};

    // Installs the handlers (without SA_RESTART, so blocking calls return EINTR).
    static void install(std::chrono::milliseconds force_exit_after = kForceExitAfter);
    [[nodiscard]] static bool requested();
    // The first signal that asked to stop, or 0.
    [[nodiscard]] static int signal_number();
    // Signals that came after the first one (ignored while the shutdown is within its bound).
    [[nodiscard]] static int repeats();
    // Asks to stop as if a signal came (for --duration/--frames ends and tests).
    static void request();
    // The same, saying why: `reason` (a string literal: "key", "viewer gone") becomes the
    // summary's stopped_by when no signal came. Async-signal-safe.
    static void request_by(const char* reason);
    // Runs just before a forced exit, in the signal handler: it must be async-signal-safe.
    // nullptr: none. The terminal output sets TerminalScreen::restore_after_signal.
    static void set_force_exit_hook(void (*hook)() noexcept);
    // Forgets a request (tests run several players in one process).
    static void reset();
    // "SIGINT", "SIGTERM", or for 0 and other numbers the reason given to request_by(), else
    // "stop request": the summary's stopped_by.
    [[nodiscard]] static const char* name_of(int signal_number);
};

}  // namespace interleave::app
