// TerminalSink and its parts: the encoder choice (full first and after a resize, diffs between,
// nothing for an unchanged frame, plain for a pipe), the quit keys, and the sink end to end on
// a pseudo-terminal (screen taken and given back, keys, SIGWINCH) and on a pipe (plain frames,
// a closed pipe is a gone viewer).
#include "app/sinks/terminal_sink.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "tests/app/sinks/terminal_pty.hpp"
#include "tests/support/wait.hpp"

namespace interleave::app {
namespace {

using renderer::ascii::TextFrame;
using std::chrono::milliseconds;
using test::wait_until;
using testing::Pty;
using testing::same_termios;

TextFrame grid(int cols, int rows, char glyph) {
    TextFrame f;
    f.cols = cols;
    f.rows = rows;
    f.cells.assign(static_cast<std::size_t>(cols) * rows, {glyph, 196, 0});
    return f;
}

TEST(TerminalPainter, FullFirstThenDiffsThenFullAfterInvalidate) {
    TerminalPainter painter(true);
    std::string out;
    TextFrame f = grid(10, 4, 'M');
    EXPECT_EQ(painter.paint(f, out), TerminalEncoding::kFull);
    EXPECT_NE(out.find("\x1b[2J"), std::string::npos);  // cleared once, then drawn
    EXPECT_NE(out.find("\x1b[H"), std::string::npos);
    EXPECT_NE(out.find('M'), std::string::npos);

    TextFrame same = grid(10, 4, 'M');
    EXPECT_EQ(painter.paint(same, out), TerminalEncoding::kDiff);
    EXPECT_TRUE(out.empty());  // nothing changed: nothing written

    TextFrame one = grid(10, 4, 'M');
    one.cells[13].glyph = '.';
    EXPECT_EQ(painter.paint(one, out), TerminalEncoding::kDiff);
    EXPECT_NE(out.find('.'), std::string::npos);
    EXPECT_EQ(out.find('M'), std::string::npos);  // only the changed cell
    EXPECT_EQ(out.find("\x1b[2J"), std::string::npos);

    painter.invalidate();  // a resize, a cut-short write
    TextFrame again = grid(10, 4, 'M');
    EXPECT_EQ(painter.paint(again, out), TerminalEncoding::kFull);
    EXPECT_NE(out.find("\x1b[2J"), std::string::npos);

    TextFrame bigger = grid(12, 5, 'M');  // another shape is never diffed
    EXPECT_EQ(painter.paint(bigger, out), TerminalEncoding::kFull);
}

TEST(TerminalPainter, ThePlainFormatHasNoCursorMovesNoScreenSwitchAndABlankLineAfter) {
    TerminalPainter painter(false);
    std::string out;
    for (int i = 0; i < 3; ++i) {
        TextFrame f = grid(6, 3, i == 1 ? '.' : 'M');
        EXPECT_EQ(painter.paint(f, out), TerminalEncoding::kPlain);
        EXPECT_EQ(out.find("\x1b[H"), std::string::npos);
        EXPECT_EQ(out.find("\x1b[2J"), std::string::npos);
        EXPECT_EQ(out.find("\x1b[?1049"), std::string::npos);
        EXPECT_EQ(out.find("\x1b[?2026"), std::string::npos);
        EXPECT_NE(out.find("\x1b[38;5;"), std::string::npos);  // colours stay
        ASSERT_GE(out.size(), 4u);
        EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
    }
}

TEST(QuitKeys, QuitOnQEscAndCtrlCButNotOnArrowKeys) {
    const auto t0 = std::chrono::steady_clock::now();
    {
        QuitKeys keys;
        EXPECT_FALSE(keys.feed("abc", t0));
        EXPECT_TRUE(keys.feed("q", t0));
    }
    {
        QuitKeys keys;
        EXPECT_TRUE(keys.feed("\x03", t0));
    }
    {
        QuitKeys keys;  // arrows and F1, in one read or split
        EXPECT_FALSE(keys.feed("\x1b[A\x1b[1;5C\x1bOP", t0));
        EXPECT_FALSE(keys.pending());
        EXPECT_FALSE(keys.feed("\x1b", t0));
        EXPECT_TRUE(keys.pending());
        EXPECT_FALSE(keys.feed("[B", t0 + milliseconds(1)));
        EXPECT_FALSE(keys.take_expired(t0 + milliseconds(500)));
        EXPECT_TRUE(keys.feed("q", t0));  // q after a finished sequence still quits
    }
    {
        QuitKeys keys;  // Esc alone: a quit once nothing follows
        EXPECT_FALSE(keys.feed("\x1b", t0));
        EXPECT_FALSE(keys.take_expired(t0 + milliseconds(10)));
        EXPECT_TRUE(keys.take_expired(t0 + QuitKeys::kEscapeWait));
        EXPECT_FALSE(keys.take_expired(t0 + milliseconds(500)));  // once
    }
    {
        QuitKeys keys;  // Alt+x is no quit
        EXPECT_FALSE(keys.feed("\x1bx", t0));
        EXPECT_FALSE(keys.take_expired(t0 + milliseconds(500)));
    }
}

// Publishes one frame of colour (r, g, b), as the render loop would.
bool publish(FrameHub& hub, std::uint64_t shown, std::uint8_t r, std::uint8_t g, std::uint8_t b) {
    auto frame = hub.try_acquire(64, 48);
    if (!frame) return false;
    std::uint8_t* p = frame->pixels.data();
    for (int i = 0; i < 64 * 48; ++i) {
        p[i * 4] = r;
        p[i * 4 + 1] = g;
        p[i * 4 + 2] = b;
        p[i * 4 + 3] = 255;
    }
    frame->shown = shown;
    hub.publish(std::move(frame));
    return true;
}

struct QuitLog {
    std::atomic<int> keys{0};
    std::atomic<int> gone{0};
    std::atomic<int> failed{0};
    std::function<void(TerminalQuit)> callback() {
        return [this](TerminalQuit why) {
            switch (why) {
                case TerminalQuit::kKey:
                    keys.fetch_add(1);
                    break;
                case TerminalQuit::kViewerGone:
                    gone.fetch_add(1);
                    break;
                case TerminalQuit::kFailed:
                    failed.fetch_add(1);
                    break;
            }
        };
    }
};

TEST(TerminalSink, OnATerminalDrawsFullThenDiffsRedrawsAfterResizeQuitsOnQAndRestores) {
    Pty pty(40, 12);
    ASSERT_TRUE(pty.ok());
    termios before{};
    ASSERT_EQ(tcgetattr(pty.slave(), &before), 0);
    FrameHub hub;
    QuitLog quits;
    TerminalSinkOptions options;
    options.ascii.fps = 60;
    options.out_fd = pty.slave();
    options.in_fd = pty.slave();
    options.on_quit = quits.callback();
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink) << sink.error().message();
    EXPECT_TRUE((*sink)->on_terminal());
    std::string screen;
    const auto collect = [&] { screen += pty.drain(milliseconds(5)); };

