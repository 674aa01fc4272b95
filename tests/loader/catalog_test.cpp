// Tests loader/catalog.cpp: the content layout rules, one test per skip reason, ordering,
// grouping by frame count, the start-up errors, and that a scan reads headers, not pixels.
#include "loader/catalog.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <turbojpeg.h>

#include "tests/support/content_tree.hpp"
#include "tests/support/image_writers.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::loader {
namespace {

namespace fs = std::filesystem;
using test::FolderSpec;
using test::FrameFormat;

class CatalogTest : public ::testing::Test {
protected:
    test::TempDir dir_;
    test::ContentTree tree_{dir_.path()};

    // A minimal valid tree: one main and one float folder of `frames` frames.
    void add_valid(int frames = 4) {
        tree_.add_main("0_rest", {.frames = frames});
        tree_.add_float("255_glow", {.frames = frames, .format = FrameFormat::kPng});
    }

    ScanReport scan(const CatalogOptions& options = {}) {
        return scan_catalog(dir_.path(), options);
    }

    static std::vector<std::string> names(const std::vector<Folder>& folders) {
        std::vector<std::string> out;
        for (const auto& f : folders) out.push_back(f.name);
        return out;
    }

    // The reason `path` was skipped, or "" when it was not.
    static std::string skip_reason(const ScanReport& report, const fs::path& path) {
        for (const auto& s : report.skipped) {
            if (s.path == path.string()) return s.reason;
        }
        return "";
    }

    static std::string all_skips(const ScanReport& report) {
        std::string out;
        for (const auto& s : report.skipped) out += s.path + ": " + s.reason + "\n";
        return out;
    }
};

// [SECTION] A valid tree

TEST_F(CatalogTest, ValidTreeListsFoldersFramesAndSizes) {
    tree_.add_main("0_rest", {.frames = 5, .width_px = 24, .height_px = 16});
    tree_.add_main("1_orbit", {.frames = 5, .format = FrameFormat::kWebp});
    tree_.add_float("255_glow", {.frames = 5, .format = FrameFormat::kPng});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    const Catalog& c = report.catalog;
    EXPECT_EQ(c.root, dir_.path());
    EXPECT_EQ(c.frame_count, 5u);
    ASSERT_EQ(c.main_folders.size(), 2u);
    ASSERT_EQ(c.float_folders.size(), 1u);
    const Folder& rest = c.main_folders[0];
    EXPECT_EQ(rest.number, 0);
    EXPECT_EQ(rest.name, "0_rest");
    EXPECT_EQ(rest.path, dir_ / "face" / "0_rest");
    EXPECT_EQ(rest.encoding, LayerEncoding::kSbsJpeg);
    EXPECT_EQ(rest.width_px, 24);  // the layer, half the SBS file
    EXPECT_EQ(rest.height_px, 16);
    EXPECT_TRUE(rest.has_alpha);
    EXPECT_EQ(rest.frame_path(2), dir_ / "face" / "0_rest" / "2.jpg");
    EXPECT_EQ(c.main_folders[1].encoding, LayerEncoding::kWebp);
    EXPECT_EQ(c.float_folders[0].number, 255);
    EXPECT_EQ(c.float_folders[0].encoding, LayerEncoding::kPng);
    EXPECT_EQ(&c.folder(Layer::kMain, 1), &c.main_folders[1]);
    EXPECT_EQ(&c.folder(Layer::kFloat, 0), &c.float_folders[0]);
    EXPECT_TRUE(report.skipped.empty()) << all_skips(report);
    EXPECT_EQ(report.main_counts.at(5), 2);
    EXPECT_EQ(report.float_counts.at(5), 1);
    EXPECT_GE(report.files_seen, 15u);
}

TEST_F(CatalogTest, FramesAreInNaturalOrder) {
    add_valid(12);
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    const auto& frames = report.catalog.main_folders[0].frames;
    ASSERT_EQ(frames.size(), 12u);
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i], std::to_string(i) + ".jpg");
    }
}

