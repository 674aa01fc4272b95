// `--mode ascii` end to end: the player in a real terminal (a private tmux server) shows
// coloured frames of the sample on the alternate screen with the cursor hidden, and after q,
// Esc, Ctrl-C, SIGTERM or repeated signals the main screen, the cursor, the attributes and
// every termios setting (`stty -a`) are as they were; a resize redraws at the new size. A
// forced exit on a late repeated signal restores too (in process, on a pty). To a pipe or a
// file: plain frames, and a closed pipe ends the player with exit code 0.
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/sinks/terminal_screen.hpp"
#include "app/stop_signal.hpp"
#include "tests/app/app_test_env.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tmux_session.hpp"
#include "tests/support/wait.hpp"

namespace interleave::test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr std::string_view kPaletteInk = "MWB8GRDNHESAVTOLPmevncray97stji1-/.,";

std::string slurp(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + what.size())) {
        ++n;
    }
    return n;
}

std::size_t ink_cells(const std::string& text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return kPaletteInk.find(c) != std::string_view::npos;
    }));
}

// Coloured frames: many 256-colour escapes and many cells drawn with the palette's ink.
bool shows_frames(const std::string& screen) {
    return count(screen, "\x1b[38;5;") >= 50 && ink_cells(screen) >= 200;
}