    ASSERT_TRUE(publish(hub, 0, 255, 0, 0));
    ASSERT_TRUE(wait_until([&] {
        collect();
        return (*sink)->counters().full_redraws == 1;
    }));
    EXPECT_NE(screen.find("\x1b[?1049h"), std::string::npos);
    auto s = (*sink)->counters();
    EXPECT_EQ(s.cols, 40);
    EXPECT_EQ(s.rows, 12);

    ASSERT_TRUE(publish(hub, 1, 0, 0, 255));
    ASSERT_TRUE(wait_until([&] {
        collect();
        return (*sink)->counters().diff_frames >= 1;
    }));
    EXPECT_EQ((*sink)->counters().full_redraws, 1u);

    pty.resize(30, 10);
    raise(SIGWINCH);
    ASSERT_TRUE(wait_until([&] {
        collect();
        const auto c = (*sink)->counters();
        return c.resizes == 1 && c.full_redraws == 2;
    }));
    s = (*sink)->counters();
    EXPECT_EQ(s.cols, 30);
    EXPECT_EQ(s.rows, 10);

    pty.type("q");
    ASSERT_TRUE(wait_until([&] {
        collect();
        return quits.keys.load() == 1;
    }));
    EXPECT_EQ(quits.gone.load(), 0);
    (*sink)->stop();
    collect();
    termios after{};
    ASSERT_EQ(tcgetattr(pty.slave(), &after), 0);
    EXPECT_TRUE(same_termios(before, after));
    ASSERT_NE(screen.rfind(kRestoreSequence), std::string::npos);
    const auto j = (*sink)->stats();
    EXPECT_EQ(j["output"], "terminal");
    EXPECT_EQ(j["resizes"], 1);
    EXPECT_TRUE(j["quit_by_key"].get<bool>());
    EXPECT_GT(j["bytes"].get<std::uint64_t>(), 0u);
    EXPECT_GT(j["mean_bytes_per_frame"].get<double>(), 0.0);
}

TEST(TerminalSink, TheEscKeyQuitsAfterItsWait) {
    Pty pty(20, 8);
    ASSERT_TRUE(pty.ok());
    FrameHub hub;
    QuitLog quits;
    TerminalSinkOptions options;
    options.out_fd = pty.slave();
    options.in_fd = pty.slave();
    options.on_quit = quits.callback();
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink);
    pty.type("\x1b[A");  // an arrow key: no quit
    pty.type("\x1b");
    ASSERT_TRUE(wait_until([&] {
        (void)pty.drain(milliseconds(1));
        return quits.keys == 1;
    }));
    (*sink)->stop();
}