TEST_F(CatalogTest, FoldersAreOrderedByNumberThenName) {
    for (const char* name : {"10_a", "2_b10", "2_b9", "2_A", "0_z", "002_c"}) {
        tree_.add_main(name, {.frames = 2});
    }
    tree_.add_float("255_b", {.frames = 2});
    tree_.add_float("255_a10", {.frames = 2});
    tree_.add_float("255_a9", {.frames = 2});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_EQ(names(report.catalog.main_folders),
              (std::vector<std::string>{"0_z", "2_A", "2_b9", "2_b10", "002_c", "10_a"}));
    EXPECT_EQ(names(report.catalog.float_folders),
              (std::vector<std::string>{"255_a9", "255_a10", "255_b"}));
}

TEST_F(CatalogTest, ExtensionsAreCaseInsensitive) {
    const fs::path main = dir_ / "face" / "0_mixed";
    const auto rgb = test::solid(8, 8, {10, 20, 30});
    const auto mask = test::solid(8, 8, {255});
    test::write_file(main / "0.JPG", test::encode_sbs_jpeg(rgb, mask, TJSAMP_444));
    test::write_file(main / "1.Jpeg", test::encode_sbs_jpeg(rgb, mask, TJSAMP_444));
    test::write_file(main / "2.WEBP", test::encode_webp_lossless(test::solid(8, 8, {1, 2, 3, 4})));
    test::write_file(main / "3.PnG", test::encode_png(test::solid(8, 8, {1, 2, 3, 4})));
    tree_.add_float("255_f", {.frames = 4, .format = FrameFormat::kPng, .width_px = 8});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message() << "\n" << all_skips(report);
    const Folder& f = report.catalog.main_folders.at(0);
    ASSERT_EQ(f.frames, (std::vector<std::string>{"0.JPG", "1.Jpeg", "2.WEBP", "3.PnG"}));
    EXPECT_EQ(f.frame_encoding(0), LayerEncoding::kSbsJpeg);
    EXPECT_EQ(f.frame_encoding(1), LayerEncoding::kSbsJpeg);
    EXPECT_EQ(f.frame_encoding(2), LayerEncoding::kWebp);
    EXPECT_EQ(f.frame_encoding(3), LayerEncoding::kPng);
}

TEST_F(CatalogTest, OpaqueJpegSettingKeepsTheFullWidth) {
    tree_.add_main("0_plain", {.frames = 3, .format = FrameFormat::kJpeg, .width_px = 20});
    tree_.add_float("255_f", {.frames = 3, .format = FrameFormat::kSbsJpeg, .width_px = 20});
    CatalogOptions options;
    options.main_jpeg_sbs = false;
    const ScanReport report = scan(options);
    ASSERT_TRUE(report.ok()) << report.error->message();
    const Folder& main = report.catalog.main_folders.at(0);
    EXPECT_EQ(main.encoding, LayerEncoding::kOpaqueJpeg);
    EXPECT_EQ(main.width_px, 20);
    EXPECT_FALSE(main.has_alpha);
    const Folder& overlay = report.catalog.float_folders.at(0);
    EXPECT_EQ(overlay.encoding, LayerEncoding::kSbsJpeg);
    EXPECT_EQ(overlay.width_px, 20);
}

TEST_F(CatalogTest, NestedFolderInheritsTheNumberAbove) {
    tree_.add_main("3_group/clouds", {.frames = 2});
    tree_.add_main("3_group/birds/deep", {.frames = 2});
    tree_.add_main("4_more/7_own", {.frames = 2});  // its own number wins
    tree_.add_float("255_f/x", {.frames = 2});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message() << "\n" << all_skips(report);
    const auto& main = report.catalog.main_folders;
    ASSERT_EQ(main.size(), 3u) << all_skips(report);
    EXPECT_EQ(main[0].number, 3);
    EXPECT_EQ(main[0].name, "3_group/birds/deep");
    EXPECT_EQ(main[1].number, 3);
    EXPECT_EQ(main[1].name, "3_group/clouds");
    EXPECT_EQ(main[2].number, 7);
    EXPECT_EQ(main[2].name, "4_more/7_own");
    EXPECT_EQ(report.catalog.float_folders.at(0).number, 255);
}

