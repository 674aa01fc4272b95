// TmuxSession: a real terminal for end-to-end tests of the terminal output. A private tmux
// server (its own socket, no config file, TERM=xterm-256color) runs one detached session of a
// set size; the test reads the screen (capture-pane), pane flags (display -p), the raw output
// (pipe-pane) and types keys (send-keys). Works without a terminal of the test's own (CI): tmux makes the pty.
// Thread: owned by one test.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::test {

class TmuxSession {
public:
    // The tmux executable on PATH, or nullopt when it is not installed.
    [[nodiscard]] static std::optional<std::string> tmux_path();

    // Starts the server with a `cols` x `rows` window (status line off, so the pane is that big)
    // running `command` through /bin/sh. On failure ok() is false and error() says why.
    TmuxSession(const std::string& command, int cols = 100, int rows = 40);
    ~TmuxSession();  // kill-server
    TmuxSession(const TmuxSession&) = delete;
    TmuxSession& operator=(const TmuxSession&) = delete;

    [[nodiscard]] bool ok() const { return ok_; }
    [[nodiscard]] const std::string& error() const { return error_; }

    // The visible screen, with colour escapes when `escapes` (capture-pane -p [-e]); "" on error.
    [[nodiscard]] std::string capture(bool escapes = true) const;
    // A format of the pane, e.g. "#{alternate_on} #{cursor_flag}" (display -p), trailing
    // newline removed; "" on error.
    [[nodiscard]] std::string display(std::string_view format) const;
    // send-keys: each key as tmux names them ("q", "C-c", "Escape").
    bool send_keys(const std::vector<std::string>& keys) const;
    // resize-window: the pane becomes `cols` x `rows` and its program gets SIGWINCH.
    bool resize(int cols, int rows) const;
    // pipe-pane: from now on everything the pane's program writes (escapes and all, the
    // alternate screen's too) is appended to `file` as it comes.
    bool log_output_to(const std::string& file) const;

private:
    struct Out {
        int exit_code = -1;
        std::string out;
        std::string err;
    };
    Out tmux(std::vector<std::string> args) const;

    std::string tmux_;
    std::string socket_;
    bool ok_ = false;
    std::string error_;
};

}  // namespace interleave::test