TEST(TerminalSink, ToAPipeWritesPlainFramesAndAClosedPipeIsAGoneViewer) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    FrameHub hub;
    QuitLog quits;
    TerminalSinkOptions options;
    options.ascii.fps = 60;
    options.out_fd = fds[1];
    options.in_fd = -1;
    options.on_quit = quits.callback();
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink);
    EXPECT_FALSE((*sink)->on_terminal());
    ASSERT_TRUE(publish(hub, 0, 0, 255, 0));
    ASSERT_TRUE(wait_until([&] { return (*sink)->counters().plain_frames == 1; }));
    ASSERT_TRUE(publish(hub, 1, 0, 255, 0));  // the same picture is written again, whole
    ASSERT_TRUE(wait_until([&] { return (*sink)->counters().plain_frames == 2; }));
    std::string got(1 << 16, '\0');
    const ssize_t n = read(fds[0], got.data(), got.size());
    ASSERT_GT(n, 0);
    got.resize(static_cast<std::size_t>(n));
    EXPECT_EQ(got.find("\x1b[H"), std::string::npos);
    EXPECT_EQ(got.find("\x1b[?1049"), std::string::npos);
    EXPECT_NE(got.find("\x1b[38;5;"), std::string::npos);
    const auto s = (*sink)->counters();
    EXPECT_EQ(s.cols, 60);  // no terminal to ask: the default grid
    EXPECT_EQ(s.rows, 40);
    EXPECT_EQ(got.size(), s.bytes);
    EXPECT_EQ(got.substr(got.size() - 4), "\r\n\r\n");

    close(fds[0]);  // the viewer goes (`| head`)
    ASSERT_TRUE(wait_until([&] {
        (void)publish(hub, 2, 0, 0, 255);
        return quits.gone.load() == 1;
    }));
    EXPECT_TRUE((*sink)->counters().viewer_gone);
    (*sink)->stop();
    EXPECT_EQ(quits.keys.load(), 0);
    close(fds[1]);
}

