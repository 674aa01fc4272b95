// Tests app/play_command.cpp and app/player.cpp end to end: headless playback of the bundled
// sample with recorded frames checked bit for bit against a reference composite, SIGINT and
// SIGTERM shutdown, broken frames during playback, configuration layers and start-up errors.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loader/buffer_pool.hpp"
#include "loader/decoder.hpp"
#include "loader/image_format.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "tests/app/app_test_env.hpp"
#include "tests/support/image_compare.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Hang guard for a child that is expected to end by itself.
constexpr milliseconds kHangGuard = seconds(30);

// `interleave play` on the bundled sample, headless, CPU, followed by `extra`.
std::vector<std::string> headless_args(std::vector<std::string> extra) {
    std::vector<std::string> args{"--mode", "headless", "--renderer", "cpu",
                                  "--images", std::string(kSample)};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

ProcessResult play(const std::vector<std::string>& args, const EnvChanges& env = {}) {
    return run_child(kExe, args, env, kHangGuard);
}

nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in, nullptr, false);
}

// One parsed JSON value per non-empty line; a line that is not JSON becomes `discarded`.
std::vector<nlohmann::json> read_jsonl(const fs::path& file) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(nlohmann::json::parse(line, nullptr, false));
    }
    return lines;
}

std::vector<fs::path> pngs_in(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".png") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++n;
    }
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// The composite the player should have recorded for one frames.jsonl line: both source files
// decoded with loader::Decoder (main .jpg as SBS, the folder default), composited with the
// scalar reference blend. The player uses the SIMD blend, which must match it bit for bit.
class ReferenceCompositor {
public:
    explicit ReferenceCompositor(renderer::cpu::ComposeOptions options, int tolerance = 0)
        : options_(options), tolerance_(tolerance) {}

    // Decodes the recorded PNG and the sources, composites, compares within the tolerance
    // (0: the CPU path is the reference's own pipeline; the GL path is within +-2).
    ::testing::AssertionResult matches(const fs::path& recorded_png, const fs::path& main_file,
                                       const fs::path& float_file) {
        auto recorded = decoder_.decode_file(recorded_png, loader::LayerEncoding::kPng, pool_);
        if (!recorded) {
            return ::testing::AssertionFailure() << recorded.error().message();
        }
        auto main_layer = decode_source(main_file);
        if (!main_layer) return ::testing::AssertionFailure() << main_layer.error().message();
        auto float_layer = decode_source(float_file);
        if (!float_layer) return ::testing::AssertionFailure() << float_layer.error().message();

        const int w = recorded->width_px;
        const int h = recorded->height_px;
        Image expected(w, h, 4);
        const renderer::cpu::RgbaTarget target{expected.pixels.data(), w, h, w * 4};
        if (auto ok = compositor_.compose(*main_layer, *float_layer, options_, target); !ok) {
            return ::testing::AssertionFailure() << ok.error().message();
        }
        // Failure images are named after the test and the frame.
        const std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        return rgba_near(recorded->pixels.data(), w, h, expected, tolerance_,
                         test + "-" + recorded_png.stem().string());
    }

private:
    Result<loader::LayerImage> decode_source(const fs::path& file) {
        const auto kind = loader::file_kind_from_name(file.filename().string());
        return decoder_.decode_file(file, loader::encoding_for(kind, /*jpeg_is_sbs=*/true),
                                    pool_);
    }

    renderer::cpu::ComposeOptions options_;
    int tolerance_ = 0;
    loader::BufferPool pool_{8};
    loader::Decoder decoder_;
    renderer::cpu::CpuCompositor compositor_{renderer::cpu::BlendPath::kScalarReference};
};

