// Tests for shaders/composite.{vert,frag}.glsl in a headless context of each API: the program
// compiles and links with the matching dialect header, and a full-screen quad into a small FBO
// gives mix(mix(bg, main.rgb, main.a), float.rgb, float.a) within +-2 per channel.
// Thread: test main thread (it is the render thread here).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <glad/gl.h>
#include <gtest/gtest.h>

#include "renderer/gl/egl_context.hpp"
#include "shaders/shader_sources.hpp"
#include "tests/support/image_compare.hpp"

namespace interleave::renderer::gl {
namespace {

using shaders::Dialect;

struct ApiCase {
    GlApi api;
    Dialect dialect;
    const char* test_name;
};

// Names the case in gtest output and in the ctest test names ("# GetParam() = Gles30").
void PrintTo(const ApiCase& c, std::ostream* out) { *out << c.test_name; }

constexpr int kTolerance = 2;

// 2x2 RGBA layers, straight alpha; texel (x, y) at (y * 2 + x) * 4 with row 0 at the bottom,
// as glTexImage2D and glReadPixels count rows. Alphas cover 0, 255 and values in between.
constexpr std::array<std::uint8_t, 16> kMain = {
    200, 40,  10,  255,  // (0, 0) opaque
    10,  220, 90,  0,    // (1, 0) transparent: the background shows
    90,  60,  250, 128,  // (0, 1)
    255, 255, 255, 13,   // (1, 1)
};
constexpr std::array<std::uint8_t, 16> kFloat = {
    0,   0,   255, 0,    // (0, 0) transparent: main shows
    250, 250, 0,   255,  // (1, 0) opaque: float covers everything
    30,  200, 30,  64,   // (0, 1)
    120, 0,   60,  192,  // (1, 1)
};
constexpr std::array<std::uint8_t, 3> kBackground = {16, 32, 48};

// The reference composite of texel (x, y), rounded to nearest, opaque.
std::array<std::uint8_t, 4> expected_composite(int x, int y) {
    const std::size_t i = static_cast<std::size_t>(y * 2 + x) * 4;
    std::array<std::uint8_t, 4> out{0, 0, 0, 255};
    for (std::size_t c = 0; c < 3; ++c) {
        const double main_alpha = kMain[i + 3] / 255.0;
        const double float_alpha = kFloat[i + 3] / 255.0;
        const double under = kBackground[c] + (kMain[i + c] - kBackground[c]) * main_alpha;
        out[c] = static_cast<std::uint8_t>(std::lround(under + (kFloat[i + c] - under) *
                                                                   float_alpha));
    }
    return out;
}

GLuint compile_shader(GLenum stage, const std::string& text, std::string& log) {
    const GLuint shader = glCreateShader(stage);
    const char* data = text.c_str();
    glShaderSource(shader, 1, &data, nullptr);
    glCompileShader(shader);
    GLint ok = GL_FALSE;
    glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
    if (ok == GL_TRUE) return shader;
    std::array<char, 4096> info{};
    glGetShaderInfoLog(shader, info.size(), nullptr, info.data());
    log += info.data();
    glDeleteShader(shader);
    return 0;
}

// Compiles and links the composite program; 0 and the info logs on failure.
GLuint build_composite_program(Dialect dialect, std::string& log) {
    const GLuint vertex = compile_shader(
        GL_VERTEX_SHADER, shaders::program_source(dialect, "composite.vert.glsl"), log);
    const GLuint fragment = compile_shader(
        GL_FRAGMENT_SHADER, shaders::program_source(dialect, "composite.frag.glsl"), log);
    if (vertex == 0 || fragment == 0) return 0;
    const GLuint program = glCreateProgram();
    glAttachShader(program, vertex);
    glAttachShader(program, fragment);
    glBindAttribLocation(program, 0, "a_position");  // GLSL 100 has no layout qualifiers
    glLinkProgram(program);
    glDeleteShader(vertex);
    glDeleteShader(fragment);
    GLint ok = GL_FALSE;
    glGetProgramiv(program, GL_LINK_STATUS, &ok);
    if (ok == GL_TRUE) return program;
    std::array<char, 4096> info{};
    glGetProgramInfoLog(program, info.size(), nullptr, info.data());
    log += info.data();
    glDeleteProgram(program);
    return 0;
}

GLuint make_texture(int width, int height, const std::uint8_t* pixels) {
    GLuint texture = 0;
    glGenTextures(1, &texture);
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    // Unsized GL_RGBA: the one internal format that GL 3.3, GLES 3.0 and GLES 2.0 all take.
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
    return texture;
}

class CompositeShaderTest : public testing::TestWithParam<ApiCase> {
protected:
    void SetUp() override {
        auto created = HeadlessEglContext::create(GetParam().api);
        ASSERT_TRUE(created) << created.error().message();
        context_ = std::move(*created);
        const auto current = context_->make_current();
        ASSERT_TRUE(current) << current.error().message();
    }

