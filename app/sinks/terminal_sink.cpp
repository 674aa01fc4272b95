// TerminalSink: the "sink-terminal" thread: pacing, keys, resizes, conversion and writing.
#include "app/sinks/terminal_sink.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <optional>
#include <utility>

#include "core/log.hpp"
#include "core/thread.hpp"

namespace interleave::app {
namespace {

using SteadyClock = std::chrono::steady_clock;
using renderer::ascii::TextFrame;

// Clears the screen: after a resize the old picture may stick out of the new grid.
constexpr std::string_view kClear = "\x1b[0m\x1b[2J";
constexpr std::string_view kSyncBegin = "\x1b[?2026h";
// The longest a wait or a write blocks before looking at the stop flag again.
constexpr int kPollMs = 50;
// A write is cut into pieces this big, each after poll() said the fd takes more.
constexpr std::size_t kWriteChunk = 4096;

int poll_ms(SteadyClock::duration d) {
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(d).count();
    return static_cast<int>(std::clamp<std::int64_t>(ms, 0, kPollMs));
}

}  // namespace

const char* to_string(TerminalQuit why) {
    switch (why) {
        case TerminalQuit::kKey:
            return "key";
        case TerminalQuit::kViewerGone:
            return "viewer gone";
        case TerminalQuit::kFailed:
            return "output failed";
    }
    return "key";
}

// [SECTION] TerminalPainter

TerminalEncoding TerminalPainter::paint(TextFrame& next, std::string& out) {
    if (!terminal_) {
        renderer::ascii::encode_plain(next, out);
        std::swap(prev_, next);
        return TerminalEncoding::kPlain;
    }
    TerminalEncoding kind = TerminalEncoding::kDiff;
    if (!valid_ || !prev_.same_shape(next)) {
        renderer::ascii::encode_full(next, out, synchronized_);
        // Cleared inside the synchronized update, so the terminal never shows a blank screen.
        const std::size_t at = out.rfind(kSyncBegin, 0) == 0 ? kSyncBegin.size() : 0;
        out.insert(at, kClear);
        kind = TerminalEncoding::kFull;
        valid_ = true;
    } else {
        renderer::ascii::encode_diff(prev_, next, out, synchronized_);
    }
    std::swap(prev_, next);
    return kind;
}

// [SECTION] QuitKeys

bool QuitKeys::feed(std::string_view bytes, SteadyClock::time_point now) {
    bool quit = false;
    for (const char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        switch (state_) {
            case State::kEscape:
                if (b == '[') {
                    state_ = State::kCsi;
                } else if (b == 'O') {
                    state_ = State::kSs3;
                } else if (b == 0x1b) {
                    quit = true;  // Esc, then another Esc
                    escape_at_ = now;
                } else {
                    state_ = State::kNormal;  // Alt + a key
                }
                continue;
            case State::kCsi:
                // Parameters and intermediates (0x20..0x3f) go on; a final byte ends it.
                if (b >= 0x40 && b <= 0x7e)
                    state_ = State::kNormal;
                else if (b < 0x20 || b > 0x3f)
                    state_ = State::kNormal;
                continue;
            case State::kSs3:
                state_ = State::kNormal;
                continue;
            case State::kNormal:
                break;
        }
        if (b == 'q' || b == 'Q' || b == 0x03) {
            quit = true;
        } else if (b == 0x1b) {
            state_ = State::kEscape;
            escape_at_ = now;
        }
    }
    return quit;
}

bool QuitKeys::take_expired(SteadyClock::time_point now) {
    if (state_ != State::kEscape || now - escape_at_ < kEscapeWait) return false;
    state_ = State::kNormal;
    return true;
}

// [SECTION] TerminalSink

Result<std::unique_ptr<TerminalSink>> TerminalSink::start(FrameHub& hub,
                                                          TerminalSinkOptions options) {
    std::unique_ptr<TerminalScreen> screen;
    if (TerminalScreen::is_terminal(options.out_fd)) {
        auto entered = TerminalScreen::enter(options.out_fd);
        if (!entered) return tl::unexpected(entered.error());
        screen = std::move(*entered);
    }
    const int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake < 0) {
        return make_error(ErrorCode::kIo, "terminal", "eventfd failed ({})", std::strerror(errno));
    }
    auto port = hub.attach("terminal", SinkPolicy::kLatest);
    std::unique_ptr<TerminalSink> sink(
        new TerminalSink(std::move(port), std::move(options), std::move(screen), wake));
    sink->thread_ = std::thread([s = sink.get()] { s->run(); });
    return sink;
}

TerminalSink::TerminalSink(std::shared_ptr<SinkPort> port, TerminalSinkOptions options,
                           std::unique_ptr<TerminalScreen> screen, int wake_fd)
    : port_(std::move(port)),
      options_(std::move(options)),
      read_input_(screen != nullptr && TerminalScreen::is_terminal(options_.in_fd) &&
                  TerminalScreen::same_terminal(options_.in_fd, options_.out_fd)),
      wake_fd_(wake_fd),
      screen_(std::move(screen)) {
    const TerminalSize size = screen_ ? screen_->size() : TerminalSize{};
    const CellSize grid = ascii_grid(options_.ascii, {size.cols, size.rows});
    cols_.store(grid.cols);
    rows_.store(grid.rows);
}