// What a recording of a content directory must show, worked out here from the files
// alone, not from what the player wrote: each folder's frames in catalog order, and the
// frame count played. The sample and its copies name frames <n>.<ext>, so natural order is
// numeric order; folders are ordered by their number prefix.
class ExpectedContent {
public:
    explicit ExpectedContent(const fs::path& root) {
        for (const char* layer : {"face", "float"}) {
            auto& folders = std::string(layer) == "face" ? main_ : float_;
            std::error_code ec;
            for (const auto& entry : fs::directory_iterator(root / layer, ec)) {
                if (entry.is_directory()) folders.push_back(entry.path());
            }
            std::sort(folders.begin(), folders.end(), [](const fs::path& a, const fs::path& b) {
                return leading_number(a.filename().string()) <
                       leading_number(b.filename().string());
            });
            for (const auto& folder : folders) frames_[folder] = frames_in(folder);
        }
        // The largest frame count that folders of both layers have.
        for (const auto& m : main_) {
            for (const auto& f : float_) {
                const std::size_t n = frames_[m].size();
                if (n == frames_[f].size()) frame_count_ = std::max(frame_count_, n);
            }
        }
    }

    [[nodiscard]] std::size_t frame_count() const { return frame_count_; }
    [[nodiscard]] const std::vector<fs::path>& main_folders() const { return main_; }
    [[nodiscard]] const std::vector<fs::path>& float_folders() const { return float_; }

    // The frame ping-pong shows at `index`: 0..N-1, then N-1..0 (each end twice).
    [[nodiscard]] std::size_t frame_of(std::int64_t index) const {
        const auto n = static_cast<std::int64_t>(frame_count_);
        const std::int64_t p = ((index % (2 * n)) + 2 * n) % (2 * n);
        return static_cast<std::size_t>(p < n ? p : 2 * n - 1 - p);
    }

    // `folder`'s file for `frame`; empty when the folder or frame is not there.
    [[nodiscard]] fs::path file(const fs::path& folder, std::size_t frame) const {
        const auto it = frames_.find(folder);
        if (it == frames_.end() || frame >= it->second.size()) return {};
        return it->second[frame];
    }

private:
    static long long leading_number(const std::string& name) {
        return std::strtoll(name.c_str(), nullptr, 10);
    }
    static std::vector<fs::path> frames_in(const fs::path& folder) {
        std::vector<fs::path> files;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(folder, ec)) {
            if (entry.is_regular_file()) files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
            return leading_number(a.stem().string()) < leading_number(b.stem().string());
        });
        return files;
    }

    std::vector<fs::path> main_;
    std::vector<fs::path> float_;
    std::map<fs::path, std::vector<fs::path>> frames_;
    std::size_t frame_count_ = 0;
};

// Which folders a recording must come from: positions in catalog order, or -1 for any
// (the random selector's choice, which folder_selector_test pins).
struct ExpectedFolders {
    int main_folder = -1;
    int float_folder = -1;
};

