// TempDir and small file helpers for generated test data.
#include "tests/support/temp_dir.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>

namespace interleave::test {
namespace fs = std::filesystem;

namespace {
[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "test support: %s\n", what.c_str());
    std::abort();
}
}  // namespace

TempDir::TempDir(std::string_view prefix) {
    std::string pattern = (fs::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp failed for " + pattern);
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    // Tests may chmod files to 000; give the owner access back so removal cannot fail.
    for (auto it = fs::recursive_directory_iterator(path_, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code perm_ec;
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, perm_ec);
    }
    fs::remove_all(path_, ec);
}

void write_file(const fs::path& file, std::span<const std::uint8_t> bytes) {
    std::error_code ec;
    if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) fail("cannot write " + file.string());
}

void write_text(const fs::path& file, std::string_view text) {
    write_file(file, {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

std::vector<std::uint8_t> read_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("cannot read " + file.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace interleave::test
