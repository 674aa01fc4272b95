// load_config's layers (TOML file, environment, flags), the cross-key rules and describe().
// toml++ is Debian's shared build, compiled with exceptions: every call into it is wrapped
// here, and nothing it throws leaves this file.
#include "config/config.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <system_error>

#include <toml++/toml.h>

#include "config/config_keys.hpp"

extern char** environ;  // POSIX; declared by no standard header

namespace interleave::config {
namespace {

// Variables of the developer scripts and benchmarks, not settings: never an error.
constexpr std::array<std::string_view, 4> kToolVariables = {
    "INTERLEAVE_BUILD_DIR", "INTERLEAVE_TSAN_BUILD_DIR", "INTERLEAVE_BENCH_CONTENT",
    "INTERLEAVE_BENCH_PHOTO"};
constexpr std::string_view kEnvPrefix = "INTERLEAVE_";

tl::unexpected<Error> invalid(std::string subject, std::string detail) {
    return tl::unexpected<Error>(
        Error{ErrorCode::kInvalidArgument, std::move(subject), std::move(detail)});
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    if (auto near = nearest(word, candidates)) return fmt::format("did you mean {}? ", *near);
    return {};
}

std::string section_list() {
    std::string out;
    for (const std::string_view s : sections()) {
        if (!out.empty()) out += ", ";
        out += fmt::format("[{}]", s);
    }
    return out;
}

std::string section_key_list(std::string_view section) {
    std::string out;
    for (const KeyInfo& k : keys()) {
        if (k.section() != section) continue;
        if (!out.empty()) out += ", ";
        out += k.name();
    }
    return out;
}

// "unknown key; did you mean playback.ips? ([playback] has ips, fps, ...)". A name outside the
// known sections is matched against every key's name: `ips = 30` suggests playback.ips.
std::string unknown_key_detail(std::string_view full_name) {
    const auto dot = full_name.find('.');
    const bool in_section =
        dot != std::string_view::npos &&
        std::find(sections().begin(), sections().end(), full_name.substr(0, dot)) !=
            sections().end();
    std::string hint;
    if (in_section) {
        const std::string_view section = full_name.substr(0, dot);
        const std::string_view name = full_name.substr(dot + 1);
        std::vector<std::string> same_section;
        for (const KeyInfo& k : keys()) {
            if (k.section() == section) same_section.emplace_back(k.name());
        }
        if (auto near = nearest(name, same_section)) {
            hint = fmt::format("did you mean {}.{}? ", section, *near);
        } else {
            // The right name in the wrong section: [output] jpeg_quality -> stream.jpeg_quality.
            for (const KeyInfo& k : keys()) {
                if (k.name() == name) hint = fmt::format("did you mean {}? ", k.key);
            }
        }
        return fmt::format("unknown key; {}([{}] has {})", hint, section,
                           section_key_list(section));
    }
    const std::string_view name =
        dot == std::string_view::npos ? full_name : full_name.substr(dot + 1);
    std::vector<std::string> names;
    for (const KeyInfo& k : keys()) names.emplace_back(k.name());
    if (auto near = nearest(name, names)) {
        for (const KeyInfo& k : keys()) {
            if (k.name() == *near) hint = fmt::format("did you mean {}? ", k.key);
        }
    }
    return fmt::format("unknown key; {}(keys belong in a section: {})", hint, section_list());
}

// [SECTION] The TOML file

std::string_view node_kind(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
    }
    return "nothing";
}

// The value as an error message shows it, "\"30\" (a string)"; a table by its kind only.
std::string show_node(const toml::node& node) {
    if (node.is_table()) return "a table";
    std::ostringstream out;
    if (const auto* s = node.as_string()) {
        out << toml_quote(s->get());
    } else {
        node.visit([&out](const auto& value) { out << value; });  // as TOML writes it
    }
    return fmt::format("{} ({})", out.str(), node_kind(node));
}

std::string_view expected_kind(KeyType type) {
    switch (type) {
    case KeyType::kBool: return "a boolean";
    case KeyType::kInt: return "an integer";
    case KeyType::kReal: return "a number";
    case KeyType::kPath:
    case KeyType::kChoice:
    case KeyType::kSize:
    case KeyType::kAddress: return "a string";
    case KeyType::kColor: return "an array [r, g, b] or a string \"r,g,b\"";
    case KeyType::kEpoch: return "a string or a date-time with a zone";
    }
    return "a value";
}

std::string date_time_text(const toml::date_time& dt) {
    std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", dt.date.year,
                                  dt.date.month, dt.date.day, dt.time.hour, dt.time.minute,
                                  dt.time.second);
    if (dt.time.nanosecond != 0) out += fmt::format(".{:09}", dt.time.nanosecond);
    if (!dt.offset) return out;  // parse_epoch refuses it, naming the missing zone
    const int minutes = dt.offset->minutes;
    const int magnitude = minutes < 0 ? -minutes : minutes;
    return out + fmt::format("{}{:02}:{:02}", minutes < 0 ? '-' : '+', magnitude / 60,
                             magnitude % 60);
}