TEST_F(CatalogTest, FolderWithFramesAndASubfolderGivesTwoFolders) {
    tree_.add_main("5_a", {.frames = 2});
    tree_.add_main("5_a/extra", {.frames = 2});
    tree_.add_float("255_f", {.frames = 2});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_EQ(names(report.catalog.main_folders), (std::vector<std::string>{"5_a", "5_a/extra"}));
}

TEST_F(CatalogTest, NumberOnlyAndZeroPaddedNamesAreNumbered) {
    tree_.add_main("12", {.frames = 2});
    tree_.add_main("007_x", {.frames = 2});
    tree_.add_float("255", {.frames = 2});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message() << "\n" << all_skips(report);
    ASSERT_EQ(report.catalog.main_folders.size(), 2u);
    EXPECT_EQ(report.catalog.main_folders[0].number, 7);
    EXPECT_EQ(report.catalog.main_folders[1].number, 12);
}

// [SECTION] Skips: one test per reason; each names the path and the scan goes on.

TEST_F(CatalogTest, SkipsFolderWithoutNumericPrefix) {
    add_valid();
    const fs::path bad = tree_.add_main("rest", {.frames = 4});
    const fs::path bad_float = tree_.add_float("glow", {.frames = 4});
    const fs::path almost = tree_.add_main("3x_rest", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_NE(skip_reason(report, bad).find("no numeric prefix"), std::string::npos)
        << all_skips(report);
    EXPECT_NE(skip_reason(report, bad_float).find("no numeric prefix"), std::string::npos);
    EXPECT_NE(skip_reason(report, almost).find("no numeric prefix"), std::string::npos);
    EXPECT_EQ(report.catalog.main_folders.size(), 1u);
}

TEST_F(CatalogTest, SkipsMainFolderNumberedAbove254) {
    add_valid();
    const fs::path edge = tree_.add_main("254_last", {.frames = 4});
    const fs::path bad = tree_.add_main("255_float_in_face", {.frames = 4});
    const fs::path worse = tree_.add_main("1000_x", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_EQ(skip_reason(report, edge), "");
    EXPECT_NE(skip_reason(report, bad).find("out of range"), std::string::npos)
        << all_skips(report);
    EXPECT_NE(skip_reason(report, worse).find("out of range"), std::string::npos);
    EXPECT_EQ(names(report.catalog.main_folders),
              (std::vector<std::string>{"0_rest", "254_last"}));
}

TEST_F(CatalogTest, SkipsFloatFolderNotNumbered255) {
    add_valid();
    const fs::path bad = tree_.add_float("3_wrong", {.frames = 4});
    const fs::path bad2 = tree_.add_float("256_wrong", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_NE(skip_reason(report, bad).find("expected float/255_<name>/"), std::string::npos)
        << all_skips(report);
    EXPECT_NE(skip_reason(report, bad2).find("prefix 256"), std::string::npos);
    EXPECT_EQ(report.catalog.float_folders.size(), 1u);
}

TEST_F(CatalogTest, SkipsNonImageFilesInAFolder) {
    add_valid(4);
    const fs::path notes = dir_ / "face" / "0_rest" / "notes.txt";
    const fs::path thumbs = dir_ / "face" / "0_rest" / "Thumbs.db";
    test::write_text(notes, "hello");
    test::write_text(thumbs, "x");
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_NE(skip_reason(report, notes).find("not a frame"), std::string::npos)
        << all_skips(report);
    EXPECT_NE(skip_reason(report, thumbs).find("not a frame"), std::string::npos);
    EXPECT_EQ(report.catalog.main_folders.at(0).frames.size(), 4u);  // not counted as frames
}

TEST_F(CatalogTest, SkipsFilesDirectlyInTheLayerFolder) {
    add_valid();
    const fs::path text = dir_ / "face" / "README.txt";
    const fs::path image = dir_ / "face" / "0.jpg";
    const fs::path float_image = dir_ / "float" / "loose.png";
    test::write_text(text, "content notes");
    test::write_file(image, test::encode_sbs_jpeg(test::solid(16, 16, {1, 2, 3}),
                                                  test::solid(16, 16, {200}), TJSAMP_444));
    test::write_file(float_image, test::encode_png(test::solid(16, 16, {1, 2, 3, 4})));
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    for (const auto& path : {text, image, float_image}) {
        EXPECT_NE(skip_reason(report, path).find("outside a numbered folder"), std::string::npos)
            << path << "\n" << all_skips(report);
    }
    // The layer folder itself is not a frame folder and is not reported as one.
    EXPECT_EQ(skip_reason(report, dir_ / "face"), "") << all_skips(report);
    EXPECT_EQ(report.catalog.main_folders.size(), 1u);
}

TEST_F(CatalogTest, SkipsFolderWhoseFirstFrameIsUnreadable) {
    add_valid();
    const fs::path bad = dir_ / "face" / "1_text";
    test::write_text(bad / "0.jpg", "this is text, not a JPEG");
    test::write_text(bad / "1.jpg", "this is text, not a JPEG");
    test::write_text(bad / "2.jpg", "this is text, not a JPEG");
    test::write_text(bad / "3.jpg", "this is text, not a JPEG");
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    const std::string reason = skip_reason(report, bad);
    EXPECT_NE(reason.find("first frame unreadable"), std::string::npos) << all_skips(report);
    EXPECT_NE(reason.find((bad / "0.jpg").string()), std::string::npos) << reason;
    EXPECT_EQ(report.catalog.main_folders.size(), 1u);
}

TEST_F(CatalogTest, SkipsFolderWhoseFirstFrameIsAnOddWidthSbsJpeg) {
    add_valid();
    const fs::path bad = dir_ / "face" / "1_odd";
    for (int i = 0; i < 4; ++i) {
        test::write_file(bad / (std::to_string(i) + ".jpg"),
                         test::encode_jpeg(test::solid(31, 16, {1, 2, 3}), TJSAMP_444));
    }
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_NE(skip_reason(report, bad).find("odd width"), std::string::npos) << all_skips(report);
}

TEST_F(CatalogTest, SkipsFoldersWithAnotherFrameCountThanThePlayedOne) {
    tree_.add_main("0_a", {.frames = 6});
    tree_.add_main("1_b", {.frames = 6});
    const fs::path short_main = tree_.add_main("2_short", {.frames = 3});
    tree_.add_float("255_a", {.frames = 6});
    const fs::path long_float = tree_.add_float("255_long", {.frames = 9});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_EQ(report.catalog.frame_count, 6u);
    EXPECT_EQ(skip_reason(report, short_main), "3 frames; the played count is 6");
    EXPECT_EQ(skip_reason(report, long_float), "9 frames; the played count is 6");
    EXPECT_EQ(names(report.catalog.main_folders), (std::vector<std::string>{"0_a", "1_b"}));
    EXPECT_EQ(names(report.catalog.float_folders), (std::vector<std::string>{"255_a"}));
}

TEST_F(CatalogTest, SkipsFoldersNestedTooDeep) {
    add_valid();
    tree_.add_main("1_a/b/c/d", {.frames = 4});
    CatalogOptions options;
    options.max_depth = 2;
    const ScanReport report = scan(options);
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_NE(skip_reason(report, dir_ / "face" / "1_a" / "b" / "c").find("nested deeper"),
              std::string::npos)
        << all_skips(report);
    EXPECT_EQ(report.catalog.main_folders.size(), 1u);
}

TEST_F(CatalogTest, EachSkippedPathIsReportedOnce) {
    add_valid();
    tree_.add_main("rest", {.frames = 4});
    tree_.add_main("300_x", {.frames = 4});
    tree_.add_main("2_short", {.frames = 2});
    test::write_text(dir_ / "face" / "0_rest" / "notes.txt", "x");
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok());
    std::vector<std::string> paths;
    for (const auto& s : report.skipped) paths.push_back(s.path);
    std::sort(paths.begin(), paths.end());
    EXPECT_EQ(std::adjacent_find(paths.begin(), paths.end()), paths.end()) << all_skips(report);
    EXPECT_EQ(paths.size(), 4u) << all_skips(report);
}

// [SECTION] Grouping by frame count

TEST_F(CatalogTest, PlaysTheLargestCountBothLayersHave) {
    tree_.add_main("0_a", {.frames = 3});
    tree_.add_main("1_b", {.frames = 3});
    tree_.add_main("2_c", {.frames = 5});
    tree_.add_main("3_d", {.frames = 8});  // only main has 8
    tree_.add_float("255_a", {.frames = 3});
    tree_.add_float("255_b", {.frames = 5});
    tree_.add_float("255_c", {.frames = 7});  // only float has 7
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message();
    EXPECT_EQ(report.catalog.frame_count, 5u);
    EXPECT_EQ(names(report.catalog.main_folders), (std::vector<std::string>{"2_c"}));
    EXPECT_EQ(names(report.catalog.float_folders), (std::vector<std::string>{"255_b"}));
    EXPECT_EQ(report.main_counts, (std::map<std::size_t, int>{{3, 2}, {5, 1}, {8, 1}}));
    EXPECT_EQ(report.float_counts, (std::map<std::size_t, int>{{3, 1}, {5, 1}, {7, 1}}));
    for (const auto& f : report.catalog.main_folders) EXPECT_EQ(f.frames.size(), 5u);
}

TEST_F(CatalogTest, LargestCountWinsEvenWithFewerFolders) {
    tree_.add_main("0_a", {.frames = 2});
    tree_.add_main("1_b", {.frames = 2});
    tree_.add_main("2_c", {.frames = 4});
    tree_.add_float("255_a", {.frames = 2});
    tree_.add_float("255_b", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok());
    EXPECT_EQ(report.catalog.frame_count, 4u);
    EXPECT_EQ(report.catalog.main_folders.size(), 1u);
}

// [SECTION] Errors: nothing playable, one message naming the path.

TEST_F(CatalogTest, MissingDirectoryIsNotFound) {
    const fs::path missing = dir_ / "nope";
    const ScanReport report = scan_catalog(missing);
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error->code, ErrorCode::kNotFound);
    EXPECT_EQ(report.error->subject, missing.string());
    EXPECT_TRUE(report.catalog.main_folders.empty());
}

TEST_F(CatalogTest, FileInsteadOfADirectoryIsNotFound) {
    test::write_text(dir_ / "file", "x");
    const ScanReport report = scan_catalog(dir_ / "file");
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error->code, ErrorCode::kNotFound);
    EXPECT_NE(report.error->message().find((dir_ / "file").string()), std::string::npos);
}

