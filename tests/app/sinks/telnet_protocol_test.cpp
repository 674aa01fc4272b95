// Tests of the telnet protocol: TelnetParser (every negotiation form, NAWS split byte by byte,
// doubled IAC data, malformed and unterminated subnegotiations, IP, garbage, and recovery) and
// TelnetNegotiator (acknowledgements unanswered, unsupported options refused once).
#include "app/sinks/telnet_protocol.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::app::telnet {
namespace {

using Kind = TelnetEvent::Kind;

std::string bytes(std::initializer_list<int> values) {
    std::string out;
    for (const int v : values) out.push_back(static_cast<char>(v));
    return out;
}

std::string naws(int width, int height) {
    std::string out = bytes({kIac, kSb, kOptNaws});
    for (const int v : {width >> 8, width & 0xff, height >> 8, height & 0xff}) {
        out.push_back(static_cast<char>(v));
        if (v == kIac) out.push_back(static_cast<char>(kIac));  // escaped 255
    }
    out += bytes({kIac, kSe});
    return out;
}

struct Parsed {
    std::string data;
    std::vector<TelnetEvent> events;
};

Parsed parse_all(TelnetParser& parser, const std::string& input) {
    Parsed out;
    parser.feed(input, out.data, out.events);
    return out;
}

Parsed parse_bytewise(TelnetParser& parser, const std::string& input) {
    Parsed out;
    for (const char c : input) parser.feed(std::string_view(&c, 1), out.data, out.events);
    return out;
}

TelnetEvent window(int width, int height) {
    TelnetEvent event;
    event.kind = Kind::kWindowSize;
    event.code = kOptNaws;
    event.width = static_cast<std::uint16_t>(width);
    event.height = static_cast<std::uint16_t>(height);
    return event;
}

TelnetEvent negotiation(Verb verb, std::uint8_t option) {
    TelnetEvent event;
    event.kind = Kind::kNegotiation;
    event.verb = verb;
    event.code = option;
    return event;
}

TEST(TelnetParser, PlainDataPassesThrough) {
    TelnetParser parser;
    const Parsed p = parse_all(parser, "hello\r\n\x03");
    EXPECT_EQ(p.data, "hello\r\n\x03");
    EXPECT_TRUE(p.events.empty());
    EXPECT_TRUE(parser.ground());
    EXPECT_EQ(parser.malformed(), 0u);
}

TEST(TelnetParser, EveryNegotiationVerb) {
    TelnetParser parser;
    const Parsed p = parse_all(parser, bytes({kIac, kWill, kOptNaws, kIac, kWont, kOptTtype, kIac,
                                              kDo, kOptEcho, kIac, kDont, kOptSga}));
    ASSERT_EQ(p.events.size(), 4u);
    EXPECT_EQ(p.events[0], negotiation(Verb::kWill, kOptNaws));
    EXPECT_EQ(p.events[1], negotiation(Verb::kWont, kOptTtype));
    EXPECT_EQ(p.events[2], negotiation(Verb::kDo, kOptEcho));
    EXPECT_EQ(p.events[3], negotiation(Verb::kDont, kOptSga));
    EXPECT_TRUE(p.data.empty());
    EXPECT_EQ(parser.malformed(), 0u);
}

TEST(TelnetParser, NawsWholeAndByteByByte) {
    const std::string input =
        std::string("a") + naws(80, 24) + std::string("b") + naws(1000, 300) + std::string("c");
    TelnetParser whole;
    const Parsed a = parse_all(whole, input);
    TelnetParser split;
    const Parsed b = parse_bytewise(split, input);
    for (const Parsed* p : {&a, &b}) {
        ASSERT_EQ(p->events.size(), 2u);
        EXPECT_EQ(p->events[0], window(80, 24));
        EXPECT_EQ(p->events[1], window(1000, 300));
        EXPECT_EQ(p->data, "abc");
    }
    EXPECT_EQ(whole.malformed(), 0u);
    EXPECT_EQ(split.malformed(), 0u);
}

TEST(TelnetParser, NawsWithEscapedAndZeroSides) {
    TelnetParser parser;
    // 255 x 511: both contain a 255 byte, sent doubled; 0 = unknown.
    const Parsed p = parse_bytewise(parser, naws(255, 0x1ff) + naws(0, 0));
    ASSERT_EQ(p.events.size(), 2u);
    EXPECT_EQ(p.events[0], window(255, 0x1ff));
    EXPECT_EQ(p.events[1], window(0, 0));
    EXPECT_EQ(parser.malformed(), 0u);
}

TEST(TelnetParser, NawsWithUnescapedIacIsTolerated) {
    TelnetParser parser;
    const Parsed p = parse_all(parser, bytes({kIac, kSb, kOptNaws, 0, kIac, 0, 24, kIac, kSe}));
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(p.events[0], window(255, 24));
    EXPECT_EQ(parser.malformed(), 1u);  // counted, but understood
}

TEST(TelnetParser, DoubledIacIsOneDataByte) {
    TelnetParser parser;
    const Parsed p = parse_bytewise(parser, bytes({'x', kIac, kIac, 'y', kIac, kIac}));
    EXPECT_EQ(p.data, bytes({'x', 255, 'y', 255}));
    EXPECT_TRUE(p.events.empty());
    EXPECT_TRUE(parser.ground());
}

TEST(TelnetParser, InterruptAndOtherCommands) {
    TelnetParser parser;
    const Parsed p = parse_all(parser, bytes({kIac, kNop, kIac, kAyt, kIac, kIp, kIac, kGa}));
    ASSERT_EQ(p.events.size(), 4u);
    EXPECT_EQ(p.events[0].kind, Kind::kCommand);
    EXPECT_EQ(p.events[0].code, kNop);
    EXPECT_EQ(p.events[1].code, kAyt);
    EXPECT_EQ(p.events[2].kind, Kind::kInterrupt);
    EXPECT_EQ(p.events[3].code, kGa);
}

TEST(TelnetParser, OtherSubnegotiationIsReported) {
    TelnetParser parser;
    // TTYPE IS "xterm"
    const Parsed p =
        parse_all(parser, bytes({kIac, kSb, kOptTtype, 0, 'x', 't', 'e', 'r', 'm', kIac, kSe}));
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(p.events[0].kind, Kind::kSubnegotiation);
    EXPECT_EQ(p.events[0].code, kOptTtype);
    EXPECT_EQ(parser.malformed(), 0u);
}

TEST(TelnetParser, NawsOfWrongLengthIsMalformed) {
    TelnetParser parser;
    const Parsed p = parse_all(
        parser, bytes({kIac, kSb, kOptNaws, 0, 80, 0, kIac, kSe}) +
                    bytes({kIac, kSb, kOptNaws, 0, 80, 0, 24, 1, kIac, kSe}) + naws(70, 20));
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(p.events[0], window(70, 20));
    EXPECT_EQ(parser.malformed(), 2u);
}

TEST(TelnetParser, OverlongSubnegotiationIsBoundedAndDropped) {
    TelnetParser parser;
    std::string input = bytes({kIac, kSb, kOptNaws});
    input += std::string(100'000, 'z');
    Parsed p;
    parser.feed(input, p.data, p.events);
    EXPECT_LE(parser.buffered(), TelnetParser::kMaxSubnegotiation);
    EXPECT_TRUE(p.data.empty());  // payload is not data
    parser.feed(bytes({kIac, kSe}) + naws(90, 30), p.data, p.events);
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(p.events[0], window(90, 30));
    EXPECT_EQ(parser.malformed(), 1u);
    EXPECT_TRUE(parser.ground());
}

TEST(TelnetParser, UnterminatedSubnegotiationEndsAtTheNextCommand) {
    // SB NAWS cut short, then a fresh SB NAWS: the fresh one counts.
    TelnetParser a;
    const Parsed pa = parse_bytewise(a, bytes({kIac, kSb, kOptNaws, 0, 80}) + naws(100, 50));
    ASSERT_EQ(pa.events.size(), 1u);
    EXPECT_EQ(pa.events[0], window(100, 50));
    EXPECT_EQ(a.malformed(), 1u);
    // SB cut short by IAC IP: the interrupt is not lost.
    TelnetParser b;
    const Parsed pb = parse_all(b, bytes({kIac, kSb, kOptNaws, 0, kIac, kIp}));
    ASSERT_EQ(pb.events.size(), 1u);
    EXPECT_EQ(pb.events[0].kind, Kind::kInterrupt);
    EXPECT_TRUE(b.ground());
}

TEST(TelnetParser, MissingOptionBytesResynchronise) {
    TelnetParser parser;
    // IAC WILL <lost>, IAC SB <lost>, then good sequences.
    const Parsed p = parse_bytewise(
        parser, bytes({kIac, kWill, kIac, kSb}) + naws(81, 25) + bytes({kIac, kDo, kOptEcho}));
    ASSERT_EQ(p.events.size(), 2u);
    EXPECT_EQ(p.events[0], window(81, 25));
    EXPECT_EQ(p.events[1], negotiation(Verb::kDo, kOptEcho));
    EXPECT_EQ(parser.malformed(), 2u);
}

TEST(TelnetParser, NonCommandAfterIacAndStraySeAreDropped) {
    TelnetParser parser;
    const Parsed p = parse_all(parser, bytes({'a', kIac, 'q', 'b', kIac, kSe, 'c'}));
    EXPECT_EQ(p.data, "abc");
    EXPECT_TRUE(p.events.empty());
    EXPECT_EQ(parser.malformed(), 2u);
}

// After any garbage, and one SE byte when the last byte was an unpaired IAC, a good NAWS parses
// exactly, whatever the split; a parser in its ground state needs no SE.
TEST(TelnetParser, RecoversFromRandomGarbage) {
    std::mt19937 rng(1234);
    const std::string good = naws(132, 43);
    for (int round = 0; round < 2000; ++round) {
        TelnetParser parser;
        std::string garbage(rng() % 40, '\0');
        for (char& c : garbage) {
            // Bias toward the interesting bytes.
            const unsigned r = rng() % 4;
            c = static_cast<char>(r == 0 ? 240 + rng() % 16 : (r == 1 ? kOptNaws : rng() % 256));
        }
        Parsed p;
        std::size_t at = 0;
        while (at < garbage.size()) {
            const std::size_t n = 1 + rng() % 5;
            parser.feed(std::string_view(garbage).substr(at, n), p.data, p.events);
            at += n;
        }
        ASSERT_LE(parser.buffered(), TelnetParser::kMaxSubnegotiation);
        const bool was_ground = parser.ground();
        const std::uint64_t malformed_before = parser.malformed();
        if (parser.pending_iac()) parser.feed(bytes({kSe}), p.data, p.events);
        Parsed q;
        const std::size_t cut = rng() % good.size();
        parser.feed(std::string_view(good).substr(0, cut), q.data, q.events);
        parser.feed(std::string_view(good).substr(cut), q.data, q.events);
        ASSERT_FALSE(q.events.empty()) << "round " << round;
        EXPECT_EQ(q.events.back(), window(132, 43)) << "round " << round;
        EXPECT_TRUE(parser.ground());
        if (was_ground) {
            EXPECT_EQ(q.events.size(), 1u);
            EXPECT_EQ(parser.malformed(), malformed_before);
        }
    }
}

TEST(TelnetParser, ResetForgetsAPartialSequence) {
    TelnetParser parser;
    Parsed p = parse_all(parser, bytes({kIac, kSb, kOptNaws, 0}));
    EXPECT_FALSE(parser.ground());
    parser.reset();
    EXPECT_TRUE(parser.ground());
    EXPECT_EQ(parser.buffered(), 0u);
    p = parse_all(parser, naws(10, 10));
    ASSERT_EQ(p.events.size(), 1u);
    EXPECT_EQ(p.events[0], window(10, 10));
}

// [SECTION] TelnetNegotiator

std::string reply_to(TelnetNegotiator& n, Verb verb, std::uint8_t option) {
    std::string reply;
    n.on_negotiation(verb, option, reply);
    return reply;
}

TEST(TelnetNegotiator, GreetingOffersEchoAndSgaAndAsksNaws) {
    EXPECT_EQ(TelnetNegotiator::greeting(),
              bytes({kIac, kWill, kOptEcho, kIac, kWill, kOptSga, kIac, kDo, kOptNaws}));
}

TEST(TelnetNegotiator, AcknowledgementsGetNoAnswer) {
    TelnetNegotiator n;
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptEcho), "");
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptSga), "");
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptNaws), "");
    EXPECT_TRUE(n.naws_agreed());
    // Repeats of what is already agreed: still nothing.
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptEcho), "");
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptNaws), "");
}