// The node as the text apply_text parses, when its TOML type fits the key; nullopt otherwise.
std::optional<std::string> node_text(KeyType type, const toml::node& node) {
    switch (type) {
    case KeyType::kBool:
        if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
        return std::nullopt;
    case KeyType::kInt:
        if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
        return std::nullopt;
    case KeyType::kReal:
        if (const auto* i = node.as_integer()) return fmt::format("{}", i->get());
        if (const auto* f = node.as_floating_point()) return fmt::format("{}", f->get());
        return std::nullopt;
    case KeyType::kPath:
    case KeyType::kChoice:
    case KeyType::kSize:
    case KeyType::kAddress:
        if (const auto* s = node.as_string()) return s->get();
        return std::nullopt;
    case KeyType::kColor:
        if (const auto* s = node.as_string()) return s->get();
        if (const auto* a = node.as_array()) {
            std::string out = "[";
            for (std::size_t i = 0; i < a->size(); ++i) {
                const auto* part = a->get(i)->as_integer();
                if (part == nullptr) return std::nullopt;
                out += fmt::format("{}{}", i > 0 ? ", " : "", part->get());
            }
            return out + "]";
        }
        return std::nullopt;
    case KeyType::kEpoch:
        if (const auto* s = node.as_string()) return s->get();
        if (const auto* dt = node.as_date_time()) return date_time_text(dt->get());
        return std::nullopt;
    }
    return std::nullopt;
}

// One `key = value` of the file, or a section-level item, with the line it starts on.
struct FileEntry {
    std::size_t line = 0;
    std::string section;  // empty: the item sits outside any section
    std::string name;
    const toml::node* node = nullptr;
};

Result<std::string> read_text(const std::filesystem::path& path) {
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (status.type() == std::filesystem::file_type::not_found) {
        return make_error(ErrorCode::kNotFound, path.string(),
                          "config file not found (expected a TOML file, given with --config)");
    }
    if (ec) return make_error(ErrorCode::kIo, path.string(), "cannot stat ({})", ec.message());
    if (std::filesystem::is_directory(status)) {
        return make_error(ErrorCode::kIo, path.string(), "is a directory (expected a TOML file)");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::kIo, path.string(), "cannot open for reading");
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return make_error(ErrorCode::kIo, path.string(), "read failed");
    return text.str();
}

Result<void> apply_file(const std::filesystem::path& path, Config& config, Provenance& prov) {
    auto text = read_text(path);
    if (!text) return tl::unexpected(text.error());
    const std::string file = path.string();

    toml::table root;
    try {
        root = toml::parse(*text, file);
    } catch (const toml::parse_error& e) {
        return make_error(ErrorCode::kBadFormat, fmt::format("{}:{}", file, e.source().begin.line),
                          "TOML syntax error at column {}: {}", e.source().begin.column,
                          e.description());
    } catch (const std::exception& e) {
        return make_error(ErrorCode::kInternal, file, "TOML parser failed: {}", e.what());
    }

    std::vector<FileEntry> entries;
    for (auto&& [key, node] : root) {
        const std::string name(key.str());
        const bool known_section =
            std::find(sections().begin(), sections().end(), name) != sections().end();
        if (known_section && node.is_table()) {
            for (auto&& [inner_key, inner_node] : *node.as_table()) {
                entries.push_back({inner_key.source().begin.line, name,
                                   std::string(inner_key.str()), &inner_node});
            }
        } else {
            entries.push_back({key.source().begin.line, {}, name, &node});
        }
    }
    // toml++ orders a table by key; report the first problem in reading order instead.
    std::stable_sort(entries.begin(), entries.end(),
                     [](const FileEntry& a, const FileEntry& b) { return a.line < b.line; });

    for (const FileEntry& e : entries) {
        if (e.section.empty()) {
            const auto where = fmt::format("{}:{}: {}", file, e.line, e.name);
            const bool known_section = std::find(sections().begin(), sections().end(),
                                                 e.name) != sections().end();
            if (known_section) {
                return invalid(where, fmt::format("{} is the wrong type (expected a section "
                                                  "[{}])", show_node(*e.node), e.name));
            }
            if (e.node->is_table()) {
                std::vector<std::string> names(sections().begin(), sections().end());
                return invalid(where, fmt::format("unknown section; {}(expected {})",
                                                  did_you_mean(e.name, names), section_list()));
            }
            return invalid(where, unknown_key_detail(e.name));
        }
        const std::string full = e.section + "." + e.name;
        const auto where = fmt::format("{}:{}: {}", file, e.line, full);
        const KeyInfo* key = find_key(full);
        if (key == nullptr) return invalid(where, unknown_key_detail(full));
        const auto as_text = node_text(key->type(), *e.node);
        if (!as_text) {
            return invalid(where, fmt::format("{} is the wrong type (expected {}: {})",
                                              show_node(*e.node), expected_kind(key->type()),
                                              allowed_text(*key)));
        }
        if (auto ok = apply_text(*key, *as_text, config, where); !ok) return ok;
        prov[std::string(key->key)] = Source::kFile;
    }
    return {};
}

// [SECTION] Environment and flags