TEST_F(CatalogTest, EmptyDirectoryHasNoValidMainFolders) {
    const ScanReport report = scan();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error->code, ErrorCode::kNoContent);
    EXPECT_EQ(report.error->subject, (dir_ / "face").string());
    EXPECT_NE(report.error->detail.find("no valid main folders"), std::string::npos);
}

TEST_F(CatalogTest, OnlyInvalidMainFoldersIsNoContent) {
    tree_.add_main("rest", {.frames = 4});
    tree_.add_float("255_f", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error->code, ErrorCode::kNoContent);
    EXPECT_EQ(report.error->subject, (dir_ / "face").string());
    EXPECT_FALSE(report.skipped.empty());  // and the skip says why
}

TEST_F(CatalogTest, NoValidFloatFoldersIsNoContent) {
    tree_.add_main("0_rest", {.frames = 4});
    tree_.add_float("3_not_float", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error->code, ErrorCode::kNoContent);
    EXPECT_EQ(report.error->subject, (dir_ / "float").string());
    EXPECT_NE(report.error->detail.find("no valid float folders"), std::string::npos);
    EXPECT_TRUE(report.catalog.main_folders.empty());
}

TEST_F(CatalogTest, NoCommonFrameCountNamesTheRootAndTheCounts) {
    tree_.add_main("0_a", {.frames = 3});
    tree_.add_main("1_b", {.frames = 5});
    tree_.add_float("255_a", {.frames = 4});
    const ScanReport report = scan();
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.error->code, ErrorCode::kNoContent);
    EXPECT_EQ(report.error->subject, dir_.path().string());
    EXPECT_NE(report.error->detail.find("3 frames (1 folder)"), std::string::npos)
        << report.error->detail;
    EXPECT_NE(report.error->detail.find("4 frames (1 folder)"), std::string::npos);
    EXPECT_EQ(report.catalog.frame_count, 0u);
    EXPECT_TRUE(report.catalog.main_folders.empty());
    EXPECT_TRUE(report.catalog.float_folders.empty());
}

