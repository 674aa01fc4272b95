// Runs a child process through the shell and captures its exit code, stdout and stderr, for
// end-to-end tests of the interleave executable; ChildProcess also gives the pid, so a test can
// signal the child while it runs. Thread: any (each call has its own files).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace interleave::test {

struct ProcessResult {
    int exit_code = -1;  // the process's exit status; 128 + N when killed by signal N
    std::string out;
    std::string err;
};

// Single-quotes `arg` for /bin/sh.
[[nodiscard]] std::string shell_quote(std::string_view arg);

// Runs `program` with `args` (each quoted), with stdin from /dev/null.
[[nodiscard]] ProcessResult run_process(std::string_view program,
                                        std::initializer_list<std::string_view> args);

// Environment changes for a child: NAME -> value sets or replaces NAME; NAME -> nullopt removes
// it. Everything else is inherited from the test process.
using EnvChanges = std::vector<std::pair<std::string, std::optional<std::string>>>;

class TempDir;

// A child started with posix_spawn (no shell): stdin from /dev/null, stdout and stderr into
// files in its own temporary directory, SIGINT and SIGTERM at their default dispositions and
// no signal blocked, whatever the test process inherited. Thread: owned by one test.
class ChildProcess {
public:
    // Starts `program` with `args`. On failure pid() is -1 and spawn_error() says why.
    ChildProcess(std::string_view program, const std::vector<std::string>& args,
                 const EnvChanges& env = {});
    // Kills (SIGKILL) and reaps a child that is still running.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] const std::string& spawn_error() const { return spawn_error_; }

    // kill(pid, signal_number); false when the child has already been reaped or kill failed.
    bool send_signal(int signal_number);

    // Waits up to `timeout` for the child to end. Its exit status (128 + N when killed by
    // signal N), at once when it has already been reaped, or nullopt while it still runs.
    [[nodiscard]] std::optional<int> wait_for(std::chrono::milliseconds timeout);

    // What the child has written so far to stdout / stderr.
    [[nodiscard]] std::string out() const;
    [[nodiscard]] std::string err() const;

private:
    std::unique_ptr<TempDir> dir_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
    std::string spawn_error_;
};

// Runs `program` with `args` and `env` changes to the end, like run_process but without a
// shell and with a hang guard: a child still running after `timeout` is killed (SIGKILL), its
// exit code is then 137 and err ends with a line saying so.
[[nodiscard]] ProcessResult run_child(std::string_view program,
                                      const std::vector<std::string>& args,
                                      const EnvChanges& env = {},
                                      std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Runs `check` in a forked child that first drops to the unprivileged user nobody (uid/gid
// 65534), so permission tests mean something when the suite runs as root (as CI does).
// `readable` is made world-traversable first (0755) so only the permissions under test
// matter. Returns the check's result, or nullopt when the privileges could not be dropped.
// Call it only while the test process runs no other threads.
[[nodiscard]] std::optional<bool> run_as_unprivileged(const std::filesystem::path& readable,
                                                      const std::function<bool()>& check);

}  // namespace interleave::test
