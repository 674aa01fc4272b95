// End-to-end tests of content that changes under a running player (the built interleave,
// headless, CPU): frames replaced by broken files or deleted and put back; a folder that
// vanishes and comes back; the content directory made unreadable and readable again (as the
// unprivileged user nobody, since root reads anything); and SIGHUP rescans: an unplayable
// rescan is refused and a folder added while playing comes into the selector's choices.
// Each test waits on what the player writes (frames.jsonl, log lines), never on time, and
// checks the summary (frames shown against indices, failed_files, misses) and the log lines.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/app/app_test_env.hpp"
#include "tests/support/content_tree.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kFrames = 6;           // per folder: a ping-pong cycle of 12 indices
constexpr int kCycle = 2 * kFrames;
// 83 ms an index (1 s a cycle): a loaded machine's scheduling delays stay well inside one
// index, so "no misses" means what it says.
constexpr int kIps = 12;
constexpr auto kHangGuard = seconds(30);
constexpr uid_t kNobody = 65534;
// The player's prefetch with the default tolerance (10) and FIFO (15 pairs): min(10, 15 - 1).
constexpr std::int64_t kPrefetch = 10;
// Stats lines come every 0.1 s: the index they name is up to 2 indices (at 12 ips) behind.
constexpr std::int64_t kStatsLag = 3;

FolderSpec png(int seed) { return {.frames = kFrames, .format = FrameFormat::kPng, .seed = seed}; }

