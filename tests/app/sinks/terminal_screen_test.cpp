// TerminalScreen on a pseudo-terminal: what entering changes and writes, the exact restore
// (normal and from a signal handler), the size, SIGWINCH, and the refusals.
#include "app/sinks/terminal_screen.hpp"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "tests/app/sinks/terminal_pty.hpp"

namespace interleave::app {
namespace {

using testing::Pty;
using testing::same_termios;

TEST(TerminalScreen, EnterTurnsOffEchoAndLineModeAndRestoreBringsEverythingBack) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    termios before{};
    ASSERT_EQ(tcgetattr(pty.slave(), &before), 0);
    ASSERT_TRUE(before.c_lflag & ECHO);
    ASSERT_TRUE(before.c_lflag & ICANON);
    {
        auto screen = TerminalScreen::enter(pty.slave());
        ASSERT_TRUE(screen) << screen.error().message();
        EXPECT_TRUE(TerminalScreen::entered_now());
        termios raw{};
        ASSERT_EQ(tcgetattr(pty.slave(), &raw), 0);
        EXPECT_FALSE(raw.c_lflag & ECHO);
        EXPECT_FALSE(raw.c_lflag & ICANON);
        EXPECT_FALSE(raw.c_iflag & IXON);
        EXPECT_TRUE(raw.c_lflag & ISIG);  // Ctrl-C stays SIGINT
        EXPECT_EQ(raw.c_cc[VSUSP], _POSIX_VDISABLE);
        EXPECT_EQ(raw.c_cc[VQUIT], _POSIX_VDISABLE);  // Ctrl-\ kills nothing
        const std::string entered = pty.drain();
        EXPECT_NE(entered.find("\x1b[?1049h"), std::string::npos);
        EXPECT_NE(entered.find("\x1b[?25l"), std::string::npos);
        (*screen)->restore();
        EXPECT_FALSE(TerminalScreen::entered_now());
        termios after{};
        ASSERT_EQ(tcgetattr(pty.slave(), &after), 0);
        EXPECT_TRUE(same_termios(before, after));
        const std::string restored = pty.drain();
        EXPECT_NE(restored.find(kRestoreSequence), std::string::npos) << restored;
        EXPECT_NE(restored.find("\x1b[?25h"), std::string::npos);
        EXPECT_NE(restored.find("\x1b[?1049l"), std::string::npos);
        EXPECT_NE(restored.find("\x1b[0m"), std::string::npos);
    }  // the destructor after restore() writes nothing more
    EXPECT_EQ(pty.drain(), "");
}

TEST(TerminalScreen, TheDestructorRestores) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    termios before{};
    ASSERT_EQ(tcgetattr(pty.slave(), &before), 0);
    {
        auto screen = TerminalScreen::enter(pty.slave());
        ASSERT_TRUE(screen);
    }
    termios after{};
    ASSERT_EQ(tcgetattr(pty.slave(), &after), 0);
    EXPECT_TRUE(same_termios(before, after));
    EXPECT_NE(pty.drain().find(kRestoreSequence), std::string::npos);
}

// A signal that ends the process without unwinding (abort() from a failed assert or
// std::terminate, a crash, SIGQUIT sent from elsewhere) still gives the terminal back, and the
// process still dies of that signal: in a forked child on the pty.
void expect_fatal_signal_restores(int number) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    termios before{};
    ASSERT_EQ(tcgetattr(pty.slave(), &before), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const rlimit no_core{0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        auto screen = TerminalScreen::enter(pty.slave());
        if (!screen) _exit(3);
        if (number == SIGABRT) std::abort();
        if (number == SIGSEGV) {
            // A real fault, not a raise: the handler returns to the faulting store.
            volatile int* nowhere = nullptr;
            *nowhere = 1;
        }
        raise(number);
        _exit(4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
    EXPECT_EQ(WTERMSIG(status), number);
    termios after{};
    ASSERT_EQ(tcgetattr(pty.slave(), &after), 0);
    EXPECT_TRUE(same_termios(before, after));
    const std::string got = pty.drain();
    EXPECT_NE(got.find(kEnterSequence), std::string::npos);
    EXPECT_NE(got.find(kRestoreSequence, got.find(kEnterSequence)), std::string::npos) << got;
}

TEST(TerminalScreen, AbortRestoresTheTerminalAndStillEndsByTheSignal) {
    expect_fatal_signal_restores(SIGABRT);
}

TEST(TerminalScreen, SigquitRestoresTheTerminalAndStillEndsByTheSignal) {
    expect_fatal_signal_restores(SIGQUIT);
}

TEST(TerminalScreen, ACrashRestoresTheTerminalAndStillEndsByTheSignal) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "a sanitizer reports the fault and exits instead";
#else
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    GTEST_SKIP() << "a sanitizer reports the fault and exits instead";
#endif
#endif
    expect_fatal_signal_restores(SIGSEGV);
#endif
}

TEST(TerminalScreen, TheFatalSignalHandlersAreOnlyThereWhileEntered) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    struct sigaction before {};
    ASSERT_EQ(sigaction(SIGQUIT, nullptr, &before), 0);
    {
        auto screen = TerminalScreen::enter(pty.slave());
        ASSERT_TRUE(screen);
        struct sigaction now {};
        ASSERT_EQ(sigaction(SIGQUIT, nullptr, &now), 0);
        EXPECT_NE(now.sa_flags & SA_SIGINFO, 0);
        (*screen)->restore();
    }
    struct sigaction after {};
    ASSERT_EQ(sigaction(SIGQUIT, nullptr, &after), 0);
    EXPECT_EQ(after.sa_handler, before.sa_handler);
    EXPECT_EQ(after.sa_flags & SA_SIGINFO, before.sa_flags & SA_SIGINFO);
}

