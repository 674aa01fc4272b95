// wait_until: polls a condition every millisecond until it holds or a timeout passes, so tests
// synchronise on what they wait for instead of sleeping. Thread: any (the caller's).
#pragma once

#include <chrono>
#include <thread>

namespace interleave::test {

// How long a test waits before it calls a condition that never comes a hang.
inline constexpr std::chrono::milliseconds kHangGuard{10'000};

// Whether `condition` held within `timeout`.
template <typename Condition>
[[nodiscard]] bool wait_until(Condition condition, std::chrono::milliseconds timeout = kHangGuard) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace interleave::test