// The frame an index shows with ping-pong (the original's double pivot).
int frame_of(std::int64_t index) {
    const auto r = static_cast<int>(((index % kCycle) + kCycle) % kCycle);
    return r < kFrames ? r : kCycle - 1 - r;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Lines of `text` that contain every one of `needles`.
std::size_t lines_with(const std::string& text, std::initializer_list<std::string> needles) {
    std::size_t n = 0;
    for (const std::string& line : lines_of(text)) {
        const auto in_line = [&](const std::string& s) {
            return line.find(s) != std::string::npos;
        };
        if (std::all_of(needles.begin(), needles.end(), in_line)) ++n;
    }
    return n;
}

// One frames.jsonl line.
struct Recorded {
    std::int64_t index = 0;
    int frame = 0;
    fs::path main;
    fs::path overlay;
};

// Writes `bytes` next to `file` and renames it over it, as rsync or a careful operator does, so
// the player never reads a half-written file.
void replace_file(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
    const fs::path temp = file.parent_path().parent_path() / (file.filename().string() + ".new");
    write_file(temp, bytes);
    fs::rename(temp, file);
}

// A content tree of small PNG frames and a player on it with a recording and a summary.
class ChangingContent {
public:
    ChangingContent() {
        tree_.add_main("0_rest", png(0));
        tree_.add_main("1_orbit", png(1));
        tree_.add_float("255_glow", png(2));
    }

    [[nodiscard]] const fs::path& root() const { return root_; }
    [[nodiscard]] ContentTree& tree() { return tree_; }
    [[nodiscard]] fs::path work() const { return dir_.path(); }
    [[nodiscard]] fs::path folder(const std::string& name) const {
        return root_ / (name.rfind("255_", 0) == 0 ? "float" : "face") / name;
    }

    // Starts the player with `select` flags (and `env`); false with a message when it did not
    // start or never recorded `frames` frames.
    ::testing::AssertionResult start(const std::vector<std::string>& select,
                                     const EnvChanges& env = {}, std::size_t frames = 5) {
        std::vector<std::string> args{"--mode",     "headless", "--renderer", "cpu",
                                      "--images",   root_.string(),
                                      "--ips",      std::to_string(kIps), "--duration", "0",
                                      "--workers",  "2",        "--record",   rec_.string(),
                                      "--summary-json", summary_.string(),
                                      "--stats-interval", "0.1"};
        args.insert(args.end(), select.begin(), select.end());
        child_ = std::make_unique<ChildProcess>(exe_, args, env);
        if (child_->pid() <= 0) return ::testing::AssertionFailure() << child_->spawn_error();
        return wait_until([&] { return recorded().size() >= frames; }, "the first frames");
    }

    // Polls `done` every 10 ms; fails when the player ends first or after the hang guard.
    ::testing::AssertionResult wait_until(const std::function<bool()>& done,
                                          const std::string& what) {
        const auto give_up = std::chrono::steady_clock::now() + kHangGuard;
        while (!done()) {
            if (auto code = child_->wait_for(milliseconds(10))) {
                return ::testing::AssertionFailure()
                       << "the player ended (exit " << *code << ") waiting for " << what << "\n"
                       << child_->err();
            }
            if (std::chrono::steady_clock::now() > give_up) {
                return ::testing::AssertionFailure() << "no " << what << " after "
                                                     << kHangGuard.count() << " s\n"
                                                     << child_->err();
            }
        }
        return ::testing::AssertionSuccess();
    }
    // The play index of the latest stats line (the clock's, whether or not frames show).
    [[nodiscard]] std::int64_t clock_index() const {
        const std::string out = child_->out();
        const auto at = out.rfind(" index ");
        return at == std::string::npos ? -1 : std::stoll(out.substr(at + 7));
    }
    // Waits until the clock has moved `cycles` whole cycles past its index now.
    ::testing::AssertionResult play_cycles(int cycles) {
        const std::int64_t from = clock_index();
        return wait_until([&] { return clock_index() >= from + cycles * kCycle; },
                          std::to_string(cycles) + " more cycles");
    }
    // Waits for a recorded frame from `file` at an index past the clock's now.
    ::testing::AssertionResult shown_again(const fs::path& file) {
        const std::int64_t from = clock_index();
        return wait_until(
            [&] {
                const auto lines = recorded();
                return std::any_of(lines.begin(), lines.end(), [&](const Recorded& r) {
                    return r.index > from && r.main == file;
                });
            },
            file.string() + " shown again");
    }

    // SIGTERM, a clean exit, and the summary.
    nlohmann::json stop() {
        EXPECT_TRUE(child_->send_signal(SIGTERM));
        const auto code = child_->wait_for(seconds(10));  // hang guard only
        EXPECT_TRUE(code.has_value()) << "still running 10 s after SIGTERM";
        EXPECT_EQ(code.value_or(-1), 0) << child_->err();
        std::ifstream in(summary_);
        return nlohmann::json::parse(in, nullptr, false);
    }

    [[nodiscard]] ChildProcess& child() { return *child_; }
    [[nodiscard]] std::string err() const { return child_->err(); }

    // The complete lines of frames.jsonl so far (a line being written is left out).
    [[nodiscard]] std::vector<Recorded> recorded() const {
        std::vector<Recorded> out;
        std::ifstream in(rec_ / "frames.jsonl");
        for (std::string line; std::getline(in, line);) {
            const auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_discarded() || !j.contains("index") || !j.contains("main")) continue;
            out.push_back({j.at("index").get<std::int64_t>(), j.at("frame").get<int>(),
                           j.at("main").get<std::string>(), j.at("float").get<std::string>()});
        }
        return out;
    }
    [[nodiscard]] std::int64_t last_index() const {
        const auto lines = recorded();
        return lines.empty() ? -1 : lines.back().index;
    }

    // Makes the work directory (content, recording, summary) the user nobody's.
    // Gives the work folder to nobody, with a copy of the player in it: the build tree may sit
    // below a folder only root can enter (a clone in a mktemp -d folder, as CI makes).
    void give_to_nobody() {
        const fs::path exe = dir_.path() / "interleave";
        std::error_code ec;
        fs::copy_file(fs::path(kExe), exe, fs::copy_options::overwrite_existing, ec);
        ASSERT_FALSE(ec) << "copying " << kExe << ": " << ec.message();
        exe_ = exe.string();
        for (const auto& entry : fs::recursive_directory_iterator(dir_.path())) {
            ASSERT_EQ(::chown(entry.path().c_str(), kNobody, kNobody), 0) << entry.path();
        }
        ASSERT_EQ(::chown(dir_.path().c_str(), kNobody, kNobody), 0);
    }

private:
    TempDir dir_;
    fs::path root_ = dir_ / "content";
    ContentTree tree_{root_};
    fs::path rec_ = dir_ / "rec";
    fs::path summary_ = dir_ / "summary.json";
    std::unique_ptr<ChildProcess> child_;
    std::string exe_{kExe};  // the player: a copy in the work folder when it runs as nobody
};

const std::vector<std::string> kFixedOrbit{"--select", "fixed", "--main-folder", "1",
                                           "--float-folder", "0"};

// Every index from the first recorded to the last either has its frame recorded or satisfies
// `may_fail` (a broken frame, a vanished folder); returns the indices without a frame.
std::vector<std::int64_t> gaps(const std::vector<Recorded>& lines,
                               const std::function<bool(std::int64_t)>& may_fail) {
    std::set<std::int64_t> shown;
    for (const Recorded& r : lines) shown.insert(r.index);
    std::vector<std::int64_t> missing;
    if (shown.empty()) return missing;
    for (std::int64_t i = *shown.begin(); i <= *shown.rbegin(); ++i) {
        if (shown.count(i) != 0) continue;
        missing.push_back(i);
        EXPECT_TRUE(may_fail(i)) << "index " << i << " (frame " << frame_of(i)
                                 << ") shows nothing though nothing was broken there";
    }
    return missing;
}

