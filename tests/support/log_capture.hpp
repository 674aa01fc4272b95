// LogCapture: collects what the process logger writes while it lives, so a test can count the
// lines a failure produced. Thread: create and destroy it on the test's thread while no other
// thread logs (spdlog's sink list is not locked); threads started in between may log into it.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>

#include "core/log.hpp"

namespace interleave::test {

class LogCapture {
public:
    LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(out_)) {
        log::init(log::Level::kInfo);
        log::logger().sinks().push_back(sink_);
    }
    ~LogCapture() {
        auto& sinks = log::logger().sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    // Lines that contain every one of `needles`.
    [[nodiscard]] std::size_t lines_with(std::initializer_list<std::string> needles) const {
        std::istringstream in(text());
        std::size_t n = 0;
        for (std::string line; std::getline(in, line);) {
            const auto in_line = [&](const std::string& s) {
                return line.find(s) != std::string::npos;
            };
            if (std::all_of(needles.begin(), needles.end(), in_line)) ++n;
        }
        return n;
    }
    [[nodiscard]] std::string text() const {
        sink_->flush();
        return out_.str();
    }

private:
    std::ostringstream out_;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

}  // namespace interleave::test
