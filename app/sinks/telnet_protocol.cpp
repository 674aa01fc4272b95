// TelnetParser's state machine and TelnetNegotiator's answers (RFC 854, 1073, 1143).
#include "app/sinks/telnet_protocol.hpp"

namespace interleave::app::telnet {

// [SECTION] TelnetParser

void TelnetParser::reset() {
    state_ = State::kData;
    sb_len_ = 0;
    sb_overflow_ = false;
}

void TelnetParser::push_sb(std::uint8_t byte) {
    if (sb_len_ < sb_.size()) {
        sb_[sb_len_++] = byte;
    } else {
        sb_overflow_ = true;
    }
}

void TelnetParser::end_subnegotiation(std::vector<TelnetEvent>& events) {
    if (sb_overflow_) {
        ++malformed_;
    } else if (sb_option_ == kOptNaws) {
        if (sb_len_ == 4) {
            TelnetEvent event;
            event.kind = TelnetEvent::Kind::kWindowSize;
            event.code = kOptNaws;
            event.width = static_cast<std::uint16_t>((sb_[0] << 8) | sb_[1]);
            event.height = static_cast<std::uint16_t>((sb_[2] << 8) | sb_[3]);
            events.push_back(event);
        } else {
            ++malformed_;
        }
    } else {
        TelnetEvent event;
        event.kind = TelnetEvent::Kind::kSubnegotiation;
        event.code = sb_option_;
        events.push_back(event);
    }
    sb_len_ = 0;
    sb_overflow_ = false;
    state_ = State::kData;
}

// The byte after an IAC, outside a subnegotiation.
void TelnetParser::on_iac_command(std::uint8_t byte, std::vector<TelnetEvent>& events) {
    switch (byte) {
        case kWill:
        case kWont:
        case kDo:
        case kDont:
            verb_ = static_cast<Verb>(byte);
            state_ = State::kVerb;
            return;
        case kSb:
            sb_len_ = 0;
            sb_overflow_ = false;
            state_ = State::kSbOption;
            return;
        case kSe:  // SE without SB
            ++malformed_;
            state_ = State::kData;
            return;
        case kIp: {
            TelnetEvent event;
            event.kind = TelnetEvent::Kind::kInterrupt;
            event.code = kIp;
            events.push_back(event);
            state_ = State::kData;
            return;
        }
        default:
            break;
    }
    if (byte > kSe) {  // NOP, DM, BRK, AO, AYT, EC, EL, GA
        TelnetEvent event;
        event.kind = TelnetEvent::Kind::kCommand;
        event.code = byte;
        events.push_back(event);
    } else {  // not a command at all
        ++malformed_;
    }
    state_ = State::kData;
}

void TelnetParser::feed(std::span<const std::uint8_t> bytes, std::string& data,
                        std::vector<TelnetEvent>& events) {
    for (const std::uint8_t byte : bytes) {
        switch (state_) {
            case State::kData:
                if (byte == kIac) {
                    state_ = State::kIac;
                } else {
                    data.push_back(static_cast<char>(byte));
                }
                break;
            case State::kIac:
                if (byte == kIac) {
                    data.push_back(static_cast<char>(kIac));
                    state_ = State::kData;
                } else {
                    on_iac_command(byte, events);
                }
                break;
            case State::kVerb:
                if (byte == kIac) {  // the option byte went missing: this IAC starts anew
                    ++malformed_;
                    state_ = State::kIac;
                } else {
                    TelnetEvent event;
                    event.kind = TelnetEvent::Kind::kNegotiation;
                    event.verb = verb_;
                    event.code = byte;
                    events.push_back(event);
                    state_ = State::kData;
                }
                break;
            case State::kSbOption:
                if (byte == kIac) {
                    ++malformed_;
                    state_ = State::kIac;
                } else {
                    sb_option_ = byte;
                    state_ = State::kSbData;
                }
                break;
            case State::kSbData:
                if (byte == kIac) {
                    state_ = State::kSbIac;
                } else {
                    push_sb(byte);
                }
                break;
            case State::kSbIac:
                if (byte == kSe) {
                    end_subnegotiation(events);
                } else if (byte == kIac) {
                    push_sb(kIac);
                    state_ = State::kSbData;
                } else if (byte > kSe) {
                    // A command inside SB: the subnegotiation was cut short; parse the command.
                    ++malformed_;
                    sb_len_ = 0;
                    sb_overflow_ = false;
                    on_iac_command(byte, events);
                } else {
                    // An unescaped 255 followed by payload: keep both.
                    ++malformed_;
                    push_sb(kIac);
                    push_sb(byte);
                    state_ = State::kSbData;
                }
                break;
        }
    }
}

// [SECTION] TelnetNegotiator

std::string_view TelnetNegotiator::greeting() {
    static constexpr char kGreeting[] = {
        static_cast<char>(kIac), static_cast<char>(kWill), static_cast<char>(kOptEcho),
        static_cast<char>(kIac), static_cast<char>(kWill), static_cast<char>(kOptSga),
        static_cast<char>(kIac), static_cast<char>(kDo),   static_cast<char>(kOptNaws)};
    return {kGreeting, sizeof(kGreeting)};
}

bool TelnetNegotiator::supported_us(std::uint8_t option) {
    return option == kOptEcho || option == kOptSga;
}

bool TelnetNegotiator::supported_him(std::uint8_t option) {
    return option == kOptNaws || option == kOptSga;
}

std::array<TelnetNegotiator::State, 256> TelnetNegotiator::initial_us() {
    std::array<State, 256> states{};
    states.fill(State::kNo);
    states[kOptEcho] = State::kWantYes;  // the greeting's WILL ECHO
    states[kOptSga] = State::kWantYes;   // WILL SGA
    return states;
}

std::array<TelnetNegotiator::State, 256> TelnetNegotiator::initial_him() {
    std::array<State, 256> states{};
    states.fill(State::kNo);
    states[kOptNaws] = State::kWantYes;  // DO NAWS
    return states;
}

namespace {

void append_command(std::string& out, std::uint8_t verb, std::uint8_t option) {
    out.push_back(static_cast<char>(kIac));
    out.push_back(static_cast<char>(verb));
    out.push_back(static_cast<char>(option));
}

}  // namespace

void TelnetNegotiator::on_negotiation(Verb verb, std::uint8_t option, std::string& reply) {
    switch (verb) {
        case Verb::kDo: {  // the client asks the server to perform `option`
            State& state = us_[option];
            if (!supported_us(option)) {
                if (!refused_us_[option]) {
                    refused_us_[option] = true;
                    append_command(reply, kWont, option);
                }
            } else if (state == State::kNo) {
                state = State::kYes;
                append_command(reply, kWill, option);
            } else {
                state = State::kYes;  // kWantYes: our WILL acknowledged; kYes: a repeat
            }
            break;
        }
        case Verb::kDont: {
            State& state = us_[option];
            if (state == State::kYes) append_command(reply, kWont, option);
            state = State::kNo;  // kWantYes: our offer refused, no answer
            break;
        }
        case Verb::kWill: {  // the client offers to perform `option`
            State& state = him_[option];
            if (!supported_him(option)) {
                if (!refused_him_[option]) {
                    refused_him_[option] = true;
                    append_command(reply, kDont, option);
                }
            } else if (state == State::kNo) {
                state = State::kYes;
                append_command(reply, kDo, option);
            } else {
                state = State::kYes;
            }
            if (option == kOptNaws) naws_refused_ = false;
            break;
        }
        case Verb::kWont: {
            State& state = him_[option];
            if (state == State::kYes) append_command(reply, kDont, option);
            state = State::kNo;
            if (option == kOptNaws) naws_refused_ = true;
            break;
        }
    }
}

}  // namespace interleave::app::telnet
