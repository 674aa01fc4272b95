// Tests for loader::read_file: prefix and whole reads, limits, and errors that name the file.
#include "loader/file_io.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.hpp"

namespace interleave::loader {
namespace {

TEST(ReadFile, PrefixReadsAtMostMaxBytesAndReturnsTheFullSize) {
    test::TempDir dir;
    test::write_text(dir / "a.bin", "0123456789");
    std::vector<std::uint8_t> out;
    const auto size = read_file(dir / "a.bin", 4, ReadMode::kPrefix, out);
    ASSERT_TRUE(size) << size.error().message();
    EXPECT_EQ(*size, 10u);
    EXPECT_EQ(std::string(out.begin(), out.end()), "0123");
}

TEST(ReadFile, WholeReadsEverythingAndReusesTheVector) {
    test::TempDir dir;
    test::write_text(dir / "a.bin", "0123456789");
    test::write_text(dir / "b.bin", "abc");
    std::vector<std::uint8_t> out;
    ASSERT_TRUE(read_file(dir / "a.bin", 100, ReadMode::kWhole, out));
    const auto* storage = out.data();
    ASSERT_TRUE(read_file(dir / "b.bin", 100, ReadMode::kWhole, out));
    EXPECT_EQ(std::string(out.begin(), out.end()), "abc");
    EXPECT_EQ(out.data(), storage) << "a smaller file must not reallocate";
}

TEST(ReadFile, WholeRefusesAFileOverTheLimitBeforeReading) {
    test::TempDir dir;
    test::write_text(dir / "big.bin", "0123456789");
    std::vector<std::uint8_t> out;
    const auto r = read_file(dir / "big.bin", 9, ReadMode::kWhole, out);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
    EXPECT_NE(r.error().subject.find("big.bin"), std::string::npos);
    EXPECT_TRUE(out.empty());
}

TEST(ReadFile, MissingFileAndDirectoryAreIoErrorsNamingThePath) {
    test::TempDir dir;
    std::vector<std::uint8_t> out;
    const auto missing = read_file(dir / "gone.jpg", 100, ReadMode::kWhole, out);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kIo);
    EXPECT_EQ(missing.error().subject, (dir / "gone.jpg").string());
    const auto folder = read_file(dir.path(), 100, ReadMode::kWhole, out);
    ASSERT_FALSE(folder);
    EXPECT_EQ(folder.error().code, ErrorCode::kIo);
    EXPECT_NE(folder.error().detail.find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace interleave::loader