// The summary's accounts: every index passed was shown, failed (its pair held the last good
// frame) or missed, except perhaps the one in progress at the end; no index was missed after
// the first second; the recording has every shown frame.
void expect_at_rate(const nlohmann::json& s, std::size_t recorded_lines) {
    ASSERT_FALSE(s.is_discarded()) << "no summary";
    const auto indices = s.value("indices", 0ull);
    const auto accounted = s.value("frames_shown", 0ull) + s.value("failed_indices", 0ull) +
                           s.value("misses", 0ull);
    EXPECT_LE(accounted, indices) << s.dump(2);
    EXPECT_GE(accounted + 1, indices) << s.dump(2);
    // Every index the clock passed is counted, shown or not (indices vs time elapsed).
    EXPECT_GE(indices, static_cast<std::uint64_t>(s.value("duration_s", 0.0) * kIps - 2))
        << s.dump(2);
    EXPECT_EQ(s.value("misses_after_1s", -1), 0) << s.dump(2);
    EXPECT_EQ(s.value("frames_shown", 0ull), recorded_lines) << s.dump(2);
    EXPECT_EQ(s["record"].value("dropped", -1), 0) << s.dump(2);
    EXPECT_EQ(s.value("stopped_by", ""), "SIGTERM");
}

TEST(ChangingContent, BrokenAndDeletedFramesAreHeldThenPlayAgainWhenPutBack) {
    ChangingContent c;
    const fs::path broken = c.folder("1_orbit") / "2.png";
    const fs::path deleted = c.folder("1_orbit") / "4.png";
    const auto broken_bytes = read_file(broken);
    const auto deleted_bytes = read_file(deleted);
    ASSERT_TRUE(c.start(kFixedOrbit));

    replace_file(broken, std::vector<std::uint8_t>{'n', 'o', 't', ' ', 'a', ' ', 'P', 'N', 'G'});
    fs::remove(deleted);
    ASSERT_TRUE(c.wait_until([&] { return lines_with(c.err(), {broken.string()}) == 1 &&
                                          lines_with(c.err(), {deleted.string()}) == 1; },
                             "a line for each bad frame"));
    ASSERT_TRUE(c.play_cycles(2));  // both pass twice more while bad: no more lines
    EXPECT_EQ(lines_with(c.err(), {broken.string()}), 1u) << c.err();
    EXPECT_EQ(lines_with(c.err(), {deleted.string()}), 1u) << c.err();

    replace_file(broken, broken_bytes);
    replace_file(deleted, deleted_bytes);
    ASSERT_TRUE(c.shown_again(broken));
    ASSERT_TRUE(c.shown_again(deleted));
    // Broken once more after it had recovered: logged once more.
    replace_file(broken, std::vector<std::uint8_t>(100, 0xFF));
    ASSERT_TRUE(c.wait_until(
        [&] { return lines_with(c.err(), {broken.string(), "failed again"}) == 1; },
        "a line for the file broken again"));
    ASSERT_TRUE(c.play_cycles(1));
    replace_file(broken, broken_bytes);
    ASSERT_TRUE(c.shown_again(broken));

    const nlohmann::json s = c.stop();
    const auto lines = c.recorded();
    expect_at_rate(s, lines.size());
    EXPECT_EQ(s.value("failed_files", -1), 2) << s.dump(2);
    EXPECT_GE(s.value("failed_indices", 0), 3) << s.dump(2);
    EXPECT_EQ(s["loader"].value("failing_files", -1), 0) << "all recovered\n" << s.dump(2);
    EXPECT_EQ(s["loader"].value("recoveries", -1), 3) << s.dump(2);
    const std::string err = c.err();
    EXPECT_EQ(lines_with(err, {broken.string(), "[loader]"}) -
                  lines_with(err, {broken.string(), "decodes again"}),
              2u)
        << err;
    EXPECT_EQ(lines_with(err, {deleted.string(), "cannot open"}), 1u) << err;
    EXPECT_EQ(lines_with(err, {broken.string(), "decodes again"}), 2u) << err;
    EXPECT_EQ(lines_with(err, {deleted.string(), "decodes again"}), 1u) << err;
    EXPECT_EQ(lines_with(err, {"folder cannot be reached"}), 0u) << err;
    // Only the two bad frames ever went without a new frame.
    const auto missing = gaps(lines, [](std::int64_t i) {
        return frame_of(i) == 2 || frame_of(i) == 4;
    });
    EXPECT_EQ(missing.size(), s.value("failed_indices", 0ull)) << s.dump(2);
    for (const Recorded& r : lines) {
        EXPECT_EQ(r.frame, frame_of(r.index)) << "index " << r.index;
        EXPECT_EQ(r.main, c.folder("1_orbit") / (std::to_string(r.frame) + ".png"));
    }
}

