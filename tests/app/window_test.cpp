// Window mode end to end, under a private Xvfb (no GPU, Mesa llvmpipe): the player's window is
// found, photographed from the X server (not read back by the player) and compared with the CPU
// compositor's output for the frame on screen. Most tests play content whose frames are all one
// picture, so the index does not matter; one plays the moving sample and checks that the
// picture changes, frame by frame of the sequence. Keys are typed through XTEST as a user would.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "loader/buffer_pool.hpp"
#include "loader/catalog.hpp"
#include "loader/decoder.hpp"
#include "loader/image_format.hpp"
#include "renderer/cpu/cpu_compositor.hpp"
#include "tests/app/app_test_env.hpp"
#include "tests/support/image_compare.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/x11_display.hpp"

namespace interleave::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using renderer::cpu::Rotation;

// The screen: wider than the sample's 16:9 (bars above and below), and the content scaled.
constexpr int kScreenW = 640;
constexpr int kScreenH = 400;
// The sample's layers.
constexpr int kContentW = 480;
constexpr int kContentH = 270;
// Generous: llvmpipe on a loaded 2-core machine; a match usually comes in well under 2 s.
constexpr milliseconds kPatience = seconds(30);
// The sample's frames to show: main folder 1 and float folder 0, frame 0 of each.
constexpr int kMainFolder = 1;
constexpr int kFloatFolder = 0;
constexpr int kStillFrames = 4;

// Content whose every frame is the same pair (the sample's frame 0, copied): whichever index
// the clock, the FIFO's nearest-within-tolerance rule or the index compensator settle on, the
// screen must show this one picture.
void make_still_content(const fs::path& root) {
    const auto report = loader::scan_catalog(std::string(kSample));
    EXPECT_FALSE(report.error.has_value());
    const fs::path main_file = report.catalog.main_folders[kMainFolder].frame_path(0);
    const fs::path float_file = report.catalog.float_folders[kFloatFolder].frame_path(0);
    fs::create_directories(root / "face" / "0_still");
    fs::create_directories(root / "float" / "255_still");
    for (int i = 0; i < kStillFrames; ++i) {
        const std::string n = std::to_string(i);
        fs::copy_file(main_file, root / "face" / "0_still" / (n + main_file.extension().string()));
        fs::copy_file(float_file,
                      root / "float" / "255_still" / (n + float_file.extension().string()));
    }
}

// The CPU compositor's frame of the still content at out_w x out_h.
Image reference_frame(int out_w, int out_h, Rotation rotation, bool mirror) {
    const auto report = loader::scan_catalog(std::string(kSample));
    EXPECT_FALSE(report.error.has_value());
    const auto& catalog = report.catalog;
    loader::Decoder decoder;
    loader::BufferPool pool(4);
    const auto decode = [&](const fs::path& file) {
        const auto kind = loader::file_kind_from_name(file.filename().string());
        auto layer = decoder.decode_file(file, loader::encoding_for(kind, true), pool);
        EXPECT_TRUE(layer.has_value()) << file;
        return std::move(*layer);
    };
    const auto main_layer = decode(catalog.main_folders[kMainFolder].frame_path(0));
    const auto float_layer = decode(catalog.float_folders[kFloatFolder].frame_path(0));
    Image expected(out_w, out_h, 4);
    renderer::cpu::CpuCompositor cpu(renderer::cpu::BlendPath::kScalarReference);
    renderer::cpu::ComposeOptions options;
    options.rotation = rotation;
    options.mirror = mirror;
    const renderer::cpu::RgbaTarget target{expected.pixels.data(), out_w, out_h, out_w * 4};
    EXPECT_TRUE(cpu.compose(main_layer, float_layer, options, target).has_value());
    return expected;
}

