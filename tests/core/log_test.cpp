// Tests core/log.cpp: level names and the shared logger.
#include "core/log.hpp"

#include <gtest/gtest.h>

namespace interleave::log {
namespace {

TEST(Log, ParsesEveryLevelName) {
    Level level = Level::kOff;
    ASSERT_TRUE(parse_level("debug", level));
    EXPECT_EQ(level, Level::kDebug);
    ASSERT_TRUE(parse_level("info", level));
    EXPECT_EQ(level, Level::kInfo);
    ASSERT_TRUE(parse_level("warn", level));
    EXPECT_EQ(level, Level::kWarn);
    ASSERT_TRUE(parse_level("error", level));
    EXPECT_EQ(level, Level::kError);
    ASSERT_TRUE(parse_level("off", level));
    EXPECT_EQ(level, Level::kOff);
}

TEST(Log, RefusesUnknownLevelAndLeavesOutputAlone) {
    Level level = Level::kWarn;
    EXPECT_FALSE(parse_level("verbose", level));
    EXPECT_FALSE(parse_level("", level));
    EXPECT_FALSE(parse_level("INFO", level));
    EXPECT_EQ(level, Level::kWarn);
}

TEST(Log, InitTwiceKeepsOneLoggerAndTheLastLevel) {
    init(Level::kDebug);
    spdlog::logger* first = &logger();
    init(Level::kError);
    EXPECT_EQ(&logger(), first);
    EXPECT_EQ(logger().level(), spdlog::level::err);
    set_level(Level::kOff);
    EXPECT_EQ(logger().level(), spdlog::level::off);
}

}  // namespace
}  // namespace interleave::log
