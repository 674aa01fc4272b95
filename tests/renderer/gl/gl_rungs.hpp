// The GL rungs every GL test runs on (GL 3.3 core, GLES 3.0, GLES 2.0), as a gtest parameter
// with readable names. Thread: test main thread.
#pragma once

#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "renderer/gl/egl_context.hpp"

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

}  // namespace interleave::renderer::gl