TerminalSink::~TerminalSink() {
    stop();
    ::close(wake_fd_);
}

void TerminalSink::stop() {
    if (stopped_) return;
    stopped_ = true;
    stop_.store(true, std::memory_order_release);
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
    port_->close();
    if (thread_.joinable()) thread_.join();
    if (screen_) screen_->restore();
}

void TerminalSink::quit(TerminalQuit why) {
    if (why == TerminalQuit::kKey) keys_quit_.store(1);
    if (why == TerminalQuit::kViewerGone) viewer_gone_.store(true);
    if (quit_sent_.exchange(true)) return;
    INTERLEAVE_LOG_INFO("terminal", "stopping: {}", to_string(why));
    if (options_.on_quit) options_.on_quit(why);
}

bool TerminalSink::read_keys(QuitKeys& keys) {
    pollfd fd{options_.in_fd, POLLIN, 0};
    const auto now = SteadyClock::now();
    bool quit = false;
    if (::poll(&fd, 1, 0) > 0) {
        if ((fd.revents & POLLIN) != 0) {
            char buf[64];
            const ssize_t n = ::read(options_.in_fd, buf, sizeof buf);
            if (n > 0) {
                quit = keys.feed({buf, static_cast<std::size_t>(n)}, now);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                input_open_ = false;  // hung up: no keys will come
            }
        } else if ((fd.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) {
            input_open_ = false;
        }
    }
    return keys.take_expired(now) || quit;
}

void TerminalSink::wait_until(SteadyClock::time_point deadline, bool keys_pending) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {options_.in_fd, POLLIN, 0}};
    int timeout = poll_ms(deadline - SteadyClock::now());
    if (keys_pending) timeout = std::min<int>(timeout, QuitKeys::kEscapeWait.count() / 2);
    ::poll(fds, read_input_ && input_open_ ? 2 : 1, timeout);
}

bool TerminalSink::write_frame(std::string_view bytes) {
    const int fd = options_.out_fd;
    const bool terminal = screen_ != nullptr;
    // Set once stop() is seen: a pipe or file gets until then to take the rest of the frame.
    std::optional<SteadyClock::time_point> finish_by;
    while (!bytes.empty()) {
        if (!finish_by && stop_.load(std::memory_order_acquire)) {
            if (terminal) return false;  // the restore follows, and it starts with ESC
            finish_by = SteadyClock::now() + kFinishBound;
        }
        int timeout = kPollMs;
        if (finish_by) {
            const auto now = SteadyClock::now();
            if (now >= *finish_by) {
                // Cut short: end the half-written row, so what follows in a file starts in
                // default colours on a line of its own (only when it fits at once).
                constexpr std::string_view kTail = "\x1b[0m\r\n";
                pollfd out{fd, POLLOUT, 0};
                if (::poll(&out, 1, 0) > 0 && (out.revents & POLLOUT) != 0) {
                    const ssize_t n = ::write(fd, kTail.data(), kTail.size());
                    if (n > 0) bytes_.fetch_add(static_cast<std::uint64_t>(n));
                }
                return false;
            }
            timeout = poll_ms(*finish_by - now);
        }
        // After stop() the eventfd stays readable: only the output is waited on then.
        pollfd fds[2] = {{fd, POLLOUT, 0}, {wake_fd_, POLLIN, 0}};
        const int ready = ::poll(fds, finish_by ? 1 : 2, timeout);
        if (ready < 0 && errno != EINTR) {
            viewer_gone_.store(true);
            return false;
        }
        if (ready <= 0) continue;
        if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 &&
            (fds[0].revents & POLLOUT) == 0) {
            viewer_gone_.store(true);
            return false;
        }
        if ((fds[0].revents & POLLOUT) == 0) continue;
        const ssize_t n = ::write(fd, bytes.data(), std::min(bytes.size(), kWriteChunk));
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            bytes_.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_relaxed);
            continue;
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        // EPIPE (the reader closed the pipe), EIO (the terminal hung up), ENOSPC, ...
        if (n < 0 && errno != EPIPE && errno != EIO) {
            INTERLEAVE_LOG_WARN("terminal", "output failed ({}); stopping", std::strerror(errno));
        }
        viewer_gone_.store(true);
        return false;
    }
    return true;
}

