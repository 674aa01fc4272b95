// ReloadSignal: SIGHUP (what `systemctl reload` sends) sets a flag that the render loop takes
// once per frame to ask the ContentReloader for a rescan; only the content is reloaded, never
// the configuration. Signals that come before the flag is taken count as one request.
// Thread: install() on main before any other thread starts; take()/request()/received() from
// any thread (lock-free; the handler only does an atomic increment).
#pragma once

#include <cstdint>

namespace interleave::app {

class ReloadSignal {
public:
    // Installs the SIGHUP handler (SA_RESTART: a reload interrupts no blocking call).
    static void install();
    // True when a SIGHUP (or request()) came since the last take(); clears it.
    [[nodiscard]] static bool take();
    // Asks for a reload as if SIGHUP came (tests).
    static void request();
    // SIGHUPs and requests so far.
    [[nodiscard]] static std::uint64_t received();
    // Forgets pending requests and the count (tests run several players in one process).
    static void reset();
};

}  // namespace interleave::app
