// run_process: popen for stdout, a temporary file for stderr; run_as_unprivileged: fork + setuid.
#include "tests/support/process.hpp"

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "tests/support/temp_dir.hpp"

namespace interleave::test {

std::string shell_quote(std::string_view arg) {
    std::string out = "'";
    for (const char c : arg) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

ProcessResult run_process(std::string_view program, std::initializer_list<std::string_view> args) {
    TempDir dir("interleave-proc");
    const auto err_file = dir / "stderr.txt";
    std::string command = shell_quote(program);
    for (const auto arg : args) {
        command += ' ';
        command += shell_quote(arg);
    }
    command += " </dev/null 2>";
    command += shell_quote(err_file.string());

    ProcessResult result;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        result.err = "popen failed";
        return result;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.out.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_code = 128 + WTERMSIG(status);
    }
    std::ifstream err(err_file);
    result.err.assign(std::istreambuf_iterator<char>(err), std::istreambuf_iterator<char>());
    return result;
}

std::optional<bool> run_as_unprivileged(const std::filesystem::path& readable,
                                        const std::function<bool()>& check) {
    constexpr uid_t kNobody = 65534;
    std::error_code ec;
    std::filesystem::permissions(readable,
                                 std::filesystem::perms::owner_all |
                                     std::filesystem::perms::group_read |
                                     std::filesystem::perms::group_exec |
                                     std::filesystem::perms::others_read |
                                     std::filesystem::perms::others_exec,
                                 ec);
    if (ec) return std::nullopt;
    const pid_t pid = ::fork();
    if (pid < 0) return std::nullopt;
    if (pid == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) {
            ::_exit(77);
        }
        ::_exit(check() ? 0 : 1);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 77) return std::nullopt;
    return WEXITSTATUS(status) == 0;
}

}  // namespace interleave::test