// The CPU compositor's frames of the sample's main folder kMainFolder and float folder
// kFloatFolder at out_w x out_h, one per frame number: what a window playing them may show.
std::vector<Image> sample_frames(int out_w, int out_h) {
    const auto report = loader::scan_catalog(std::string(kSample));
    EXPECT_FALSE(report.error.has_value());
    const auto& catalog = report.catalog;
    loader::Decoder decoder;
    loader::BufferPool pool(4);
    renderer::cpu::CpuCompositor cpu(renderer::cpu::BlendPath::kScalarReference);
    std::vector<Image> frames;
    for (std::size_t frame = 0; frame < catalog.frame_count; ++frame) {
        const auto decode = [&](const fs::path& file) {
            const auto kind = loader::file_kind_from_name(file.filename().string());
            return decoder.decode_file(file, loader::encoding_for(kind, true), pool);
        };
        auto main_layer = decode(catalog.main_folders[kMainFolder].frame_path(frame));
        auto float_layer = decode(catalog.float_folders[kFloatFolder].frame_path(frame));
        if (!main_layer || !float_layer) {
            ADD_FAILURE() << "frame " << frame << " does not decode";
            return {};
        }
        Image expected(out_w, out_h, 4);
        const renderer::cpu::RgbaTarget target{expected.pixels.data(), out_w, out_h, out_w * 4};
        EXPECT_TRUE(cpu.compose(*main_layer, *float_layer, {}, target).has_value());
        frames.push_back(std::move(expected));
    }
    return frames;
}

// Every channel of `shot` within `tolerance` of `expected` (stops at the first pixel off).
bool within(const Screenshot& shot, const Image& expected, int tolerance) {
    if (shot.width_px != expected.width || shot.height_px != expected.height) return false;
    for (std::size_t i = 0; i < shot.rgba.size(); ++i) {
        if ((i & 3) == 3) continue;  // alpha: the screenshot's is always 255
        if (std::abs(int{shot.rgba[i]} - int{expected.pixels[i]}) > tolerance) return false;
    }
    return true;
}

// The frame number whose reference `shot` equals within +-2, or -1.
int frame_on_screen(const Screenshot& shot, const std::vector<Image>& frames) {
    for (std::size_t f = 0; f < frames.size(); ++f) {
        if (within(shot, frames[f], 2)) return static_cast<int>(f);
    }
    return -1;
}

// The `shown N` figure of the last stats line in `out` ("t=... shown N fifo ..."), or -1.
long long last_shown(const std::string& out) {
    const auto at = out.rfind(" shown ");
    if (at == std::string::npos) return -1;
    return std::strtoll(out.c_str() + at + 7, nullptr, 10);
}

int difference(const Screenshot& shot, const Image& expected) {
    if (shot.width_px != expected.width || shot.height_px != expected.height) return 256;
    return max_channel_difference(shot.rgba.data(), expected.pixels.data(), shot.width_px,
                                  shot.height_px);
}

nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

class WindowTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        display_ = XDisplay::start(kScreenW, kScreenH, why_);
        content_ = std::make_unique<TempDir>("interleave-window-content");
        make_still_content(content_->path());
    }
    static void TearDownTestSuite() {
        display_.reset();
        content_.reset();
    }

    void SetUp() override {
        // Not skipped: CI has Xvfb (scripts/dev.sh installs it); its absence is a failure.
        ASSERT_NE(display_, nullptr) << why_;
        ASSERT_TRUE(display_->viewable_windows().empty()) << "a window of an earlier test is up";
    }

    // Starts the player in window mode on `images` (default: the still content) with `extra`
    // arguments.
    std::unique_ptr<ChildProcess> start_player(const std::vector<std::string>& extra,
                                               const fs::path& images = {}) {
        std::vector<std::string> args{"--mode", "window", "--images",
                                      images.empty() ? content_->path().string()
                                                     : images.string(),
                                      "--summary-json", (dir_ / "summary.json").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return std::make_unique<ChildProcess>(
            kExe, args,
            EnvChanges{{"DISPLAY", display_->name()},
                       {"WAYLAND_DISPLAY", std::nullopt},
                       {"LIBGL_ALWAYS_SOFTWARE", "1"},
                       {"XDG_STATE_HOME", (dir_ / "state").string()}});
    }

    // The screen matches the reference for a fullscreen window (within +-2).
    ::testing::AssertionResult screen_matches(Rotation rotation, bool mirror,
                                              const std::string& name) {
        const Image expected = reference_frame(kScreenW, kScreenH, rotation, mirror);
        const Screenshot shot = wait_for_screenshot(
            [&] { return display_->screenshot_root(); },
            [&](const Screenshot& s) { return difference(s, expected) <= 2; }, kPatience);
        return rgba_near(shot.rgba.data(), shot.width_px, shot.height_px, expected, 2, name);
    }

    // Quits with `key` and checks a clean exit; returns the summary.
    nlohmann::json quit_with(ChildProcess& player, const WindowGeometry& window,
                             const char* key) {
        display_->press_key(window.id, key);
        const auto code = player.wait_for(kPatience);
        EXPECT_EQ(code, std::optional<int>(0)) << player.err();
        const auto summary = read_json(dir_ / "summary.json");
        EXPECT_EQ(summary.value("stopped_by", ""), "quit") << summary.dump(2);
        EXPECT_EQ(summary.value("mode", ""), "window") << summary.dump(2);
        return summary;
    }

    static inline std::unique_ptr<XDisplay> display_;
    static inline std::unique_ptr<TempDir> content_;
    static inline std::string why_;
    TempDir dir_;
};

