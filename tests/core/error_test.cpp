// Tests core/error.cpp: Error::message formatting, make_error, ErrorCode names.
#include "core/error.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace interleave {
namespace {

TEST(Error, MessageJoinsSubjectAndDetail) {
    const Error error{ErrorCode::kBadFormat, "face/3_x/0007.jpg",
                      "truncated JPEG (expected SBS 1024x512, got 31 bytes)"};
    EXPECT_EQ(error.message(),
              "face/3_x/0007.jpg: truncated JPEG (expected SBS 1024x512, got 31 bytes)");
}

TEST(Error, MessageWithoutSubjectIsJustTheDetail) {
    const Error error{ErrorCode::kInvalidArgument, "", "--fifo must be 2..240"};
    EXPECT_EQ(error.message(), "--fifo must be 2..240");
}

TEST(Error, MakeErrorFormatsDetailAndKeepsCodeAndSubject) {
    Result<int> result = make_error(ErrorCode::kTooLarge, "big.png", "{}x{} px exceeds {} px",
                                    100000, 100000, 16384);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kTooLarge);
    EXPECT_EQ(result.error().subject, "big.png");
    EXPECT_EQ(result.error().detail, "100000x100000 px exceeds 16384 px");
    EXPECT_EQ(result.error().message(), "big.png: 100000x100000 px exceeds 16384 px");
}

TEST(Error, MakeErrorKeepsBracesInArgumentsLiteral) {
    const Error error = make_error(ErrorCode::kIo, "a{b}.jpg", "cannot open ({})", "x{}y").value();
    EXPECT_EQ(error.message(), "a{b}.jpg: cannot open (x{}y)");
}

TEST(Error, DefaultErrorIsInternal) {
    EXPECT_EQ(Error{}.code, ErrorCode::kInternal);
}

TEST(ErrorCode, EveryCodeHasItsOwnName) {
    const ErrorCode codes[] = {ErrorCode::kIo,          ErrorCode::kNotFound,
                               ErrorCode::kBadFormat,   ErrorCode::kTooLarge,
                               ErrorCode::kWrongSize,   ErrorCode::kUnsupported,
                               ErrorCode::kInvalidArgument, ErrorCode::kNoContent,
                               ErrorCode::kCancelled,   ErrorCode::kInternal};
    std::set<std::string> names;
    for (const ErrorCode code : codes) {
        const std::string name(to_string(code));
        EXPECT_FALSE(name.empty());
        EXPECT_NE(name, "unknown");
        names.insert(name);
    }
    EXPECT_EQ(names.size(), std::size(codes));
    EXPECT_EQ(to_string(ErrorCode::kBadFormat), "bad-format");
    EXPECT_EQ(to_string(ErrorCode::kIo), "io");
}

}  // namespace
}  // namespace interleave
