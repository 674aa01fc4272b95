// ReloadSignal: a counter the handler increments and take() compares with the last one seen.
#include "app/reload_signal.hpp"

#include <signal.h>

#include <atomic>

namespace interleave::app {
namespace {

std::atomic<std::uint64_t> g_received{0};
std::atomic<std::uint64_t> g_taken{0};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the SIGHUP handler needs a lock-free counter");

void on_sighup(int /*number*/) { g_received.fetch_add(1); }

}  // namespace

void ReloadSignal::install() {
    struct sigaction action {};
    action.sa_handler = on_sighup;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGHUP, &action, nullptr);
}

bool ReloadSignal::take() {
    const std::uint64_t received = g_received.load();
    return g_taken.exchange(received) != received;
}

void ReloadSignal::request() { g_received.fetch_add(1); }

std::uint64_t ReloadSignal::received() { return g_received.load(); }

void ReloadSignal::reset() {
    g_received.store(0);
    g_taken.store(0);
}

}  // namespace interleave::app
