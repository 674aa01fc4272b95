// Tests for config::load_config and describe: the shipped interleave.toml equals the defaults,
// each precedence layer over the one below with provenance, every config error naming its key,
// and --print-config's listing of every key.
#include "config/config.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "config/config_keys.hpp"
#include "tests/support/temp_dir.hpp"

#ifndef INTERLEAVE_CONFIG_TOML
#error "INTERLEAVE_CONFIG_TOML must name config/interleave.toml"
#endif

namespace interleave::config {
namespace {

using test::TempDir;
using test::write_text;

// Loads `toml` (written to a temporary file) with the given environment and flags.
class ConfigFile : public ::testing::Test {
protected:
    std::filesystem::path write(std::string_view toml) {
        const auto path = dir_ / "interleave.toml";
        write_text(path, toml);
        return path;
    }
    Result<Config> load_text(std::string_view toml) {
        inputs_.config_file = write(toml);
        return load_config(inputs_, &provenance_);
    }
    // Asserts failure and returns the error.
    Error fail_text(std::string_view toml) {
        const auto r = load_text(toml);
        EXPECT_FALSE(r.has_value()) << toml;
        return r.has_value() ? Error{} : r.error();
    }
    std::string file() const { return (dir_ / "interleave.toml").string(); }

    TempDir dir_{"interleave-config-test"};
    LoadInputs inputs_;
    Provenance provenance_;
};

std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// [SECTION] The shipped file

TEST(ShippedConfig, ParsesToExactlyTheBuiltInDefaultsAndSetsEveryKey) {
    LoadInputs in;
    in.config_file = INTERLEAVE_CONFIG_TOML;
    Provenance prov;
    const auto c = load_config(in, &prov);
    ASSERT_TRUE(c.has_value()) << c.error().message();
    const Config defaults;
    for (const KeyInfo& k : keys()) {
        EXPECT_EQ(format_value(k, *c), format_value(k, defaults)) << k.key;
        EXPECT_EQ(prov.at(std::string(k.key)), Source::kFile) << k.key << " is not in the file";
    }
    EXPECT_EQ(prov.size(), keys().size());
}

// Each key's comment block in the file states its range or choices as the table has them.
TEST(ShippedConfig, DocumentsEachKeysRangeOrChoices) {
    std::vector<std::string> lines;
    {
        std::istringstream in(read(INTERLEAVE_CONFIG_TOML));
        for (std::string line; std::getline(in, line);) lines.push_back(line);
    }
    std::string section;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (line.starts_with("[")) section = line.substr(1, line.find(']') - 1);
        const auto eq = line.find(" = ");
        if (line.empty() || line[0] == '#' || line[0] == '[' || eq == std::string::npos) continue;
        const KeyInfo* k = find_key(section + "." + line.substr(0, eq));
        ASSERT_NE(k, nullptr) << line;
        // The nearest comment block above, skipping the assignments of a group of keys.
        std::string doc;
        std::size_t j = i;
        while (j > 0 && !lines[j - 1].starts_with("#")) --j;
        while (j > 0 && lines[j - 1].starts_with("#")) doc = lines[--j] + "\n" + doc;
        std::vector<std::string> must;
        switch (k->type()) {
        case KeyType::kInt:
        case KeyType::kReal:
            if (k->choices.empty()) {
                must.push_back(allowed_text(*k));
            } else {
                for (auto choice : k->choices) must.emplace_back(choice);
            }
            break;
        case KeyType::kChoice:
            for (auto choice : k->choices) must.push_back("\"" + std::string(choice) + "\"");
            break;
        case KeyType::kSize: must.push_back(fmt::format("{}..{}", k->int_min, k->int_max)); break;
        case KeyType::kColor: must.push_back("0..255"); break;
        case KeyType::kEpoch: must.push_back("\"launch\""); break;
        case KeyType::kAddress: must.push_back("127.0.0.1"); break;
        case KeyType::kBool:
        case KeyType::kPath: break;
        }
        EXPECT_FALSE(doc.empty()) << k->key << " has no comment";
        for (const std::string& m : must) {
            EXPECT_TRUE(contains(doc, m)) << k->key << ": comment lacks " << m << "\n" << doc;
        }
    }
}

TEST(ShippedConfig, DefaultsAreTheOriginalProjects) {
    const Config c;
    EXPECT_EQ(c.playback.ips, 30.0);
    EXPECT_EQ(c.playback.fps, 60);
    EXPECT_TRUE(c.playback.ping_pong);
    EXPECT_FALSE(c.playback.epoch.unix_ns.has_value()) << "the epoch defaults to launch";
    EXPECT_EQ(c.loader.fifo_pairs, 15);
    EXPECT_EQ(c.loader.tolerance, 10);
    EXPECT_EQ(c.output.background, (Rgb{4, 4, 4}));
    EXPECT_EQ(c.stream.jpeg_quality, 75);
    EXPECT_TRUE(c.output.size.is_content());  // not the original's 480x600 canvas
    EXPECT_EQ(c.output.mode, OutputMode::kWindow);
    EXPECT_TRUE(c.output.fullscreen);
    EXPECT_TRUE(c.output.vsync);
    EXPECT_EQ(c.content.images, "images");
}

TEST(LoadConfig, NoInputsGivesDefaultsEverywhere) {
    Provenance prov;
    const auto c = load_config({}, &prov);
    ASSERT_TRUE(c.has_value());
    for (const KeyInfo& k : keys()) {
        EXPECT_EQ(prov.at(std::string(k.key)), Source::kDefault) << k.key;
        EXPECT_EQ(format_value(k, *c), format_value(k, Config{})) << k.key;
    }
}

// [SECTION] Precedence

TEST_F(ConfigFile, FileOverDefault) {
    const auto c = load_text("[playback]\nips = 24\n[loader]\nfifo_pairs = 30\n");
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->playback.ips, 24.0);
    EXPECT_EQ(c->loader.fifo_pairs, 30);
    EXPECT_EQ(provenance_.at("playback.ips"), Source::kFile);
    EXPECT_EQ(provenance_.at("loader.fifo_pairs"), Source::kFile);
    EXPECT_EQ(c->playback.fps, 60);
    EXPECT_EQ(provenance_.at("playback.fps"), Source::kDefault);
}

