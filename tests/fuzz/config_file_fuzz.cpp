// Fuzz target: the config file (--config). The input is the file's text. Whatever it holds,
// load_config returns a Config or an Error naming where; an accepted file survives
// --print-config.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "config/config.hpp"
#include "tests/fuzz/config_round_trip.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/temp_dir.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace interleave;
    static const test::TempDir dir("interleave-fuzz-config-file");
    static const std::filesystem::path file = dir / "interleave.toml";
    test::write_file(file, {data, size});
    config::LoadInputs inputs;
    inputs.config_file = file;
    config::Provenance provenance;
    auto loaded = config::load_config(inputs, &provenance);
    if (!loaded) {
        FUZZ_CHECK(!loaded.error().subject.empty(), "a config error names the file or key");
        FUZZ_CHECK(loaded.error().code != ErrorCode::kInternal, "no parser surprise");
        return 0;
    }
    fuzz::check_print_config_round_trip(*loaded, provenance);
    return 0;
}
