// Tests for the key table (config_keys.hpp): names, environment names, ranges in step with
// validate(LoaderSettings), every key parsed and refused through apply_text, and suggestions.
#include "config/config_keys.hpp"

#include <limits>
#include <set>

#include <gtest/gtest.h>

namespace interleave::config {
namespace {

TEST(ConfigKeys, NamesAreUniqueAndSectionsKnownInTableOrder) {
    std::set<std::string_view> names;
    std::set<std::string_view> flags;
    std::size_t section_index = 0;
    for (const KeyInfo& k : keys()) {
        EXPECT_TRUE(names.insert(k.key).second) << k.key;
        EXPECT_TRUE(flags.insert(k.flag).second) << k.flag;
        EXPECT_TRUE(k.flag.starts_with("--")) << k.key;
        EXPECT_FALSE(k.help.empty()) << k.key;
        EXPECT_EQ(find_key(k.key), &k);
        // Sections appear in sections() order, each in one block.
        while (section_index < sections().size() && sections()[section_index] != k.section()) {
            ++section_index;
        }
        ASSERT_LT(section_index, sections().size()) << k.key << " is out of section order";
    }
    EXPECT_EQ(find_key("playback.nope"), nullptr);
    EXPECT_EQ(find_key("ips"), nullptr);
}

TEST(ConfigKeys, EnvironmentNamesAreUppercaseSectionAndKey) {
    EXPECT_EQ(env_name(*find_key("playback.ips")), "INTERLEAVE_PLAYBACK_IPS");
    EXPECT_EQ(env_name(*find_key("loader.fifo_pairs")), "INTERLEAVE_LOADER_FIFO_PAIRS");
    std::set<std::string> env;
    for (const KeyInfo& k : keys()) EXPECT_TRUE(env.insert(env_name(k)).second) << k.key;
}

TEST(ConfigKeys, TypesFollowTheFields) {
    EXPECT_EQ(find_key("playback.ips")->type(), KeyType::kReal);
    EXPECT_EQ(find_key("playback.fps")->type(), KeyType::kInt);
    EXPECT_EQ(find_key("playback.ping_pong")->type(), KeyType::kBool);
    EXPECT_EQ(find_key("playback.epoch")->type(), KeyType::kEpoch);
    EXPECT_EQ(find_key("select.mode")->type(), KeyType::kChoice);
    EXPECT_EQ(find_key("output.size")->type(), KeyType::kSize);
    EXPECT_EQ(find_key("output.background")->type(), KeyType::kColor);
    EXPECT_EQ(find_key("output.rotate")->type(), KeyType::kInt);
    EXPECT_EQ(find_key("content.images")->type(), KeyType::kPath);
    for (const KeyInfo& k : keys()) {
        if (k.type() == KeyType::kChoice) {
            EXPECT_FALSE(k.choices.empty()) << k.key;
        }
        if (k.type() == KeyType::kInt) {
            EXPECT_LE(k.int_min, k.int_max) << k.key;
        }
        if (k.type() == KeyType::kReal) {
            EXPECT_LT(k.real_min, k.real_max) << k.key;
        }
    }
}

// The table's loader ranges and validate(LoaderSettings) must agree at both ends.
TEST(ConfigKeys, LoaderRangesMatchLoaderSettingsValidate) {
    int checked = 0;
    for (const KeyInfo& k : keys()) {
        if (k.section() != "loader" || k.type() != KeyType::kInt) continue;
        for (const std::int64_t inside : {k.int_min, k.int_max}) {
            Config c;
            ASSERT_TRUE(apply_text(k, std::to_string(inside), c, k.key).has_value()) << k.key;
            EXPECT_TRUE(validate(c.loader).has_value()) << k.key << " = " << inside;
        }
        for (const std::int64_t outside : {k.int_min - 1, k.int_max + 1}) {
            Config c;
            EXPECT_FALSE(apply_text(k, std::to_string(outside), c, k.key).has_value()) << k.key;
            // The same value stored directly must fail validate() too (when the field holds it).
            if (outside < 0 && std::holds_alternative<FieldRef<std::uint32_t>>(k.field)) continue;
            std::visit([&c, outside](auto ref) {
                using T = std::remove_reference_t<decltype(ref(c))>;
                if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                    ref(c) = static_cast<T>(outside);
                }
            }, k.field);
            const auto v = validate(c.loader);
            ASSERT_FALSE(v.has_value()) << k.key << " = " << outside;
            EXPECT_EQ(v.error().subject, k.key);
        }
        ++checked;
    }
    EXPECT_EQ(checked, 5);
}

TEST(ConfigKeys, EveryDefaultPrintsAndParsesBackToItself) {
    for (const KeyInfo& k : keys()) {
        const Config defaults;
        Config c;
        const std::string plain = plain_value(k, defaults);
        ASSERT_TRUE(apply_text(k, plain, c, k.key).has_value()) << k.key << " = " << plain;
        EXPECT_EQ(format_value(k, c), format_value(k, Config{})) << k.key;
    }
    const Config d;
    EXPECT_EQ(format_value(*find_key("playback.ips"), d), "30");
    EXPECT_EQ(format_value(*find_key("output.background"), d), "[4, 4, 4]");
    EXPECT_EQ(format_value(*find_key("output.size"), d), "\"content\"");
    EXPECT_EQ(format_value(*find_key("output.mode"), d), "\"window\"");
    EXPECT_EQ(format_value(*find_key("playback.epoch"), d), "\"launch\"");
    EXPECT_EQ(format_value(*find_key("content.images"), d), "\"images\"");
    // --help shows defaults in flag syntax.
    EXPECT_EQ(default_text(*find_key("output.background")), "4,4,4");
    EXPECT_EQ(default_text(*find_key("output.size")), "content");
    EXPECT_EQ(default_text(*find_key("playback.epoch")), "launch");
    EXPECT_EQ(default_text(*find_key("select.jitter_s")), "0.2");
}

// A valid value other than the default, per key: each key is parsed and stored.
std::string other_value(const KeyInfo& k) {
    switch (k.type()) {
    case KeyType::kBool: return plain_value(k, Config{}) == "true" ? "false" : "true";
    case KeyType::kInt:
        if (k.choices.empty()) return std::to_string(k.int_max);
        return std::string(k.choices.back() == plain_value(k, Config{}) ? k.choices.front()
                                                                          : k.choices.back());
    case KeyType::kReal: return fmt::format("{}", k.real_max);
    case KeyType::kPath: return "/srv/frames dir";
    case KeyType::kChoice: return std::string(k.choices.back());
    case KeyType::kSize: return "640x480";
    case KeyType::kColor: return "1, 2,3";
    case KeyType::kEpoch: return "2026-11-22T18:30:00Z";
    case KeyType::kAddress: return "::1";
    }
    return {};
}

TEST(ConfigKeys, EveryKeyStoresAValidNonDefaultValue) {
    for (const KeyInfo& k : keys()) {
        Config c;
        const std::string value = other_value(k);
        ASSERT_TRUE(apply_text(k, value, c, k.key).has_value()) << k.key << " = " << value;
        EXPECT_NE(format_value(k, c), format_value(k, Config{})) << k.key;
        // Every other key is untouched.
        for (const KeyInfo& other : keys()) {
            if (&other == &k) continue;
            EXPECT_EQ(format_value(other, c), format_value(other, Config{})) << other.key;
        }
    }
}

// Values each key must refuse, naming the subject, the value and what is allowed.
std::vector<std::string> bad_values(const KeyInfo& k) {
    switch (k.type()) {
    case KeyType::kBool: return {"maybe", "2", ""};
    case KeyType::kInt: {
        std::vector<std::string> out = {"x", "1.5", "", "12abc"};
        if (k.int_min > std::numeric_limits<std::int64_t>::min()) {
            out.push_back(std::to_string(k.int_min - 1));
        }
        if (k.int_max < std::numeric_limits<std::int64_t>::max()) {
            out.push_back(std::to_string(k.int_max + 1));
        } else {
            out.push_back("9223372036854775808");  // beyond int64
        }
        if (!k.choices.empty()) out.push_back("45");
        return out;
    }
    case KeyType::kReal:
        return {"x", "", "nan", "inf", fmt::format("{}", k.real_max * 2 + 1),
                fmt::format("{}", k.real_min - 1)};
    case KeyType::kPath: return {""};
    case KeyType::kChoice: return {"nope", "", std::string(k.choices[0]) + "x"};
    case KeyType::kSize: {
        std::vector<std::string> out{"big", "1280x", "x720", "1280x99999", "-1x5", "0x0"};
        if (k.int_min > 8) out.push_back("8x8");
        return out;
    }
    case KeyType::kColor: return {"4,4", "4,4,4,4", "4,4,256", "a,b,c", "", "-1,0,0"};
    case KeyType::kEpoch: return {"yesterday", "1978-11-17T07:11:00", ""};
    case KeyType::kAddress: return {"", "localhost", "1.2.3", "256.0.0.1", "::g", "1.2.3.4 x"};
    }
    return {};
}

TEST(ConfigKeys, EveryKeyRefusesBadValuesNamingKeyValueAndAllowed) {
    for (const KeyInfo& k : keys()) {
        for (const std::string& bad : bad_values(k)) {
            Config c;
            const auto r = apply_text(k, bad, c, k.key);
            ASSERT_FALSE(r.has_value()) << k.key << " accepted " << bad;
            EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
            EXPECT_EQ(r.error().subject, k.key);
            EXPECT_NE(r.error().detail.find(bad), std::string::npos)
                << k.key << ": " << r.error().detail;
            EXPECT_NE(r.error().detail.find("expected"), std::string::npos) << r.error().detail;
            EXPECT_EQ(format_value(k, c), format_value(k, Config{})) << "refused but stored";
        }
    }
}

TEST(ConfigKeys, ChoiceErrorsListTheChoicesAndSuggestTheNearest) {
    Config c;
    const auto r = apply_text(*find_key("output.mode"), "windw", c, "output.mode");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message(), "output.mode: \"windw\" is not allowed (expected window, "
                                   "headless or ascii; did you mean window?)");
    const auto rot = apply_text(*find_key("output.rotate"), "45", c, "output.rotate");
    ASSERT_FALSE(rot.has_value());
    EXPECT_EQ(rot.error().detail, "45 is not allowed (expected 0, 90, 180 or 270)");
}