TEST_F(ConfigFile, EnvOverFile) {
    inputs_.environment = {{"INTERLEAVE_PLAYBACK_IPS", "25"},
                           {"INTERLEAVE_LOADER_FIFO_PAIRS", "40"},
                           {"HOME", "/root"}};
    const auto c = load_text("[playback]\nips = 24\nfps = 50\n[loader]\nfifo_pairs = 30\n");
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->playback.ips, 25.0);
    EXPECT_EQ(c->loader.fifo_pairs, 40);
    EXPECT_EQ(c->playback.fps, 50);
    EXPECT_EQ(provenance_.at("playback.ips"), Source::kEnv);
    EXPECT_EQ(provenance_.at("loader.fifo_pairs"), Source::kEnv);
    EXPECT_EQ(provenance_.at("playback.fps"), Source::kFile);
}

TEST_F(ConfigFile, FlagOverEnv) {
    inputs_.environment = {{"INTERLEAVE_PLAYBACK_IPS", "25"}, {"INTERLEAVE_OUTPUT_MODE", "ascii"}};
    inputs_.flags = {{"playback.ips", "26"}, {"output.size", "1280x720"}};
    const auto c = load_text("[playback]\nips = 24\n");
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->playback.ips, 26.0);
    EXPECT_EQ(provenance_.at("playback.ips"), Source::kFlag);
    EXPECT_EQ(c->output.mode, OutputMode::kAscii);
    EXPECT_EQ(provenance_.at("output.mode"), Source::kEnv);
    EXPECT_EQ(c->output.size, (OutputSize{1280, 720}));
    EXPECT_EQ(provenance_.at("output.size"), Source::kFlag);
}