// Checks every line of DIR/frames.jsonl, and that each PNG has a line. For each line, its
// index must be new, its frame the one ping-pong shows at that index, and its main and float
// files that frame's file in the expected folders (computed from the content, not taken from
// the line); the PNG must equal the reference composite of those files. A player stuck on one
// frame, or writing the wrong index, frame or file, fails. Returns the lines.
std::vector<nlohmann::json> check_recording(const fs::path& dir, const fs::path& content_root,
                                            int width_px, int height_px,
                                            renderer::cpu::ComposeOptions options,
                                            ExpectedFolders folders = {}, int tolerance = 0) {
    const auto lines = read_jsonl(dir / "frames.jsonl");
    const auto pngs = pngs_in(dir);
    EXPECT_EQ(lines.size(), pngs.size()) << "frames.jsonl should have one line per PNG";
    const ExpectedContent content(content_root);
    EXPECT_GT(content.frame_count(), 1u) << content_root;
    if (content.frame_count() == 0) return lines;
    // The folder a file must come from: the expected one, or whichever of the layer's
    // folders the line names.
    const auto folder_for = [](const std::vector<fs::path>& all, int wanted,
                               const fs::path& named) -> fs::path {
        if (wanted >= 0) {
            return static_cast<std::size_t>(wanted) < all.size() ? all[wanted] : fs::path();
        }
        return std::find(all.begin(), all.end(), named) != all.end() ? named : fs::path();
    };
    ReferenceCompositor reference(options, tolerance);
    std::set<std::int64_t> indices;
    std::set<std::size_t> frames;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto& line = lines[i];
        SCOPED_TRACE("frames.jsonl line " + std::to_string(i + 1));
        if (line.is_discarded()) {
            ADD_FAILURE() << "a frames.jsonl line is not JSON";
            continue;
        }
        bool complete = true;
        for (const char* field : {"file", "index", "frame", "main", "float"}) {
            if (!line.contains(field)) {
                ADD_FAILURE() << field << " missing in " << line.dump();
                complete = false;
            }
        }
        if (!complete) continue;
        // Recorded in the order shown: the i-th PNG.
        EXPECT_EQ(line.at("file").get<std::string>(),
                  pngs.size() > i ? pngs[i].filename().string() : std::string())
            << line.dump();
        const fs::path png = dir / line.at("file").get<std::string>();
        const auto index = line.at("index").get<std::int64_t>();
        const std::size_t frame = content.frame_of(index);
        // Playback starts at index 0, and an index is shown once at most.
        EXPECT_GE(index, 0) << line.dump();
        EXPECT_TRUE(indices.insert(index).second) << "index shown twice: " << line.dump();
        frames.insert(frame);
        EXPECT_EQ(line.at("frame").get<std::size_t>(), frame)
            << "not the ping-pong frame of index " << index << ": " << line.dump();
        const fs::path named_main = line.at("main").get<std::string>();
        const fs::path named_float = line.at("float").get<std::string>();
        const fs::path main_folder =
            folder_for(content.main_folders(), folders.main_folder, named_main.parent_path());
        const fs::path float_folder =
            folder_for(content.float_folders(), folders.float_folder, named_float.parent_path());
        const fs::path main_file = content.file(main_folder, frame);
        const fs::path float_file = content.file(float_folder, frame);
        if (main_file.empty() || float_file.empty()) {
            ADD_FAILURE() << "no expected file in those folders for " << line.dump();
            continue;
        }
        EXPECT_EQ(named_main, main_file) << line.dump();
        EXPECT_EQ(named_float, float_file) << line.dump();
        loader::Decoder probe;
        loader::BufferPool pool(2);
        if (auto image = probe.decode_file(png, loader::LayerEncoding::kPng, pool)) {
            EXPECT_EQ(image->width_px, width_px) << png;
            EXPECT_EQ(image->height_px, height_px) << png;
        } else {
            ADD_FAILURE() << image.error().message();
        }
        EXPECT_TRUE(reference.matches(png, main_file, float_file)) << line.dump();
    }
    // Each frame comes up at most twice in a ping-pong cycle: distinct indices within a
    // cycle show at least half as many distinct frames.
    EXPECT_GE(frames.size() * 2, std::min(indices.size(), content.frame_count() * 2))
        << frames.size() << " frames for " << indices.size() << " indices";
    return lines;
}

// The recorder never holds up the render loop: when its writer falls behind (a loaded
// machine), a frame is dropped and counted instead of queued. So every frame handed to it is
// written or counted, nothing fails, and the first two always fit in its empty queue.
void expect_recorded_or_counted(const nlohmann::json& summary, std::size_t lines,
                                std::size_t submitted) {
    ASSERT_TRUE(summary.contains("record")) << summary.dump(2);
    const nlohmann::json& record = summary["record"];
    const auto written = record.value("written", std::size_t{0});
    const auto dropped = record.value("dropped", std::size_t{0});
    EXPECT_EQ(written, lines) << record.dump();
    EXPECT_EQ(written + dropped, submitted) << record.dump();
    EXPECT_EQ(record.value("failed", -1), 0) << record.dump();
    EXPECT_GE(lines, std::min<std::size_t>(submitted, 2)) << record.dump();
    if (dropped > 0) {
        std::printf("[ info     ] the recorder fell behind: %zu of %zu frames dropped\n", dropped,
                    submitted);
    }
}

