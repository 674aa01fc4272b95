// The key table: every setting's name, range or choices, flag, help and the Config field it sets.
// The file, environment and flag layers, --help, --print-config and the interleave.toml test all
// read this one table, so nothing about a key is written twice. Thread: any (immutable).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "config/config.hpp"
#include "core/error.hpp"

namespace interleave::config {

// What a key's value is; follows from the type of its Config field.
enum class KeyType {
    kBool,    // true/false (text: also 1/0, yes/no, on/off)
    kInt,     // an integer in [int_min, int_max], or one of `choices` when it has any
    kReal,    // a finite number in [real_min, real_max]
    kPath,    // a non-empty path
    kChoice,  // one of `choices` (an enum, in declaration order)
    kSize,    // "content" or WxH, each side in [int_min, int_max]
    kColor,   // r,g,b, each 0..255 (TOML: also [r, g, b])
    kEpoch,   // "launch" or an ISO-8601 time with a zone (TOML: also an offset date-time)
    kAddress, // an IPv4 or IPv6 address literal
};

// Where a key lives in Config: a function returning a reference to the field.
template <typename T>
using FieldRef = T& (*)(Config&);
using Field = std::variant<FieldRef<bool>, FieldRef<int>, FieldRef<std::uint32_t>,
                           FieldRef<std::int64_t>, FieldRef<double>,
                           FieldRef<std::filesystem::path>, FieldRef<SelectMode>,
                           FieldRef<OutputMode>, FieldRef<RendererChoice>, FieldRef<Rgb>,
                           FieldRef<OutputSize>, FieldRef<Epoch>, FieldRef<AsciiColor>,
                           FieldRef<ListenAddress>>;

struct KeyInfo {
    std::string_view key;                       // "playback.ips": section, '.', name
    std::string_view flag;                      // suggested command-line flag, "--ips"
    std::string_view help;                      // one line for --help and interleave.toml
    Field field;                                // the Config field it sets
    std::int64_t int_min = 0;                   // kInt, kSize (per side)
    std::int64_t int_max = 0;
    double real_min = 0.0;                      // kReal
    double real_max = 0.0;
    std::span<const std::string_view> choices;  // kChoice names; kInt: the only allowed values
    std::string_view size_word = "content";     // kSize: the word that stands for 0x0

    [[nodiscard]] KeyType type() const;
    [[nodiscard]] std::string_view section() const { return key.substr(0, key.find('.')); }
    [[nodiscard]] std::string_view name() const { return key.substr(key.find('.') + 1); }
};

// Every key, grouped by section in the order of interleave.toml.
[[nodiscard]] std::span<const KeyInfo> keys();
// The section names, in table order: playback, loader, select, output, ascii, telnet, stream,
// content.
[[nodiscard]] std::span<const std::string_view> sections();
// The key named `key` ("playback.ips"), or nullptr.
[[nodiscard]] const KeyInfo* find_key(std::string_view key);

// "INTERLEAVE_PLAYBACK_IPS" for playback.ips.
[[nodiscard]] std::string env_name(const KeyInfo& key);
// What the key allows, as error messages and --help say it: "0.001..1000",
// "window, headless or ascii", "true or false", "\"content\" or WxH, each side 16..16384", ...
[[nodiscard]] std::string allowed_text(const KeyInfo& key);

// The field's value in `config`, written as TOML: 30, true, "window", [4, 4, 4], "content",
// "1978-11-17T07:11:00-05:00". apply_text accepts it back (after TOML unquoting).
[[nodiscard]] std::string format_value(const KeyInfo& key, const Config& config);
// The value as plain text (format_value without TOML quotes or brackets): what environment
// variables and flags take, e.g. window, 4,4,4, content.
[[nodiscard]] std::string plain_value(const KeyInfo& key, const Config& config);
// plain_value of the built-in default, in flag syntax: what --help shows ("30", "4,4,4").
[[nodiscard]] std::string default_text(const KeyInfo& key);

// Parses `text` for `key`, checks it against the key's range or choices and stores it in
// `config`. On error `config` is unchanged and the Error (kInvalidArgument) has `subject`,
// the value as given and what is allowed:
//   playback.ips: "fast" is not a number (expected 0.001..1000)
//   loader.fifo_pairs: 241 is out of range (expected 2..240)
//   output.mode: "windw" is not allowed (expected window, headless or ascii; did you mean window?)
[[nodiscard]] Result<void> apply_text(const KeyInfo& key, std::string_view text, Config& config,
                                      std::string_view subject);

// The candidate closest to `word` (case-insensitive edit distance, or a prefix of at least three
// characters), when it is close enough to be a likely typo; for "did you mean" hints.
[[nodiscard]] std::optional<std::string> nearest(std::string_view word,
                                                 std::span<const std::string> candidates);

// `text` as a TOML basic string, with quotes and escapes.
[[nodiscard]] std::string toml_quote(std::string_view text);

}  // namespace interleave::config
