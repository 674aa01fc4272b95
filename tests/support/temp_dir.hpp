// TempDir: a unique directory under the system temp directory, removed with everything in it
// when the object is destroyed. Thread: owned by one test; the path may be read from any.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace interleave::test {

class TempDir {
public:
    explicit TempDir(std::string_view prefix = "interleave-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::filesystem::path& rel) const {
        return path_ / rel;
    }

private:
    std::filesystem::path path_;
};

// Writes `bytes` to `file`, creating parent directories. Aborts the test run on failure
// (test data that cannot be written makes every later assertion meaningless).
void write_file(const std::filesystem::path& file, std::span<const std::uint8_t> bytes);
void write_text(const std::filesystem::path& file, std::string_view text);
[[nodiscard]] std::vector<std::uint8_t> read_file(const std::filesystem::path& file);

}  // namespace interleave::test
