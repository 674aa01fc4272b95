// Tests for app::StopSignal: SIGINT and SIGTERM set the flag and name the signal.
#include "app/stop_signal.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace interleave::app {
namespace {

TEST(StopSignal, SigtermAndSigintRequestAStopAndAreNamed) {
    StopSignal::install();
    for (const int number : {SIGTERM, SIGINT}) {
        StopSignal::reset();
        EXPECT_FALSE(StopSignal::requested());
        ASSERT_EQ(std::raise(number), 0);
        EXPECT_TRUE(StopSignal::requested());
        EXPECT_EQ(StopSignal::signal_number(), number);
    }
    StopSignal::reset();
}

TEST(StopSignal, RequestWithoutASignalStopsWithSignalZero) {
    StopSignal::reset();
    StopSignal::request();
    EXPECT_TRUE(StopSignal::requested());
    EXPECT_EQ(StopSignal::signal_number(), 0);
    StopSignal::reset();
}

}  // namespace
}  // namespace interleave::app