void restore_in_handler(int) {
    TerminalScreen::restore_after_signal();
}

TEST(TerminalScreen, ASignalHandlerRestoresOnceAndTheOwnersRestoreThenWritesNothing) {
    Pty pty;
    ASSERT_TRUE(pty.ok());
    termios before{};
    ASSERT_EQ(tcgetattr(pty.slave(), &before), 0);
    struct sigaction action {};
    struct sigaction old {};
    action.sa_handler = restore_in_handler;
    sigemptyset(&action.sa_mask);
    ASSERT_EQ(sigaction(SIGUSR1, &action, &old), 0);
    auto screen = TerminalScreen::enter(pty.slave());
    ASSERT_TRUE(screen);
    (void)pty.drain();
    raise(SIGUSR1);
    EXPECT_FALSE(TerminalScreen::entered_now());
    termios after{};
    ASSERT_EQ(tcgetattr(pty.slave(), &after), 0);
    EXPECT_TRUE(same_termios(before, after));
    EXPECT_NE(pty.drain().find(kRestoreSequence), std::string::npos);
    raise(SIGUSR1);  // nothing entered: nothing written
    (*screen)->restore();
    EXPECT_EQ(pty.drain(), "");
    sigaction(SIGUSR1, &old, nullptr);
    // The claim is released: the next screen may enter.
    auto again = TerminalScreen::enter(pty.slave());
    EXPECT_TRUE(again);
}

TEST(TerminalScreen, ReportsTheSizeAndSigwinch) {
    Pty pty(132, 43);
    ASSERT_TRUE(pty.ok());
    EXPECT_EQ(TerminalScreen::size_of(pty.slave()), (TerminalSize{132, 43}));
    auto screen = TerminalScreen::enter(pty.slave());
    ASSERT_TRUE(screen);
    EXPECT_FALSE(TerminalScreen::take_resize());
    pty.resize(100, 30);
    raise(SIGWINCH);  // the kernel sends it to the pty's foreground group, which is not us
    EXPECT_TRUE(TerminalScreen::take_resize());
    EXPECT_FALSE(TerminalScreen::take_resize());
    EXPECT_EQ((*screen)->size(), (TerminalSize{100, 30}));
}

TEST(TerminalScreen, RefusesWhatIsNoTerminalAndASecondScreen) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    auto piped = TerminalScreen::enter(fds[1]);
    ASSERT_FALSE(piped);
    EXPECT_EQ(piped.error().code, ErrorCode::kUnsupported);
    EXPECT_FALSE(TerminalScreen::is_terminal(fds[1]));
    EXPECT_EQ(TerminalScreen::size_of(fds[1]), (TerminalSize{}));
    close(fds[0]);
    close(fds[1]);

    Pty a;
    Pty b;
    ASSERT_TRUE(a.ok() && b.ok());
    auto first = TerminalScreen::enter(a.slave());
    ASSERT_TRUE(first);
    auto second = TerminalScreen::enter(b.slave());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, ErrorCode::kInternal);
}

TEST(TerminalScreen, SameTerminalComparesDevices) {
    Pty a;
    Pty b;
    ASSERT_TRUE(a.ok() && b.ok());
    const int dup_a = dup(a.slave());
    EXPECT_TRUE(TerminalScreen::same_terminal(a.slave(), dup_a));
    EXPECT_FALSE(TerminalScreen::same_terminal(a.slave(), b.slave()));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    EXPECT_FALSE(TerminalScreen::same_terminal(fds[0], fds[0]));
    close(fds[0]);
    close(fds[1]);
    close(dup_a);
}

}  // namespace
}  // namespace interleave::app
