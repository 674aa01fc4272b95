// Tests for shaders/shader_sources.cpp: the embedded table matches shaders/*.glsl on disk, and
// program_source() puts the right dialect header first. Thread: test main thread.
#include "shaders/shader_sources.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::shaders {
namespace {

// INTERLEAVE_SHADER_DIR: the repo's shaders/ folder, set by tests/renderer/CMakeLists.txt.
const std::filesystem::path kShaderDir = INTERLEAVE_SHADER_DIR;

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(ShaderSources, EmbedsEveryGlslFileInTheShaderFolder) {
    std::vector<std::string> on_disk;
    for (const auto& entry : std::filesystem::directory_iterator(kShaderDir)) {
        if (entry.path().extension() != ".glsl") continue;
        on_disk.push_back(entry.path().filename().string());
    }
    std::sort(on_disk.begin(), on_disk.end());
    const std::vector<std::string_view> embedded = names();
    EXPECT_TRUE(std::equal(on_disk.begin(), on_disk.end(), embedded.begin(), embedded.end()))
        << "embedded: " << testing::PrintToString(embedded)
        << "\non disk: " << testing::PrintToString(on_disk);
    for (const std::string_view name : {"composite.vert.glsl", "composite.frag.glsl",
                                        "header_330.glsl", "header_300es.glsl",
                                        "header_100.glsl"}) {
        EXPECT_NE(std::find(embedded.begin(), embedded.end(), name), embedded.end()) << name;
    }
}

TEST(ShaderSources, EmbeddedTextEqualsTheFileOnDiskByteForByte) {
    for (const std::string_view name : names()) {
        const std::string on_disk = read_text(kShaderDir / name);
        ASSERT_FALSE(on_disk.empty()) << name;
        EXPECT_EQ(source(name), on_disk) << name;
    }
}

TEST(ShaderSources, UnknownNameGivesEmptySourceAndProgram) {
    EXPECT_TRUE(source("missing.frag.glsl").empty());
    EXPECT_TRUE(program_source(Dialect::kGlsl330, "missing.frag.glsl").empty());
}

TEST(ShaderSources, ProgramSourceIsTheDialectHeaderFollowedByTheFile) {
    const struct {
        Dialect dialect;
        std::string_view header;
        std::string_view version_line;
    } cases[] = {
        {Dialect::kGlsl330, "header_330.glsl", "#version 330 core\n"},
        {Dialect::kGlsl300es, "header_300es.glsl", "#version 300 es\n"},
        {Dialect::kGlsl100, "header_100.glsl", "#version 100\n"},
    };
    for (const auto& c : cases) {
        for (const std::string_view name : {"composite.vert.glsl", "composite.frag.glsl"}) {
            const std::string program = program_source(c.dialect, name);
            EXPECT_EQ(program, std::string(source(c.header)) + std::string(source(name)))
                << c.header << " + " << name;
            // GLSL ES 3.00 wants #version on the very first line.
            EXPECT_TRUE(program.starts_with(c.version_line)) << c.header << " + " << name;
        }
    }
}

}  // namespace
}  // namespace interleave::shaders