    // Draws one full-screen quad into a width x height RGBA8 FBO with the test layers bound
    // and `uv_transform` (column-major mat3) set; returns the pixels, bottom row first.
    std::vector<std::uint8_t> draw(int width, int height,
                                   const std::array<float, 9>& uv_transform) {
        std::string log;
        const GLuint program = build_composite_program(GetParam().dialect, log);
        EXPECT_NE(program, 0u) << log;
        glUseProgram(program);
        glUniform1i(glGetUniformLocation(program, "u_main"), 0);
        glUniform1i(glGetUniformLocation(program, "u_float"), 1);
        glUniform3f(glGetUniformLocation(program, "u_background"), kBackground[0] / 255.0f,
                    kBackground[1] / 255.0f, kBackground[2] / 255.0f);
        // GLES 2.0 only accepts transpose = GL_FALSE: the matrix is column-major.
        glUniformMatrix3fv(glGetUniformLocation(program, "u_uv_transform"), 1, GL_FALSE,
                           uv_transform.data());

        glActiveTexture(GL_TEXTURE0);
        const GLuint main_texture = make_texture(2, 2, kMain.data());
        glActiveTexture(GL_TEXTURE1);
        const GLuint float_texture = make_texture(2, 2, kFloat.data());
        glActiveTexture(GL_TEXTURE2);
        const GLuint target = make_texture(width, height, nullptr);
        GLuint framebuffer = 0;
        glGenFramebuffers(1, &framebuffer);
        glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
        glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, target, 0);
        EXPECT_EQ(glCheckFramebufferStatus(GL_FRAMEBUFFER), GLenum{GL_FRAMEBUFFER_COMPLETE});

        // Core profiles need a vertex array object; GLES 2.0 has none.
        GLuint vertex_array = 0;
        if (GetParam().api != GlApi::kGles20) {
            glGenVertexArrays(1, &vertex_array);
            glBindVertexArray(vertex_array);
        }
        const std::array<float, 8> quad = {-1, -1, 1, -1, -1, 1, 1, 1};
        GLuint buffer = 0;
        glGenBuffers(1, &buffer);
        glBindBuffer(GL_ARRAY_BUFFER, buffer);
        glBufferData(GL_ARRAY_BUFFER, sizeof(quad), quad.data(), GL_STATIC_DRAW);
        glEnableVertexAttribArray(0);
        glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);

        glViewport(0, 0, width, height);
        glClearColor(1, 0, 1, 1);  // magenta: any pixel the quad misses shows
        glClear(GL_COLOR_BUFFER_BIT);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
        std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * 4);
        glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
        EXPECT_EQ(glGetError(), GLenum{GL_NO_ERROR});

        glDeleteBuffers(1, &buffer);
        if (vertex_array != 0) glDeleteVertexArrays(1, &vertex_array);
        glDeleteFramebuffers(1, &framebuffer);
        const std::array<GLuint, 3> textures = {main_texture, float_texture, target};
        glDeleteTextures(textures.size(), textures.data());
        glDeleteProgram(program);
        return pixels;
    }

    std::string image_name(const char* what) const {
        return std::string(GetParam().test_name) + "-" + what;
    }

    std::unique_ptr<HeadlessEglContext> context_;
};

TEST_P(CompositeShaderTest, CompilesAndLinksWithTheMatchingDialectHeader) {
    std::string log;
    const GLuint program = build_composite_program(GetParam().dialect, log);
    ASSERT_NE(program, 0u) << log;
    for (const char* uniform : {"u_main", "u_float", "u_background", "u_uv_transform"}) {
        EXPECT_GE(glGetUniformLocation(program, uniform), 0) << uniform;
    }
    glDeleteProgram(program);
}

// A 4x2 output with 2x2 content: the content fills the middle columns, the outer columns are
// letterbox and show the background.
TEST_P(CompositeShaderTest, BlendsStraightAlphaLayersOverBackgroundAndLetterboxesWithIt) {
    // u = x + 0.5, v = y / 2 + 0.5: clip x in -0.5..0.5 covers the content.
    const std::array<float, 9> letterbox = {1, 0, 0, 0, 0.5f, 0, 0.5f, 0.5f, 1};
    const std::vector<std::uint8_t> actual = draw(4, 2, letterbox);

    test::Image expected(4, 2, 4);
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 4; ++x) {
            const bool content = x == 1 || x == 2;
            const std::array<std::uint8_t, 4> pixel =
                content ? expected_composite(x - 1, y)
                        : std::array<std::uint8_t, 4>{kBackground[0], kBackground[1],
                                                      kBackground[2], 255};
            std::copy(pixel.begin(), pixel.end(), expected.at(x, y));
        }
    }
    EXPECT_TRUE(test::rgba_near(actual.data(), 4, 2, expected, kTolerance,
                                image_name("letterbox")));
}

// u = y / 2 + 0.5, v = -x / 2 + 0.5: output (x, y) shows texel (y, 1 - x), a quarter turn. An
// asymmetric matrix, so a row/column-major mix-up shows as a different picture.
TEST_P(CompositeShaderTest, UvTransformRotatesTheContentByAQuarterTurn) {
    const std::array<float, 9> quarter_turn = {0, -0.5f, 0, 0.5f, 0, 0, 0.5f, 0.5f, 1};
    const std::vector<std::uint8_t> actual = draw(2, 2, quarter_turn);

    test::Image expected(2, 2, 4);
    for (int y = 0; y < 2; ++y) {
        for (int x = 0; x < 2; ++x) {
            const std::array<std::uint8_t, 4> pixel = expected_composite(y, 1 - x);
            std::copy(pixel.begin(), pixel.end(), expected.at(x, y));
        }
    }
    EXPECT_TRUE(test::rgba_near(actual.data(), 2, 2, expected, kTolerance,
                                image_name("quarter-turn")));
}

INSTANTIATE_TEST_SUITE_P(EachDialect, CompositeShaderTest,
                         testing::Values(ApiCase{GlApi::kGl33Core, Dialect::kGlsl330, "Glsl330"},
                                         ApiCase{GlApi::kGles30, Dialect::kGlsl300es,
                                                 "Glsl300es"},
                                         ApiCase{GlApi::kGles20, Dialect::kGlsl100, "Glsl100"}),
                         [](const testing::TestParamInfo<ApiCase>& info) {
                             return std::string(info.param.test_name);
                         });

}  // namespace
}  // namespace interleave::renderer::gl
