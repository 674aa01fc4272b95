// Fuzz target: command-line flag values. The input is the flags in order, one key=value a line
// ("playback.ips=24"; a later one wins). Lines whose key is not in the key table are dropped:
// the command line only ever passes table keys. An accepted command line survives
// --print-config, and each value a flag set reads back from its plain text.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "config/config.hpp"
#include "config/config_keys.hpp"
#include "tests/fuzz/config_round_trip.hpp"
#include "tests/fuzz/config_text_inputs.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace interleave;
    config::LoadInputs inputs;
    for (auto& flag : fuzz::split_assignments({reinterpret_cast<const char*>(data), size})) {
        if (config::find_key(flag.first) != nullptr) inputs.flags.push_back(std::move(flag));
    }
    config::Provenance provenance;
    auto loaded = config::load_config(inputs, &provenance);
    if (!loaded) {
        FUZZ_CHECK(config::find_key(loaded.error().subject) != nullptr,
                   "a flag error names the key");
        FUZZ_CHECK(loaded.error().code != ErrorCode::kInternal, "no parser surprise");
        return 0;
    }
    fuzz::check_plain_values(*loaded, provenance, config::Source::kFlag);
    fuzz::check_print_config_round_trip(*loaded, provenance);
    return 0;
}
