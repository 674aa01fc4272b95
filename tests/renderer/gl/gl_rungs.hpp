// The GL rungs every GL test runs on (GL 3.3 core, GLES 3.0, GLES 2.0), as a gtest parameter
// with readable names. Thread: test main thread.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "renderer/gl/egl_context.hpp"
#include "renderer/gl/gl_compositor.hpp"

namespace interleave::renderer::gl {

struct ApiCase {
    GlApi api;
    const char* test_name;
};

// Names the case in gtest output and in the ctest test names ("# GetParam() = Gles30").
inline void PrintTo(const ApiCase& c, std::ostream* out) { *out << c.test_name; }

inline auto every_rung() {
    return testing::Values(ApiCase{GlApi::kGl33Core, "Gl33Core"},
                           ApiCase{GlApi::kGles30, "Gles30"}, ApiCase{GlApi::kGles20, "Gles20"});
}

inline std::string rung_name(const testing::TestParamInfo<ApiCase>& info) {
    return info.param.test_name;
}

// "r0", "r90", "r180", "r270": a rotation in case and failure-image names.
inline const char* rotation_name(cpu::Rotation rotation) {
    switch (rotation) {
    case cpu::Rotation::k0: return "r0";
    case cpu::Rotation::k90: return "r90";
    case cpu::Rotation::k180: return "r180";
    case cpu::Rotation::k270: return "r270";
    }
    return "?";
}

// A test on one rung: its headless context, current on the test thread.
class RungTest : public testing::TestWithParam<ApiCase> {
protected:
    void SetUp() override {
        auto created = HeadlessEglContext::create(GetParam().api);
        ASSERT_TRUE(created) << created.error().message();
        context_ = std::move(*created);
        const auto current = context_->make_current();
        ASSERT_TRUE(current) << current.error().message();
    }

    std::unique_ptr<HeadlessEglContext> context_;
};

// The same with a GlCompositor, deleted before the context.
class CompositorRungTest : public RungTest {
protected:
    void SetUp() override {
        RungTest::SetUp();
        if (HasFatalFailure()) return;
        auto compositor = GlCompositor::create(GetParam().api);
        ASSERT_TRUE(compositor) << compositor.error().message();
        compositor_ = std::move(*compositor);
    }

    void TearDown() override { compositor_.reset(); }

    std::unique_ptr<GlCompositor> compositor_;
};

}  // namespace interleave::renderer::gl