// --- Recording -----------------------------------------------------------------------------

TEST(PlayCommand, HeadlessRecordingMatchesTheReferenceCompositeBitForBit) {
    TempDir dir;
    const auto r = play(headless_args({"--select", "fixed", "--main-folder", "1",
                                       "--float-folder", "0", "--frames", "20", "--record",
                                       (dir / "rec").string(), "--summary-json",
                                       (dir / "s.json").string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;

    const auto summary = read_json(dir / "s.json");
    ASSERT_FALSE(summary.is_discarded()) << "summary is not JSON";
    for (const char* field : {"frames_shown", "misses", "dropped", "failed_loads", "failed_files",
                              "fps", "peak_rss_mb"}) {
        EXPECT_TRUE(summary.contains(field)) << field << " missing in " << summary.dump(2);
    }
    EXPECT_EQ(summary.value("frames_shown", -1), 20) << summary.dump(2);
    EXPECT_EQ(summary.value("stopped_by", ""), "frames");
    EXPECT_EQ(summary.value("failed_loads", -1), 0);
    EXPECT_GT(summary.value("peak_rss_mb", 0.0), 0.0);
    EXPECT_NE(r.out.find("summary: 20 frames"), std::string::npos) << r.out;

    const auto lines = check_recording(dir / "rec", kSample, 480, 270, {}, {1, 0});
    expect_recorded_or_counted(summary, lines.size(), 20);
}

TEST(PlayCommand, RecordEveryFiveOfTwentyFramesWritesFourPngs) {
    TempDir dir;
    const auto r = play(headless_args({"--frames", "20", "--record-every", "5", "--record",
                                       (dir / "rec").string(), "--summary-json",
                                       (dir / "s.json").string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = check_recording(dir / "rec", kSample, 480, 270, {});
    expect_recorded_or_counted(read_json(dir / "s.json"), lines.size(), 4);
}

TEST(PlayCommand, RotatedMirroredRecordingIsPortraitAndMatchesTheReference) {
    TempDir dir;
    const auto r = play(headless_args({"--select", "fixed", "--main-folder", "2", "--rotate",
                                       "90", "--mirror", "--frames", "6", "--record",
                                       (dir / "rec").string(), "--summary-json",
                                       (dir / "s.json").string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    renderer::cpu::ComposeOptions options;
    options.rotation = renderer::cpu::Rotation::k90;
    options.mirror = true;
    const auto lines = check_recording(dir / "rec", kSample, 270, 480, options, {2, 0});
    expect_recorded_or_counted(read_json(dir / "s.json"), lines.size(), 6);
}

TEST(PlayCommand, Rotated270RecordingMatchesTheReference) {
    TempDir dir;
    const auto r = play(headless_args({"--rotate", "270", "--background", "40,0,90", "--frames",
                                       "4", "--record", (dir / "rec").string(),
                                       "--summary-json", (dir / "s.json").string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    renderer::cpu::ComposeOptions options;
    options.rotation = renderer::cpu::Rotation::k270;
    options.background = {40, 0, 90};
    const auto lines = check_recording(dir / "rec", kSample, 270, 480, options);
    expect_recorded_or_counted(read_json(dir / "s.json"), lines.size(), 4);
}

// --- Signals -------------------------------------------------------------------------------

// Plays with no end, sends `signal_number` after about a second of playback, and checks a
// clean exit with a summary naming the signal. The shutdown time is reported, not asserted.
void expect_clean_stop_on(int signal_number, const std::string& name) {
    TempDir dir;
    const fs::path summary_file = dir / "s.json";
    ChildProcess child(kExe, headless_args({"--duration", "0", "--stats-interval", "0.2",
                                            "--summary-json", summary_file.string()}));
    ASSERT_GT(child.pid(), 0) << child.spawn_error();

    // Five stats lines at 0.2 s: it has played for about a second.
    const auto give_up = std::chrono::steady_clock::now() + seconds(15);
    while (count_of(child.out(), "t=") < 5) {
        if (auto code = child.wait_for(milliseconds(20))) {
            FAIL() << "the player ended by itself (exit " << *code << ")\n"
                   << child.out() << child.err();
        }
        ASSERT_LT(std::chrono::steady_clock::now(), give_up)
            << "no stats lines after 15 s\n" << child.out() << child.err();
    }

    const auto sent = std::chrono::steady_clock::now();
    ASSERT_TRUE(child.send_signal(signal_number));
    const auto code = child.wait_for(seconds(5));  // hang guard only
    const double shutdown_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent)
            .count();
    ::testing::Test::RecordProperty("shutdown_ms", std::to_string(shutdown_ms));
    std::printf("[ info     ] %s: exited %.1f ms after the signal\n", name.c_str(), shutdown_ms);
    ASSERT_TRUE(code.has_value()) << "still running 5 s after " << name;
    EXPECT_EQ(*code, 0) << child.err();

    const auto summary = read_json(summary_file);
    ASSERT_FALSE(summary.is_discarded()) << "no summary JSON at " << summary_file;
    EXPECT_EQ(summary.value("stopped_by", ""), name) << summary.dump(2);
    EXPECT_GT(summary.value("frames_shown", 0), 0) << summary.dump(2);
    EXPECT_NE(child.out().find("stopped by " + name), std::string::npos) << child.out();
}

TEST(PlayCommand, SigintStopsPlaybackCleanlyWithASummary) {
    expect_clean_stop_on(SIGINT, "SIGINT");
}

TEST(PlayCommand, SigtermStopsPlaybackCleanlyWithASummary) {
    expect_clean_stop_on(SIGTERM, "SIGTERM");
}

// --- Bad input during playback -------------------------------------------------------------

// A copy of the sample whose main folder 1_orbit has frames 5 and 10 truncated and frame 15
// replaced by text. 60 shown frames at 30 ips cover indices 0..~63: frames 0..47, then back
// down to about 32, so each bad frame comes up once.
struct BrokenSample {
    TempDir dir;
    fs::path root = dir / "content";
    std::vector<fs::path> bad;

    BrokenSample() {
        fs::copy(fs::path(kSample), root, fs::copy_options::recursive);
        const fs::path folder = root / "face" / "1_orbit";
        for (const auto& [name, keep_bytes] :
             {std::pair{"5.jpg", 2000}, std::pair{"10.jpg", 100}}) {
            auto bytes = read_file(folder / name);
            bytes.resize(static_cast<std::size_t>(keep_bytes));
            write_file(folder / name, bytes);
            bad.push_back(folder / name);
        }
        write_text(folder / "15.jpg", "this is not a JPEG\n");
        bad.push_back(folder / "15.jpg");
    }

    [[nodiscard]] std::vector<std::string> args(std::vector<std::string> extra) const {
        std::vector<std::string> all{"--mode", "headless", "--renderer", "cpu", "--images",
                                     root.string(), "--select", "fixed", "--main-folder", "1",
                                     "--float-folder", "0"};
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }
};

TEST(PlayCommand, BrokenFramesAreCountedLoggedOnceAndPlaybackGoesOn) {
    BrokenSample sample;
    const fs::path rec = sample.dir / "rec";
    const fs::path summary_file = sample.dir / "s.json";
    const auto r = play(sample.args({"--frames", "60", "--record", rec.string(),
                                     "--summary-json", summary_file.string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;

    const auto summary = read_json(summary_file);
    ASSERT_FALSE(summary.is_discarded());
    // --frames counts shown frames: failed pairs are not shown, and the loop goes on past them.
    EXPECT_EQ(summary.value("frames_shown", -1), 60) << summary.dump(2);
    EXPECT_EQ(summary.value("stopped_by", ""), "frames");
    EXPECT_EQ(summary.value("failed_files", -1), 3) << summary.dump(2);
    EXPECT_GE(summary.value("failed_loads", -1), 3) << summary.dump(2);
    for (const auto& file : sample.bad) {
        EXPECT_EQ(count_of(r.err, file.string()), 1u) << file << " in stderr:\n" << r.err;
    }

    // No recorded frame shows a broken file; every recorded frame still matches the reference.
    const auto lines = check_recording(rec, sample.root, 480, 270, {}, {1, 0});
    expect_recorded_or_counted(summary, lines.size(), 60);
    for (const auto& line : lines) {
        if (line.is_discarded() || !line.contains("main")) continue;
        const fs::path main_file = line.at("main").get<std::string>();
        for (const auto& file : sample.bad) EXPECT_NE(main_file, file) << line.dump();
    }
}

// DESIGN.md: a frame that fails to decode leaves the last good frame on screen for its index.
// Looking again instead would take the next index's pair early and run ahead of the wall
// clock, one index per failure, so machines sharing an epoch would drift apart.
TEST(PlayCommand, BrokenFrameHoldsTheLastGoodFrameInsteadOfRunningAhead) {
    BrokenSample sample;
    const fs::path summary_file = sample.dir / "s.json";
    const auto r = play(sample.args({"--frames", "60", "--summary-json", summary_file.string()}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto summary = read_json(summary_file);
    ASSERT_FALSE(summary.is_discarded());
    // Each of the three failed indices passes without a new frame.
    EXPECT_GE(summary.value("indices", 0), summary.value("frames_shown", 0) + 3)
        << summary.dump(2);
    EXPECT_EQ(summary.value("failed_indices", 0), 3) << summary.dump(2);
}

// --- Configuration -------------------------------------------------------------------------

TEST(PlayCommand, UnknownConfigKeyExitsTwoAndSuggestsTheNearestKey) {
    TempDir dir;
    write_text(dir / "typo.toml", "[playback]\nipss = 30\n");
    const auto r = play(headless_args({"--config", (dir / "typo.toml").string()}));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("playback.ipss"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("did you mean playback.ips?"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find((dir / "typo.toml").string()), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;  // nothing played
}

// `--print-config` lines: key -> "value  # source".
std::map<std::string, std::pair<std::string, std::string>> print_config(
    const std::vector<std::string>& args, const EnvChanges& env) {
    std::vector<std::string> all{"--print-config"};
    all.insert(all.end(), args.begin(), args.end());
    const auto r = play(all, env);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::pair<std::string, std::string>> keys;
    for (const auto& line : lines_of(r.out)) {
        const auto eq = line.find(" = ");
        const auto hash = line.rfind("  # ");
        if (eq == std::string::npos || hash == std::string::npos || hash < eq) {
            ADD_FAILURE() << "not `key = value  # source`: " << line;
            continue;
        }
        keys[line.substr(0, eq)] = {line.substr(eq + 3, hash - eq - 3), line.substr(hash + 4)};
    }
    return keys;
}

using ValueAndSource = std::pair<std::string, std::string>;

TEST(PlayCommand, PrintConfigNamesEachKeysSource) {
    TempDir dir;
    write_text(dir / "c.toml", "[playback]\nduration_s = 3\n[output]\nrotate = 90\n");
    const auto keys = print_config({"--config", (dir / "c.toml").string(), "--ips", "25"},
                                   {{"INTERLEAVE_PLAYBACK_FPS", "50"},
                                    {"INTERLEAVE_PLAYBACK_IPS", std::nullopt}});
    EXPECT_EQ(keys.at("playback.ips"), ValueAndSource("25", "flag"));
    EXPECT_EQ(keys.at("playback.fps"), ValueAndSource("50", "env INTERLEAVE_PLAYBACK_FPS"));
    EXPECT_EQ(keys.at("playback.duration_s"), ValueAndSource("3", "file"));
    EXPECT_EQ(keys.at("output.rotate"), ValueAndSource("90", "file"));
    EXPECT_EQ(keys.at("loader.fifo_pairs"), ValueAndSource("15", "default"));
    EXPECT_EQ(keys.at("output.background"), ValueAndSource("[4, 4, 4]", "default"));
}

TEST(PlayCommand, FlagBeatsEnvironmentBeatsFileBeatsDefault) {
    TempDir dir;
    const std::string file = (dir / "c.toml").string();
    write_text(file, "[playback]\nips = 12\n");
    const EnvChanges no_env{{"INTERLEAVE_PLAYBACK_IPS", std::nullopt}};
    const EnvChanges env{{"INTERLEAVE_PLAYBACK_IPS", "20"}};

    EXPECT_EQ(print_config({}, no_env).at("playback.ips"), ValueAndSource("30", "default"));
    EXPECT_EQ(print_config({"--config", file}, no_env).at("playback.ips"),
              ValueAndSource("12", "file"));
    EXPECT_EQ(print_config({"--config", file}, env).at("playback.ips"),
              ValueAndSource("20", "env INTERLEAVE_PLAYBACK_IPS"));
    EXPECT_EQ(print_config({"--config", file, "--ips", "25"}, env).at("playback.ips"),
              ValueAndSource("25", "flag"));
    // Environment over default with no file at all, too.
    EXPECT_EQ(print_config({}, env).at("playback.ips"),
              ValueAndSource("20", "env INTERLEAVE_PLAYBACK_IPS"));
}

// --- Start-up errors -----------------------------------------------------------------------

// Its terminal behaviour is tested in ascii_mode_test.cpp; here stdout is a pipe: plain frames.
TEST(PlayCommand, AsciiModeIntoAPipeWritesPlainTextFramesAndEnds) {
    const auto r = play({"--mode", "ascii", "--images", std::string(kSample), "--duration", "1",
                         "--ascii-size", "20x5", "--renderer", "cpu"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\x1b[38;5;"), std::string::npos) << r.out;  // colour escapes
    EXPECT_EQ(r.out.find("\x1b[?1049h"), std::string::npos);  // no screen switching
    EXPECT_EQ(r.out.find("\x1b[H"), std::string::npos);       // no cursor movement
}

// --- GL rungs (Mesa llvmpipe through surfaceless EGL; no display server) ------------------

TEST(PlayCommand, EachGlRungRecordsFramesWithinTwoOfTheCpuReference) {
    for (const char* rung : {"gl", "gles3", "gles2"}) {
        SCOPED_TRACE(rung);
        TempDir dir;
        const auto r = play({"--mode", "headless", "--renderer", rung, "--images",
                             std::string(kSample), "--select", "fixed", "--main-folder", "2",
                             "--float-folder", "0", "--frames", "8", "--rotate", "90",
                             "--mirror", "--record", (dir / "rec").string(), "--summary-json",
                             (dir / "s.json").string()},
                            {{"XDG_STATE_HOME", (dir / "state").string()}});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        const auto summary = read_json(dir / "s.json");
        EXPECT_TRUE(summary.value("renderer", "").starts_with(std::string(rung) + ":"))
            << summary.dump(2);
        renderer::cpu::ComposeOptions options;
        options.rotation = renderer::cpu::Rotation::k90;
        options.mirror = true;
        const auto lines = check_recording(dir / "rec", kSample, 270, 480, options, {2, 0}, 2);
        expect_recorded_or_counted(summary, lines.size(), 8);
        // The usage log says what was tried and chosen.
        const auto log = read_json(dir / "state" / "interleave" / "backend-usage.json");
        ASSERT_TRUE(log.is_array()) << "usage log missing or not a JSON array";
        EXPECT_EQ(log.back().value("chosen", ""), rung);
        EXPECT_EQ(log.back().value("mode", ""), "headless");
    }
}

TEST(PlayCommand, WithoutEglAForcedGlRungExitsTwoAndAutoFallsBackToTheCpu) {
    TempDir dir;
    const EnvChanges no_egl{{"__EGL_VENDOR_LIBRARY_DIRS", "/nonexistent-interleave-test"},
                            {"__EGL_VENDOR_LIBRARY_FILENAMES", std::nullopt},
                            {"XDG_STATE_HOME", (dir / "state").string()}};
    const auto forced = play({"--mode", "headless", "--renderer", "gl", "--images",
                              std::string(kSample), "--frames", "3"},
                             no_egl);
    EXPECT_EQ(forced.exit_code, 2) << forced.err;
    EXPECT_NE(forced.err.find("output.renderer"), std::string::npos) << forced.err;
    const auto fallback = play({"--mode", "headless", "--images", std::string(kSample),
                                "--frames", "3", "--summary-json", (dir / "s.json").string()},
                               no_egl);
    ASSERT_EQ(fallback.exit_code, 0) << fallback.err;
    EXPECT_EQ(read_json(dir / "s.json").value("renderer", ""), "cpu");
    const auto log = read_json(dir / "state" / "interleave" / "backend-usage.json");
    ASSERT_TRUE(log.is_array());
    const auto& last = log.back();
    EXPECT_EQ(last.value("chosen", ""), "cpu");
    ASSERT_EQ(last["attempts"].size(), 4u) << last.dump(2);
    EXPECT_FALSE(last["attempts"][0].value("reason", "").empty());
}

TEST(PlayCommand, MissingImagesDirectoryExitsTwoNamingIt) {
    TempDir dir;
    const std::string missing = (dir / "no-such-content").string();
    const auto r = play({"--mode", "headless", "--renderer", "cpu", "--images", missing});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
}

// --- Benchmark and help --------------------------------------------------------------------

TEST(PlayCommand, BenchmarkPrintsOneJsonObjectWithRatesAndCounts) {
    const auto r = play(headless_args({"--benchmark", "--frames", "60"}));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto json = nlohmann::json::parse(r.out, nullptr, false);  // all of stdout
    ASSERT_FALSE(json.is_discarded()) << "stdout is not one JSON object:\n" << r.out;
    ASSERT_TRUE(json.is_object());
    for (const char* field : {"frames", "fps", "decode_ms_p50", "decode_ms_p99",
                              "composite_ms_p50", "composite_ms_p99", "misses", "dropped",
                              "peak_rss_mb"}) {
        EXPECT_TRUE(json.contains(field)) << field << " missing in " << json.dump(2);
    }
    EXPECT_EQ(json.value("frames", -1), 60);
    EXPECT_GT(json.value("fps", 0.0), 0.0);
    EXPECT_GT(json.value("decode_ms_p50", 0.0), 0.0);
    EXPECT_GE(json.value("decode_ms_p99", 0.0), json.value("decode_ms_p50", 0.0));
    EXPECT_GE(json.value("composite_ms_p99", 0.0), json.value("composite_ms_p50", 0.0));
}

TEST(PlayCommand, HelpListsEveryConfigKeyWithItsDefault) {
    const auto help = play({"play", "--help"});
    ASSERT_EQ(help.exit_code, 0) << help.err;
    // Every key print-config knows appears in --help as "[key; default <value>; ...]".
    const auto defaults = print_config({}, {});
    ASSERT_GT(defaults.size(), 20u);
    for (const auto& [key, value_and_source] : defaults) {
        EXPECT_NE(help.out.find("[" + key + "; default "), std::string::npos)
            << key << " missing in --help";
    }
    const auto flag_line = [&](const std::string& flag) {
        for (const auto& line : lines_of(help.out)) {
            if (line.starts_with("  " + flag + " ")) return line;
        }
        return std::string("(no line for " + flag + ")");
    };
    EXPECT_NE(flag_line("--ips").find("[playback.ips; default 30;"), std::string::npos)
        << flag_line("--ips");
    EXPECT_NE(flag_line("--fifo-pairs").find("[loader.fifo_pairs; default 15;"),
              std::string::npos)
        << flag_line("--fifo-pairs");
    EXPECT_NE(flag_line("--background").find("[output.background; default 4,4,4;"),
              std::string::npos)
        << flag_line("--background");
    EXPECT_NE(flag_line("--rotate").find("default 0; 0, 90, 180 or 270"), std::string::npos)
        << flag_line("--rotate");
}

}  // namespace
}  // namespace interleave::test
