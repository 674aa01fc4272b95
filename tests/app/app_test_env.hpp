// What the end-to-end tests run: the built executable and the bundled sample, as CMake
// passes them in. Thread: any.
#pragma once

#include <string_view>

#include "tests/support/process.hpp"

namespace interleave::test {

inline constexpr std::string_view kExe = INTERLEAVE_EXE;
inline constexpr std::string_view kSample = INTERLEAVE_SAMPLE_DIR;

// Runs interleave with `args`.
inline ProcessResult interleave(std::initializer_list<std::string_view> args) {
    return run_process(kExe, args);
}

}  // namespace interleave::test