void TerminalSink::run() {
    set_current_thread_name("sink-terminal");
    // A write to a closed pipe fails with EPIPE here instead of killing the process: SIGPIPE
    // is thread-directed, stays pending on this thread while blocked, and ends with it.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
    try {
        const bool terminal = screen_ != nullptr;
        CellSize grid{cols_.load(), rows_.load()};
        renderer::ascii::AsciiConverter converter(ascii_options(options_.ascii, grid));
        TerminalPainter painter(terminal, options_.synchronized);
        TextFrame text;
        std::string out;
        QuitKeys keys;
        const auto period = std::chrono::duration_cast<SteadyClock::duration>(
            std::chrono::duration<double>(1.0 / std::max(options_.ascii.fps, 0.1)));
        auto next_due = SteadyClock::now();
        bool redraw = false;  // the grid changed: convert the latest frame again
        bool gone = false;
        while (!stop_.load(std::memory_order_acquire)) {
            if (gone) {
                wait_until(SteadyClock::now() + std::chrono::milliseconds(kPollMs), false);
                continue;
            }
            if (read_input_ && input_open_ && read_keys(keys)) quit(TerminalQuit::kKey);
            if (terminal && TerminalScreen::take_resize()) {
                const TerminalSize size = screen_->size();
                const CellSize now_grid = ascii_grid(options_.ascii, {size.cols, size.rows});
                if (now_grid != grid) {
                    grid = now_grid;
                    converter.set_options(ascii_options(options_.ascii, grid));
                    cols_.store(grid.cols);
                    rows_.store(grid.rows);
                }
                painter.invalidate();
                resizes_.fetch_add(1, std::memory_order_relaxed);
                redraw = true;
            }
            const auto now = SteadyClock::now();
            if (now < next_due) {
                wait_until(next_due, keys.pending());
                continue;
            }
            FrameRef frame = port_->wait_take(redraw ? std::chrono::milliseconds(0)
                                                     : std::chrono::milliseconds(20));
            if (!frame && redraw) frame = port_->latest();
            if (!frame) continue;
            redraw = false;
            const auto started = SteadyClock::now();
            if (options_.before_frame) options_.before_frame();
            converter.convert(frame->view(), text);
            frame.reset();  // the pixels go back to the hub's pool before the write
            const TerminalEncoding kind = painter.paint(text, out);
            if (!out.empty() && !write_frame(out)) {
                if (viewer_gone_.load()) {
                    quit(TerminalQuit::kViewerGone);
                    gone = true;
                } else {
                    cut_short_.fetch_add(1, std::memory_order_relaxed);
                    painter.invalidate();
                }
                continue;
            }
            frames_written_.fetch_add(1, std::memory_order_relaxed);
            switch (kind) {
                case TerminalEncoding::kFull:
                    full_redraws_.fetch_add(1);
                    break;
                case TerminalEncoding::kPlain:
                    plain_frames_.fetch_add(1);
                    break;
                case TerminalEncoding::kDiff:
                    diff_frames_.fetch_add(1);
                    diff_bytes_.fetch_add(out.size());
                    if (out.empty()) unchanged_frames_.fetch_add(1);
                    break;
            }
            next_due = std::max(next_due + period, started);
        }
    } catch (const std::exception& e) {
        // Logged first: while the picture owns stderr's terminal the line is held and comes
        // out after the restore. Then the player stops instead of showing a frozen picture
        // that no key can end (the keys were read here too).
        INTERLEAVE_LOG_ERROR("terminal", "output thread failed: {}", e.what());
        quit(TerminalQuit::kFailed);
    } catch (...) {
        INTERLEAVE_LOG_ERROR("terminal", "output thread failed");
        quit(TerminalQuit::kFailed);
    }
}

TerminalSinkStats TerminalSink::counters() const {
    TerminalSinkStats s;
    s.terminal = screen_ != nullptr;
    s.cols = cols_.load();
    s.rows = rows_.load();
    s.frames_written = frames_written_.load();
    s.full_redraws = full_redraws_.load();
    s.diff_frames = diff_frames_.load();
    s.plain_frames = plain_frames_.load();
    s.unchanged_frames = unchanged_frames_.load();
    s.bytes = bytes_.load();
    s.diff_bytes = diff_bytes_.load();
    s.resizes = resizes_.load();
    s.cut_short = cut_short_.load();
    s.keys_quit = keys_quit_.load();
    s.viewer_gone = viewer_gone_.load();
    s.port = port_->stats();
    return s;
}

nlohmann::json TerminalSink::stats() const {
    const TerminalSinkStats s = counters();
    const auto mean = [](std::uint64_t bytes, std::uint64_t frames) {
        return frames > 0 ? static_cast<double>(bytes) / static_cast<double>(frames) : 0.0;
    };
    return {{"output", s.terminal ? "terminal" : "plain"},
            {"cols", s.cols},
            {"rows", s.rows},
            {"frames_written", s.frames_written},
            {"skipped", s.port.skipped},
            {"full_redraws", s.full_redraws},
            {"diff_frames", s.diff_frames},
            {"plain_frames", s.plain_frames},
            {"unchanged_frames", s.unchanged_frames},
            {"bytes", s.bytes},
            {"mean_bytes_per_frame", mean(s.bytes, s.frames_written)},
            {"mean_bytes_per_diff_frame", mean(s.diff_bytes, s.diff_frames)},
            {"resizes", s.resizes},
            {"cut_short", s.cut_short},
            {"quit_by_key", s.keys_quit > 0},
            {"viewer_gone", s.viewer_gone},
            {"port",
             {{"offered", s.port.offered}, {"taken", s.port.taken}, {"skipped", s.port.skipped}}}};
}

}  // namespace interleave::app