TEST(LoadConfig, FlagOverDefaultAndEnvOverDefaultWithoutAFile) {
    LoadInputs in;
    in.environment = {{"INTERLEAVE_SELECT_MODE", "fixed"}};
    in.flags = {{"select.fixed_main", "3"}, {"select.fixed_main", "4"}};  // the later flag wins
    Provenance prov;
    const auto c = load_config(in, &prov);
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->select.mode, SelectMode::kFixed);
    EXPECT_EQ(c->select.fixed_main, 4);
    EXPECT_EQ(prov.at("select.mode"), Source::kEnv);
    EXPECT_EQ(prov.at("select.fixed_main"), Source::kFlag);
}

TEST_F(ConfigFile, TomlNativeFormsAreAccepted) {
    const auto c = load_text(
        "stream.jpeg_quality = 80\n"  // a dotted key outside any section
        "[playback]\nips = 12.5\nepoch = 2026-11-22T19:30:00.25+01:00\n"
        "[output]\nbackground = \"10, 20, 30\"\nrotate = 90\n"
        "[content]\nimages = '/srv/frames'\n");
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->stream.jpeg_quality, 80);
    EXPECT_EQ(c->playback.ips, 12.5);
    EXPECT_EQ(format_epoch(c->playback.epoch), "2026-11-22T19:30:00.25+01:00");
    EXPECT_EQ(c->output.background, (Rgb{10, 20, 30}));
    EXPECT_EQ(c->output.rotate_deg, 90);
    EXPECT_EQ(c->content.images, "/srv/frames");
}

TEST_F(ConfigFile, LaunchEpochAndEmptyFile) {
    auto c = load_text("[playback]\nepoch = \"launch\"\n");
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_FALSE(c->playback.epoch.unix_ns.has_value());
    c = load_text("");
    ASSERT_TRUE(c.has_value()) << c.error().message();
}

// [SECTION] Errors in the file

TEST_F(ConfigFile, TypoFailsWithTheKeyNamed) {
    const Error e = fail_text("[playback]\nipss = 30\n");
    EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(e.subject, file() + ":2: playback.ipss");
    EXPECT_TRUE(contains(e.detail, "unknown key")) << e.detail;
    EXPECT_TRUE(contains(e.detail, "did you mean playback.ips?")) << e.detail;
    EXPECT_TRUE(contains(e.detail, "ips, fps, ping_pong")) << e.detail;
}

TEST_F(ConfigFile, UnknownKeyFarFromAnyNameListsTheSectionsKeys) {
    const Error e = fail_text("# note\n\n[loader]\nfifo_pairs = 15\ncolour = 3\n");
    EXPECT_EQ(e.subject, file() + ":5: loader.colour");
    EXPECT_FALSE(contains(e.detail, "did you mean")) << e.detail;
    EXPECT_TRUE(contains(e.detail, "[loader] has workers, fifo_pairs")) << e.detail;
}

TEST_F(ConfigFile, RightKeyInTheWrongSectionPointsToItsSection) {
    const Error e = fail_text("[output]\njpeg_quality = 80\n");
    EXPECT_EQ(e.subject, file() + ":2: output.jpeg_quality");
    EXPECT_TRUE(contains(e.detail, "did you mean stream.jpeg_quality?")) << e.detail;
}

TEST_F(ConfigFile, KeyOutsideAnySectionSuggestsItsSection) {
    const Error e = fail_text("ips = 30\n");
    EXPECT_EQ(e.subject, file() + ":1: ips");
    EXPECT_TRUE(contains(e.detail, "did you mean playback.ips?")) << e.detail;
}

