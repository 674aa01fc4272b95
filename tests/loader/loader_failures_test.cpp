// Tests loader/loader_pool.cpp's failure bookkeeping on content that changes while it plays:
// a file broken, put back and broken again; a frame deleted and put back; a folder that
// vanishes and comes back; the content directory made unreadable and readable again (as an
// unprivileged user, since root reads anything). Counters are checked after each step, and the
// log lines are counted: a file is logged when it fails and again only after it had recovered;
// a folder that cannot be reached is one line, with its frame count.
#include "loader/loader_pool.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/content_tree.hpp"
#include "tests/support/log_capture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace interleave::loader {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::FolderSpec;
using test::FrameFormat;

using test::kHangGuard;

using test::LogCapture;

class LoaderFailuresTest : public ::testing::Test {
protected:
    static constexpr int kFrames = 6;
    const FolderSpec main0_{.frames = kFrames, .format = FrameFormat::kSbsJpeg, .seed = 0};
    const FolderSpec main1_{.frames = kFrames, .format = FrameFormat::kSbsJpeg, .seed = 1};
    const FolderSpec float0_{.frames = kFrames, .format = FrameFormat::kPng, .seed = 2};

    void SetUp() override {
        test::ContentTree tree(root_);
        tree.add_main("0_rest", main0_);
        tree.add_main("1_orbit", main1_);
        tree.add_float("255_glow", float0_);
        report_ = scan_catalog(root_);
        ASSERT_TRUE(report_.ok()) << report_.error->message();
        ASSERT_EQ(catalog().frame_count, static_cast<std::size_t>(kFrames));
    }

    [[nodiscard]] const Catalog& catalog() const { return report_.catalog; }
    [[nodiscard]] const Folder& main_folder(int i) const {
        return catalog().main_folders.at(static_cast<std::size_t>(i));
    }
    [[nodiscard]] fs::path main_frame(int folder, std::size_t frame) const {
        return main_folder(folder).frame_path(frame);
    }

    // Starts the loader (after the log capture, so the workers log into it).
    void start(int workers = 2) {
        log_ = std::make_unique<LogCapture>();
        fifo_ = std::make_unique<FrameFifo>(8);
        pool_ = std::make_unique<BufferPool>(16);
        LoaderOptions options;
        options.workers = workers;
        loader_ = std::make_unique<LoaderPool>(catalog(), *fifo_, *pool_, options);
    }
    void TearDown() override {
        if (loader_) loader_->stop();
        loader_.reset();
        log_.reset();
    }

    // Requests frame `frame` of main folder `folder` (float folder 0) under a new index and
    // waits for its pair; nullopt when it never came (a hang).
    std::optional<FramePair> load(int folder, std::size_t frame) {
        const PairKey key{next_index_++, folder, 0};
        if (loader_->try_request({key, frame}) != RequestResult::kQueued) {
            ADD_FAILURE() << "the loader refused the request";
            return std::nullopt;
        }
        const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
        while (!fifo_->contains(key)) {
            if (std::chrono::steady_clock::now() > deadline) {
                ADD_FAILURE() << "pair " << key.index << " never arrived";
                return std::nullopt;
            }
            std::this_thread::sleep_for(1ms);
        }
        return fifo_->take_nearest(key, 0);
    }
    // True when the pair arrived and decoded (or failed) as `ok` says.
    ::testing::AssertionResult loads(int folder, std::size_t frame, bool ok) {
        auto pair = load(folder, frame);
        if (!pair) return ::testing::AssertionFailure() << "no pair";
        if (pair->ok() != ok) {
            return ::testing::AssertionFailure()
                   << "frame " << frame << " of folder " << folder
                   << (pair->ok() ? " decoded" : " failed: " + pair->error->message());
        }
        return ::testing::AssertionSuccess();
    }

    test::TempDir dir_;
    fs::path root_ = dir_ / "content";
    ScanReport report_;
    std::unique_ptr<LogCapture> log_;
    std::unique_ptr<FrameFifo> fifo_;
    std::unique_ptr<BufferPool> pool_;
    std::unique_ptr<LoaderPool> loader_;
    std::int64_t next_index_ = 0;
};

