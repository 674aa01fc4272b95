// Tests app/scan_command.cpp end to end: `interleave scan` on the bundled sample (text and
// JSON) and on content that cannot play (exit 2, stderr naming the path).
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/app_test_env.hpp"
#include "tests/support/content_tree.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace {

TEST(ScanCommand, SampleListsItsFoldersAndFrames) {
    const auto r = interleave({"scan", std::string(kSample)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Plays    48 frames per folder"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Main folders (3):"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Float folders (1):"), std::string::npos) << r.out;
    for (const char* name : {"0_rest", "1_orbit", "2_ripple", "255_fireflies"}) {
        EXPECT_NE(r.out.find(name), std::string::npos) << name << "\n" << r.out;
    }
    EXPECT_EQ(r.out.find("Skipped"), std::string::npos) << r.out;
}

TEST(ScanCommand, JsonOutputParsesAndDescribesTheSample) {
    const auto r = interleave({"scan", "--json", std::string(kSample)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto json = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << "not JSON:\n" << r.out;
    EXPECT_EQ(json.at("ok"), true);
    EXPECT_EQ(json.at("frame_count"), 48);
    ASSERT_EQ(json.at("main_folders").size(), 3u);
    ASSERT_EQ(json.at("float_folders").size(), 1u);
    EXPECT_EQ(json.at("main_folders")[0].at("name"), "0_rest");
    EXPECT_EQ(json.at("main_folders")[0].at("frames"), 48);
    EXPECT_EQ(json.at("main_folders")[0].at("first_frame"), "0.jpg");
    EXPECT_EQ(json.at("main_folders")[0].at("encoding"), "sbs-jpeg");
    EXPECT_EQ(json.at("main_folders")[0].at("width"), 480);
    EXPECT_EQ(json.at("main_folders")[0].at("height"), 270);
    EXPECT_EQ(json.at("float_folders")[0].at("name"), "255_fireflies");
    EXPECT_EQ(json.at("float_folders")[0].at("encoding"), "webp");
    EXPECT_EQ(json.at("float_folders")[0].at("alpha"), true);
    EXPECT_TRUE(json.at("skipped").empty());
    EXPECT_FALSE(json.contains("error"));
}

TEST(ScanCommand, MissingDirectoryExitsTwoNamingIt) {
    TempDir dir;
    const std::string missing = (dir / "no-such-content").string();
    const auto r = interleave({"scan", missing});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

TEST(ScanCommand, EmptyDirectoryExitsTwoNamingIt) {
    TempDir dir;
    const auto r = interleave({"scan", dir.path().string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(dir.path().string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no valid main folders"), std::string::npos) << r.err;
}

TEST(ScanCommand, NoCommonFrameCountExitsTwoNamingTheRoot) {
    TempDir dir;
    ContentTree tree(dir.path());
    tree.add_main("0_a", {.frames = 3});
    tree.add_float("255_b", {.frames = 5, .format = FrameFormat::kPng});
    const auto r = interleave({"scan", dir.path().string()});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(dir.path().string()), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no frame count common"), std::string::npos) << r.err;
}

TEST(ScanCommand, JsonReportsTheErrorToo) {
    TempDir dir;
    const auto r = interleave({"scan", "--json", dir.path().string()});
    EXPECT_EQ(r.exit_code, 2);
    const auto json = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << r.out;
    EXPECT_EQ(json.at("ok"), false);
    EXPECT_NE(json.at("error").get<std::string>().find(dir.path().string()), std::string::npos);
}

TEST(ScanCommand, SkippedFoldersAreListed) {
    TempDir dir;
    ContentTree tree(dir.path());
    tree.add_main("0_a", {.frames = 2});
    tree.add_main("no_number", {.frames = 2});
    tree.add_float("255_b", {.frames = 2, .format = FrameFormat::kPng});
    const auto r = interleave({"scan", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Skipped (1):"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("no_number"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace interleave::test
