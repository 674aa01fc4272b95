// The key table and the per-type text parsing and printing that every layer shares.
#include "config/config_keys.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

namespace interleave::config {
namespace {

constexpr std::string_view kSections[] = {"playback", "loader", "select", "output",
                                          "ascii",    "telnet", "stream", "content"};
constexpr std::string_view kSelectModes[] = {"random", "fixed", "sequential"};
constexpr std::string_view kOutputModes[] = {"window", "headless", "ascii"};
constexpr std::string_view kRenderers[] = {"auto", "gl", "gles3", "gles2", "cpu"};
constexpr std::string_view kRotations[] = {"0", "90", "180", "270"};
constexpr std::string_view kAsciiColors[] = {"256", "truecolor", "16", "mono"};
constexpr std::string_view kBlurs[] = {"0", "3", "5", "7"};
constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// A captureless lambda returning a reference to one Config field; converts to its FieldRef.
#define INTERLEAVE_FIELD(member) [](Config& c) -> auto& { return c.member; }

// [SECTION] The table. Order = interleave.toml order = --print-config order.
const KeyInfo kKeys[] = {
    // [playback]
    {.key = "playback.ips", .flag = "--ips",
     .help = "images per second: how fast the index advances",
     .field = INTERLEAVE_FIELD(playback.ips), .real_min = 0.001, .real_max = 1000.0},
    {.key = "playback.fps", .flag = "--fps",
     .help = "window redraws per second (with vsync, at most the display's rate)",
     .field = INTERLEAVE_FIELD(playback.fps), .int_min = 1, .int_max = 1000},
    {.key = "playback.ping_pong", .flag = "--ping-pong",
     .help = "play 0..N-1 then N-1..0 (each end twice); false loops 0..N-1",
     .field = INTERLEAVE_FIELD(playback.ping_pong)},
    {.key = "playback.epoch", .flag = "--epoch",
     .help = "when index 0 was shown; machines with synced clocks and one epoch show one frame",
     .field = INTERLEAVE_FIELD(playback.epoch)},
    {.key = "playback.duration_s", .flag = "--duration",
     .help = "stop after this many seconds; 0 = run until stopped",
     .field = INTERLEAVE_FIELD(playback.duration_s), .real_min = 0.0, .real_max = 31'536'000.0},
    {.key = "playback.frames", .flag = "--frames",
     .help = "stop after showing this many images; 0 = no limit",
     .field = INTERLEAVE_FIELD(playback.frames), .int_min = 0, .int_max = 1'000'000'000},
    // [loader]: ranges as in validate(LoaderSettings); a test keeps the two in step.
    {.key = "loader.workers", .flag = "--workers",
     .help = "decoding threads; 0 = one per hardware thread",
     .field = INTERLEAVE_FIELD(loader.workers), .int_min = 0, .int_max = 64},
    {.key = "loader.fifo_pairs", .flag = "--fifo-pairs",
     .help = "decoded main+float pairs kept ready ahead of the display",
     .field = INTERLEAVE_FIELD(loader.fifo_pairs), .int_min = 2, .int_max = 240},
    {.key = "loader.tolerance", .flag = "--tolerance",
     .help = "how many frames a shown pair may be off the wanted index",
     .field = INTERLEAVE_FIELD(loader.tolerance), .int_min = 0, .int_max = 240},
    {.key = "loader.main_jpeg_sbs", .flag = "--main-jpeg-sbs",
     .help = ".jpg main frames are side-by-side RGB|mask; false: opaque JPEG",
     .field = INTERLEAVE_FIELD(loader.main_jpeg_sbs)},
    {.key = "loader.float_jpeg_sbs", .flag = "--float-jpeg-sbs",
     .help = ".jpg float frames are side-by-side RGB|mask; false: opaque JPEG",
     .field = INTERLEAVE_FIELD(loader.float_jpeg_sbs)},
    {.key = "loader.max_side_px", .flag = "--max-side",
     .help = "refuse images wider or taller than this, before decoding (px)",
     .field = INTERLEAVE_FIELD(loader.max_side_px), .int_min = 16, .int_max = 65535},
    {.key = "loader.max_megapixels", .flag = "--max-megapixels",
     .help = "refuse images with more pixels than this, before decoding (millions)",
     .field = INTERLEAVE_FIELD(loader.max_megapixels), .int_min = 1, .int_max = kMaxMegapixels},
    // [select]
    {.key = "select.mode", .flag = "--select",
     .help = "random: rest on folder 0, then random switches; fixed: fixed_main/fixed_float; "
             "sequential: the next folder at each switch",
     .field = INTERLEAVE_FIELD(select.mode), .choices = kSelectModes},
    {.key = "select.seed", .flag = "--seed",
     .help = "random choices' seed; one seed and one epoch give the same choices everywhere",
     .field = INTERLEAVE_FIELD(select.seed), .int_min = 0, .int_max = kInt64Max},
    {.key = "select.rest_min_s", .flag = "--rest-min",
     .help = "shortest rest on folder 0 before the first switch (s)",
     .field = INTERLEAVE_FIELD(select.rest_min_s), .real_min = 0.0, .real_max = 3600.0},
    {.key = "select.rest_max_s", .flag = "--rest-max",
     .help = "longest rest on folder 0, at least rest_min_s (s)",
     .field = INTERLEAVE_FIELD(select.rest_max_s), .real_min = 0.0, .real_max = 3600.0},
    {.key = "select.min_interval_s", .flag = "--min-interval",
     .help = "fewest seconds between two switches of one layer",
     .field = INTERLEAVE_FIELD(select.min_interval_s), .real_min = 0.001, .real_max = 3600.0},
    {.key = "select.max_interval_s", .flag = "--max-interval",
     .help = "most seconds between two switches of one layer, at least min_interval_s",
     .field = INTERLEAVE_FIELD(select.max_interval_s), .real_min = 0.001, .real_max = 3600.0},
    {.key = "select.jitter_s", .flag = "--jitter",
     .help = "a random amount up to +-this added to each interval (s)",
     .field = INTERLEAVE_FIELD(select.jitter_s), .real_min = 0.0, .real_max = 60.0},
    {.key = "select.fixed_main", .flag = "--main-folder",
     .help = "fixed mode: main folder position (0 = first); checked against the content",
     .field = INTERLEAVE_FIELD(select.fixed_main), .int_min = 0, .int_max = 4095},
    {.key = "select.fixed_float", .flag = "--float-folder",
     .help = "fixed mode: float folder position (0 = first); checked against the content",
     .field = INTERLEAVE_FIELD(select.fixed_float), .int_min = 0, .int_max = 4095},
    // [output]
    {.key = "output.mode", .flag = "--mode",
     .help = "window: a GL window; headless: no display (MJPEG stream); ascii: the terminal",
     .field = INTERLEAVE_FIELD(output.mode), .choices = kOutputModes},
    {.key = "output.renderer", .flag = "--renderer",
     .help = "auto tries gl, gles3, gles2, then cpu; any other value forces that rung",
     .field = INTERLEAVE_FIELD(output.renderer), .choices = kRenderers},
    {.key = "output.size", .flag = "--size",
     .help = "headless frame size and windowed window size; content = the content's own size",
     .field = INTERLEAVE_FIELD(output.size), .int_min = 16, .int_max = 16384},
    {.key = "output.background", .flag = "--background",
     .help = "colour behind both layers",
     .field = INTERLEAVE_FIELD(output.background)},
    {.key = "output.rotate", .flag = "--rotate",
     .help = "clockwise rotation in degrees",
     .field = INTERLEAVE_FIELD(output.rotate_deg), .int_min = 0, .int_max = 270,
     .choices = kRotations},
    {.key = "output.mirror", .flag = "--mirror",
     .help = "flip the picture left to right",
     .field = INTERLEAVE_FIELD(output.mirror)},
    {.key = "output.fullscreen", .flag = "--fullscreen",
     .help = "window mode covers the whole monitor (kiosk)",
     .field = INTERLEAVE_FIELD(output.fullscreen)},
    {.key = "output.monitor", .flag = "--monitor",
     .help = "monitor for fullscreen: 0 = primary, else in GLFW's order",
     .field = INTERLEAVE_FIELD(output.monitor), .int_min = 0, .int_max = 15},
    {.key = "output.vsync", .flag = "--vsync",
     .help = "wait for the display's refresh before each swap",
     .field = INTERLEAVE_FIELD(output.vsync)},
    {.key = "output.listen", .flag = "--listen",
     .help = "address the telnet and HTTP servers listen on; 0.0.0.0 or :: opens them to all",
     .field = INTERLEAVE_FIELD(output.listen)},
    // [ascii]
    {.key = "ascii.size", .flag = "--ascii-size",
     .help = "text cells WxH; auto = the terminal's or telnet client's size, else 60x40",
     .field = INTERLEAVE_FIELD(ascii.size), .int_min = 1, .int_max = 1000, .size_word = "auto"},
    {.key = "ascii.fps", .flag = "--ascii-fps",
     .help = "text frames per second (terminal and telnet)",
     .field = INTERLEAVE_FIELD(ascii.fps), .real_min = 0.1, .real_max = 120.0},
    {.key = "ascii.font_aspect", .flag = "--ascii-font-aspect",
     .help = "a text cell's width divided by its height",
     .field = INTERLEAVE_FIELD(ascii.font_aspect), .real_min = 0.1, .real_max = 2.0},
    {.key = "ascii.saturation", .flag = "--ascii-saturation",
     .help = "colour saturation factor (HSV)",
     .field = INTERLEAVE_FIELD(ascii.saturation), .real_min = 0.0, .real_max = 4.0},
    {.key = "ascii.brightness", .flag = "--ascii-brightness",
     .help = "brightness factor (HSV value)",
     .field = INTERLEAVE_FIELD(ascii.brightness), .real_min = 0.0, .real_max = 4.0},
    {.key = "ascii.contrast", .flag = "--ascii-contrast",
     .help = "contrast factor around mid grey",
     .field = INTERLEAVE_FIELD(ascii.contrast), .real_min = 0.0, .real_max = 4.0},
    {.key = "ascii.gamma", .flag = "--ascii-gamma",
     .help = "gamma applied to the grey level that picks each character",
     .field = INTERLEAVE_FIELD(ascii.gamma), .real_min = 0.1, .real_max = 4.0},
    {.key = "ascii.color", .flag = "--ascii-color",
     .help = "256: xterm-256; truecolor: 24-bit; 16: the basic colours; mono: no colour",
     .field = INTERLEAVE_FIELD(ascii.color), .choices = kAsciiColors},
    {.key = "ascii.blur", .flag = "--ascii-blur",
     .help = "colour blur width in cells (longer colour runs, fewer bytes); 0 = none",
     .field = INTERLEAVE_FIELD(ascii.blur), .int_min = 0, .int_max = 7, .choices = kBlurs},
    {.key = "ascii.half_block", .flag = "--ascii-half-block",
     .help = "half-block cells: twice the vertical resolution, colour only",
     .field = INTERLEAVE_FIELD(ascii.half_block)},
    {.key = "ascii.reverse", .flag = "--ascii-reverse",
     .help = "palette from blank to dense, for terminals with a light background",
     .field = INTERLEAVE_FIELD(ascii.reverse)},
    // [telnet]
    {.key = "telnet.port", .flag = "--telnet-port",
     .help = "serve the picture as text to telnet clients on this port; 0 = off (2323 usual)",
     .field = INTERLEAVE_FIELD(telnet.port), .int_min = 0, .int_max = 65535},
    {.key = "telnet.max_clients", .flag = "--telnet-max-clients",
     .help = "telnet viewers at once; the next one is told the server is full",
     .field = INTERLEAVE_FIELD(telnet.max_clients), .int_min = 1, .int_max = 1000},
    {.key = "telnet.stall_timeout_s", .flag = "--telnet-stall-timeout",
     .help = "close a telnet client that has taken no data for this long (s)",
     .field = INTERLEAVE_FIELD(telnet.stall_timeout_s), .real_min = 1.0, .real_max = 3600.0},
    // [stream]
    {.key = "stream.jpeg_quality", .flag = "--jpeg-quality",
     .help = "JPEG quality of /stream.mjpg and /frame.jpg",
     .field = INTERLEAVE_FIELD(stream.jpeg_quality), .int_min = 1, .int_max = 100},
    // [content]
    {.key = "content.images", .flag = "--images",
     .help = "directory holding face/ and float/ (relative: to the working directory)",
     .field = INTERLEAVE_FIELD(content.images)},
};

#undef INTERLEAVE_FIELD

// [SECTION] Helpers

template <typename T>
constexpr bool kIsEnum = std::is_enum_v<T>;

std::string quote(std::string_view text) { return toml_quote(text); }

// A path the config file could hold too: no NUL (the OS would open only the part before it)
// and valid UTF-8 (TOML strings are Unicode, so --print-config could not write it). Found by
// tests/fuzz (config_flags, config_env).
bool storable_path(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == 0) return false;
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3
                                               : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > text.size()) return false;
        std::uint32_t cp = n == 1 ? c : c & (0x7Fu >> n);
        for (std::size_t k = 1; k < n; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3F);
        }
        const std::uint32_t min = n == 1 ? 0 : n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n;
    }
    return true;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::string join_choices(std::span<const std::string_view> choices) {
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
        out += choices[i];
    }
    return out;
}

