// The --print-config round trip shared by the config fuzz targets.
#include "tests/fuzz/config_round_trip.hpp"

#include <cstdio>
#include <filesystem>
#include <string>

#include "config/config_keys.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::fuzz {

void check_print_config_round_trip(const config::Config& config,
                                   const config::Provenance& provenance) {
    static const test::TempDir dir("interleave-fuzz-config");
    static const std::filesystem::path file = dir / "printed.toml";
    const std::string printed = config::describe(config, provenance);
    test::write_text(file, printed);
    config::LoadInputs inputs;
    inputs.config_file = file;
    auto again = config::load_config(inputs);
    if (!again) {
        std::fprintf(stderr, "--print-config gave:\n%s\nwhich loads as: %s\n", printed.c_str(),
                     again.error().message().c_str());
    }
    FUZZ_CHECK(again.has_value(), "--print-config's output is a valid config file");
    for (const config::KeyInfo& key : config::keys()) {
        const std::string before = config::format_value(key, config);
        const std::string after = config::format_value(key, *again);
        if (before != after) {
            std::fprintf(stderr, "%.*s: %s before, %s after the round trip\n",
                         static_cast<int>(key.key.size()), key.key.data(), before.c_str(),
                         after.c_str());
        }
        FUZZ_CHECK(before == after, "--print-config's output gives every key the same value");
    }
}

}  // namespace interleave::fuzz