TEST(ChangingContent, VanishedFolderIsOneLineWithItsFrameCountAndPlaysAgainWhenBack) {
    ChangingContent c;
    const fs::path orbit = c.folder("1_orbit");
    const fs::path away = c.work() / "away";
    ASSERT_TRUE(c.start(kFixedOrbit));

    // Frames recorded up to here may still come from the folder's pairs decoded before.
    const std::int64_t gone_at = c.clock_index();
    fs::rename(orbit, away);
    ASSERT_TRUE(c.wait_until(
        [&] { return lines_with(c.err(), {orbit.string(), "folder cannot be reached"}) == 1; },
        "the folder's line"));
    // Two cycles with nothing to show: the wall clock, not the frames, moves the index on.
    ASSERT_TRUE(c.play_cycles(2));
    EXPECT_EQ(lines_with(c.err(), {"[loader]"}), 1u) << c.err();
    const std::int64_t back_at = c.clock_index();
    fs::rename(away, orbit);
    ASSERT_TRUE(c.shown_again(orbit / "0.png"));
    ASSERT_TRUE(c.play_cycles(1));

    const nlohmann::json s = c.stop();
    const auto lines = c.recorded();
    expect_at_rate(s, lines.size());
    EXPECT_EQ(s.value("failed_files", -1), kFrames) << "all its frames\n" << s.dump(2);
    EXPECT_EQ(s["loader"].value("folder_failures", -1), 1) << s.dump(2);
    EXPECT_EQ(s["loader"].value("failing_folders", -1), 0) << s.dump(2);
    const std::string err = c.err();
    EXPECT_EQ(lines_with(err, {orbit.string(), "folder cannot be reached",
                               "its " + std::to_string(kFrames) + " frames"}),
              1u)
        << err;
    EXPECT_EQ(lines_with(err, {orbit.string(), "can be read again"}), 1u) << err;
    EXPECT_EQ(lines_with(err, {"cannot open"}), 0u) << "no line per frame\n" << err;
    // The only indices without a frame are one run while the folder was gone: after the index
    // at the rename, up to the pairs requested before it came back (the prefetch window, plus
    // the stats line's lag behind the clock).
    const std::int64_t window = kPrefetch + kStatsLag;
    const auto missing =
        gaps(lines, [&](std::int64_t i) { return i > gone_at && i <= back_at + window; });
    EXPECT_EQ(missing.size(), s.value("failed_indices", 0ull)) << s.dump(2);
    ASSERT_GE(missing.size(), static_cast<std::size_t>(kCycle)) << "gone for two cycles";
    EXPECT_EQ(missing.back() - missing.front() + 1, static_cast<std::int64_t>(missing.size()))
        << "one run of failed indices";
}

// Root passes every permission check: the player runs as nobody, who owns the content and can
// take its permissions away and give them back.
TEST(ChangingContent, UnreadableContentDirectoryIsOneLinePerFolderAndPlaysAgain) {
    ChangingContent c;
    const bool as_root = ::geteuid() == 0;
    const fs::path state = c.work() / "state";
    fs::create_directories(state);
    if (as_root) c.give_to_nobody();
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    auto check = [&] {
        if (!c.start(kFixedOrbit, {{"XDG_STATE_HOME", state.string()}})) return false;
        bool ok = ::chmod(c.root().c_str(), 0) == 0;
        const std::string main = c.folder("1_orbit").string();
        const std::string overlay = c.folder("255_glow").string();
        ok = ok && c.wait_until(
                       [&] {
                           return lines_with(c.err(), {"folder cannot be reached"}) == 2;
                       },
                       "a line for each folder");
        ok = ok && c.play_cycles(1);
        ok = ::chmod(c.root().c_str(), 0755) == 0 && ok;
        ok = ok && c.shown_again(c.folder("1_orbit") / "3.png");
        const nlohmann::json s = c.stop();
        const auto lines = c.recorded();
        expect_at_rate(s, lines.size());
        const std::string err = c.err();
        const std::size_t main_lines =
            lines_with(err, {main, "folder cannot be reached", "Permission denied"});
        const std::size_t float_lines =
            lines_with(err, {overlay, "folder cannot be reached", "Permission denied"});
        EXPECT_EQ(main_lines, 1u) << err;
        EXPECT_EQ(float_lines, 1u) << err;
        EXPECT_EQ(lines_with(err, {"can be read again"}), 2u) << err;
        EXPECT_EQ(lines_with(err, {"cannot open"}), 0u) << err;
        EXPECT_EQ(s.value("failed_files", -1), 2 * kFrames) << s.dump(2);
        EXPECT_EQ(s["loader"].value("folder_failures", -1), 2) << s.dump(2);
        return ok && !::testing::Test::HasFailure() && main_lines == 1 && float_lines == 1 &&
               s.value("failed_files", -1) == 2 * kFrames &&
               s.value("misses_after_1s", -1) == 0;
    };
    if (!as_root) {
        EXPECT_TRUE(check());
        return;
    }
    const auto ok = run_as_unprivileged(c.work(), check);
    ::chmod(c.root().c_str(), 0755);
    ASSERT_TRUE(ok.has_value()) << "could not drop privileges to nobody";
    EXPECT_TRUE(*ok) << "the checks as nobody failed (their messages are above)";
}

