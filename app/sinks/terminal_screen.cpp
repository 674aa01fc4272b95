// TerminalScreen: termios, the alternate screen and the signal-safe restore. The saved termios
// lives in static storage, published by an atomic flag, so a signal handler can restore it
// with write() and tcsetattr() (both async-signal-safe) and no lock.
#include "app/sinks/terminal_screen.hpp"

#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace interleave::app {
namespace {

// Claimed by the one entered screen, from enter() until its restore() has finished.
std::atomic<bool> g_claimed{false};
// Set (release) once g_saved and g_fd hold the terminal's state; whoever exchanges it back to
// false restores, exactly once.
std::atomic<bool> g_armed{false};
std::atomic<int> g_fd{-1};
termios g_saved{};
std::atomic<bool> g_resized{false};
struct sigaction g_old_winch {};
// The signals that end the process without unwinding (Ctrl-\, abort() from a failed assert
// or std::terminate, a crash): while the screen is entered, their handler restores first.
constexpr int kFatalSignals[] = {SIGQUIT, SIGABRT, SIGSEGV, SIGBUS, SIGFPE};
constexpr int kFatalCount = static_cast<int>(sizeof kFatalSignals / sizeof kFatalSignals[0]);
// What was installed before enter(), put back by restore() and by the handler itself.
struct sigaction g_old_fatal[kFatalCount] {};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal path needs lock-free atomics");

void on_winch(int) {
    g_resized.store(true);
}

// write() until done, EINTR retried; a few bounded tries on EAGAIN (someone else made the
// file non-blocking). Async-signal-safe.
void write_all(int fd, std::string_view bytes) noexcept {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    int again = 0;
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n > 0) {
            p += n;
            left -= static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && ++again < 100) continue;
        return;  // the terminal is gone (EIO, EPIPE): nothing left to restore on it
    }
}

void restore_armed() noexcept {
    if (!g_armed.exchange(false, std::memory_order_acq_rel)) return;
    const int saved_errno = errno;
    const int fd = g_fd.load(std::memory_order_relaxed);
    write_all(fd, kRestoreSequence);
    while (::tcsetattr(fd, TCSANOW, &g_saved) != 0 && errno == EINTR) {
    }
    errno = saved_errno;
}

void restore_at_exit() {
    restore_armed();
}

// Restores the terminal, puts the earlier disposition back (the default, or a sanitizer's
// handler) and lets the signal do what it would have done: the exit status and the core dump
// stay as without us. A fault (SIGSEGV, SIGBUS, SIGFPE from the CPU) comes again when the
// handler returns to the faulting instruction; a sent or raised one is raised again, and
// arrives once the handler returns (it is blocked while it runs).
void on_fatal(int number, siginfo_t* info, void*) {
    restore_armed();
    for (int i = 0; i < kFatalCount; ++i) {
        if (kFatalSignals[i] == number) sigaction(number, &g_old_fatal[i], nullptr);
    }
    const bool fault = info != nullptr && info->si_code > 0 && number != SIGQUIT &&
                       number != SIGABRT;
    if (!fault) ::raise(number);
}

void install_fatal_handlers() {
    struct sigaction fatal {};
    fatal.sa_sigaction = on_fatal;
    sigemptyset(&fatal.sa_mask);
    // SA_RESETHAND: a second one while the handler runs gets the default at once.
    fatal.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    for (int i = 0; i < kFatalCount; ++i) sigaction(kFatalSignals[i], &fatal, &g_old_fatal[i]);
}

void remove_fatal_handlers() {
    for (int i = 0; i < kFatalCount; ++i) sigaction(kFatalSignals[i], &g_old_fatal[i], nullptr);
}

}  // namespace

bool TerminalScreen::is_terminal(int fd) {
    return fd >= 0 && ::isatty(fd) == 1;
}

bool TerminalScreen::same_terminal(int a, int b) {
    struct stat sa {};
    struct stat sb {};
    if (::fstat(a, &sa) != 0 || ::fstat(b, &sb) != 0) return false;
    return S_ISCHR(sa.st_mode) && S_ISCHR(sb.st_mode) && sa.st_rdev == sb.st_rdev;
}

TerminalSize TerminalScreen::size_of(int fd) {
    winsize ws{};
    if (fd < 0 || ::ioctl(fd, TIOCGWINSZ, &ws) != 0) return {};
    return {ws.ws_col, ws.ws_row};
}

Result<std::unique_ptr<TerminalScreen>> TerminalScreen::enter(int out_fd) {
    if (!is_terminal(out_fd)) {
        return make_error(ErrorCode::kUnsupported, "terminal", "fd {} is not a terminal", out_fd);
    }
    if (g_claimed.exchange(true)) {
        return make_error(ErrorCode::kInternal, "terminal",
                          "another terminal screen is already entered");
    }
    termios saved{};
    if (::tcgetattr(out_fd, &saved) != 0) {
        g_claimed.store(false);
        return make_error(ErrorCode::kIo, "terminal", "cannot read its settings ({})",
                          std::strerror(errno));
    }
    termios raw = saved;
    raw.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHONL | ICANON | IEXTEN);
    raw.c_lflag |= ISIG;
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    raw.c_cc[VSUSP] = _POSIX_VDISABLE;
    // Ctrl-\ would be SIGQUIT: an exit with a core dump, no summary. Off like Ctrl-Z (a
    // SIGQUIT sent from elsewhere still restores, through the fatal handlers).
    raw.c_cc[VQUIT] = _POSIX_VDISABLE;
    g_saved = saved;
    g_fd.store(out_fd, std::memory_order_relaxed);
    static std::once_flag at_exit_once;
    std::call_once(at_exit_once, [] { std::atexit(restore_at_exit); });

    struct sigaction winch {};
    winch.sa_handler = on_winch;
    sigemptyset(&winch.sa_mask);
    winch.sa_flags = SA_RESTART;
    g_resized.store(false);
    sigaction(SIGWINCH, &winch, &g_old_winch);
    install_fatal_handlers();

    // Armed before the settings change, so a signal from here on puts them back.
    g_armed.store(true, std::memory_order_release);
    int rc = 0;
    while ((rc = ::tcsetattr(out_fd, TCSANOW, &raw)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
        const int err = errno;
        g_armed.store(false);
        remove_fatal_handlers();
        sigaction(SIGWINCH, &g_old_winch, nullptr);
        g_claimed.store(false);
        return make_error(ErrorCode::kIo, "terminal", "cannot change its settings ({})",
                          std::strerror(err));
    }
    write_all(out_fd, kEnterSequence);
    return std::unique_ptr<TerminalScreen>(new TerminalScreen(out_fd));
}

TerminalScreen::~TerminalScreen() {
    restore();
}

void TerminalScreen::restore() {
    if (restored_) return;
    restored_ = true;
    restore_armed();
    remove_fatal_handlers();
    sigaction(SIGWINCH, &g_old_winch, nullptr);
    g_claimed.store(false);
}

void TerminalScreen::restore_after_signal() noexcept {
    restore_armed();
}

bool TerminalScreen::entered_now() {
    return g_armed.load(std::memory_order_acquire);
}

bool TerminalScreen::take_resize() {
    return g_resized.exchange(false);
}

}  // namespace interleave::app