// [SECTION] The scan reads names and one header per folder, never pixels.

TEST_F(CatalogTest, ScanReadsOnlyTheFirstFramesHeader) {
    add_valid(2);
    const fs::path big = dir_ / "face" / "1_big";
    // The first frame is cut short after its headers: decoding it would fail, probing does not.
    const auto full = test::encode_sbs_jpeg(test::photo_like(128, 96, 1), test::soft_mask(128, 96, 1),
                                            TJSAMP_420);
    test::write_file(big / "0.jpg", std::span<const std::uint8_t>(full.data(), full.size() / 2));
    // Every other frame is empty or garbage: the scan must not open them.
    test::write_file(big / "1.jpg", {});
    for (int i = 2; i < 200; ++i) {
        test::write_text(big / (std::to_string(i) + ".jpg"), i % 2 ? "" : "garbage, not pixels");
    }
    tree_.add_float("255_big", {.frames = 200, .format = FrameFormat::kPng});
    const ScanReport report = scan();
    ASSERT_TRUE(report.ok()) << report.error->message() << "\n" << all_skips(report);
    EXPECT_EQ(report.catalog.frame_count, 200u);
    const Folder& f = report.catalog.main_folders.at(0);
    EXPECT_EQ(f.name, "1_big");
    EXPECT_EQ(f.width_px, 128);
    EXPECT_EQ(f.height_px, 96);
    EXPECT_EQ(f.frames.size(), 200u);
}

TEST_F(CatalogTest, UnreadableSubfolderIsSkippedNotFatal) {
    add_valid();
    const fs::path locked = tree_.add_main("1_locked", {.frames = 4});
    fs::permissions(locked, fs::perms::none);
    auto check = [&] {
        const ScanReport report = scan();
        EXPECT_TRUE(report.ok()) << (report.error ? report.error->message() : "");
        EXPECT_NE(skip_reason(report, locked), "") << all_skips(report);
        EXPECT_EQ(report.catalog.main_folders.size(), 1u);
        return report.ok() && !skip_reason(report, locked).empty() &&
               report.catalog.main_folders.size() == 1u;
    };
    if (::geteuid() != 0) {
        check();
    } else {
        // Root lists anything: scan as an unprivileged user instead.
        const auto ok = test::run_as_unprivileged(dir_.path(), check);
        ASSERT_TRUE(ok.has_value()) << "could not drop privileges to nobody";
        EXPECT_TRUE(*ok);
    }
    fs::permissions(locked, fs::perms::owner_all);
}

}  // namespace
}  // namespace interleave::loader