// --- Fullscreen: covers the screen, equals the CPU compositor within +-2 on every rung ------

TEST_F(WindowTest, FullscreenWindowCoversTheScreenAndEqualsTheCpuOutputOnEveryRung) {
    for (const char* rung : {"gl", "gles3", "gles2", "cpu"}) {
        SCOPED_TRACE(rung);
        auto player = start_player({"--fullscreen", "--renderer", rung});
        const auto window = display_->wait_for_window(kPatience);
        ASSERT_TRUE(window.has_value()) << player->err();
        EXPECT_EQ(window->x, 0);
        EXPECT_EQ(window->y, 0);
        EXPECT_EQ(window->width_px, kScreenW);
        EXPECT_EQ(window->height_px, kScreenH);
        EXPECT_TRUE(screen_matches(Rotation::k0, false, std::string("fullscreen-") + rung));
        const auto summary = quit_with(*player, *window, "Escape");
        const std::string renderer = summary.value("renderer", "");
        if (std::string(rung) == "cpu") {
            EXPECT_TRUE(renderer.starts_with("cpu, presented by gl:")) << renderer;
        } else {
            EXPECT_TRUE(renderer.starts_with(std::string(rung) + ":")) << renderer;
        }
        const auto log = read_json(dir_ / "state" / "interleave" / "backend-usage.json");
        ASSERT_TRUE(log.is_array()) << "usage log missing or not a JSON array";
        EXPECT_EQ(log.back().value("mode", ""), "window");
        EXPECT_EQ(log.back().value("chosen", ""), rung);
        EXPECT_EQ(log.back().value("session_type", ""), "x11");
        ASSERT_TRUE(player->wait_for(seconds(5)).has_value());
        ASSERT_TRUE(display_->viewable_windows().empty()) << "the window outlived the player";
    }
}

// --- Keys: R rotates, M mirrors, F leaves and re-enters fullscreen, Q quits ----------------

TEST_F(WindowTest, KeysRotateMirrorToggleFullscreenAndQuit) {
    auto player = start_player({"--fullscreen", "--renderer", "gl"});
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();
    ASSERT_TRUE(screen_matches(Rotation::k0, false, "keys-start"));

    display_->press_key(window->id, "r");
    EXPECT_TRUE(screen_matches(Rotation::k90, false, "keys-r"));
    display_->press_key(window->id, "m");
    EXPECT_TRUE(screen_matches(Rotation::k90, true, "keys-rm"));

    // F: back to a window of the content's size, still rotated and mirrored (letterboxed).
    display_->press_key(window->id, "f");
    std::optional<WindowGeometry> windowed;
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto all = display_->viewable_windows();
        if (!all.empty() && all.back().width_px == kContentW &&
            all.back().height_px == kContentH) {
            windowed = all.back();
            break;
        }
        std::this_thread::sleep_for(milliseconds(50));
    }
    ASSERT_TRUE(windowed.has_value()) << "F did not leave fullscreen";
    const Image small = reference_frame(kContentW, kContentH, Rotation::k90, true);
    const Screenshot shot = wait_for_screenshot(
        [&] { return display_->screenshot(*windowed); },
        [&](const Screenshot& s) { return difference(s, small) <= 2; }, kPatience);
    EXPECT_TRUE(rgba_near(shot.rgba.data(), shot.width_px, shot.height_px, small, 2,
                          "keys-windowed"));

    // F again: fullscreen again, covering the screen.
    display_->press_key(windowed->id, "f");
    EXPECT_TRUE(screen_matches(Rotation::k90, true, "keys-fullscreen-again"));

    const auto summary = quit_with(*player, *window, "q");
    EXPECT_EQ(summary.value("rotation_deg", -1), 90) << summary.dump(2);
    EXPECT_TRUE(summary.value("mirror", false)) << summary.dump(2);
}

