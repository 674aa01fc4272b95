// Config: every setting the player reads, its default beside it, and load_config, which layers
// built-in defaults < config file (--config) < INTERLEAVE_* environment < command-line flags.
// Thread: main, at start-up; a loaded Config is a plain value, copied to whoever needs it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/epoch.hpp"
#include "config/loader_settings.hpp"
#include "core/error.hpp"

namespace interleave::config {

// Defaults follow the original VideoInterleaving project (settings.py and constantStorage/),
// except the headless size, which the original fixed at a portrait canvas (see OutputConfig).
// Every key, range and default is documented again in config/interleave.toml; a test parses
// that file and checks that it gives exactly these defaults. Ranges are enforced by
// load_config through the key table in config/config_keys.hpp.

enum class SelectMode { kRandom, kFixed, kSequential };
enum class OutputMode { kWindow, kHeadless, kAscii };
enum class RendererChoice { kAuto, kGl, kGles3, kGles2, kCpu };
enum class AsciiColor { k256, kTrueColor, k16, kMono };  // ascii.color: 256|truecolor|16|mono

struct Rgb {
    std::uint8_t r = 0;
    std::uint8_t g = 0;
    std::uint8_t b = 0;
    bool operator==(const Rgb&) const = default;
};

// An output size; 0x0 stands for "content", the content's own size (ascii.size: "auto", the
// terminal's or the telnet client's size).
struct OutputSize {
    std::uint32_t width_px = 0;   // 16..16384, or 0 with height_px 0
    std::uint32_t height_px = 0;  // 16..16384, or 0 with width_px 0
    [[nodiscard]] bool is_content() const { return width_px == 0 && height_px == 0; }
    bool operator==(const OutputSize&) const = default;
};

// An address to listen on: an IPv4 or IPv6 literal, checked when it is set.
struct ListenAddress {
    std::string text = "127.0.0.1";
    bool operator==(const ListenAddress&) const = default;
};

struct PlaybackConfig {
    double ips = 30.0;             // playback.ips: images per second (index rate); 0.001..1000
    int fps = 60;                  // playback.fps: window redraws per second; 1..1000
    bool ping_pong = true;         // playback.ping_pong: 0..N-1, N-1..0, ...; false: loop 0..N-1
    Epoch epoch;                   // playback.epoch: when index 0 was shown; "launch" or ISO-8601
    double duration_s = 0.0;       // playback.duration_s: stop after; 0 = never; 0..31536000
    std::int64_t frames = 0;       // playback.frames: stop after N shown images; 0 = never; 0..1e9
};

struct SelectConfig {
    SelectMode mode = SelectMode::kRandom;  // select.mode: random | fixed | sequential
    std::int64_t seed = 0;         // select.seed: same seed + epoch = same choices; 0..2^63-1
    double rest_min_s = 2.0;       // select.rest_min_s: shortest rest on folder 0; 0..3600
    double rest_max_s = 7.0;       // select.rest_max_s: longest rest on folder 0; 0..3600
    double min_interval_s = 1.0;   // select.min_interval_s: least s between switches; 0.001..3600
    double max_interval_s = 20.0;  // select.max_interval_s: most s between switches; 0.001..3600
    double jitter_s = 0.2;         // select.jitter_s: random ± added to each interval; 0..60
    int fixed_main = 0;            // select.fixed_main: main folder position in fixed mode; 0..4095
    int fixed_float = 0;           // select.fixed_float: float folder position in fixed mode
};

struct OutputConfig {
    OutputMode mode = OutputMode::kWindow;  // output.mode: window | headless | ascii
    RendererChoice renderer = RendererChoice::kAuto;  // output.renderer: auto|gl|gles3|gles2|cpu
    // output.size: headless frame size; "content" (default) or WxH. The original letterboxed
    // 16:9 content into a 480x600 portrait canvas, wasting 55 % of each streamed frame.
    OutputSize size;
    Rgb background{4, 4, 4};       // output.background: r,g,b behind both layers; each 0..255
    int rotate_deg = 0;            // output.rotate: 0 | 90 | 180 | 270 (clockwise)
    bool mirror = false;           // output.mirror: flip left-right
    bool fullscreen = true;        // output.fullscreen: window mode covers the monitor
    int monitor = 0;               // output.monitor: 0 = primary, else GLFW's order; 0..15
    bool vsync = true;             // output.vsync: swap interval 1 (else 0)
    ListenAddress listen;          // output.listen: the servers' address (telnet, HTTP);
                                   // loopback by default, 0.0.0.0 or :: for every interface
};

// How frames become text (terminal and telnet). Defaults are the original's (ascii_*.py).
struct AsciiConfig {
    OutputSize size;               // ascii.size: cells WxH, 1..1000 a side; auto = the terminal's
                                   // (SIGWINCH) or the telnet client's (NAWS), else 60x40
    double fps = 15.0;             // ascii.fps: text frames per second; 0.1..120
    double font_aspect = 0.5;      // ascii.font_aspect: cell width / height; 0.1..2
    double saturation = 0.9;       // ascii.saturation: HSV saturation factor; 0..4
    double brightness = 1.4;       // ascii.brightness: HSV value factor; 0..4
    double contrast = 1.2;         // ascii.contrast: around mid grey; 0..4
    double gamma = 0.9;            // ascii.gamma: applied to the grey level; 0.1..4
    AsciiColor color = AsciiColor::k256;  // ascii.color: 256 | truecolor | 16 | mono
    int blur = 7;                  // ascii.blur: colour blur width: 0 | 3 | 5 | 7
    bool half_block = false;       // ascii.half_block: "▀" cells, twice the vertical resolution
    bool reverse = false;          // ascii.reverse: palette from blank to dense (light terminals)
};

struct TelnetConfig {
    int port = 0;                  // telnet.port: 0 = off; 1..65535 (2323 is conventional)
    int max_clients = 10;          // telnet.max_clients: 1..1000; the next one is told and closed
    double stall_timeout_s = 10.0; // telnet.stall_timeout_s: a client that takes nothing this
                                   // long is closed; 1..3600
};

struct StreamConfig {
    int jpeg_quality = 75;         // stream.jpeg_quality: MJPEG and /frame.jpg quality; 1..100
};

struct ContentConfig {
    std::filesystem::path images = "images";  // content.images: holds face/ and float/
};

struct Config {
    PlaybackConfig playback;
    LoaderSettings loader;         // loader.*: see config/loader_settings.hpp
    SelectConfig select;
    OutputConfig output;
    AsciiConfig ascii;
    TelnetConfig telnet;
    StreamConfig stream;
    ContentConfig content;
};

// Where a key's effective value came from.
enum class Source { kDefault, kFile, kEnv, kFlag };
[[nodiscard]] std::string_view to_string(Source source);  // "default", "file", "env", "flag"

// Key ("playback.ips") -> the layer that set it. load_config fills in every key.
using Provenance = std::map<std::string, Source, std::less<>>;

struct LoadInputs {
    std::optional<std::filesystem::path> config_file;  // --config; none: defaults only
    // NAME -> value. Only names starting with INTERLEAVE_ are read; see capture_environment().
    std::map<std::string, std::string, std::less<>> environment;
    // (key, value) pairs from the command line, in order; a later pair wins. Keys are the full
    // names ("playback.ips"); values are text, parsed like environment values.
    std::vector<std::pair<std::string, std::string>> flags;
};

// The process environment (`environ`), as LoadInputs::environment wants it.
[[nodiscard]] std::map<std::string, std::string, std::less<>> capture_environment();

// Applies defaults < config file < environment < flags, and validates every value as it is
// applied, then the cross-key rules (rest_min_s <= rest_max_s, min_interval_s <=
// max_interval_s) and validate(LoaderSettings). Fills *provenance when given. Never throws.
// Errors (the first one found) name what was wrong:
//   kNotFound  "<file>: config file not found"
//   kIo        "<file>: is a directory (expected a TOML file)", or it cannot be read
//   kBadFormat "<file>:<line>: TOML syntax error: ..."
//   kInvalidArgument, subject "<file>:<line>: <key>", "INTERLEAVE_<SECTION>_<KEY> (<key>)" or
//     "<key>" (flags), with the value and what is allowed: an unknown key or section (with the
//     nearest known name when one is close), a wrong type, a value out of range, a bad choice,
//     size, colour or time. An unknown INTERLEAVE_* variable is named, e.g.
//     "INTERLEAVE_PLAYBACK_IPSS: unknown variable (did you mean INTERLEAVE_PLAYBACK_IPS?)".
// Variables that belong to the developer scripts (INTERLEAVE_BUILD_DIR,
// INTERLEAVE_TSAN_BUILD_DIR, INTERLEAVE_BENCH_CONTENT, INTERLEAVE_BENCH_PHOTO) are ignored.
[[nodiscard]] Result<Config> load_config(const LoadInputs& inputs,
                                         Provenance* provenance = nullptr);

// The effective configuration for --print-config: one line per key, in table order,
// `section.key = value  # source`, where value is written as TOML (so the output is itself a
// valid config file) and source is "default", "file", "env INTERLEAVE_..." or "flag".
// Keys missing from `provenance` print as default.
[[nodiscard]] std::string describe(const Config& config, const Provenance& provenance);

}  // namespace interleave::config
