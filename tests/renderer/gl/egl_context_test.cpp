// Tests for renderer/gl/egl_context.cpp: a headless context comes up for each API with no
// display server (ctest unsets DISPLAY and WAYLAND_DISPLAY) and reports what it got.
// Thread: test main thread, plus one render thread in the cross-thread test.
#include "renderer/gl/egl_context.hpp"

#include <cstdio>
#include <ostream>
#include <string>
#include <thread>

#include <glad/gl.h>
#include <gtest/gtest.h>

namespace interleave::renderer::gl {
namespace {

struct ApiCase {
    GlApi api;
    const char* test_name;
    int min_major;
    int min_minor;
};

// Names the case in gtest output and in the ctest test names ("# GetParam() = Gles30").
void PrintTo(const ApiCase& c, std::ostream* out) { *out << c.test_name; }

// "4.5 (Core Profile) Mesa 22.3.6" or "OpenGL ES 3.2 Mesa 22.3.6": ES says so first.
bool parse_version(const std::string& text, bool& es, int& major, int& minor) {
    es = text.starts_with("OpenGL ES ");
    const char* numbers = text.c_str() + (es ? 10 : 0);
    return std::sscanf(numbers, "%d.%d", &major, &minor) == 2;
}

class HeadlessEglContextTest : public testing::TestWithParam<ApiCase> {};

TEST_P(HeadlessEglContextTest, ComesUpWithoutADisplayServerAndReportsRendererAndVersion) {
    const ApiCase& c = GetParam();
    auto context = HeadlessEglContext::create(c.api);
    ASSERT_TRUE(context) << context.error().message();
    EXPECT_EQ((*context)->api(), c.api);
    EXPECT_TRUE((*context)->renderer().empty()) << "renderer known before make_current()";

    const auto current = (*context)->make_current();
    ASSERT_TRUE(current) << current.error().message();
    EXPECT_FALSE((*context)->renderer().empty());
    bool es = false;
    int major = 0;
    int minor = 0;
    ASSERT_TRUE(parse_version((*context)->version(), es, major, minor)) << (*context)->version();
    EXPECT_EQ(es, c.api != GlApi::kGl33Core) << (*context)->version();
    EXPECT_TRUE(major > c.min_major || (major == c.min_major && minor >= c.min_minor))
        << "asked for " << to_string(c.api) << ", got " << (*context)->version();
    RecordProperty("platform", std::string((*context)->platform()));
    RecordProperty("renderer", (*context)->renderer());
    RecordProperty("version", (*context)->version());
}

INSTANTIATE_TEST_SUITE_P(EachApi, HeadlessEglContextTest,
                         testing::Values(ApiCase{GlApi::kGl33Core, "Gl33Core", 3, 3},
                                         ApiCase{GlApi::kGles30, "Gles30", 3, 0},
                                         ApiCase{GlApi::kGles20, "Gles20", 2, 0}),
                         [](const testing::TestParamInfo<ApiCase>& info) {
                             return std::string(info.param.test_name);
                         });

TEST(HeadlessEglContext, CreatedOnOneThreadIsMadeCurrentAndDestroyedOnAnother) {
    auto context = HeadlessEglContext::create(GlApi::kGl33Core);
    ASSERT_TRUE(context) << context.error().message();
    std::string failure;
    std::thread render([&failure, owned = std::move(*context)]() mutable {
        if (const auto current = owned->make_current(); !current) {
            failure = current.error().message();
            return;
        }
        GLint framebuffer = -1;
        glGetIntegerv(GL_FRAMEBUFFER_BINDING, &framebuffer);
        if (glGetError() != GL_NO_ERROR || framebuffer != 0) failure = "GL not usable there";
        owned.reset();
    });
    render.join();
    EXPECT_EQ(failure, "");
}

}  // namespace
}  // namespace interleave::renderer::gl
