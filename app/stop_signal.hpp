// StopSignal: SIGINT/SIGTERM set a flag that every loop checks, so the player shuts down in
// order (producers, queues, joins) and still writes its summary. A second signal while
// stopping exits at once. Thread: install() on the main thread before any other thread
// starts; requested()/signal_number() from any thread (lock-free).
#pragma once

namespace interleave::app {

class StopSignal {
public:
    // Installs the handlers (without SA_RESTART, so blocking calls return EINTR).
    static void install();
    [[nodiscard]] static bool requested();
    // The signal that asked to stop, or 0.
    [[nodiscard]] static int signal_number();
    // Asks to stop as if a signal came (for --duration/--frames ends and tests).
    static void request();
    // Forgets a request (tests run several players in one process).
    static void reset();
};

}  // namespace interleave::app
