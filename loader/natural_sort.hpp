// Natural ordering of frame and folder names: "2.jpg" < "10.jpg", "a9" < "a10".
// Thread: any (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace interleave::loader {

// True when a orders before b: runs of digits compare by value (leading zeros ignored, ties
// broken by fewer leading zeros first), everything else compares case-insensitively (ASCII),
// and exact byte order breaks the remaining ties, so the order is total and deterministic.
[[nodiscard]] bool natural_less(std::string_view a, std::string_view b);

void natural_sort(std::vector<std::string>& names);

}  // namespace interleave::loader
