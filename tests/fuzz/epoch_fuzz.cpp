// Fuzz target: the playback.epoch parser. The input is the text of the value. An accepted
// epoch must print back to text that parses to the same epoch, and print the same again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "config/epoch.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using interleave::config::format_epoch;
    using interleave::config::parse_epoch;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto epoch = parse_epoch(text);
    if (!epoch) {
        FUZZ_CHECK(!epoch.error().detail.empty(), "a refusal says what was wrong");
        return 0;
    }
    FUZZ_CHECK(epoch->utc_offset_min >= -1439 && epoch->utc_offset_min <= 1439,
               "the zone offset is within a day");
    const std::string printed = format_epoch(*epoch);
    auto again = parse_epoch(printed);
    if (!again) std::fprintf(stderr, "printed as \"%s\": %s\n", printed.c_str(),
                             again.error().message().c_str());
    FUZZ_CHECK(again.has_value(), "format_epoch's text parses");
    FUZZ_CHECK(*again == *epoch, "parse_epoch(format_epoch(e)) == e");
    FUZZ_CHECK(format_epoch(*again) == printed, "printing is stable");
    return 0;
}
