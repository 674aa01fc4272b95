// Shared by the config fuzz targets: what load_config accepted must survive --print-config.
// Thread: the fuzzing thread only.
#pragma once

#include "config/config.hpp"

namespace interleave::fuzz {

// Writes describe(config) to a file, as --print-config prints it, loads that file and checks
// that it is accepted and gives every key the same value (compared as format_value writes it).
void check_print_config_round_trip(const config::Config& config,
                                   const config::Provenance& provenance);

}  // namespace interleave::fuzz
