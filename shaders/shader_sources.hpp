// Shader sources embedded at build time from shaders/*.glsl, and their per-dialect programs.
// Thread: any (read-only data).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace interleave::shaders {

// The GLSL dialect of the context a program is compiled for.
enum class Dialect {
    kGlsl330,    // desktop GL 3.3 core: header_330.glsl
    kGlsl300es,  // GLES 3.0: header_300es.glsl
    kGlsl100,    // GLES 2.0: header_100.glsl
};

// The embedded file `name` ("composite.frag.glsl") byte for byte; empty if there is none.
// The view points into static storage and stays valid for the life of the process.
[[nodiscard]] std::string_view source(std::string_view name);

// The dialect's version header followed by the file `name`: ready for glShaderSource.
// Empty if there is no such file.
[[nodiscard]] std::string program_source(Dialect dialect, std::string_view name);

// Every embedded file name, headers included, sorted.
[[nodiscard]] std::vector<std::string_view> names();

}  // namespace interleave::shaders
