// read_file: whole files or their first bytes into a reused byte vector, with errors that name
// the file. Thread: any (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/error.hpp"

namespace interleave::loader {

enum class ReadMode {
    kPrefix,  // at most max_bytes from the start of the file
    kWhole,   // the whole file; kTooLarge, before reading, if it is larger than max_bytes
};

// Reads `file` into `out` (resized; it allocates only when it must grow). Returns the file's
// size. Errors (kIo): cannot open, not a regular file, read failed or the file shrank.
[[nodiscard]] Result<std::uint64_t> read_file(const std::filesystem::path& file,
                                              std::uint64_t max_bytes, ReadMode mode,
                                              std::vector<std::uint8_t>& out);

}  // namespace interleave::loader
