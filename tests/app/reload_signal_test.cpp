// Tests for app::ReloadSignal: SIGHUP asks for a reload instead of ending the process, is taken
// once, and several that come before a take ask once.
#include "app/reload_signal.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace interleave::app {
namespace {

TEST(ReloadSignal, SighupIsTakenOnceAndDoesNotEndTheProcess) {
    ReloadSignal::install();
    ReloadSignal::reset();
    EXPECT_FALSE(ReloadSignal::take());
    ASSERT_EQ(std::raise(SIGHUP), 0);  // the default action would end this test binary
    EXPECT_EQ(ReloadSignal::received(), 1u);
    EXPECT_TRUE(ReloadSignal::take());
    EXPECT_FALSE(ReloadSignal::take()) << "taken already";
    ReloadSignal::reset();
}

TEST(ReloadSignal, SignalsBeforeATakeAskOnceAndLaterOnesAgain) {
    ReloadSignal::install();
    ReloadSignal::reset();
    ASSERT_EQ(std::raise(SIGHUP), 0);
    ASSERT_EQ(std::raise(SIGHUP), 0);
    ReloadSignal::request();
    EXPECT_EQ(ReloadSignal::received(), 3u);
    EXPECT_TRUE(ReloadSignal::take());
    EXPECT_FALSE(ReloadSignal::take());
    ASSERT_EQ(std::raise(SIGHUP), 0);
    EXPECT_TRUE(ReloadSignal::take());
    EXPECT_FALSE(ReloadSignal::take());
    ReloadSignal::reset();
    EXPECT_EQ(ReloadSignal::received(), 0u);
}

}  // namespace
}  // namespace interleave::app
