// StopSignal: async-signal-safe atomics; the handler reads CLOCK_MONOTONIC (async-signal-safe)
// to tell a repeated signal during a bounded shutdown from one that finds it hung.
#include "app/stop_signal.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace interleave::app {
namespace {

std::atomic<int> g_signal{0};
std::atomic<bool> g_requested{false};
std::atomic<int> g_repeats{0};
std::atomic<std::int64_t> g_first_ns{0};
std::atomic<const char*> g_reason{nullptr};
using Hook = void (*)() noexcept;
std::atomic<Hook> g_force_exit_hook{nullptr};
std::atomic<std::int64_t> g_force_exit_after_ns{
    std::chrono::nanoseconds(StopSignal::kForceExitAfter).count()};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free &&
                  std::atomic<std::int64_t>::is_always_lock_free &&
                  std::atomic<const char*>::is_always_lock_free &&
                  std::atomic<Hook>::is_always_lock_free,
              "signal handlers need lock-free atomics");

std::int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void on_signal(int number) {
    const std::int64_t now = monotonic_ns();
    int expected = 0;
    // The number first, so whoever sees requested() also sees which signal it was.
    if (g_signal.compare_exchange_strong(expected, number)) {
        g_first_ns.store(now);
        g_requested.store(true);
        return;
    }
    g_repeats.fetch_add(1);
    if (now - g_first_ns.load() >= g_force_exit_after_ns.load()) {
        // First give the terminal back (echo, line mode, main screen, cursor), then say why.
        if (const Hook hook = g_force_exit_hook.load()) hook();
        static constexpr char kMessage[] =
            "interleave: shutdown did not finish after a repeated signal; exiting at once\n";
        [[maybe_unused]] const auto written = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        _exit(128 + number);
    }
}

}  // namespace

void StopSignal::install(std::chrono::milliseconds force_exit_after) {
    g_force_exit_after_ns.store(std::chrono::nanoseconds(force_exit_after).count());
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool StopSignal::requested() { return g_requested.load(); }

int StopSignal::signal_number() { return g_signal.load(); }

int StopSignal::repeats() { return g_repeats.load(); }

void StopSignal::request() { g_requested.store(true); }

void StopSignal::request_by(const char* reason) {
    const char* expected = nullptr;
    g_reason.compare_exchange_strong(expected, reason);  // the first reason stays
    g_requested.store(true);
}

void StopSignal::set_force_exit_hook(void (*hook)() noexcept) { g_force_exit_hook.store(hook); }

void StopSignal::reset() {
    g_requested.store(false);
    g_signal.store(0);
    g_repeats.store(0);
    g_first_ns.store(0);
    g_reason.store(nullptr);
}

const char* StopSignal::name_of(int signal_number) {
    if (signal_number == SIGINT) return "SIGINT";
    if (signal_number == SIGTERM) return "SIGTERM";
    if (const char* reason = g_reason.load()) return reason;
    return "stop request";
}

}  // namespace interleave::app
