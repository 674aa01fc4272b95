// The subcommands of the interleave executable. Thread: main.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace interleave::app {

// Exit codes: 0 success, 1 a failure while running, 2 bad input (arguments or content).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

// Each add_* registers a subcommand on `app`; once parsing succeeded, `run` runs it with the
// command line as typed (for reports) and gives the exit code.
struct Command {
    CLI::App* sub = nullptr;
    std::function<int(const std::string& command_line)> run;
};

Command add_scan_command(CLI::App& app);
Command add_bench_command(CLI::App& app);
Command add_play_command(CLI::App& app);

}  // namespace interleave::app