// R four times turns the picture all the way round; M twice mirrors it and back. Each step
// must reach the screen, and the last of each must equal the plain picture again.
TEST_F(WindowTest, RFourTimesIsBackAtZeroDegreesAndMTwiceIsUnmirrored) {
    auto player = start_player({"--fullscreen", "--renderer", "gl"});
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();
    ASSERT_TRUE(screen_matches(Rotation::k0, false, "turn-start"));
    for (const Rotation next : {Rotation::k90, Rotation::k180, Rotation::k270, Rotation::k0}) {
        display_->press_key(window->id, "r");
        ASSERT_TRUE(screen_matches(next, false,
                                   std::string("turn-r") + std::to_string(90 * int(next))));
    }
    display_->press_key(window->id, "m");
    ASSERT_TRUE(screen_matches(Rotation::k0, true, "turn-m"));
    display_->press_key(window->id, "m");
    ASSERT_TRUE(screen_matches(Rotation::k0, false, "turn-mm"));
    const auto summary = quit_with(*player, *window, "q");
    EXPECT_EQ(summary.value("rotation_deg", -1), 0) << summary.dump(2);
    EXPECT_FALSE(summary.value("mirror", true)) << summary.dump(2);
}

// --- Moving content: the screen follows the sequence ---------------------------------------

// The sample's frames differ: a window that plays must show one frame of the sequence after
// another (each equal to the CPU's frame within +-2), and its frame count must grow.
TEST_F(WindowTest, MovingContentChangesOnScreenAndFramesShownGrows) {
    const std::vector<Image> frames = sample_frames(kScreenW, kScreenH);
    ASSERT_GT(frames.size(), 3u);
    auto player = start_player({"--fullscreen", "--renderer", "gl", "--select", "fixed",
                                "--main-folder", std::to_string(kMainFolder), "--float-folder",
                                std::to_string(kFloatFolder), "--stats-interval", "0.2"},
                               kSample);
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();

    // Screenshots until three different frames of the sequence have been on screen.
    constexpr std::size_t kDistinctFrames = 3;
    std::set<int> seen;
    std::vector<int> order;  // the frames seen, in order, for the failure message
    Screenshot shot;
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (seen.size() < kDistinctFrames && std::chrono::steady_clock::now() < deadline) {
        shot = display_->screenshot_root();
        const int frame = frame_on_screen(shot, frames);
        if (frame >= 0 && seen.insert(frame).second) order.push_back(frame);
        std::this_thread::sleep_for(milliseconds(20));
    }
    std::string seen_text;
    for (const int f : order) {
        seen_text += ' ';
        seen_text += std::to_string(f);
    }
    EXPECT_GE(seen.size(), kDistinctFrames) << "frames seen on screen:" << seen_text;
    if (seen.empty()) {
        // Writes the last screenshot and its difference from frame 0.
        EXPECT_TRUE(rgba_near(shot.rgba.data(), shot.width_px, shot.height_px, frames[0], 2,
                              "moving-last"));
    }

    // frames_shown grows: a later stats line counts more shown frames than an earlier one.
    long long first = -1;
    long long later = -1;
    const auto stats_deadline = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < stats_deadline) {
        const long long shown = last_shown(player->out());
        if (first < 0) first = shown;
        if (first >= 0 && shown > first) {
            later = shown;
            break;
        }
        if (player->wait_for(milliseconds(50)).has_value()) break;  // it ended: stop looking
    }
    EXPECT_GE(first, 0) << "no stats line with a shown count:\n" << player->out();
    EXPECT_GT(later, first) << "frames_shown stayed at " << first << ":\n" << player->out();
    const auto summary = quit_with(*player, *window, "q");
    EXPECT_GE(summary.value("frames_shown", 0LL), std::max(later, 1LL)) << summary.dump(2);
}

// --- Kiosk: a fullscreen window that something shrinks goes back to fullscreen ------------

TEST_F(WindowTest, KioskWindowTakesFullscreenBackWhenSomethingShrinksIt) {
    auto player = start_player({"--fullscreen", "--renderer", "gles3"});
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();
    ASSERT_TRUE(screen_matches(Rotation::k0, false, "kiosk-start"));
    // What a compositor dropping fullscreen looks like to the window: another size.
    display_->resize(window->id, 320, 200);
    EXPECT_TRUE(screen_matches(Rotation::k0, false, "kiosk-restored"));
    const auto windows = display_->viewable_windows();
    ASSERT_FALSE(windows.empty());
    EXPECT_EQ(windows.back().width_px, kScreenW);
    EXPECT_EQ(windows.back().height_px, kScreenH);
    quit_with(*player, *window, "Escape");
}