// SIGHUP with --select sequential (cycle c shows main folder c mod M): a rescan that cannot
// play is refused and the old content plays on; then a folder added while playing comes into
// the choices from the switch index on, exactly as a fresh start on the new content would
// choose, with no index left without a frame around the switch.
TEST(ChangingContent, SighupRefusesUnplayableContentThenPlaysAnAddedFolder) {
    ChangingContent c;
    ASSERT_TRUE(c.start({"--select", "sequential"}));

    // One frame too many in the only float folder: no frame count common to both layers.
    const fs::path extra = c.folder("255_glow") / (std::to_string(kFrames) + ".png");
    fs::copy_file(c.folder("255_glow") / "0.png", extra);
    ASSERT_TRUE(c.child().send_signal(SIGHUP));
    ASSERT_TRUE(c.wait_until([&] { return lines_with(c.err(), {"content reload refused"}) == 1; },
                             "the refusal"));
    ASSERT_TRUE(c.play_cycles(1));
    fs::remove(extra);

    c.tree().add_main("2_added", png(3));
    ASSERT_TRUE(c.child().send_signal(SIGHUP));
    ASSERT_TRUE(c.wait_until(
        [&] { return lines_with(c.err(), {"playing content generation 1"}) == 1; },
        "the switch"));
    ASSERT_TRUE(c.shown_again(c.folder("2_added") / "0.png"));

    const nlohmann::json s = c.stop();
    const auto lines = c.recorded();
    expect_at_rate(s, lines.size());
    const nlohmann::json& reload = s["reload"];
    EXPECT_EQ(reload.value("requests", -1), 2) << s.dump(2);
    EXPECT_EQ(reload.value("rejected", -1), 1) << s.dump(2);
    EXPECT_EQ(reload.value("reloads", -1), 1) << s.dump(2);
    EXPECT_EQ(reload.value("generation", -1), 1) << s.dump(2);
    const std::string err = c.err();
    EXPECT_EQ(lines_with(err, {"content reload refused", c.root().string(),
                               "no frame count common to both layers"}),
              1u)
        << err;
    EXPECT_EQ(s.value("failed_files", -1), 0) << s.dump(2);

    const std::int64_t from = reload.value("last_switch_index", std::int64_t{-1});
    const std::vector<std::string> names{"0_rest", "1_orbit", "2_added"};
    std::size_t after = 0;
    for (const Recorded& r : lines) {
        const std::int64_t folders = r.index >= from ? 3 : 2;
        const std::string& name = names[static_cast<std::size_t>((r.index / kCycle) % folders)];
        const std::string frame = std::to_string(frame_of(r.index)) + ".png";
        EXPECT_EQ(r.main, c.folder(name) / frame) << "index " << r.index << ", switch at " << from;
        EXPECT_EQ(r.overlay, c.folder("255_glow") / frame) << "index " << r.index;
        if (r.index >= from) ++after;
    }
    EXPECT_GT(after, 0u);
    EXPECT_LT(lines.front().index, from);
    // No index went without a frame: not at the refusal, not at the switch.
    EXPECT_TRUE(gaps(lines, [](std::int64_t) { return false; }).empty());
    std::printf("[ info     ] switch at index %lld: frame_ms_p99 %.1f, frame_ms_max %.1f\n",
                static_cast<long long>(from), s.value("frame_ms_p99", 0.0),
                s.value("frame_ms_max", 0.0));
}

}  // namespace
}  // namespace interleave::test