TEST_F(ConfigFile, UnknownSectionIsNamedWithTheNearest) {
    const Error e = fail_text("[playback]\nips = 30\n\n[playbak]\nfps = 60\n");
    EXPECT_EQ(e.subject, file() + ":4: playbak");
    EXPECT_TRUE(contains(e.detail, "unknown section")) << e.detail;
    EXPECT_TRUE(contains(e.detail, "did you mean playback?")) << e.detail;
    EXPECT_TRUE(contains(e.detail, "[playback], [loader]")) << e.detail;
}

TEST_F(ConfigFile, SectionThatIsNotATable) {
    const Error e = fail_text("playback = 3\n");
    EXPECT_EQ(e.subject, file() + ":1: playback");
    EXPECT_TRUE(contains(e.detail, "expected a section [playback]")) << e.detail;
}

TEST_F(ConfigFile, NestedTableInsideASectionIsAnUnknownKey) {
    const Error e = fail_text("[playback.extra]\nips = 30\n");
    EXPECT_TRUE(contains(e.subject, "playback.extra")) << e.subject;
    EXPECT_TRUE(contains(e.detail, "unknown key")) << e.detail;
}

TEST_F(ConfigFile, WrongTypeNamesKeyValueAndExpectedType) {
    struct Case {
        const char* toml;
        const char* subject;
        const char* detail;
    };
    const Case cases[] = {
        {"[playback]\nips = \"30\"\n", ":2: playback.ips",
         "\"30\" (a string) is the wrong type (expected a number: 0.001..1000)"},
        {"[loader]\nfifo_pairs = 15.0\n", ":2: loader.fifo_pairs",
         "15.0 (a float) is the wrong type (expected an integer: 2..240)"},
        {"[playback]\nping_pong = 1\n", ":2: playback.ping_pong",
         "1 (an integer) is the wrong type (expected a boolean: true or false)"},
        {"[output]\nmode = 1\n", ":2: output.mode", "(expected a string: window, headless"},
        {"[output]\nbackground = [4, 4, \"4\"]\n", ":2: output.background",
         "[ 4, 4, '4' ] (an array) is the wrong type"},
        {"[playback]\nepoch = 1978-11-17\n", ":2: playback.epoch", "(a date) is the wrong type"},
        {"[content]\nimages = [\"a\"]\n", ":2: content.images", "(expected a string"},
        {"[output]\nsize = { w = 1 }\n", ":2: output.size", "a table is the wrong type"},
    };
    for (const Case& c : cases) {
        const Error e = fail_text(c.toml);
        EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(e.subject, file() + c.subject) << c.toml;
        EXPECT_TRUE(contains(e.detail, c.detail)) << c.toml << " -> " << e.detail;
    }
}

