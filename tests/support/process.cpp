// run_process: popen for stdout, a temporary file for stderr; ChildProcess and run_child:
// posix_spawn with stdout and stderr in files; run_as_unprivileged: fork + setuid.
#include "tests/support/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

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

namespace {

int exit_code_of(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The test process's environment with `changes` applied, as NAME=VALUE strings.
std::vector<std::string> child_environment(const EnvChanges& changes) {
    std::vector<std::string> env;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::string_view name = text.substr(0, text.find('='));
        bool changed = false;
        for (const auto& change : changes) changed = changed || change.first == name;
        if (!changed) env.emplace_back(text);
    }
    for (const auto& [name, value] : changes) {
        if (value) env.push_back(name + "=" + *value);
    }
    return env;
}

}  // namespace

ChildProcess::ChildProcess(std::string_view program, const std::vector<std::string>& args,
                           const EnvChanges& env)
    : dir_(std::make_unique<TempDir>("interleave-child")) {
    const std::string program_path(program);
    const std::string out_path = (*dir_ / "stdout.txt").string();
    const std::string err_path = (*dir_ / "stderr.txt").string();
    std::vector<std::string> argv_text{program_path};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text = child_environment(env);
    std::vector<char*> envp;
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // A shell that started the test runner in the background may have left SIGINT ignored,
    // and ignored signals survive exec: reset the ones tests send, and block none.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, program_path.c_str(), &actions, &attr, argv.data(),
                                 envp.data());
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        spawn_error_ = program_path + ": posix_spawn failed (" + std::strerror(rc) + ")";
        return;
    }
    pid_ = pid;
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
}

bool ChildProcess::send_signal(int signal_number) {
    if (pid_ <= 0 || exit_code_) return false;
    return ::kill(pid_, signal_number) == 0;
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
    if (pid_ <= 0 || exit_code_) return exit_code_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            exit_code_ = exit_code_of(status);
            return exit_code_;
        }
        if (done < 0 && errno != EINTR) {
            exit_code_ = -1;  // not our child any more: nothing to wait for
            return exit_code_;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

std::string ChildProcess::out() const { return read_text(*dir_ / "stdout.txt"); }

std::string ChildProcess::err() const { return read_text(*dir_ / "stderr.txt"); }

ProcessResult run_child(std::string_view program, const std::vector<std::string>& args,
                        const EnvChanges& env, std::chrono::milliseconds timeout) {
    ProcessResult result;
    ChildProcess child(program, args, env);
    if (child.pid() < 0) {
        result.err = child.spawn_error();
        return result;
    }
    std::optional<int> code = child.wait_for(timeout);
    bool killed = false;
    if (!code) {
        child.send_signal(SIGKILL);
        code = child.wait_for(std::chrono::seconds(10));
        killed = true;
    }
    result.exit_code = code.value_or(-1);
    result.out = child.out();
    result.err = child.err();
    if (killed) {
        result.err += "\n[run_child: still running after " + std::to_string(timeout.count()) +
                      " ms; killed]\n";
    }
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