TEST(ConfigKeys, TextFormsAccepted) {
    Config c;
    ASSERT_TRUE(apply_text(*find_key("output.mirror"), "YES", c, "k").has_value());
    EXPECT_TRUE(c.output.mirror);
    ASSERT_TRUE(apply_text(*find_key("output.vsync"), "off", c, "k").has_value());
    EXPECT_FALSE(c.output.vsync);
    ASSERT_TRUE(apply_text(*find_key("output.background"), "[10, 20, 30]", c, "k").has_value());
    EXPECT_EQ(c.output.background, (Rgb{10, 20, 30}));
    ASSERT_TRUE(apply_text(*find_key("output.size"), "1920X1080", c, "k").has_value());
    EXPECT_EQ(c.output.size, (OutputSize{1920, 1080}));
    ASSERT_TRUE(apply_text(*find_key("output.size"), "content", c, "k").has_value());
    EXPECT_TRUE(c.output.size.is_content());
    ASSERT_TRUE(apply_text(*find_key("playback.ips"), "+12.5", c, "k").has_value());
    EXPECT_EQ(c.playback.ips, 12.5);
    ASSERT_TRUE(apply_text(*find_key("select.seed"), "9223372036854775807", c, "k").has_value());
    EXPECT_EQ(c.select.seed, std::numeric_limits<std::int64_t>::max());
    ASSERT_TRUE(apply_text(*find_key("output.rotate"), "270", c, "k").has_value());
    EXPECT_EQ(c.output.rotate_deg, 270);
}