// --- O: the stats overlay appears over the frame and goes again --------------------------

TEST_F(WindowTest, OToggleTheStatsOverlayOverTheFrame) {
    auto player = start_player({"--fullscreen", "--renderer", "gl"});
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();
    ASSERT_TRUE(screen_matches(Rotation::k0, false, "overlay-before"));
    const Image expected = reference_frame(kScreenW, kScreenH, Rotation::k0, false);
    // The panel sits at the top-left; the bottom half of the screen stays the frame.
    const auto overlay_differs = [&](const Screenshot& s) {
        const auto in_panel = [](int x, int y) { return x >= 8 && x < 200 && y >= 8 && y < 40; };
        const auto bottom_half = [](int, int y) { return y >= kScreenH / 2; };
        return s.width_px == kScreenW &&
               max_channel_difference(s.rgba.data(), expected.pixels.data(), kScreenW,
                                      kScreenH, in_panel) > 16 &&
               max_channel_difference(s.rgba.data(), expected.pixels.data(), kScreenW,
                                      kScreenH, bottom_half) <= 2;
    };
    display_->press_key(window->id, "o");
    const Screenshot with_overlay = wait_for_screenshot(
        [&] { return display_->screenshot_root(); }, overlay_differs, kPatience);
    EXPECT_TRUE(overlay_differs(with_overlay)) << "no overlay panel at the top-left\n" << player->err();
    if (!overlay_differs(with_overlay)) {
        // Writes the screenshot and its difference for the failure message.
        EXPECT_TRUE(rgba_near(with_overlay.rgba.data(), with_overlay.width_px,
                              with_overlay.height_px, expected, 2, "overlay-on"));
    }
    display_->press_key(window->id, "o");
    EXPECT_TRUE(screen_matches(Rotation::k0, false, "overlay-after"));
    quit_with(*player, *window, "q");
}

// --- Windowed: the content's size, letterboxed when resized ---------------------------------

TEST_F(WindowTest, WindowedResizeLetterboxesAndEqualsTheCpuOutput) {
    auto player = start_player({"--fullscreen", "false", "--renderer", "gles3"});
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();
    EXPECT_EQ(window->width_px, kContentW);
    EXPECT_EQ(window->height_px, kContentH);
    for (const auto& [w, h] : {std::pair{300, 300}, std::pair{620, 200}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        display_->resize(window->id, w, h);
        const Image expected = reference_frame(w, h, Rotation::k0, false);
        const Screenshot shot = wait_for_screenshot(
            // Named captures: clang 14 cannot capture structured bindings.
            [&, w = w, h = h] {
                WindowGeometry g = *window;
                for (const auto& v : display_->viewable_windows()) {
                    if (v.id == window->id) g = v;
                }
                g.width_px = w;
                g.height_px = h;
                return display_->screenshot(g);
            },
            [&](const Screenshot& s) { return difference(s, expected) <= 2; }, kPatience);
        EXPECT_TRUE(rgba_near(shot.rgba.data(), shot.width_px, shot.height_px, expected, 2,
                              "resized-" + std::to_string(w) + "x" + std::to_string(h)));
    }
    quit_with(*player, *window, "q");
}

// --- Signals and errors ----------------------------------------------------------------------

TEST_F(WindowTest, SigtermClosesTheWindowAndWritesTheSummary) {
    auto player = start_player({"--fullscreen", "--renderer", "gl"});
    const auto window = display_->wait_for_window(kPatience);
    ASSERT_TRUE(window.has_value()) << player->err();
    ASSERT_TRUE(player->send_signal(SIGTERM));
    EXPECT_EQ(player->wait_for(kPatience), std::optional<int>(0)) << player->err();
    EXPECT_EQ(read_json(dir_ / "summary.json").value("stopped_by", ""), "SIGTERM");
    EXPECT_TRUE(display_->viewable_windows().empty());
}

TEST(WindowMode, WithoutADisplayExitsTwoNamingOutputMode) {
    const auto r = run_child(kExe, {"--mode", "window", "--images", std::string(kSample)},
                             {{"DISPLAY", std::nullopt}, {"WAYLAND_DISPLAY", std::nullopt}});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("output.mode"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--mode headless"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace interleave::test
