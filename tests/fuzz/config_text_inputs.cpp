// NAME=value input lines and the plain-text round trip for the env and flag fuzz targets.
#include "tests/fuzz/config_text_inputs.hpp"

#include <cstdio>

#include "config/config_keys.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace interleave::fuzz {

std::vector<std::pair<std::string, std::string>> split_assignments(std::string_view text) {
    constexpr std::size_t kMaxLines = 16;
    std::vector<std::pair<std::string, std::string>> out;
    while (!text.empty() && out.size() < kMaxLines) {
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        const auto eq = line.find('=');
        out.emplace_back(std::string(line.substr(0, eq)),
                         eq == std::string_view::npos ? std::string()
                                                      : std::string(line.substr(eq + 1)));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

void check_plain_values(const config::Config& config, const config::Provenance& provenance,
                        config::Source source) {
    for (const config::KeyInfo& key : config::keys()) {
        const auto it = provenance.find(key.key);
        if (it == provenance.end() || it->second != source) continue;
        const std::string text = config::plain_value(key, config);
        config::Config fresh;
        auto applied = config::apply_text(key, text, fresh, key.key);
        if (!applied) {
            std::fprintf(stderr, "plain value \"%s\": %s\n", text.c_str(),
                         applied.error().message().c_str());
        }
        FUZZ_CHECK(applied.has_value(), "a key's plain value is accepted back");
        FUZZ_CHECK(config::format_value(key, fresh) == config::format_value(key, config),
                   "a key's plain value gives the same value back");
    }
}

}  // namespace interleave::fuzz