TEST_F(ConfigFile, BadValuesNameKeyValueAndWhatIsAllowed) {
    struct Case {
        const char* toml;
        const char* subject;
        const char* detail;
    };
    const Case cases[] = {
        // out of range
        {"[loader]\nfifo_pairs = 241\n", ":2: loader.fifo_pairs",
         "241 is out of range (expected 2..240)"},
        {"[playback]\nips = 0\n", ":2: playback.ips", "0 is out of range (expected 0.001..1000)"},
        {"[playback]\nips = nan\n", ":2: playback.ips", "\"nan\" is not a number"},
        {"[stream]\njpeg_quality = 101\n", ":2: stream.jpeg_quality", "(expected 1..100)"},
        // bad choice
        {"[output]\nmode = \"windw\"\n", ":2: output.mode",
         "\"windw\" is not allowed (expected window, headless or ascii; did you mean window?)"},
        {"[output]\nrenderer = \"vulkan\"\n", ":2: output.renderer",
         "(expected auto, gl, gles3, gles2 or cpu)"},
        {"[output]\nrotate = 45\n", ":2: output.rotate", "45 is not allowed (expected 0, 90"},
        // bad WxH
        {"[output]\nsize = \"1280x\"\n", ":2: output.size",
         "\"1280x\" is not a size (expected \"content\" or WxH, each side 16..16384"},
        {"[output]\nsize = \"8x8\"\n", ":2: output.size", "\"8x8\" is out of range"},
        // bad colour
        {"[output]\nbackground = \"4,4\"\n", ":2: output.background",
         "\"4,4\" is not a colour (expected r,g,b, each 0..255"},
        {"[output]\nbackground = [4, 4, 300]\n", ":2: output.background",
         "\"[4, 4, 300]\" is not a colour"},
        // bad ISO-8601 time
        {"[playback]\nepoch = \"1978-11-17T07:11:00\"\n", ":2: playback.epoch",
         "\"1978-11-17T07:11:00\" is not a time: no zone"},
        {"[playback]\nepoch = 1978-11-17T07:11:00\n", ":2: playback.epoch", "no zone"},
        {"[playback]\nepoch = \"soon\"\n", ":2: playback.epoch",
         "(expected \"launch\" or an ISO-8601 time with a zone"},
        // empty path
        {"[content]\nimages = \"\"\n", ":2: content.images", "(expected a non-empty path)"},
    };
    for (const Case& c : cases) {
        const Error e = fail_text(c.toml);
        EXPECT_EQ(e.code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(e.subject, file() + c.subject) << c.toml;
        EXPECT_TRUE(contains(e.detail, c.detail)) << c.toml << " -> " << e.detail;
    }
}

TEST_F(ConfigFile, FirstProblemInReadingOrderIsReported) {
    // toml++ keeps keys sorted; the report follows the file instead.
    const Error e = fail_text("[playback]\nzz = 1\n[loader]\naa = 2\n");
    EXPECT_EQ(e.subject, file() + ":2: playback.zz");
}

TEST_F(ConfigFile, SyntaxErrorNamesFileAndLine) {
    const Error e = fail_text("[playback]\nips = 30\nfps = = 60\n");
    EXPECT_EQ(e.code, ErrorCode::kBadFormat);
    EXPECT_EQ(e.subject, file() + ":3");
    EXPECT_TRUE(contains(e.detail, "TOML syntax error")) << e.detail;
}

TEST_F(ConfigFile, DuplicateKeyIsASyntaxError) {
    const Error e = fail_text("[playback]\nips = 30\nips = 31\n");
    EXPECT_EQ(e.code, ErrorCode::kBadFormat);
    EXPECT_EQ(e.subject, file() + ":3");
}

TEST(LoadConfig, MissingFileIsNamed) {
    LoadInputs in;
    in.config_file = "/nonexistent/interleave.toml";
    const auto c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code, ErrorCode::kNotFound);
    EXPECT_EQ(c.error().subject, "/nonexistent/interleave.toml");
    EXPECT_TRUE(contains(c.error().detail, "config file not found")) << c.error().detail;
}

TEST(LoadConfig, DirectoryGivenAsFileIsNamed) {
    TempDir dir;
    LoadInputs in;
    in.config_file = dir.path();
    const auto c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code, ErrorCode::kIo);
    EXPECT_EQ(c.error().subject, dir.path().string());
}

// [SECTION] Errors in the environment and flags

TEST(LoadConfig, UnknownInterleaveVariableIsNamedWithTheNearest) {
    LoadInputs in;
    in.environment = {{"INTERLEAVE_PLAYBACK_IPSS", "30"}};
    const auto c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(c.error().subject, "INTERLEAVE_PLAYBACK_IPSS");
    EXPECT_TRUE(contains(c.error().detail, "did you mean INTERLEAVE_PLAYBACK_IPS?"))
        << c.error().detail;
    in.environment = {{"INTERLEAVE_COLOUR", "red"}};
    const auto d = load_config(in);
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().subject, "INTERLEAVE_COLOUR");
    EXPECT_TRUE(contains(d.error().detail, "unknown variable")) << d.error().detail;
}

