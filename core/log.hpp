// One logger for the whole process, to stderr (stdout belongs to the ASCII output and to
// machine-readable command output). Thread: any; spdlog's sinks are internally locked.
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

namespace interleave::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Sets up the process logger; safe to call more than once (the last level wins).
void init(Level level = Level::kInfo);
void set_level(Level level);
// Parses "debug|info|warn|error|off"; returns false for anything else.
bool parse_level(std::string_view text, Level& out);

spdlog::logger& logger();

// Every line carries a component tag: INTERLEAVE_LOG_WARN("loader", "{}: {}", file, why)
#define INTERLEAVE_LOG_DEBUG(tag, ...) ::interleave::log::logger().debug("[" tag "] " __VA_ARGS__)
#define INTERLEAVE_LOG_INFO(tag, ...) ::interleave::log::logger().info("[" tag "] " __VA_ARGS__)
#define INTERLEAVE_LOG_WARN(tag, ...) ::interleave::log::logger().warn("[" tag "] " __VA_ARGS__)
#define INTERLEAVE_LOG_ERROR(tag, ...) ::interleave::log::logger().error("[" tag "] " __VA_ARGS__)

}  // namespace interleave::log
