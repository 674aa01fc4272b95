// Tests for app::IndexCompensator: the original's rolling mean x 0.5 with Python rounding.
#include "app/playback/index_compensator.hpp"

#include <gtest/gtest.h>

namespace interleave::app {
namespace {

TEST(IndexCompensator, PassesTheIndexThroughBeforeAnyUpdate) {
    const IndexCompensator c;
    EXPECT_EQ(c.compensated(100), 100);
}

TEST(IndexCompensator, OffsetsByHalfTheMeanLag) {
    IndexCompensator c;
    for (int i = 0; i < 10; ++i) c.update(100 + i, 96 + i);  // a steady lag of 4
    EXPECT_EQ(c.compensated(200), 198);
}

TEST(IndexCompensator, RoundsHalfToEvenLikePython) {
    IndexCompensator c;
    c.update(10, 9);  // mean 1 -> 0.5 -> round(0.5) = 0
    EXPECT_EQ(c.compensated(50), 50);
    c.update(10, 7);  // mean 2 -> 1.0 -> 1
    EXPECT_EQ(c.compensated(50), 49);
    c.update(10, 7);  // diffs 1,3,3: mean 7/3 -> 1.1667 -> 1
    EXPECT_EQ(c.compensated(50), 49);
    IndexCompensator d;
    d.update(10, 7);  // mean 3 -> 1.5 -> round(1.5) = 2
    EXPECT_EQ(d.compensated(50), 48);
    IndexCompensator e;
    e.update(7, 10);  // mean -3 -> -1.5 -> round(-1.5) = -2
    EXPECT_EQ(e.compensated(50), 52);
}

TEST(IndexCompensator, ForgetsDifferencesOutsideTheWindow) {
    IndexCompensator c(3);
    c.update(0, -100);  // a big lag, soon forgotten
    for (int i = 0; i < 3; ++i) c.update(0, 0);
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c.compensated(7), 7);
}

TEST(IndexCompensator, ResetForgetsEverything) {
    IndexCompensator c;
    c.update(10, 0);
    c.reset();
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.compensated(10), 10);
}

}  // namespace
}  // namespace interleave::app