TEST(LoadConfig, ToolVariablesAndOtherVariablesAreIgnored) {
    LoadInputs in;
    in.environment = {{"INTERLEAVE_BUILD_DIR", "/tmp/b"}, {"INTERLEAVE_BENCH_PHOTO", "x.jpg"},
                      {"INTERLEAVE_TSAN_BUILD_DIR", "t"}, {"INTERLEAVE_BENCH_CONTENT", "c"},
                      {"PATH", "/usr/bin"}, {"interleave_playback_ips", "x"}};
    const auto c = load_config(in);
    ASSERT_TRUE(c.has_value()) << c.error().message();
}

TEST(LoadConfig, BadEnvironmentValueNamesVariableKeyValueAndRange) {
    LoadInputs in;
    in.environment = {{"INTERLEAVE_LOADER_FIFO_PAIRS", "1"}};
    const auto c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().message(),
              "INTERLEAVE_LOADER_FIFO_PAIRS (loader.fifo_pairs): 1 is out of range (expected "
              "2..240)");
}

TEST(LoadConfig, UnknownFlagKeyAndBadFlagValueAreNamed) {
    LoadInputs in;
    in.flags = {{"playback.fsp", "60"}};
    auto c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().subject, "playback.fsp");
    EXPECT_TRUE(contains(c.error().detail, "did you mean playback.fps?")) << c.error().detail;
    in.flags = {{"screen.ips", "60"}};  // not a section: matched against every key's name
    c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().subject, "screen.ips");
    EXPECT_TRUE(contains(c.error().detail, "did you mean playback.ips?")) << c.error().detail;
    in.flags = {{"output.renderer", "metal"}};
    c = load_config(in);
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().message(), "output.renderer: \"metal\" is not allowed (expected auto, gl, "
                                   "gles3, gles2 or cpu)");
}

TEST(LoadConfig, EveryKeyCanBeSetFromEnvironmentAndFlags) {
    for (const KeyInfo& k : keys()) {
        Config changed;
        // A value that differs from the default and is allowed (rest/interval pairs stay ordered).
        std::string value;
        switch (k.type()) {
        case KeyType::kBool: value = plain_value(k, changed) == "true" ? "false" : "true"; break;
        case KeyType::kInt:
            value = k.choices.empty() ? std::to_string(k.int_min == 0 ? 1 : k.int_min)
                                      : std::string(k.choices[1]);
            if (value == plain_value(k, changed)) value = std::to_string(k.int_min + 2);
            break;
        case KeyType::kReal:
            value = k.real_max >= 4 ? (plain_value(k, changed) == "3" ? "4" : "3") : "0.25";
            break;
        case KeyType::kPath: value = "/srv/frames"; break;
        case KeyType::kChoice: value = std::string(k.choices.back()); break;
        case KeyType::kSize: value = "640x480"; break;
        case KeyType::kColor: value = "1,2,3"; break;
        case KeyType::kEpoch: value = "2026-11-22T18:30:00Z"; break;
        case KeyType::kAddress: value = "0.0.0.0"; break;
        }
        for (const bool from_env : {true, false}) {
            LoadInputs in;
            if (from_env) in.environment = {{env_name(k), value}};
            else in.flags = {{std::string(k.key), value}};
            Provenance prov;
            const auto c = load_config(in, &prov);
            ASSERT_TRUE(c.has_value()) << k.key << " = " << value << ": " << c.error().message();
            EXPECT_EQ(plain_value(k, *c), value) << k.key;
            EXPECT_NE(format_value(k, *c), format_value(k, Config{})) << k.key;
            EXPECT_EQ(prov.at(std::string(k.key)), from_env ? Source::kEnv : Source::kFlag);
        }
    }
}

// [SECTION] Rules across keys

