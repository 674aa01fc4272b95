// A pseudo-terminal for the terminal sink's unit tests: openpty() with a set size, and the
// master side's output read with a timeout. Thread: owned by one test.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace interleave::app::testing {

class Pty {
public:
    explicit Pty(int cols = 80, int rows = 24) {
        winsize ws{};
        ws.ws_col = static_cast<unsigned short>(cols);
        ws.ws_row = static_cast<unsigned short>(rows);
        ok_ = ::openpty(&master_, &slave_, nullptr, nullptr, &ws) == 0;
    }
    ~Pty() {
        if (master_ >= 0) ::close(master_);
        if (slave_ >= 0) ::close(slave_);
    }
    Pty(const Pty&) = delete;
    Pty& operator=(const Pty&) = delete;

    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] int master() const { return master_; }
    [[nodiscard]] int slave() const { return slave_; }
    void resize(int cols, int rows) const {
        winsize ws{};
        ws.ws_col = static_cast<unsigned short>(cols);
        ws.ws_row = static_cast<unsigned short>(rows);
        ::ioctl(master_, TIOCSWINSZ, &ws);
    }
    // Appends what the slave side wrote, reading until nothing came for `quiet`.
    std::string drain(std::chrono::milliseconds quiet = std::chrono::milliseconds(50)) {
        std::string got;
        for (;;) {
            pollfd fd{master_, POLLIN, 0};
            if (::poll(&fd, 1, static_cast<int>(quiet.count())) <= 0) break;
            char buf[65536];
            const ssize_t n = ::read(master_, buf, sizeof buf);
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
    }
    // The terminal window closes: the slave side reads and writes EIO from now on.
    void hang_up() {
        if (master_ >= 0) ::close(master_);
        master_ = -1;
    }
    // Types `keys` as a user would.
    void type(const std::string& keys) const {
        [[maybe_unused]] const auto n = ::write(master_, keys.data(), keys.size());
    }

private:
    int master_ = -1;
    int slave_ = -1;
    bool ok_ = false;
};

// Every field stty -a shows.
inline bool same_termios(const termios& a, const termios& b) {
    if (a.c_iflag != b.c_iflag || a.c_oflag != b.c_oflag || a.c_cflag != b.c_cflag ||
        a.c_lflag != b.c_lflag || cfgetispeed(&a) != cfgetispeed(&b) ||
        cfgetospeed(&a) != cfgetospeed(&b)) {
        return false;
    }
    for (int i = 0; i < NCCS; ++i) {
        if (a.c_cc[i] != b.c_cc[i]) return false;
    }
    return true;
}

}  // namespace interleave::app::testing
