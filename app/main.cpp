// interleave: entry point. Parses the command line and runs one subcommand. Thread: main.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/commands.hpp"
#include "core/log.hpp"
#include "core/thread.hpp"

int main(int argc, char** argv) {
    using namespace interleave;
    set_current_thread_name("main");
    try {
        CLI::App app{"Interleave: real-time player for layered image sequences", "interleave"};
        app.set_version_flag("--version", "interleave 0.1.0");
        std::string level = "info";
        app.add_option("--log-level", level, "debug|info|warn|error|off (stderr)")
            ->capture_default_str();
        app.require_subcommand(0, 1);
        app.fallthrough();  // top-level options (--log-level) also work after the subcommand
        std::vector<app::Command> commands{app::add_play_command(app),
                                           app::add_scan_command(app),
                                           app::add_bench_command(app)};
        // `play` is the default subcommand: `interleave --images DIR` plays.
        std::vector<std::string> args(argv + 1, argv + argc);
        // Skip the top-level options (and --log-level's value) to see what comes first.
        std::size_t first = 0;
        while (first < args.size() && args[first].rfind("--log-level", 0) == 0) {
            first += args[first] == "--log-level" ? 2 : 1;
        }
        const bool names_subcommand =
            first < args.size() &&
            (args[first] == "play" || args[first] == "scan" || args[first] == "bench");
        const bool top_level_only =
            first < args.size() &&
            (args[first] == "--help" || args[first] == "-h" || args[first] == "--version");
        if (!names_subcommand && !top_level_only) {
            args.insert(args.begin() + static_cast<std::ptrdiff_t>(std::min(first, args.size())),
                        "play");
        }
        std::reverse(args.begin(), args.end());  // CLI11 takes them reversed from a vector
        try {
            app.parse(args);
        } catch (const CLI::ParseError& e) {
            const int rc = app.exit(e);
            return rc == 0 ? app::kExitOk : app::kExitBadInput;
        }
        log::Level parsed{};
        if (!log::parse_level(level, parsed)) {
            std::fprintf(stderr, "--log-level: '%s' is not one of debug|info|warn|error|off\n",
                         level.c_str());
            return app::kExitBadInput;
        }
        log::init(parsed);
        std::string command_line = "interleave";
        for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
        for (auto& command : commands) {
            if (command.sub->parsed()) return command.run(command_line);
        }
        return app::kExitBadInput;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "interleave: %s\n", e.what());
        return app::kExitFailure;
    } catch (...) {
        std::fprintf(stderr, "interleave: unknown error\n");
        return app::kExitFailure;
    }
}