TEST(TelnetNegotiator, RefusalsOfOurOffersGetNoAnswer) {
    TelnetNegotiator n;
    EXPECT_EQ(reply_to(n, Verb::kDont, kOptEcho), "");
    EXPECT_EQ(reply_to(n, Verb::kWont, kOptNaws), "");
    EXPECT_TRUE(n.naws_refused());
    EXPECT_FALSE(n.naws_agreed());
    // Asked again later, a supported option is agreed to.
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptEcho), bytes({kIac, kWill, kOptEcho}));
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptNaws), bytes({kIac, kDo, kOptNaws}));
    EXPECT_TRUE(n.naws_agreed());
}

TEST(TelnetNegotiator, UnsupportedOptionsAreRefusedOnce) {
    TelnetNegotiator n;
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptTtype), bytes({kIac, kWont, kOptTtype}));
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptTtype), "");
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptTtype), bytes({kIac, kDont, kOptTtype}));
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptTtype), "");
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptNaws), bytes({kIac, kWont, kOptNaws}));
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptEcho), bytes({kIac, kDont, kOptEcho}));
    // Turning off what is off needs no answer.
    EXPECT_EQ(reply_to(n, Verb::kDont, 99), "");
    EXPECT_EQ(reply_to(n, Verb::kWont, 99), "");
}

TEST(TelnetNegotiator, ClientSgaIsAccepted) {
    TelnetNegotiator n;
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptSga), bytes({kIac, kDo, kOptSga}));
    EXPECT_EQ(reply_to(n, Verb::kWill, kOptSga), "");
    EXPECT_EQ(reply_to(n, Verb::kWont, kOptSga), bytes({kIac, kDont, kOptSga}));
    EXPECT_EQ(reply_to(n, Verb::kWont, kOptSga), "");
}

TEST(TelnetNegotiator, EnabledOptionTurnedOffIsAcknowledged) {
    TelnetNegotiator n;
    EXPECT_EQ(reply_to(n, Verb::kDo, kOptEcho), "");
    EXPECT_EQ(reply_to(n, Verb::kDont, kOptEcho), bytes({kIac, kWont, kOptEcho}));
    EXPECT_EQ(reply_to(n, Verb::kDont, kOptEcho), "");
}

}  // namespace
}  // namespace interleave::app::telnet
