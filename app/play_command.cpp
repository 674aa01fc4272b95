// `interleave play` (the default subcommand): loads the configuration (defaults < --config file
// < INTERLEAVE_* environment < flags), then plays. Every config key has a flag, generated from
// the key table, so --help lists each with its default and what it allows.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "app/commands.hpp"
#include "app/player.hpp"
#include "app/reload_signal.hpp"
#include "app/sinks/terminal_screen.hpp"
#include "app/stop_signal.hpp"
#include "config/config.hpp"
#include "config/config_keys.hpp"
#include "core/process_stats.hpp"

namespace interleave::app {
namespace {

struct PlayArgs {
    std::vector<std::string> values;  // one per config key, in table order
    std::vector<CLI::Option*> options;
    std::string config_file;
    bool print_config = false;
    std::string record_dir;
    int record_every = 1;
    double stats_interval_s = 0.0;
    std::string summary_json;
    bool benchmark = false;
};

int run_play(PlayArgs& args, const std::string& command_line) {
    // First, so a stop at any point (even while the configuration loads) ends cleanly.
    StopSignal::install();
    ReloadSignal::install();  // SIGHUP rescans the content instead of ending the process
    config::LoadInputs inputs;
    if (!args.config_file.empty()) inputs.config_file = args.config_file;
    inputs.environment = config::capture_environment();
    const auto keys = config::keys();
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (args.options[i]->count() == 0) continue;
        std::string value = args.values[i];
        // A bare boolean flag (--mirror) means true.
        if (value.empty() && keys[i].type() == config::KeyType::kBool) value = "true";
        inputs.flags.emplace_back(std::string(keys[i].key), value);
    }
    config::Provenance provenance;
    auto cfg = config::load_config(inputs, &provenance);
    if (!cfg) {
        std::fprintf(stderr, "interleave: %s\n", cfg.error().message().c_str());
        return kExitBadInput;
    }
    if (args.print_config) {
        std::fputs(config::describe(*cfg, provenance).c_str(), stdout);
        return kExitOk;
    }
    PlayOptions options;
    options.config = *cfg;
    if (!args.record_dir.empty()) options.record_dir = args.record_dir;
    options.record_every = args.record_every;
    options.stats_interval_s = args.stats_interval_s;
    if (!args.summary_json.empty()) options.summary_json = args.summary_json;
    options.benchmark = args.benchmark;
    options.command_line = command_line;
    if (options.benchmark && cfg->playback.frames == 0 && cfg->playback.duration_s == 0.0) {
        options.config.playback.frames = 300;  // a benchmark needs an end
    }

    // In ascii mode stdout carries the picture: stats lines go to stderr, and nowhere while
    // stderr is the terminal the picture owns; the summary comes after the terminal is back,
    // on stdout when that is a terminal (the main screen), else on stderr (stdout is the
    // picture's pipe or file, perhaps closed).
    std::FILE* stats_out = options.benchmark ? nullptr : stdout;
    std::FILE* summary_out = stdout;
    if (options.config.output.mode == config::OutputMode::kAscii) {
        const bool picture_on_terminal = TerminalScreen::is_terminal(STDOUT_FILENO);
        const bool stderr_shared =
            picture_on_terminal && TerminalScreen::same_terminal(STDERR_FILENO, STDOUT_FILENO);
        if (!options.benchmark) stats_out = stderr_shared ? nullptr : stderr;
        if (!picture_on_terminal) summary_out = stderr;
    }
    auto summary = play(options, stats_out);
    if (!summary) {
        std::fprintf(stderr, "interleave: %s\n", summary.error().message().c_str());
        const ErrorCode code = summary.error().code;
        return code == ErrorCode::kIo || code == ErrorCode::kInternal ? kExitFailure
                                                                       : kExitBadInput;
    }
    nlohmann::json j = summary->to_json();
    if (options.benchmark) {
        j["command"] = command_line;
        j["machine"] = {{"cpu", cpu_model_name()},
                        {"hardware_threads", std::thread::hardware_concurrency()}};
        std::fputs((j.dump(2) + "\n").c_str(), summary_out);
    } else {
        std::fprintf(summary_out,
                     "summary: %llu frames in %.1f s (%.1f fps), misses %llu (%llu after the "
                     "first second), dropped %llu, failed loads %llu (%llu files), peak RSS "
                     "%.0f MB, stopped by %s\n",
                     static_cast<unsigned long long>(summary->frames_shown), summary->duration_s,
                     summary->fps, static_cast<unsigned long long>(summary->misses),
                     static_cast<unsigned long long>(summary->misses_after_1s),
                     static_cast<unsigned long long>(summary->dropped),
                     static_cast<unsigned long long>(summary->failed_loads),
                     static_cast<unsigned long long>(summary->failed_files), summary->peak_rss_mb,
                     summary->stopped_by.c_str());
    }
    return kExitOk;
}

}  // namespace

Command add_play_command(CLI::App& app) {
    auto args = std::make_shared<PlayArgs>();
    CLI::App* sub = app.add_subcommand("play", "Play content (the default subcommand)");
    sub->footer("Signals: SIGINT/SIGTERM stop cleanly with the summary. SIGHUP (systemctl "
                "reload) rescans the content directory while playing: a playable new catalog "
                "takes over without a restart, an unplayable one is logged and the old one "
                "plays on. Only the content is reloaded; configuration changes (file, "
                "environment, flags) need a restart.\n"
                "--mode ascii: the picture in the terminal (alternate screen, size from the "
                "terminal or --ascii-size WxH, --ascii-fps); q, Esc or Ctrl-C quit and the "
                "terminal is restored. Into a pipe or file each frame is written whole, then a "
                "blank line; a closed pipe ends the player (exit code 0). Stats lines and logs "
                "never write into the picture's terminal; the summary follows the restore.");
    const auto keys = config::keys();
    args->values.resize(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        const config::KeyInfo& key = keys[i];
        const std::string help =
            fmt::format("{} [{}; default {}; {}]", key.help, key.key, config::default_text(key),
                        config::allowed_text(key));
        CLI::Option* option = sub->add_option(std::string(key.flag), args->values[i], help);
        if (key.type() == config::KeyType::kBool) option->expected(0, 1);
        option->group(std::string(key.section()));
        args->options.push_back(option);
    }
    sub->add_option("--config", args->config_file, "TOML configuration file")->group("run");
    sub->add_flag("--print-config", args->print_config,
                  "Print the effective configuration and where each value came from")
        ->group("run");
    sub->add_option("--record", args->record_dir, "Write each shown frame as PNG to DIR, with "
                                                  "DIR/frames.jsonl")
        ->group("run");
    sub->add_option("--record-every", args->record_every, "Record every K-th shown frame")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str()
        ->group("run");
    sub->add_option("--stats-interval", args->stats_interval_s,
                    "Print a stats line every S seconds (0: none)")
        ->check(CLI::Range(0.0, 86400.0))
        ->capture_default_str()
        ->group("run");
    sub->add_option("--summary-json", args->summary_json, "Write the summary as JSON to FILE")
        ->group("run");
    sub->add_flag("--benchmark", args->benchmark,
                  "Play as fast as the pipeline allows and print one JSON object; with "
                  "--frames N it ends after N indices, whether their pairs showed, failed to "
                  "load or never came")
        ->group("run");
    return Command{sub, [args](const std::string& command_line) {
                       return run_play(*args, command_line);
                   }};
}

}  // namespace interleave::app
