// Shared by the environment and flag fuzz targets: the input format (NAME=value lines) and the
// plain-text round trip of every value they set. Thread: the fuzzing thread only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace interleave::fuzz {

// "a=1\nb=2" -> {("a","1"), ("b","2")}. A line without '=' is a name with an empty value; at
// most 16 lines are read.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> split_assignments(
    std::string_view text);

// Every key that `source` set: plain_value(key, config), the text environment variables and
// flags take, applied to a default Config, must be accepted and give the same value.
void check_plain_values(const config::Config& config, const config::Provenance& provenance,
                        config::Source source);

}  // namespace interleave::fuzz
