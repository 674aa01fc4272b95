// Player: headless playback end to end. The wall clock drives the index, the selector picks
// folders, the scheduler feeds the loader and takes pairs from the FIFO, the CPU compositor
// makes each frame, and the recorder writes frames on request. `play` runs the loop on a
// thread named "render" and returns the summary. Thread: play() is called from main; the loop
// runs on "render"; loaders on "loader-N"; the recorder on "sink-record".
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "core/error.hpp"

namespace interleave::app {

struct PlayOptions {
    config::Config config;
    std::optional<std::filesystem::path> record_dir;  // --record DIR
    int record_every = 1;                 // --record-every K: every K-th shown frame; 1..100000
    double stats_interval_s = 0.0;        // --stats-interval S: a stats line every S s; 0 = none
    std::optional<std::filesystem::path> summary_json;  // --summary-json FILE
    bool benchmark = false;               // --benchmark: no pacing, as fast as the pipeline goes
    std::string command_line;             // echoed in the benchmark JSON
    std::FILE* stats_out = nullptr;       // where stats lines go (set by play())

    [[nodiscard]] std::FILE* stats_out_file() const { return stats_out; }
};

struct PlaySummary {
    std::uint64_t frames_shown = 0;       // new frames composited
    std::uint64_t indices = 0;            // play indices that passed
    std::uint64_t misses = 0;             // indices whose pair was not there in time
    std::uint64_t misses_after_1s = 0;    // the same, after the first second of playback
    std::uint64_t dropped = 0;            // FIFO: decoded pairs pushed out before being shown
    std::uint64_t failed_loads = 0;       // layer decodes that failed
    std::uint64_t failed_files = 0;       // distinct files that failed
    double duration_s = 0.0;
    double fps = 0.0;                     // frames_shown / duration_s
    double peak_rss_mb = 0.0;
    std::string stopped_by;               // "duration", "frames", "SIGINT", "SIGTERM", ...
    nlohmann::json details;               // everything else, for --summary-json and --benchmark

    [[nodiscard]] nlohmann::json to_json() const;
};

// Plays until --duration, --frames or a stop signal. Start-up errors (content, settings,
// recorder directory) come back before anything plays, naming the path or key; the caller
// exits with 2 for them. `stats_out` receives the stats lines (none when null).
[[nodiscard]] Result<PlaySummary> play(const PlayOptions& options, std::FILE* stats_out);

}  // namespace interleave::app
