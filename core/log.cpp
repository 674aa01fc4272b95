// The process logger: spdlog writing to stderr.
#include "core/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>

namespace interleave::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
    switch (level) {
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
    case Level::kOff: return spdlog::level::off;
    }
    return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> make_logger() {
    auto logger = spdlog::stderr_color_mt("interleave");
    logger->set_pattern("%H:%M:%S.%e %^%l%$ %v");
    logger->set_level(spdlog::level::info);
    return logger;
}

}  // namespace

spdlog::logger& logger() {
    static std::shared_ptr<spdlog::logger> instance = make_logger();
    return *instance;
}

void init(Level level) { set_level(level); }

void set_level(Level level) { logger().set_level(to_spdlog(level)); }

bool parse_level(std::string_view text, Level& out) {
    if (text == "debug") out = Level::kDebug;
    else if (text == "info") out = Level::kInfo;
    else if (text == "warn") out = Level::kWarn;
    else if (text == "error") out = Level::kError;
    else if (text == "off") out = Level::kOff;
    else return false;
    return true;
}

}  // namespace interleave::log
