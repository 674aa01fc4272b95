// Natural ordering: digit runs by value, text case-insensitively.
#include "loader/natural_sort.hpp"

#include <algorithm>

namespace interleave::loader {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// <0, 0, >0 like strcmp, ignoring ASCII case and comparing digit runs by value.
int natural_compare(std::string_view a, std::string_view b) {
    std::size_t i = 0;
    std::size_t j = 0;
    int zero_tiebreak = 0;
    while (i < a.size() && j < b.size()) {
        if (is_digit(a[i]) && is_digit(b[j])) {
            std::size_t za = i;
            std::size_t zb = j;
            while (za < a.size() && a[za] == '0') ++za;
            while (zb < b.size() && b[zb] == '0') ++zb;
            std::size_t ea = za;
            std::size_t eb = zb;
            while (ea < a.size() && is_digit(a[ea])) ++ea;
            while (eb < b.size() && is_digit(b[eb])) ++eb;
            const std::size_t la = ea - za;
            const std::size_t lb = eb - zb;
            if (la != lb) return la < lb ? -1 : 1;
            if (const int c = a.substr(za, la).compare(b.substr(zb, lb)); c != 0) return c;
            if (zero_tiebreak == 0) {
                const std::size_t zeros_a = za - i;
                const std::size_t zeros_b = zb - j;
                if (zeros_a != zeros_b) zero_tiebreak = zeros_a < zeros_b ? -1 : 1;
            }
            i = ea;
            j = eb;
            continue;
        }
        const char ca = lower(a[i]);
        const char cb = lower(b[j]);
        if (ca != cb) return ca < cb ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < a.size()) return 1;
    if (j < b.size()) return -1;
    if (zero_tiebreak != 0) return zero_tiebreak;
    return a.compare(b);
}

}  // namespace

bool natural_less(std::string_view a, std::string_view b) { return natural_compare(a, b) < 0; }

void natural_sort(std::vector<std::string>& names) {
    std::sort(names.begin(), names.end(),
              [](const std::string& a, const std::string& b) { return natural_less(a, b); });
}

}  // namespace interleave::loader
