// The telnet protocol as the telnet sink speaks it (RFC 854, RFC 1073 NAWS, RFC 1143's option
// states): TelnetParser, an incremental parser of a client's bytes into data and events, robust
// to any bytes split anywhere, with bounded memory; TelnetNegotiator, the server's answers to a
// client's option requests. Pure logic, no I/O. Thread: each object belongs to one thread at a
// time (the telnet server's I/O thread, one pair per client).
#pragma once

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::app::telnet {

// [SECTION] Bytes

inline constexpr std::uint8_t kIac = 255;
inline constexpr std::uint8_t kDont = 254;
inline constexpr std::uint8_t kDo = 253;
inline constexpr std::uint8_t kWont = 252;
inline constexpr std::uint8_t kWill = 251;
inline constexpr std::uint8_t kSb = 250;
inline constexpr std::uint8_t kGa = 249;
inline constexpr std::uint8_t kEl = 248;
inline constexpr std::uint8_t kEc = 247;
inline constexpr std::uint8_t kAyt = 246;
inline constexpr std::uint8_t kAo = 245;
inline constexpr std::uint8_t kIp = 244;
inline constexpr std::uint8_t kBrk = 243;
inline constexpr std::uint8_t kDm = 242;
inline constexpr std::uint8_t kNop = 241;
inline constexpr std::uint8_t kSe = 240;

inline constexpr std::uint8_t kOptEcho = 1;
inline constexpr std::uint8_t kOptSga = 3;
inline constexpr std::uint8_t kOptTtype = 24;
inline constexpr std::uint8_t kOptNaws = 31;

// The Ctrl-C byte a raw client (nc) sends as data.
inline constexpr char kCtrlC = 0x03;

enum class Verb : std::uint8_t { kWill = kWill, kWont = kWont, kDo = kDo, kDont = kDont };

// [SECTION] TelnetParser

struct TelnetEvent {
    enum class Kind : std::uint8_t {
        kNegotiation,     // IAC WILL|WONT|DO|DONT option: `verb`, `code` = the option
        kWindowSize,      // IAC SB NAWS w1 w0 h1 h0 IAC SE: `width`, `height` (0 = unknown)
        kInterrupt,       // IAC IP (BSD telnet's Ctrl-C with localchars)
        kCommand,         // any other two-byte command (NOP, AYT, GA, BRK, ...): `code`
        kSubnegotiation,  // a complete IAC SB option ... IAC SE for an option other than NAWS
    };
    Kind kind = Kind::kCommand;
    Verb verb = Verb::kWill;
    std::uint8_t code = 0;
    std::uint16_t width = 0;
    std::uint16_t height = 0;
    bool operator==(const TelnetEvent&) const = default;
};

// Incremental: bytes may be split anywhere across feed() calls, and the result is the same as
// one feed() of them all. Memory is bounded: a subnegotiation keeps at most
// kMaxSubnegotiation payload bytes (longer ones are consumed, counted malformed and dropped).
//
// Malformed input is counted, never fatal, and the parser resynchronises at the next command:
//   - IAC followed by a byte that is no command (< 240), or a stray IAC SE: both bytes dropped.
//   - A missing option byte (IAC WILL IAC ..., IAC SB IAC ...): the IAC starts the next command.
//     (So option 255, EXOPL, is not negotiable; a lost option byte is far likelier from a
//     client we serve.)
//   - Inside a subnegotiation, IAC followed by a command other than SE (IAC SB, IAC WILL, IAC IP,
//     ...) ends it unfinished and the command is parsed as such; IAC followed by a non-command
//     byte keeps both bytes as payload (an unescaped 255, as some clients send in NAWS).
//   - NAWS with a payload other than 4 bytes; an overlong subnegotiation.
// The only states in which a well-formed sequence that follows is not read as such are the two
// where the last byte was an unpaired IAC (pending_iac()); one SE byte resolves either.
class TelnetParser {
public:
    static constexpr std::size_t kMaxSubnegotiation = 64;

    // Parses `bytes`: appends data bytes (IAC IAC as one 255) to `data` and events to
    // `events`, in order of arrival within each.
    void feed(std::span<const std::uint8_t> bytes, std::string& data,
              std::vector<TelnetEvent>& events);
    void feed(std::string_view bytes, std::string& data, std::vector<TelnetEvent>& events) {
        feed(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                           bytes.size()),
             data, events);
    }

    // Between sequences: the next byte is data or the start of a command.
    [[nodiscard]] bool ground() const { return state_ == State::kData; }
    // The last byte was an IAC whose meaning depends on the next byte.
    [[nodiscard]] bool pending_iac() const {
        return state_ == State::kIac || state_ == State::kSbIac;
    }
    // Malformed sequences seen so far.
    [[nodiscard]] std::uint64_t malformed() const { return malformed_; }
    // Payload bytes held now (at most kMaxSubnegotiation).
    [[nodiscard]] std::size_t buffered() const { return sb_len_; }
    // Back to the initial state (the malformed count is kept).
    void reset();

private:
    enum class State : std::uint8_t { kData, kIac, kVerb, kSbOption, kSbData, kSbIac };

    void on_iac_command(std::uint8_t byte, std::vector<TelnetEvent>& events);
    void end_subnegotiation(std::vector<TelnetEvent>& events);
    void push_sb(std::uint8_t byte);

    State state_ = State::kData;
    Verb verb_ = Verb::kWill;
    std::uint8_t sb_option_ = 0;
    bool sb_overflow_ = false;
    std::size_t sb_len_ = 0;
    std::array<std::uint8_t, kMaxSubnegotiation> sb_{};
    std::uint64_t malformed_ = 0;
};

// [SECTION] TelnetNegotiator

// The server's side of option negotiation. The server offers WILL ECHO and WILL SGA (so BSD
// telnet switches to character mode without local echo) and asks DO NAWS. Supported: ECHO and
// SGA on the server's side, NAWS and SGA on the client's. Acknowledgements get no answer (RFC
// 1143, so no loops); a request for an option the server does not support is refused (WONT /
// DONT) once per option and side, and repeats of it are ignored. Thread: one client's, on the
// server's I/O thread.
class TelnetNegotiator {
public:
    // IAC WILL ECHO, IAC WILL SGA, IAC DO NAWS.
    [[nodiscard]] static std::string_view greeting();

    // Appends the answer to the client's `verb` `option` to `reply` (often nothing).
    void on_negotiation(Verb verb, std::uint8_t option, std::string& reply);

    // The client said WILL NAWS (its size follows) / WONT NAWS (it never tells one).
    [[nodiscard]] bool naws_agreed() const { return him_[kOptNaws] == State::kYes; }
    [[nodiscard]] bool naws_refused() const { return naws_refused_; }

private:
    enum class State : std::uint8_t { kNo, kYes, kWantYes };
    static bool supported_us(std::uint8_t option);
    static bool supported_him(std::uint8_t option);

    std::array<State, 256> us_ = initial_us();    // options the server performs
    std::array<State, 256> him_ = initial_him();  // options the client performs
    std::bitset<256> refused_us_;                 // WONT already sent for an unsupported DO
    std::bitset<256> refused_him_;                // DONT already sent for an unsupported WILL
    bool naws_refused_ = false;

    static std::array<State, 256> initial_us();
    static std::array<State, 256> initial_him();
};

}  // namespace interleave::app::telnet