std::string format_real(double value) { return fmt::format("{}", value); }

std::optional<std::int64_t> parse_int(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_real(std::string_view text) {
    text = trim(text);
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    if (!std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<bool> parse_bool(std::string_view text) {
    const std::string t = lower(trim(text));
    if (t == "true" || t == "1" || t == "yes" || t == "on") return true;
    if (t == "false" || t == "0" || t == "no" || t == "off") return false;
    return std::nullopt;
}

// "r,g,b" with optional spaces and optional surrounding brackets.
std::optional<Rgb> parse_rgb(std::string_view text) {
    text = trim(text);
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
        text = text.substr(1, text.size() - 2);
    }
    std::uint8_t parts[3] = {};
    for (int i = 0; i < 3; ++i) {
        const auto comma = text.find(',');
        if ((i < 2) == (comma == std::string_view::npos)) return std::nullopt;
        const auto value = parse_int(text.substr(0, comma));
        if (!value || *value < 0 || *value > 255) return std::nullopt;
        parts[i] = static_cast<std::uint8_t>(*value);
        text = i < 2 ? text.substr(comma + 1) : std::string_view{};
    }
    return Rgb{parts[0], parts[1], parts[2]};
}

// "WxH": digits only on each side (no sign, no spaces inside), 'x' or 'X'.
std::optional<std::pair<std::int64_t, std::int64_t>> parse_wxh(std::string_view text) {
    text = trim(text);
    const auto x = text.find_first_of("xX");
    if (x == std::string_view::npos) return std::nullopt;
    const std::string_view w = text.substr(0, x);
    const std::string_view h = text.substr(x + 1);
    const auto digits = [](std::string_view s) {
        return !s.empty() && s.size() <= 9 &&
               std::all_of(s.begin(), s.end(),
                           [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    };
    if (!digits(w) || !digits(h)) return std::nullopt;
    return std::pair{*parse_int(w), *parse_int(h)};
}

tl::unexpected<Error> invalid(std::string_view subject, std::string detail) {
    return tl::unexpected<Error>(
        Error{ErrorCode::kInvalidArgument, std::string(subject), std::move(detail)});
}

std::string choice_hint(std::string_view text, std::span<const std::string_view> choices) {
    const std::vector<std::string> names(choices.begin(), choices.end());
    if (auto near = nearest(text, names)) return fmt::format("; did you mean {}?", *near);
    return {};
}

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbours ("fsp" -> "fps") each cost 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            std::size_t best = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                                         d[(i - 1) * w + j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                best = std::min(best, d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = best;
        }
    }
    return d[a.size() * w + b.size()];
}

}  // namespace

// [SECTION] KeyInfo queries

KeyType KeyInfo::type() const {
    return std::visit(
        [](auto ref) {
            using T = std::remove_reference_t<decltype(ref(std::declval<Config&>()))>;
            if constexpr (std::is_same_v<T, bool>) return KeyType::kBool;
            else if constexpr (std::is_same_v<T, double>) return KeyType::kReal;
            else if constexpr (std::is_same_v<T, std::filesystem::path>) return KeyType::kPath;
            else if constexpr (std::is_same_v<T, Rgb>) return KeyType::kColor;
            else if constexpr (std::is_same_v<T, OutputSize>) return KeyType::kSize;
            else if constexpr (std::is_same_v<T, Epoch>) return KeyType::kEpoch;
            else if constexpr (std::is_same_v<T, ListenAddress>) return KeyType::kAddress;
            else if constexpr (kIsEnum<T>) return KeyType::kChoice;
            else return KeyType::kInt;
        },
        field);
}

std::span<const KeyInfo> keys() { return kKeys; }

std::span<const std::string_view> sections() { return kSections; }

const KeyInfo* find_key(std::string_view key) {
    for (const KeyInfo& k : kKeys) {
        if (k.key == key) return &k;
    }
    return nullptr;
}

std::string env_name(const KeyInfo& key) {
    std::string out = "INTERLEAVE_";
    for (const char c : key.key) {
        out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string allowed_text(const KeyInfo& key) {
    switch (key.type()) {
    case KeyType::kBool: return "true or false";
    case KeyType::kInt:
        if (!key.choices.empty()) return join_choices(key.choices);
        return fmt::format("{}..{}", key.int_min, key.int_max);
    case KeyType::kReal:
        return fmt::format("{}..{}", format_real(key.real_min), format_real(key.real_max));
    case KeyType::kPath: return "a non-empty path";
    case KeyType::kChoice: return join_choices(key.choices);
    case KeyType::kSize:
        return fmt::format("\"{}\" or WxH, each side {}..{}, e.g. {}", key.size_word,
                           key.int_min, key.int_max,
                           key.int_max >= 1280 ? "1280x720" : "160x60");
    case KeyType::kColor: return "r,g,b, each 0..255, e.g. 4,4,4";
    case KeyType::kEpoch: return "\"launch\" or an ISO-8601 time with a zone";
    case KeyType::kAddress: return "an IPv4 or IPv6 address, e.g. 127.0.0.1, 0.0.0.0 or ::";
    }
    return {};
}

// [SECTION] Printing

std::string plain_value(const KeyInfo& key, const Config& config) {
    // Field references are non-const for apply_text's sake; here they are only read.
    Config& c = const_cast<Config&>(config);
    return std::visit(
        [&key, &c](auto ref) -> std::string {
            const auto& v = ref(c);
            using T = std::remove_cvref_t<decltype(v)>;
            if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
            else if constexpr (std::is_same_v<T, double>) return format_real(v);
            else if constexpr (std::is_same_v<T, std::filesystem::path>) return v.string();
            else if constexpr (std::is_same_v<T, Rgb>) {
                return fmt::format("{},{},{}", v.r, v.g, v.b);
            }
            else if constexpr (std::is_same_v<T, OutputSize>) {
                return v.is_content() ? std::string(key.size_word) : fmt::format("{}x{}", v.width_px, v.height_px);
            } else if constexpr (std::is_same_v<T, Epoch>) return format_epoch(v);
            else if constexpr (std::is_same_v<T, ListenAddress>) return v.text;
            else if constexpr (kIsEnum<T>) {
                const auto i = static_cast<std::size_t>(v);
                return i < key.choices.size() ? std::string(key.choices[i]) : "?";
            } else return fmt::format("{}", v);
        },
        key.field);
}

std::string format_value(const KeyInfo& key, const Config& config) {
    const std::string plain = plain_value(key, config);
    switch (key.type()) {
    case KeyType::kBool:
    case KeyType::kInt:
    case KeyType::kReal: return plain;
    case KeyType::kColor: {
        const auto rgb = parse_rgb(plain);
        return fmt::format("[{}, {}, {}]", rgb->r, rgb->g, rgb->b);
    }
    case KeyType::kPath:
    case KeyType::kChoice:
    case KeyType::kSize:
    case KeyType::kEpoch:
    case KeyType::kAddress: return quote(plain);
    }
    return plain;
}

std::string default_text(const KeyInfo& key) { return plain_value(key, Config{}); }

std::string toml_quote(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
                out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
            } else {
                out += c;
            }
        }
    }
    return out + '"';
}

// [SECTION] Parsing

Result<void> apply_text(const KeyInfo& key, std::string_view text, Config& config,
                        std::string_view subject) {
    const std::string shown = quote(text);
    const std::string allowed = allowed_text(key);
    return std::visit(
        [&](auto ref) -> Result<void> {
            using T = std::remove_reference_t<decltype(ref(config))>;
            if constexpr (std::is_same_v<T, bool>) {
                const auto v = parse_bool(text);
                if (!v) {
                    return invalid(subject, fmt::format("{} is not a boolean (expected {})", shown,
                                                        allowed));
                }
                ref(config) = *v;
            } else if constexpr (std::is_same_v<T, double>) {
                const auto v = parse_real(text);
                if (!v) return invalid(subject, fmt::format("{} is not a number (expected {})",
                                                             shown, allowed));
                if (*v < key.real_min || *v > key.real_max) {
                    return invalid(subject, fmt::format("{} is out of range (expected {})",
                                                        trim(text), allowed));
                }
                ref(config) = *v;
            } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
                if (text.empty()) return invalid(subject, fmt::format("\"\" is empty (expected "
                                                                       "{})", allowed));
                if (!storable_path(text)) {
                    return invalid(subject, fmt::format("{} holds a NUL byte or is not UTF-8 "
                                                        "(expected {})", shown, allowed));
                }
                ref(config) = std::filesystem::path(text);
            } else if constexpr (std::is_same_v<T, Rgb>) {
                const auto v = parse_rgb(text);
                if (!v) return invalid(subject, fmt::format("{} is not a colour (expected {})",
                                                             shown, allowed));
                ref(config) = *v;
            } else if constexpr (std::is_same_v<T, OutputSize>) {
                if (trim(text) == key.size_word) {
                    ref(config) = OutputSize{};
                    return {};
                }
                const auto v = parse_wxh(text);
                if (!v) return invalid(subject, fmt::format("{} is not a size (expected {})",
                                                             shown, allowed));
                const auto in = [&key](std::int64_t side) {
                    return side >= key.int_min && side <= key.int_max;
                };
                if (!in(v->first) || !in(v->second)) {
                    return invalid(subject, fmt::format("{} is out of range (expected {})", shown,
                                                        allowed));
                }
                ref(config) = OutputSize{static_cast<std::uint32_t>(v->first),
                                         static_cast<std::uint32_t>(v->second)};
            } else if constexpr (std::is_same_v<T, Epoch>) {
                auto v = parse_epoch(trim(text));
                if (!v) return invalid(subject, std::move(v.error().detail));
                ref(config) = *v;
            } else if constexpr (std::is_same_v<T, ListenAddress>) {
                const std::string address(trim(text));
                unsigned char bytes[sizeof(in6_addr)];
                if (inet_pton(AF_INET, address.c_str(), bytes) != 1 &&
                    inet_pton(AF_INET6, address.c_str(), bytes) != 1) {
                    return invalid(subject, fmt::format("{} is not an address (expected {})",
                                                        shown, allowed));
                }
                ref(config) = ListenAddress{address};
            } else if constexpr (kIsEnum<T>) {
                const auto it = std::find(key.choices.begin(), key.choices.end(), text);
                if (it == key.choices.end()) {
                    return invalid(subject, fmt::format("{} is not allowed (expected {}{})", shown,
                                                        allowed, choice_hint(text, key.choices)));
                }
                ref(config) = static_cast<T>(it - key.choices.begin());
            } else {
                const auto v = parse_int(text);
                if (!v) return invalid(subject, fmt::format("{} is not an integer (expected {})",
                                                             shown, allowed));
                if (!key.choices.empty()) {
                    const std::string canonical = fmt::format("{}", *v);
                    if (std::find(key.choices.begin(), key.choices.end(), canonical) ==
                        key.choices.end()) {
                        return invalid(subject, fmt::format("{} is not allowed (expected {})", *v,
                                                            allowed));
                    }
                }
                if (*v < key.int_min || *v > key.int_max) {
                    return invalid(subject, fmt::format("{} is out of range (expected {})", *v,
                                                        allowed));
                }
                ref(config) = static_cast<T>(*v);
            }
            return {};
        },
        key.field);
}

std::optional<std::string> nearest(std::string_view word, std::span<const std::string> candidates) {
    const std::string w = lower(word);
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    for (const std::string& candidate : candidates) {
        const std::string c = lower(candidate);
        std::size_t d = edit_distance(w, c);
        const bool prefix = w.size() >= 3 && (c.starts_with(w) || w.starts_with(c));
        const std::size_t limit = w.size() <= 4 ? 1 : (w.size() <= 8 ? 2 : 3);
        if (d > limit && !prefix) continue;
        if (prefix && d > limit) d = limit + 1;  // a typo beats a mere prefix
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

}  // namespace interleave::config