// A reader that is slow when the player stops (`| (sleep 3; cat)`) still gets the last frame
// whole: the write blocked on the full pipe is finished after stop(), not cut in an escape.
TEST(TerminalSink, AtStopTheFrameBlockedOnASlowPipeIsFinished) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    FrameHub hub;
    QuitLog quits;
    TerminalSinkOptions options;
    options.ascii.fps = 60;
    options.ascii.size = {500, 200};  // ~100 kB a frame: more than the pipe holds
    options.out_fd = fds[1];
    options.in_fd = -1;
    options.on_quit = quits.callback();
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink);
    ASSERT_TRUE(publish(hub, 0, 0, 255, 0));
    // The pipe is full and nobody reads: the frame's write waits, part of it out.
    ASSERT_TRUE(wait_until([&] { return (*sink)->counters().bytes > 0; }));
    EXPECT_EQ((*sink)->counters().frames_written, 0u);
    std::thread stopper([&] {
        (*sink)->stop();
        close(fds[1]);  // the reader below sees the end once the sink is done
    });
    // The reader comes late (after stop() began, if the machine is not very slow; reading
    // earlier would only make the test easier), well within the sink's finish bound.
    std::this_thread::sleep_for(milliseconds(100));
    std::string got;
    char buf[1 << 16];
    for (;;) {
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    stopper.join();
    close(fds[0]);
    const auto s = (*sink)->counters();
    EXPECT_EQ(s.frames_written, 1u);
    EXPECT_EQ(s.cut_short, 0u);
    EXPECT_EQ(got.size(), s.bytes);
    ASSERT_GE(got.size(), 8u);
    EXPECT_EQ(got.substr(got.size() - 8), "\x1b[0m\r\n\r\n");  // a whole plain frame
    EXPECT_EQ(quits.gone.load(), 0);
}

// A failure on the sink's thread (here the test hook throws) asks the player to stop: the
// picture would freeze, and the keys that could end it are read on that thread.
TEST(TerminalSink, AFailureOnItsThreadAsksToStop) {
    Pty pty(20, 8);
    ASSERT_TRUE(pty.ok());
    FrameHub hub;
    QuitLog quits;
    TerminalSinkOptions options;
    options.ascii.fps = 60;
    options.out_fd = pty.slave();
    options.in_fd = pty.slave();
    options.on_quit = quits.callback();
    options.before_frame = [] { throw std::runtime_error("conversion failed"); };
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink);
    ASSERT_TRUE(publish(hub, 0, 255, 255, 255));
    ASSERT_TRUE(wait_until([&] { return quits.failed.load() == 1; }));
    EXPECT_EQ(quits.keys.load(), 0);
    EXPECT_EQ(quits.gone.load(), 0);
    EXPECT_STREQ(to_string(TerminalQuit::kFailed), "output failed");
    (*sink)->stop();
    EXPECT_NE(pty.drain().find(kRestoreSequence), std::string::npos);
}

TEST(TerminalSink, AHungUpTerminalIsAGoneViewer) {
    Pty pty(20, 8);
    ASSERT_TRUE(pty.ok());
    FrameHub hub;
    QuitLog quits;
    TerminalSinkOptions options;
    options.ascii.fps = 60;
    options.out_fd = pty.slave();
    options.in_fd = pty.slave();
    options.on_quit = quits.callback();
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink);
    ASSERT_TRUE(publish(hub, 0, 255, 255, 255));
    ASSERT_TRUE(wait_until([&] {
        (void)pty.drain(milliseconds(1));
        return (*sink)->counters().frames_written == 1;
    }));
    pty.hang_up();
    std::uint64_t shown = 1;
    ASSERT_TRUE(wait_until([&] {
        const std::uint64_t now = shown++;
        (void)publish(hub, now, static_cast<std::uint8_t>(now * 40), 0, 0);
        return quits.gone.load() == 1;
    }));
    EXPECT_EQ(quits.keys.load(), 0);
    (*sink)->stop();  // the restore finds no terminal to write to, and returns
}

TEST(TerminalSink, AConfiguredSizeWinsOverTheTerminals) {
    Pty pty(80, 24);
    ASSERT_TRUE(pty.ok());
    FrameHub hub;
    TerminalSinkOptions options;
    options.ascii.size = {50, 20};
    options.out_fd = pty.slave();
    options.in_fd = -1;
    auto sink = TerminalSink::start(hub, options);
    ASSERT_TRUE(sink);
    EXPECT_EQ((*sink)->counters().cols, 50);
    EXPECT_EQ((*sink)->counters().rows, 20);
    (*sink)->stop();
    (void)pty.drain(milliseconds(1));
}

}  // namespace
}  // namespace interleave::app
