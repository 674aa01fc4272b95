// Tests core/thread.cpp: thread names and ThreadChecker ownership.
#include "core/thread.hpp"

#include <pthread.h>

#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace interleave {
namespace {

std::string current_name() {
    char name[32] = {};
    pthread_getname_np(pthread_self(), name, sizeof(name));
    return name;
}

TEST(Thread, NameIsSetAndTruncatedToFifteenCharacters) {
    std::string short_name;
    std::string long_name;
    std::thread([&] {
        set_current_thread_name("loader-3");
        short_name = current_name();
        set_current_thread_name("a-very-long-thread-name");
        long_name = current_name();
    }).join();
    EXPECT_EQ(short_name, "loader-3");
    EXPECT_EQ(long_name, "a-very-long-thr");
}

TEST(ThreadChecker, UnboundAcceptsAnyThread) {
    const ThreadChecker checker;
    EXPECT_TRUE(checker.is_current());
    bool other = false;
    std::thread([&] { other = checker.is_current(); }).join();
    EXPECT_TRUE(other);
}

TEST(ThreadChecker, BoundAcceptsOnlyItsOwner) {
    ThreadChecker checker;
    checker.bind_to_current();
    EXPECT_TRUE(checker.is_current());
    bool other = true;
    std::thread([&] { other = checker.is_current(); }).join();
    EXPECT_FALSE(other);
}

}  // namespace
}  // namespace interleave