TEST_F(LoaderFailuresTest, BrokenFileIsLoggedOnceUntilItRecoversAndOnceMoreWhenItBreaksAgain) {
    start();
    const fs::path file = main_frame(1, 2);
    const std::string path = file.string();
    const auto good_bytes = test::read_file(file);
    test::write_text(file, "replaced by a broken file\n");

    for (int i = 0; i < 3; ++i) ASSERT_TRUE(loads(1, 2, false));
    ASSERT_TRUE(loads(1, 3, true)) << "the other frames still play";
    LoaderStats s = loader_->stats();
    EXPECT_EQ(s.failed_loads, 3u);
    EXPECT_EQ(s.failed_files, 1u);
    EXPECT_EQ(s.failing_files, 1u);
    EXPECT_EQ(s.recoveries, 0u);
    EXPECT_EQ(log_->lines_with({path}), 1u) << log_->text();

    test::write_file(file, good_bytes);  // put back
    ASSERT_TRUE(loads(1, 2, true));
    ASSERT_TRUE(loads(1, 2, true));
    s = loader_->stats();
    EXPECT_EQ(s.failed_files, 1u) << "a recovered file stays counted";
    EXPECT_EQ(s.failing_files, 0u);
    EXPECT_EQ(s.recoveries, 1u);
    EXPECT_EQ(log_->lines_with({path, "decodes again"}), 1u) << log_->text();

    test::write_text(file, "broken again\n");
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(loads(1, 2, false));
    s = loader_->stats();
    EXPECT_EQ(s.failed_loads, 5u);
    EXPECT_EQ(s.failed_files, 1u) << "the same file: still one distinct file";
    EXPECT_EQ(s.failing_files, 1u);
    // Failed, recovered, failed again: two failure lines, the second saying so.
    EXPECT_EQ(log_->lines_with({path, "[loader]"}) - log_->lines_with({path, "decodes again"}),
              2u)
        << log_->text();
    EXPECT_EQ(log_->lines_with({path, "failed again after it had recovered"}), 1u)
        << log_->text();
    EXPECT_EQ(s.folder_failures, 0u);
}

TEST_F(LoaderFailuresTest, DeletedFrameIsTheFilesFailureNotTheFoldersAndRecoversWhenPutBack) {
    start();
    const fs::path file = main_frame(0, 4);
    const auto good_bytes = test::read_file(file);
    fs::remove(file);

    ASSERT_TRUE(loads(0, 4, false));
    ASSERT_TRUE(loads(0, 4, false));
    ASSERT_TRUE(loads(0, 3, true));
    LoaderStats s = loader_->stats();
    EXPECT_EQ(s.failed_files, 1u);
    EXPECT_EQ(s.folder_failures, 0u) << "its folder is still there";
    EXPECT_EQ(s.failing_folders, 0u);
    EXPECT_EQ(log_->lines_with({file.string(), "cannot open"}), 1u) << log_->text();
    EXPECT_EQ(log_->lines_with({"folder cannot be reached"}), 0u) << log_->text();

    test::write_file(file, good_bytes);
    ASSERT_TRUE(loads(0, 4, true));
    s = loader_->stats();
    EXPECT_EQ(s.failing_files, 0u);
    EXPECT_EQ(s.failed_files, 1u);
    EXPECT_EQ(s.recoveries, 1u);
}

TEST_F(LoaderFailuresTest, VanishedFolderIsOneLineWithItsFrameCountAndComesBack) {
    start();
    const fs::path folder = main_folder(1).path;
    const fs::path away = dir_ / "away";
    ASSERT_TRUE(loads(1, 0, true));
    fs::rename(folder, away);

    // Every frame of it, twice over: one line for the folder, none per file.
    for (int round = 0; round < 2; ++round) {
        for (std::size_t frame = 0; frame < kFrames; ++frame) ASSERT_TRUE(loads(1, frame, false));
    }
    ASSERT_TRUE(loads(0, 1, true)) << "the other folder plays on";
    LoaderStats s = loader_->stats();
    EXPECT_EQ(s.failed_loads, 2u * kFrames);
    EXPECT_EQ(s.failed_files, static_cast<std::uint64_t>(kFrames)) << "all its frames count";
    EXPECT_EQ(s.failing_folders, 1u);
    EXPECT_EQ(s.failing_files, 0u);
    EXPECT_EQ(s.folder_failures, 1u);
    const std::string line_needle = "folder cannot be reached";
    EXPECT_EQ(log_->lines_with({folder.string(), line_needle, "its 6 frames"}), 1u)
        << log_->text();
    EXPECT_EQ(log_->lines_with({"[loader]"}), 1u) << "no line per frame:\n" << log_->text();

    fs::rename(away, folder);
    ASSERT_TRUE(loads(1, 5, true));
    ASSERT_TRUE(loads(1, 0, true));
    s = loader_->stats();
    EXPECT_EQ(s.failing_folders, 0u);
    EXPECT_EQ(s.failed_files, static_cast<std::uint64_t>(kFrames));
    EXPECT_EQ(s.recoveries, 1u);
    EXPECT_EQ(log_->lines_with({folder.string(), "can be read again"}), 1u) << log_->text();

    // Gone again after it had come back: one more line for the folder, nothing more counted.
    fs::remove_all(folder);
    ASSERT_TRUE(loads(1, 3, false));
    ASSERT_TRUE(loads(1, 4, false));
    s = loader_->stats();
    EXPECT_EQ(s.folder_failures, 2u);
    EXPECT_EQ(s.failed_files, static_cast<std::uint64_t>(kFrames));
    EXPECT_EQ(log_->lines_with({folder.string(), line_needle}), 2u) << log_->text();
}

