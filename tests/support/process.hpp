// Runs a child process through the shell and captures its exit code, stdout and stderr, for
// end-to-end tests of the interleave executable. Thread: any (each call has its own files).
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

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

// Runs `check` in a forked child that first drops to the unprivileged user nobody (uid/gid
// 65534), so permission tests mean something when the suite runs as root (as CI does).
// `readable` is made world-traversable first (0755) so only the permissions under test
// matter. Returns the check's result, or nullopt when the privileges could not be dropped.
// Call it only while the test process runs no other threads.
[[nodiscard]] std::optional<bool> run_as_unprivileged(const std::filesystem::path& readable,
                                                      const std::function<bool()>& check);

}  // namespace interleave::test
