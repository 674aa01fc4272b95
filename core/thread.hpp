// Thread helpers: names visible in gdb/perf/TSan, and debug-build checks that a function runs
// on the thread it belongs to. Thread: any.
#pragma once

#include <string_view>
#include <thread>

namespace interleave {

// Names the calling thread (at most 15 characters are kept, as Linux allows).
void set_current_thread_name(std::string_view name);

// Remembers one thread's id; check() asserts (debug builds) that the caller is that thread.
// Bind it on the owning thread before use; unbound checkers accept any thread.
class ThreadChecker {
public:
    void bind_to_current() { owner_ = std::this_thread::get_id(); }
    [[nodiscard]] bool is_current() const {
        return owner_ == std::thread::id{} || owner_ == std::this_thread::get_id();
    }

private:
    std::thread::id owner_{};
};

}  // namespace interleave

#define INTERLEAVE_ASSERT_THREAD(checker) \
    assert((checker).is_current() && "called from a thread that does not own this object")