Result<void> apply_environment(const std::map<std::string, std::string, std::less<>>& env,
                               Config& config, Provenance& prov) {
    std::vector<std::string> known;
    for (const KeyInfo& k : keys()) known.push_back(env_name(k));
    for (const auto& [name, value] : env) {
        if (!name.starts_with(kEnvPrefix)) continue;
        if (std::find(kToolVariables.begin(), kToolVariables.end(), name) != kToolVariables.end()) {
            continue;
        }
        const KeyInfo* key = nullptr;
        for (const KeyInfo& k : keys()) {
            if (env_name(k) == name) key = &k;
        }
        if (key == nullptr) {
            return invalid(name, fmt::format("unknown variable; {}(set to {}; INTERLEAVE_* "
                                             "variables set config keys as "
                                             "INTERLEAVE_<SECTION>_<KEY>, e.g. "
                                             "INTERLEAVE_PLAYBACK_IPS)",
                                             did_you_mean(name, known), toml_quote(value)));
        }
        const std::string subject = fmt::format("{} ({})", name, key->key);
        if (auto ok = apply_text(*key, value, config, subject); !ok) return ok;
        prov[std::string(key->key)] = Source::kEnv;
    }
    return {};
}

Result<void> apply_flags(const std::vector<std::pair<std::string, std::string>>& flags,
                         Config& config, Provenance& prov) {
    for (const auto& [name, value] : flags) {
        const KeyInfo* key = find_key(name);
        if (key == nullptr) return invalid(name, unknown_key_detail(name));
        if (auto ok = apply_text(*key, value, config, name); !ok) return ok;
        prov[name] = Source::kFlag;
    }
    return {};
}

// [SECTION] Rules across keys

// low <= high, named by whichever of the two a later layer set (the one just changed).
Result<void> check_order(const Config& config, const Provenance& prov, std::string_view low,
                         double low_value, std::string_view high, double high_value) {
    if (low_value <= high_value) return {};
    const auto source_of = [&prov](std::string_view k) {
        const auto it = prov.find(k);
        return it == prov.end() ? Source::kDefault : it->second;
    };
    const auto text = [&config](std::string_view k) { return plain_value(*find_key(k), config); };
    const std::string rule = fmt::format("expected {} <= {}", low, high);
    if (source_of(low) > source_of(high)) {
        return invalid(std::string(low), fmt::format("{} is more than {} = {} ({})", text(low),
                                                     high, text(high), rule));
    }
    return invalid(std::string(high), fmt::format("{} is less than {} = {} ({})", text(high), low,
                                                  text(low), rule));
}

}  // namespace

std::string_view to_string(Source source) {
    switch (source) {
    case Source::kDefault: return "default";
    case Source::kFile: return "file";
    case Source::kEnv: return "env";
    case Source::kFlag: return "flag";
    }
    return "?";
}

std::map<std::string, std::string, std::less<>> capture_environment() {
    std::map<std::string, std::string, std::less<>> out;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const auto eq = text.find('=');
        if (eq == std::string_view::npos) continue;
        out.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
    return out;
}

Result<Config> load_config(const LoadInputs& inputs, Provenance* provenance) {
    try {
        Config config;
        Provenance prov;
        for (const KeyInfo& k : keys()) prov[std::string(k.key)] = Source::kDefault;
        if (inputs.config_file) {
            if (auto ok = apply_file(*inputs.config_file, config, prov); !ok) {
                return tl::unexpected(ok.error());
            }
        }
        if (auto ok = apply_environment(inputs.environment, config, prov); !ok) {
            return tl::unexpected(ok.error());
        }
        if (auto ok = apply_flags(inputs.flags, config, prov); !ok) {
            return tl::unexpected(ok.error());
        }
        const SelectConfig& sel = config.select;
        if (auto ok = check_order(config, prov, "select.rest_min_s", sel.rest_min_s,
                                  "select.rest_max_s", sel.rest_max_s);
            !ok) {
            return tl::unexpected(ok.error());
        }
        if (auto ok = check_order(config, prov, "select.min_interval_s", sel.min_interval_s,
                                  "select.max_interval_s", sel.max_interval_s);
            !ok) {
            return tl::unexpected(ok.error());
        }
        // The table's loader ranges equal validate()'s; the app's own check stays the authority.
        if (auto ok = validate(config.loader); !ok) return tl::unexpected(ok.error());
        if (provenance != nullptr) *provenance = std::move(prov);
        return config;
    } catch (const std::exception& e) {  // bad_alloc, or a library surprise
        return make_error(ErrorCode::kInternal, "config", "loading failed: {}", e.what());
    }
}

std::string describe(const Config& config, const Provenance& provenance) {
    std::string out;
    for (const KeyInfo& k : keys()) {
        const auto it = provenance.find(k.key);
        const Source source = it == provenance.end() ? Source::kDefault : it->second;
        const std::string origin = source == Source::kEnv
                                       ? fmt::format("{} {}", to_string(source), env_name(k))
                                       : std::string(to_string(source));
        out += fmt::format("{} = {}  # {}\n", k.key, format_value(k, config), origin);
    }
    return out;
}

}  // namespace interleave::config
