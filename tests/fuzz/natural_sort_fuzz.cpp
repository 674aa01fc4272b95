// Fuzz target: natural ordering of frame and folder names. The input is up to 12 names, one a
// line. natural_less must be a strict total order (the catalog sorts with it and every machine
// must agree on the order), order digit runs by value and letters case-insensitively, and
// natural_sort must return the same names in that order.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "loader/natural_sort.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using interleave::loader::natural_less;

constexpr std::size_t kMaxNames = 12;

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> names;
    while (names.size() < kMaxNames) {
        const auto end = text.find('\n');
        names.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return names;
}

// Digits only, no leading zero, short enough for uint64: compares as a number.
bool plain_number(std::string_view s) {
    return !s.empty() && s.size() <= 18 && s[0] != '0' &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool letters_only(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::string> names =
        split_lines({reinterpret_cast<const char*>(data), size});
    for (const std::string& a : names) {
        FUZZ_CHECK(!natural_less(a, a), "irreflexive");
        for (const std::string& b : names) {
            const bool ab = natural_less(a, b);
            const bool ba = natural_less(b, a);
            FUZZ_CHECK(!(ab && ba), "asymmetric");
            FUZZ_CHECK(a == b || ab || ba, "total: different names never tie");
            if (plain_number(a) && plain_number(b)) {
                FUZZ_CHECK(ab == (std::stoull(a) < std::stoull(b)), "digit runs by value");
            }
            if (letters_only(a) && letters_only(b) && lower(a) != lower(b)) {
                FUZZ_CHECK(ab == (lower(a) < lower(b)), "letters case-insensitively");
            }
            for (const std::string& c : names) {
                if (ab && natural_less(b, c)) FUZZ_CHECK(natural_less(a, c), "transitive");
            }
        }
    }
    std::vector<std::string> sorted = names;
    interleave::loader::natural_sort(sorted);
    FUZZ_CHECK(std::is_permutation(sorted.begin(), sorted.end(), names.begin(), names.end()),
               "natural_sort keeps every name");
    FUZZ_CHECK(std::is_sorted(sorted.begin(), sorted.end(),
                              [](const std::string& a, const std::string& b) {
                                  return natural_less(a, b);
                              }),
               "natural_sort orders by natural_less");
    return 0;
}