TEST(ConfigKeys, NearestSuggestsTyposNotStrangers) {
    const std::vector<std::string> names = {"playback.ips", "playback.fps", "playback.ping_pong"};
    EXPECT_EQ(nearest("playback.ipss", names), "playback.ips");
    EXPECT_EQ(nearest("PLAYBACK.IPS", names), "playback.ips");
    const std::vector<std::string> bare = {"ips", "fps", "ping_pong", "epoch"};
    EXPECT_EQ(nearest("ipss", bare), "ips");
    EXPECT_EQ(nearest("ping", bare), "ping_pong");
    EXPECT_EQ(nearest("epoc", bare), "epoch");
    EXPECT_EQ(nearest("fsp", bare), "fps");  // a swap of neighbours is one edit
    EXPECT_EQ(nearest("seed", bare), std::nullopt);
    EXPECT_EQ(nearest("colour", names), std::nullopt);
    const std::vector<std::string> sections = {"playback", "loader", "output"};
    EXPECT_EQ(nearest("playbak", sections), "playback");
    EXPECT_EQ(nearest("outptu", sections), "output");
    EXPECT_EQ(nearest("zzz", sections), std::nullopt);
}

TEST(ConfigKeys, TomlQuoteEscapes) {
    EXPECT_EQ(toml_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    EXPECT_EQ(toml_quote(std::string_view("\x01", 1)), "\"\\u0001\"");
}

}  // namespace
}  // namespace interleave::config