// A broken file whose folder then vanishes and comes back still broken: the folder's line, and
// no second line for the file, which never recovered.
TEST_F(LoaderFailuresTest, FileStillBrokenAfterItsFolderCameBackIsNotLoggedTwice) {
    start();
    const fs::path file = main_frame(1, 1);
    test::write_text(file, "broken\n");
    ASSERT_TRUE(loads(1, 1, false));
    const fs::path folder = main_folder(1).path;
    fs::rename(folder, dir_ / "away");
    ASSERT_TRUE(loads(1, 1, false));
    fs::rename(dir_ / "away", folder);
    ASSERT_TRUE(loads(1, 2, true));
    ASSERT_TRUE(loads(1, 1, false));
    const LoaderStats s = loader_->stats();
    EXPECT_EQ(s.failing_files, 1u);
    EXPECT_EQ(s.failing_folders, 0u);
    EXPECT_EQ(s.failed_files, static_cast<std::uint64_t>(kFrames));
    EXPECT_EQ(log_->lines_with({file.string()}), 1u) << log_->text();
    EXPECT_EQ(log_->lines_with({folder.string(), "folder cannot be reached"}), 1u)
        << log_->text();
}

// The content directory made unreadable while playing, then readable again. Root passes every
// permission check, so this runs as the unprivileged user nobody, who owns the directory.
TEST_F(LoaderFailuresTest, UnreadableContentDirectoryIsOneLinePerFolderAndRecovers) {
    constexpr uid_t kNobody = 65534;
    const bool as_root = ::geteuid() == 0;
    if (as_root) {
        ASSERT_EQ(::chown(root_.c_str(), kNobody, kNobody), 0);
    }
    const Folder& main = main_folder(1);
    const Folder& overlay = catalog().float_folders.at(0);
    auto check = [&] {
        start(1);
        bool ok = static_cast<bool>(loads(1, 0, true));
        if (::chmod(root_.c_str(), 0) != 0) ok = false;
        for (std::size_t frame = 0; frame < kFrames; ++frame) {
            if (!loads(1, frame, false)) ok = false;
        }
        LoaderStats s = loader_->stats();
        EXPECT_EQ(s.folder_failures, 2u) << "the main and the float folder";
        EXPECT_EQ(s.failed_files, 2u * kFrames);
        EXPECT_EQ(s.failing_folders, 2u);
        const std::size_t main_lines =
            log_->lines_with({main.path.string(), "folder cannot be reached", "Permission"});
        const std::size_t float_lines =
            log_->lines_with({overlay.path.string(), "folder cannot be reached", "Permission"});
        EXPECT_EQ(main_lines, 1u) << log_->text();
        EXPECT_EQ(float_lines, 1u) << log_->text();
        EXPECT_EQ(log_->lines_with({"[loader]"}), 2u) << log_->text();
        ok = ok && s.folder_failures == 2 && s.failed_files == 2u * kFrames && main_lines == 1 &&
             float_lines == 1 && log_->lines_with({"[loader]"}) == 2;

        if (::chmod(root_.c_str(), 0755) != 0) ok = false;
        if (!loads(1, 3, true)) ok = false;
        s = loader_->stats();
        EXPECT_EQ(s.failing_folders, 0u);
        EXPECT_EQ(s.recoveries, 2u);
        EXPECT_EQ(s.failed_files, 2u * kFrames);
        ok = ok && s.failing_folders == 0 && s.recoveries == 2;
        TearDown();
        return ok;
    };
    if (!as_root) {
        EXPECT_TRUE(check());
        return;
    }
    const auto ok = test::run_as_unprivileged(dir_.path(), check);
    ::chmod(root_.c_str(), 0755);  // whatever the child left, so the TempDir can go
    ASSERT_TRUE(ok.has_value()) << "could not drop privileges to nobody";
    EXPECT_TRUE(*ok);
}

}  // namespace
}  // namespace interleave::loader
