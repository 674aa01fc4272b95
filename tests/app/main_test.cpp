// Tests app/main.cpp end to end: argument errors exit 2, --version and --help exit 0.
#include <string>

#include <gtest/gtest.h>

#include "tests/app/app_test_env.hpp"

namespace interleave::test {
namespace {

TEST(Main, UnknownFlagExitsTwo) {
    const auto r = interleave({"scan", std::string(kSample), "--no-such-flag"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("--no-such-flag"), std::string::npos) << r.err;
}

TEST(Main, UnknownTopLevelFlagExitsTwo) {
    const auto r = interleave({"--frobnicate"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(Main, MissingSubcommandExitsTwo) {
    const auto r = interleave({});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
}

TEST(Main, BadLogLevelExitsTwoNamingTheFlag) {
    const auto r = interleave({"--log-level", "loud", "scan", std::string(kSample)});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--log-level"), std::string::npos) << r.err;
}

TEST(Main, LogLevelWorksBeforeAndAfterTheImplicitPlaySubcommand) {
    const std::string sample(kSample);
    const auto before = interleave({"--log-level", "warn", "--mode", "headless", "--renderer",
                                    "cpu", "--images", sample, "--frames", "2"});
    const auto after = interleave({"--mode", "headless", "--renderer", "cpu", "--images", sample,
                                   "--frames", "2", "--log-level", "warn"});
    for (const auto* r : {&before, &after}) {
        EXPECT_EQ(r->exit_code, 0) << r->err;
        EXPECT_NE(r->out.find("summary: 2 frames"), std::string::npos) << r->out;
    }
}

TEST(Main, VersionAndHelpExitZero) {
    const auto version = interleave({"--version"});
    EXPECT_EQ(version.exit_code, 0) << version.err;
    EXPECT_NE(version.out.find("interleave"), std::string::npos) << version.out;
    const auto help = interleave({"--help"});
    EXPECT_EQ(help.exit_code, 0) << help.err;
    EXPECT_NE(help.out.find("scan"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace interleave::test
