// TmuxSession: every tmux command runs through run_child (no shell, a hang guard) against the
// session's private socket.
#include "tests/support/tmux_session.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "tests/support/process.hpp"

namespace interleave::test {
namespace {

constexpr std::string_view kSession = "ascii";
constexpr auto kCommandTimeout = std::chrono::seconds(10);

}  // namespace

std::optional<std::string> TmuxSession::tmux_path() {
    const char* path = std::getenv("PATH");
    std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
    std::size_t start = 0;
    while (start <= dirs.size()) {
        const std::size_t end = std::min(dirs.find(':', start), dirs.size());
        const std::filesystem::path candidate =
            std::filesystem::path(dirs.substr(start, end - start)) / "tmux";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        start = end + 1;
    }
    return std::nullopt;
}

TmuxSession::TmuxSession(const std::string& command, int cols, int rows) {
    const auto found = tmux_path();
    if (!found) {
        error_ = "tmux is not installed";
        return;
    }
    tmux_ = *found;
    static std::atomic<int> counter{0};
    socket_ = fmt::format("interleave-test-{}-{}", ::getpid(), counter.fetch_add(1));
    const Out started =
        tmux({"new-session", "-d", "-s", std::string(kSession), "-x", std::to_string(cols), "-y",
              std::to_string(rows), command, ";", "set-option", "-g", "status", "off"});
    ok_ = started.exit_code == 0;
    if (!ok_)
        error_ = fmt::format("tmux new-session failed ({}): {}", started.exit_code, started.err);
}

TmuxSession::~TmuxSession() {
    if (!tmux_.empty()) (void)tmux({"kill-server"});
}

TmuxSession::Out TmuxSession::tmux(std::vector<std::string> args) const {
    std::vector<std::string> full = {"-L", socket_, "-f", "/dev/null"};
    full.insert(full.end(), args.begin(), args.end());
    const EnvChanges env = {{"TERM", "xterm-256color"}, {"TMUX", std::nullopt}};
    const ProcessResult r = run_child(tmux_, full, env, kCommandTimeout);
    return {r.exit_code, r.out, r.err};
}

std::string TmuxSession::capture(bool escapes) const {
    std::vector<std::string> args = {"capture-pane", "-p", "-t", std::string(kSession)};
    if (escapes) args.emplace_back("-e");
    const Out r = tmux(std::move(args));
    return r.exit_code == 0 ? r.out : std::string();
}

std::string TmuxSession::display(std::string_view format) const {
    const Out r = tmux({"display-message", "-p", "-t", std::string(kSession), std::string(format)});
    if (r.exit_code != 0) return {};
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

bool TmuxSession::send_keys(const std::vector<std::string>& keys) const {
    std::vector<std::string> args = {"send-keys", "-t", std::string(kSession)};
    args.insert(args.end(), keys.begin(), keys.end());
    return tmux(std::move(args)).exit_code == 0;
}

bool TmuxSession::resize(int cols, int rows) const {
    return tmux({"resize-window", "-t", std::string(kSession), "-x", std::to_string(cols), "-y",
                 std::to_string(rows)})
               .exit_code == 0;
}

bool TmuxSession::log_output_to(const std::string& file) const {
    return tmux({"pipe-pane", "-o", "-t", std::string(kSession), "cat >> " + shell_quote(file)})
               .exit_code == 0;
}

}  // namespace interleave::test
