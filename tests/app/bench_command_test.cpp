// Tests app/bench_command.cpp end to end: a short benchmark of the sample prints JSON with
// positive rates, and bad arguments exit 2.
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/app_test_env.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace {

TEST(BenchCommand, ShortRunOnTheSamplePrintsRatesAsJson) {
    const auto r =
        interleave({"bench", std::string(kSample), "--pairs", "20", "--repeat", "1", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto json = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << "not JSON:\n" << r.out;
    EXPECT_GT(json.at("pairs_per_s").get<double>(), 0.0);
    EXPECT_GT(json.at("single_thread_pairs_per_s").get<double>(), 0.0);
    EXPECT_GT(json.at("workers").get<int>(), 0);
    EXPECT_GT(json.at("pair_bytes").get<std::uint64_t>(), 0u);
    EXPECT_EQ(json.at("pairs"), 20);
    EXPECT_EQ(json.at("repeat"), 1);
    EXPECT_EQ(json.at("pair_bytes"), 4u * (480 * 270 + 480 * 270));
}

TEST(BenchCommand, ZeroPairsIsABadArgument) {
    const auto r = interleave({"bench", std::string(kSample), "--pairs", "0"});
    EXPECT_EQ(r.exit_code, 2) << r.err;
}

TEST(BenchCommand, FolderOutOfRangeIsBadInput) {
    const auto r = interleave({"bench", std::string(kSample), "--main-folder", "7", "--pairs", "1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--main-folder"), std::string::npos) << r.err;
}

TEST(BenchCommand, MissingContentExitsTwoNamingIt) {
    TempDir dir;
    const std::string missing = (dir / "gone").string();
    const auto r = interleave({"bench", missing, "--pairs", "1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

}  // namespace
}  // namespace interleave::test
