// StopSignal: an async-signal-safe atomic flag.
#include "app/stop_signal.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace interleave::app {
namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_requested{false};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free,
              "signal handlers need lock-free atomics");

void on_signal(int number) {
    // The number first, so whoever sees requested() also sees which signal it was.
    if (g_signal.exchange(number) != 0) _exit(128 + number);  // second signal: give up at once
    g_requested.store(true);
}

}  // namespace

void StopSignal::install() {
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool StopSignal::requested() { return g_requested.load(); }

int StopSignal::signal_number() { return g_signal.load(); }

void StopSignal::request() { g_requested.store(true); }

void StopSignal::reset() {
    g_requested.store(false);
    g_signal.store(0);
}

}  // namespace interleave::app
