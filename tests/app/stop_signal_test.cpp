// Tests for app::StopSignal: SIGINT and SIGTERM set the flag and name the signal; a repeated
// signal during the (bounded) shutdown is ignored; one that comes after the force-exit delay
// ends the process at once.
#include "app/stop_signal.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>

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
        EXPECT_EQ(std::string(StopSignal::name_of(StopSignal::signal_number())),
                  number == SIGINT ? "SIGINT" : "SIGTERM");
    }
    StopSignal::reset();
}

TEST(StopSignal, RequestWithoutASignalStopsWithSignalZero) {
    StopSignal::reset();
    StopSignal::request();
    EXPECT_TRUE(StopSignal::requested());
    EXPECT_EQ(StopSignal::signal_number(), 0);
    EXPECT_EQ(std::string(StopSignal::name_of(0)), "stop request");
    StopSignal::reset();
}

// A second Ctrl-C (or systemd's SIGTERM followed by SIGINT) while shutting down: the process is
// still here, the first signal still names the stop, and the repeat is counted.
TEST(StopSignal, ARepeatedSignalDuringShutdownIsCountedAndIgnored) {
    StopSignal::install();
    StopSignal::reset();
    ASSERT_EQ(std::raise(SIGTERM), 0);
    ASSERT_EQ(std::raise(SIGINT), 0);
    ASSERT_EQ(std::raise(SIGTERM), 0);
    EXPECT_TRUE(StopSignal::requested());
    EXPECT_EQ(StopSignal::signal_number(), SIGTERM);
    EXPECT_EQ(StopSignal::repeats(), 2);
    StopSignal::reset();
    EXPECT_EQ(StopSignal::repeats(), 0);
}

// With a force-exit delay of zero, any repeat finds the shutdown "hung": the process exits at
// once with 128 + the repeated signal's number. Runs in a forked child.
TEST(StopSignal, ARepeatAfterTheForceExitDelayExitsAtOnce) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        StopSignal::reset();
        StopSignal::install(std::chrono::milliseconds(0));
        std::raise(SIGTERM);
        std::raise(SIGINT);
        _exit(0);  // not reached when the repeat exits
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
    StopSignal::install();  // the default delay again for the tests that follow
}

}  // namespace
}  // namespace interleave::app