TEST_F(ConfigFile, RestAndIntervalBoundsMustBeOrderedNamingTheKeySetLast) {
    Error e = fail_text("[select]\nrest_min_s = 9\n");  // above the default rest_max_s = 7
    EXPECT_EQ(e.subject, "select.rest_min_s");
    EXPECT_EQ(e.detail, "9 is more than select.rest_max_s = 7 (expected select.rest_min_s <= "
                        "select.rest_max_s)");
    e = fail_text("[select]\nmax_interval_s = 0.5\n");  // below the default min_interval_s = 1
    EXPECT_EQ(e.subject, "select.max_interval_s");
    EXPECT_TRUE(contains(e.detail, "0.5 is less than select.min_interval_s = 1")) << e.detail;
    inputs_.flags = {{"select.rest_max_s", "1"}};
    e = fail_text("[select]\nrest_min_s = 3\nrest_max_s = 5\n");
    EXPECT_EQ(e.subject, "select.rest_max_s");
    EXPECT_TRUE(contains(e.detail, "1 is less than select.rest_min_s = 3")) << e.detail;
    inputs_.flags = {{"select.rest_max_s", "3"}};  // equal bounds are fine
    EXPECT_TRUE(load_text("[select]\nrest_min_s = 3\n").has_value());
}

// [SECTION] describe (--print-config)

TEST_F(ConfigFile, DescribeListsEveryKeyWithValueAndSource) {
    inputs_.environment = {{"INTERLEAVE_PLAYBACK_FPS", "50"}};
    inputs_.flags = {{"output.mode", "headless"}};
    const auto c = load_text("[playback]\nips = 24\n");
    ASSERT_TRUE(c.has_value()) << c.error().message();
    const std::string text = describe(*c, provenance_);

    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), keys().size()) << text;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const KeyInfo& k = keys()[i];
        EXPECT_TRUE(lines[i].starts_with(std::string(k.key) + " = " + format_value(k, *c) + "  # "))
            << lines[i];
    }
    EXPECT_TRUE(contains(text, "playback.ips = 24  # file\n")) << text;
    EXPECT_TRUE(contains(text, "playback.fps = 50  # env INTERLEAVE_PLAYBACK_FPS\n")) << text;
    EXPECT_TRUE(contains(text, "output.mode = \"headless\"  # flag\n")) << text;
    EXPECT_TRUE(contains(text, "output.background = [4, 4, 4]  # default\n")) << text;
    EXPECT_TRUE(contains(text, "playback.epoch = \"launch\"  # default\n"));
}

// --print-config's output is itself a config file that reproduces the configuration.
TEST_F(ConfigFile, DescribeOutputLoadsBackToTheSameConfig) {
    inputs_.flags = {{"output.size", "640x480"}, {"content.images", "/srv/my \"frames\""},
                     {"playback.epoch", "2026-11-22T19:30:00.25+01:00"},
                     {"select.jitter_s", "0.125"}};
    const auto first = load_config(inputs_, &provenance_);
    ASSERT_TRUE(first.has_value()) << first.error().message();
    inputs_.flags.clear();
    const auto second = load_text(describe(*first, provenance_));
    ASSERT_TRUE(second.has_value()) << second.error().message();
    for (const KeyInfo& k : keys()) {
        EXPECT_EQ(format_value(k, *second), format_value(k, *first)) << k.key;
        EXPECT_EQ(provenance_.at(std::string(k.key)), Source::kFile) << k.key;
    }
}

TEST(Describe, MissingProvenancePrintsAsDefault) {
    const std::string text = describe(Config{}, {});
    EXPECT_TRUE(contains(text, "stream.jpeg_quality = 75  # default\n")) << text;
    EXPECT_TRUE(contains(text, "content.images = \"images\"  # default\n")) << text;
}

TEST(CaptureEnvironment, ReadsTheProcessEnvironment) {
    ASSERT_EQ(setenv("INTERLEAVE_CONFIG_TEST_PROBE", "a=b", 1), 0);
    const auto env = capture_environment();
    unsetenv("INTERLEAVE_CONFIG_TEST_PROBE");
    const auto it = env.find("INTERLEAVE_CONFIG_TEST_PROBE");
    ASSERT_NE(it, env.end());
    EXPECT_EQ(it->second, "a=b");
}

}  // namespace
}  // namespace interleave::config