// `text` with ESC, CR and LF shown as \e, \r and \n (for failure messages).
std::string visible(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\x1b')
            out += "\\e";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

bool ci() {
    const char* v = std::getenv("CI");
    return v != nullptr && std::string_view(v) == "true";
}

// The player in a tmux pane through a wrapper script that records `stty -a` before and after,
// the player's pid and exit code, then prints MARK and keeps the pane open. Everything the pane
// shows, the alternate screen's frames included, is also logged raw to output_log() (the
// script waits for the log to be attached before it starts).
class AsciiPane {
public:
    explicit AsciiPane(const std::vector<std::string>& extra, bool stderr_to_file = false,
                       int cols = 100, int rows = 40) {
        std::string args = shell_quote(kExe) + " --mode ascii --images " + shell_quote(kSample) +
                           " --renderer cpu --summary-json " + shell_quote(path("summary.json"));
        for (const auto& a : extra) args += " " + shell_quote(a);
        if (stderr_to_file) args += " 2>" + shell_quote(path("stderr.txt"));
        const std::string d = shell_quote(dir_.path().string());
        std::string script;
        script += "while [ ! -e " + d + "/go ]; do sleep 0.02; done\n";
        script += "trap : INT TERM\n";  // the wrapper outlives a Ctrl-C meant for the player
        script += "stty -a > " + d + "/stty_before\n";
        script += "sh -c 'echo $$ > \"$0\"/pid; exec \"$@\"' " + d + " " + args + "\n";
        script += "rc=$?\n";
        script += "stty -a > " + d + "/stty_after\n";
        script += "echo $rc > " + d + "/rc\n";
        script += "echo MARK\n";
        script += "exec sleep 60\n";
        write_text(dir_ / "run.sh", script);
        tmux_ = std::make_unique<TmuxSession>("sh " + shell_quote(path("run.sh")), cols, rows);
        if (tmux_->ok() && tmux_->log_output_to(path("pane.log"))) write_text(dir_ / "go", "");
    }

    [[nodiscard]] std::string path(std::string_view name) const {
        return (dir_.path() / name).string();
    }
    [[nodiscard]] TmuxSession& tmux() { return *tmux_; }
    // The pane's raw output so far.
    [[nodiscard]] std::string output_log() const { return slurp(dir_ / "pane.log"); }
    // What was written while the picture had the terminal: from entering the alternate screen
    // to leaving it (or the end, while it still plays).
    [[nodiscard]] std::string output_while_playing() const {
        const std::string log = output_log();
        const std::size_t begin = log.find("\x1b[?1049h");
        if (begin == std::string::npos) return {};
        const std::size_t end = log.find("\x1b[?1049l", begin);
        return log.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    }
    // Frames drawn so far (each full or diff frame is one synchronized update).
    [[nodiscard]] std::size_t frames_drawn() const { return count(output_log(), "\x1b[?2026h"); }

    // Playing: the alternate screen on, the cursor hidden, frames on screen.
    [[nodiscard]] bool wait_playing() {
        return wait_until([&] {
            return tmux_->display("#{alternate_on} #{cursor_flag}") == "1 0" &&
                   shows_frames(tmux_->capture());
        });
    }
    [[nodiscard]] pid_t player_pid() const {
        return static_cast<pid_t>(std::atoi(slurp(dir_ / "pid").c_str()));
    }
    [[nodiscard]] bool wait_done() {
        return wait_until([&] { return fs::exists(dir_ / "rc"); });
    }
    [[nodiscard]] int exit_code() const { return std::atoi(slurp(dir_ / "rc").c_str()); }
    [[nodiscard]] nlohmann::json summary() const {
        return nlohmann::json::parse(slurp(dir_ / "summary.json"), nullptr, false);
    }

    // Everything as before: main screen, cursor visible, stty -a unchanged, and the wrapper's
    // MARK written after the player in default attributes.
    void expect_restored(bool same_size = true) {
        ASSERT_TRUE(wait_done()) << "the player did not end";
        EXPECT_EQ(exit_code(), 0) << slurp(dir_ / "stderr.txt");
        ASSERT_TRUE(
            wait_until([&] { return tmux_->capture(false).find("MARK") != std::string::npos; }));
        EXPECT_EQ(tmux_->display("#{alternate_on} #{cursor_flag}"), "0 1");
        const std::string before = slurp(dir_ / "stty_before");
        EXPECT_FALSE(before.empty());
        // After a resize only the size may differ ("speed ...; rows R; columns C; line = 0;").
        const auto settings = [&](std::string stty) {
            if (same_size) return stty;
            const auto rows = stty.find("rows ");
            const auto line = stty.find("line = ");
            if (rows != std::string::npos && line != std::string::npos && rows < line) {
                stty.erase(rows, line - rows);
            }
            return stty;
        };
        EXPECT_EQ(settings(slurp(dir_ / "stty_after")), settings(before));
        const std::string screen = tmux_->capture(true);
        const std::size_t mark = screen.find("MARK");
        ASSERT_NE(mark, std::string::npos);
        const std::size_t line = screen.rfind('\n', mark);
        const std::string mark_line =
            screen.substr(line == std::string::npos ? 0 : line + 1, mark - (line + 1) + 4);
        EXPECT_EQ(mark_line.find('\x1b'), std::string::npos)
            << "attributes left set before MARK: " << mark_line;
        EXPECT_FALSE(shows_frames(screen)) << "the picture stayed on the main screen";
    }

private:
    TempDir dir_{"interleave-ascii"};
    std::unique_ptr<TmuxSession> tmux_;
};

#define REQUIRE_TMUX()                                                                      \
    do {                                                                                    \
        if (!TmuxSession::tmux_path()) {                                                    \
            if (ci()) FAIL() << "tmux is needed for the terminal tests (apt install tmux)"; \
            GTEST_SKIP() << "tmux is not installed";                                        \
        }                                                                                   \
    } while (0)

TEST(AsciiMode, ShowsColouredFramesAndQRestoresTheTerminal) {
    REQUIRE_TMUX();
    AsciiPane pane({});
    ASSERT_TRUE(pane.tmux().ok()) << pane.tmux().error();
    ASSERT_TRUE(pane.wait_playing()) << pane.tmux().capture();
    // The sample moves: a later picture differs (drawn by diffs after the first full frame).
    const std::string first = pane.tmux().capture();
    ASSERT_TRUE(wait_until([&] {
        const std::string now = pane.tmux().capture();
        return shows_frames(now) && now != first;
    }));
    ASSERT_TRUE(pane.tmux().send_keys({"q"}));
    pane.expect_restored();
    const auto s = pane.summary();
    ASSERT_TRUE(s.is_object());
    EXPECT_EQ(s["stopped_by"], "key");
    EXPECT_EQ(s["mode"], "ascii");
    const auto& t = s["sinks"]["terminal"];
    EXPECT_EQ(t["output"], "terminal");
    EXPECT_EQ(t["cols"], 100);
    EXPECT_EQ(t["rows"], 40);
    EXPECT_GE(t["full_redraws"].get<int>(), 1);
    EXPECT_GE(t["diff_frames"].get<int>(), 1);
    EXPECT_GT(t["bytes"].get<double>(), 0);
    // The log lines waited and the summary came after the restore, on the main screen.
    const std::string screen = pane.tmux().capture(false);
    EXPECT_NE(screen.find("[render]"), std::string::npos) << screen;
    EXPECT_NE(screen.find("summary:"), std::string::npos) << screen;
}

TEST(AsciiMode, EscQuitsAndStatsLinesNeverReachThePicturesTerminal) {
    REQUIRE_TMUX();
    AsciiPane pane({"--stats-interval", "0.1"});
    ASSERT_TRUE(pane.tmux().ok()) << pane.tmux().error();
    ASSERT_TRUE(pane.wait_playing());
    // Time for a few stats lines: more frames drawn (the picture changes) than one interval.
    const std::size_t drawn = pane.frames_drawn();
    ASSERT_TRUE(wait_until([&] { return pane.frames_drawn() >= drawn + 10; }));
    // Nothing but the picture on the screen while it plays.
    EXPECT_EQ(pane.tmux().display("#{alternate_on}"), "1");
    EXPECT_EQ(pane.tmux().capture(false).find("t="), std::string::npos);
    ASSERT_TRUE(pane.tmux().send_keys({"Escape"}));
    pane.expect_restored();
    EXPECT_EQ(pane.summary()["stopped_by"], "key");
    // stderr is the picture's terminal: the stats lines were dropped, not held or mixed in,
    // neither while the picture played (the raw output of the alternate screen) nor after.
    const std::string playing = pane.output_while_playing();
    ASSERT_TRUE(shows_frames(playing));
    EXPECT_EQ(playing.find("t="), std::string::npos);
    EXPECT_EQ(pane.tmux().capture(false).find("t="), std::string::npos);
}

TEST(AsciiMode, CtrlCRestoresTheTerminal) {
    REQUIRE_TMUX();
    AsciiPane pane({});
    ASSERT_TRUE(pane.tmux().ok()) << pane.tmux().error();
    ASSERT_TRUE(pane.wait_playing());
    ASSERT_TRUE(pane.tmux().send_keys({"C-c"}));
    pane.expect_restored();
    EXPECT_EQ(pane.summary()["stopped_by"], "SIGINT");
}

TEST(AsciiMode, SigtermRestoresAndStatsLinesGoToAStderrThatIsNoTerminal) {
    REQUIRE_TMUX();
    AsciiPane pane({"--stats-interval", "0.2"}, /*stderr_to_file=*/true);
    ASSERT_TRUE(pane.tmux().ok()) << pane.tmux().error();
    ASSERT_TRUE(pane.wait_playing());
    ASSERT_TRUE(
        wait_until([&] { return slurp(pane.path("stderr.txt")).find("t=") != std::string::npos; }));
    ASSERT_EQ(kill(pane.player_pid(), SIGTERM), 0);
    pane.expect_restored();
    EXPECT_EQ(pane.summary()["stopped_by"], "SIGTERM");
    // Not one stats line reached the picture's terminal, during play or after.
    const std::string playing = pane.output_while_playing();
    ASSERT_TRUE(shows_frames(playing));
    EXPECT_EQ(playing.find("t="), std::string::npos);
    EXPECT_EQ(pane.output_log().find("t="), std::string::npos);
}

TEST(AsciiMode, RepeatedSignalsWhileStoppingStillRestore) {
    REQUIRE_TMUX();
    AsciiPane pane({});
    ASSERT_TRUE(pane.tmux().ok()) << pane.tmux().error();
    ASSERT_TRUE(pane.wait_playing());
    const pid_t pid = pane.player_pid();
    ASSERT_EQ(kill(pid, SIGTERM), 0);
    kill(pid, SIGINT);  // may find the player gone already
    kill(pid, SIGTERM);
    pane.expect_restored();
}

TEST(AsciiMode, AResizeRedrawsAtTheNewSize) {
    REQUIRE_TMUX();
    AsciiPane pane({});
    ASSERT_TRUE(pane.tmux().ok()) << pane.tmux().error();
    ASSERT_TRUE(pane.wait_playing());
    ASSERT_TRUE(wait_until(
        [&] { return pane.tmux().display("#{window_width}x#{window_height}") == "100x40"; }));
    // Screen clears so far: entering, and the first full frame.
    const std::size_t clears = count(pane.output_log(), "\x1b[2J");
    ASSERT_GE(clears, 2u);
    ASSERT_TRUE(pane.tmux().resize(80, 30));
    ASSERT_TRUE(
        wait_until([&] { return pane.tmux().display("#{pane_width}x#{pane_height}") == "80x30"; }));
    // The redraw at the new size came (a full frame clears first), and frames show; then quit.
    ASSERT_TRUE(wait_until([&] {
        return count(pane.output_log(), "\x1b[2J") > clears && shows_frames(pane.tmux().capture());
    }));
    ASSERT_TRUE(pane.tmux().send_keys({"q"}));
    pane.expect_restored(/*same_size=*/false);
    const auto s = pane.summary();
    ASSERT_TRUE(s.is_object()) << slurp(pane.path("summary.json"));
    const auto& t = s["sinks"]["terminal"];
    EXPECT_GE(t["resizes"].get<int>(), 1);
    EXPECT_GE(t["full_redraws"].get<int>(), 2);
    EXPECT_EQ(t["cols"], 80);
    EXPECT_EQ(t["rows"], 30);
}

// A late repeated signal (the shutdown hung) exits at once, but the force-exit hook first puts
// the terminal back: in a forked child on a pty, with a 50 ms force-exit bound.
TEST(AsciiMode, AForcedExitOnARepeatedSignalRestoresTheTerminalFirst) {
    int master = -1;
    int slave = -1;
    ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    termios before{};
    ASSERT_EQ(tcgetattr(slave, &before), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        app::StopSignal::install(milliseconds(50));
        app::StopSignal::set_force_exit_hook(&app::TerminalScreen::restore_after_signal);
        auto screen = app::TerminalScreen::enter(slave);
        if (!screen) _exit(3);
        raise(SIGTERM);  // the first: a clean stop is asked for ...
        usleep(200'000);
        raise(SIGTERM);  // ... and never finished: exit at once, 128 + 15
        _exit(4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
    termios after{};
    ASSERT_EQ(tcgetattr(slave, &after), 0);
    EXPECT_EQ(after.c_lflag, before.c_lflag);
    EXPECT_EQ(after.c_iflag, before.c_iflag);
    EXPECT_TRUE(std::equal(std::begin(after.c_cc), std::end(after.c_cc), std::begin(before.c_cc)));
    std::string got(65536, '\0');
    const ssize_t n = read(master, got.data(), got.size());
    ASSERT_GT(n, 0);
    got.resize(static_cast<std::size_t>(n));
    EXPECT_NE(got.find(app::kRestoreSequence), std::string::npos);
    close(master);
    close(slave);
}

// Runs `script` through /bin/sh with a hang guard.
ProcessResult sh(const std::string& script) {
    return run_child("/bin/sh", {"-c", script}, {}, std::chrono::seconds(60));
}

std::string player(std::string_view extra) {
    return shell_quote(kExe) + " --mode ascii --images " + shell_quote(kSample) +
           " --renderer cpu " + std::string(extra);
}

TEST(AsciiMode, IntoAPipeFramesArePlainAndTheEndIsClean) {
    TempDir dir("interleave-ascii-pipe");
    const std::string out = shell_quote((dir / "out").string());
    const std::string rc = shell_quote((dir / "rc").string());
    const auto r =
        sh("{ " + player("--duration 2") + "; echo $? > " + rc + "; } | head -c 100000 > " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(std::atoi(slurp(dir / "rc").c_str()), 0) << r.err;
    const std::string frames = slurp(dir / "out");
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames.find("\x1b[H"), std::string::npos);
    EXPECT_EQ(frames.find("\x1b[?1049"), std::string::npos);
    EXPECT_EQ(frames.find("\x1b[?25"), std::string::npos);
    EXPECT_NE(frames.find("\x1b[38;5;"), std::string::npos);
    EXPECT_NE(frames.find("\r\n\r\n"), std::string::npos);  // the blank line after a frame
    EXPECT_GE(ink_cells(frames), 200u);
    // The summary went to stderr: stdout was the picture's pipe.
    EXPECT_NE(r.err.find("summary:"), std::string::npos) << r.err;
}

// A reader that comes late (`| (sleep 3; cat)`) still gets whole frames: the write that waits
// on the full pipe when the player stops is finished (within a second), not cut mid-escape.
TEST(AsciiMode, IntoASlowPipeTheLastFrameIsWhole) {
    TempDir dir("interleave-ascii-slow");
    const std::string out = shell_quote((dir / "out").string());
    const std::string rc = shell_quote((dir / "rc").string());
    const std::string pid = shell_quote((dir / "pid").string());
    // Nobody reads for 2 s (the pipe fills and the sink's write waits), then SIGTERM; the
    // reader starts 0.3 s later, within the sink's finish bound.
    const auto r = sh("{ " + player("") + " & echo $! > " + pid + "; wait $!; echo $? > " + rc +
                      "; } | { sleep 2; kill -TERM $(cat " + pid + "); sleep 0.3; cat; } > " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(std::atoi(slurp(dir / "rc").c_str()), 0) << r.err;
    const std::string frames = slurp(dir / "out");
    ASSERT_GE(frames.size(), 8u);
    EXPECT_EQ(frames.substr(frames.size() - 8), "\x1b[0m\r\n\r\n")
        << "ends with: " << visible(frames.substr(frames.size() - 40));
    EXPECT_NE(r.err.find("stopped by SIGTERM"), std::string::npos) << r.err;
}

TEST(AsciiMode, AClosedPipeEndsThePlayerWithExitCode0) {
    TempDir dir("interleave-ascii-head");
    const std::string rc = shell_quote((dir / "rc").string());
    // No --duration: only the closed pipe ends it.
    const auto r = sh("{ " + player("") + "; echo $? > " + rc + "; } | head -n 1 > /dev/null");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(std::atoi(slurp(dir / "rc").c_str()), 0) << r.err;
    EXPECT_NE(r.err.find("stopped by viewer gone"), std::string::npos) << r.err;
}

TEST(AsciiMode, IntoAFileEveryFrameIsWholeWithABlankLineAfter) {
    TempDir dir("interleave-ascii-file");
    const auto r = sh(player("--duration 1 --ascii-size 40x12 --summary-json " +
                             shell_quote((dir / "summary.json").string())) +
                      " > " + shell_quote((dir / "out").string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string frames = slurp(dir / "out");
    const auto s = nlohmann::json::parse(slurp(dir / "summary.json"));
    const auto& t = s["sinks"]["terminal"];
    EXPECT_EQ(t["output"], "plain");
    const auto written = t["plain_frames"].get<std::size_t>();
    ASSERT_GE(written, 1u);
    EXPECT_EQ(t["bytes"].get<std::size_t>(), frames.size());
    // 12 rows of 40 cells, each row ending in CR LF, then the blank line: 13 CR LFs a frame.
    EXPECT_EQ(count(frames, "\r\n"), written * 13);
    EXPECT_EQ(count(frames, "\r\n\r\n"), written);
    EXPECT_EQ(frames.find("\x1b[H"), std::string::npos);
}

}  // namespace
}  // namespace interleave::test
