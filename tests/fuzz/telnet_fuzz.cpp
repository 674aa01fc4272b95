// Fuzz target: the telnet sink's input parser (app/sinks/telnet_protocol). The input is a
// client's bytes, fed in chunks whose sizes come from the input itself. Properties: memory
// stays bounded; chunked parsing gives exactly what one feed of the whole input gives (data,
// events, malformed count); and afterwards the parser has recovered: once the one byte an
// unpaired IAC waits for is given (SE), a well-formed NAWS, split anywhere, reads as exactly
// that size, and from the ground state with nothing counted malformed.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "app/sinks/telnet_protocol.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using interleave::app::telnet::TelnetEvent;
using interleave::app::telnet::TelnetParser;
namespace telnet = interleave::app::telnet;

struct Parsed {
    std::string data;
    std::vector<TelnetEvent> events;
};

// IAC SB NAWS 0x01 0x2c (300) 0x00 0xff (255, doubled) IAC SE
constexpr std::uint8_t kGoodNaws[] = {
    telnet::kIac, telnet::kSb, telnet::kOptNaws, 0x01,       0x2c, 0x00,
    0xff,         0xff,        telnet::kIac,     telnet::kSe};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);

    TelnetParser whole;
    Parsed all;
    whole.feed(input, all.data, all.events);
    FUZZ_CHECK(whole.buffered() <= TelnetParser::kMaxSubnegotiation, "bounded payload");
    FUZZ_CHECK(all.data.size() <= size, "no more data than input");
    FUZZ_CHECK(all.events.size() <= size / 2, "an event takes at least two bytes");

    // Chunk sizes 1..16 from a little generator seeded by the input.
    std::uint32_t state = 2166136261u;
    for (std::size_t i = 0; i < size && i < 8; ++i) state = (state ^ data[i]) * 16777619u;
    TelnetParser chunked;
    Parsed parts;
    for (std::size_t at = 0; at < size;) {
        state = state * 1664525u + 1013904223u;
        const std::size_t n = std::min<std::size_t>(1 + (state >> 28), size - at);
        chunked.feed(input.subspan(at, n), parts.data, parts.events);
        FUZZ_CHECK(chunked.buffered() <= TelnetParser::kMaxSubnegotiation, "bounded payload");
        at += n;
    }
    FUZZ_CHECK(parts.data == all.data, "chunking keeps the data");
    FUZZ_CHECK(parts.events == all.events, "chunking keeps the events");
    FUZZ_CHECK(chunked.malformed() == whole.malformed(), "chunking keeps the malformed count");
    FUZZ_CHECK(chunked.ground() == whole.ground() && chunked.pending_iac() == whole.pending_iac(),
               "chunking ends in the same state");

    // Recovery.
    const bool was_ground = chunked.ground();
    if (chunked.pending_iac()) {
        const std::uint8_t se = telnet::kSe;
        chunked.feed(std::span<const std::uint8_t>(&se, 1), parts.data, parts.events);
    }
    const std::uint64_t malformed_before = chunked.malformed();
    Parsed good;
    const std::size_t cut = (state >> 8) % (sizeof(kGoodNaws) + 1);
    const std::span<const std::uint8_t> naws(kGoodNaws, sizeof(kGoodNaws));
    chunked.feed(naws.first(cut), good.data, good.events);
    chunked.feed(naws.subspan(cut), good.data, good.events);
    FUZZ_CHECK(!good.events.empty(), "the good NAWS gives an event");
    const TelnetEvent& last = good.events.back();
    FUZZ_CHECK(
        last.kind == TelnetEvent::Kind::kWindowSize && last.width == 300 && last.height == 255,
        "the good NAWS reads as 300x255");
    FUZZ_CHECK(chunked.ground(), "ground after a complete sequence");
    FUZZ_CHECK(good.data.empty(), "NAWS is not data");
    if (was_ground) {
        FUZZ_CHECK(good.events.size() == 1, "from the ground state only the NAWS");
        FUZZ_CHECK(chunked.malformed() == malformed_before,
                   "from the ground state nothing malformed");
    }
    return 0;
}
