// Tests loader/natural_sort.cpp: digit runs by value, case-insensitive text, a total order.
#include "loader/natural_sort.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace interleave::loader {
namespace {

std::vector<std::string> sorted(std::vector<std::string> names) {
    natural_sort(names);
    return names;
}

TEST(NaturalSort, NumbersCompareByValue) {
    EXPECT_TRUE(natural_less("2.jpg", "10.jpg"));
    EXPECT_FALSE(natural_less("10.jpg", "2.jpg"));
    EXPECT_TRUE(natural_less("9", "10"));
    EXPECT_TRUE(natural_less("a9", "a10"));
    EXPECT_TRUE(natural_less("frame99.png", "frame100.png"));
    EXPECT_EQ(sorted({"10.jpg", "1.jpg", "2.jpg", "0.jpg", "11.jpg", "3.jpg"}),
              (std::vector<std::string>{"0.jpg", "1.jpg", "2.jpg", "3.jpg", "10.jpg", "11.jpg"}));
}

TEST(NaturalSort, LeadingZerosDoNotChangeTheValue) {
    EXPECT_TRUE(natural_less("0002.jpg", "10.jpg"));
    EXPECT_TRUE(natural_less("2.jpg", "0010.jpg"));
    EXPECT_TRUE(natural_less("0009.jpg", "0010.jpg"));
    EXPECT_EQ(sorted({"0010.jpg", "0002.jpg", "0001.jpg", "0100.jpg"}),
              (std::vector<std::string>{"0001.jpg", "0002.jpg", "0010.jpg", "0100.jpg"}));
}

TEST(NaturalSort, EqualValuesOrderFewerLeadingZerosFirst) {
    EXPECT_TRUE(natural_less("7.jpg", "07.jpg"));
    EXPECT_TRUE(natural_less("07.jpg", "007.jpg"));
    EXPECT_FALSE(natural_less("007.jpg", "7.jpg"));
    // The zero tie-break only decides when everything else is equal.
    EXPECT_TRUE(natural_less("007_a", "7_b"));
}

TEST(NaturalSort, TextIgnoresCase) {
    EXPECT_TRUE(natural_less("apple", "Banana"));
    EXPECT_TRUE(natural_less("Apple", "banana"));
    EXPECT_TRUE(natural_less("frame2.JPG", "frame10.jpg"));
    EXPECT_EQ(sorted({"b", "C", "a", "D"}), (std::vector<std::string>{"a", "b", "C", "D"}));
}

TEST(NaturalSort, NamesDifferingOnlyInCaseStillHaveAnOrder) {
    // Byte order breaks the tie: 'A' (0x41) before 'a' (0x61).
    EXPECT_TRUE(natural_less("A.jpg", "a.jpg"));
    EXPECT_FALSE(natural_less("a.jpg", "A.jpg"));
}

TEST(NaturalSort, MixedTextAndDigits) {
    EXPECT_EQ(sorted({"x10y2", "x2y10", "x2y2", "x10y1", "x2"}),
              (std::vector<std::string>{"x2", "x2y2", "x2y10", "x10y1", "x10y2"}));
    EXPECT_TRUE(natural_less("3_clouds", "12_birds"));
    EXPECT_TRUE(natural_less("a", "a1"));    // a prefix comes first
    EXPECT_TRUE(natural_less("1", "a"));     // digits before letters, as in ASCII
}

TEST(NaturalSort, LongDigitRunsCompareWithoutOverflow) {
    EXPECT_TRUE(natural_less("99999999999999999999998", "99999999999999999999999"));
    EXPECT_TRUE(natural_less("99999999999999999999999", "100000000000000000000000"));
}

TEST(NaturalSort, IsIrreflexiveAndEqualNamesAreNotLess) {
    for (const char* name : {"", "0", "a", "007", "x10y"}) {
        EXPECT_FALSE(natural_less(name, name)) << name;
    }
}

TEST(NaturalSort, IsATotalOrderSoSortingIsDeterministic) {
    const std::vector<std::string> names = {
        "1.jpg", "01.jpg", "001.jpg", "1.JPG", "01.JPG", "10.jpg", "2.jpg", "a.jpg", "A.jpg",
        "a1.jpg", "a01.jpg", "a10.jpg", "B.jpg", "b.jpg", "", "0", "00", "x", "X", "x0", "x00"};
    // Exactly one of a<b, b<a, a==b holds for every pair, and less is transitive.
    for (const auto& a : names) {
        for (const auto& b : names) {
            const bool ab = natural_less(a, b);
            const bool ba = natural_less(b, a);
            EXPECT_FALSE(ab && ba) << a << " vs " << b;
            if (a != b) {
                EXPECT_TRUE(ab || ba) << a << " vs " << b;
            }
            for (const auto& c : names) {
                if (ab && natural_less(b, c)) {
                    EXPECT_TRUE(natural_less(a, c)) << a << " < " << b << " < " << c;
                }
            }
        }
    }
    // Any starting order sorts to the same result.
    const auto reference = sorted(names);
    std::mt19937 rng(12345);
    for (int round = 0; round < 20; ++round) {
        auto shuffled = names;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        EXPECT_EQ(sorted(shuffled), reference);
    }
}

}  // namespace
}  // namespace interleave::loader
