// Fuzz target: INTERLEAVE_* environment values. The input is the environment, one NAME=value
// a line. An accepted environment survives --print-config, and each value the environment set
// reads back from its plain text, as a flag would take it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "tests/fuzz/config_round_trip.hpp"
#include "tests/fuzz/config_text_inputs.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace interleave;
    config::LoadInputs inputs;
    for (auto& [name, value] : fuzz::split_assignments(
             {reinterpret_cast<const char*>(data), size})) {
        inputs.environment[std::move(name)] = std::move(value);
    }
    config::Provenance provenance;
    auto loaded = config::load_config(inputs, &provenance);
    if (!loaded) {
        FUZZ_CHECK(!loaded.error().subject.empty(), "an environment error names the variable");
        FUZZ_CHECK(loaded.error().code != ErrorCode::kInternal, "no parser surprise");
        return 0;
    }
    fuzz::check_plain_values(*loaded, provenance, config::Source::kEnv);
    fuzz::check_print_config_round_trip(*loaded, provenance);
    return 0;
}
