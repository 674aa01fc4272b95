// Error and Result<T>: how expected failures travel between modules. Thread: any (values).
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace interleave {

enum class ErrorCode {
    kIo,              // open/read/stat failed, file vanished
    kNotFound,        // a path, folder or key that should exist does not
    kBadFormat,       // the bytes are not what the extension promises (corrupt, truncated, text)
    kTooLarge,        // header dimensions beyond the configured limits
    kWrongSize,       // decoded size differs from what the folder/catalog expects
    kUnsupported,     // valid file, but a variant we do not play
    kInvalidArgument, // a bad CLI flag, config key or value
    kNoContent,       // a content directory with nothing playable in it
    kCancelled,       // shutdown or a closed pool ended the work; not a content problem
    kInternal,        // a library threw or an invariant we could not assert on
};

std::string_view to_string(ErrorCode code);

// What failed (code), on what (subject: a file, config key or GL call), and what was expected
// against what was found (detail), e.g.
//   face/3_x/0007.jpg: truncated JPEG (expected SBS 1024x512, got 31 bytes)
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string subject;
    std::string detail;

    // "subject: detail", or just the detail when there is no subject.
    [[nodiscard]] std::string message() const;
};

template <typename T>
using Result = tl::expected<T, Error>;

// make_error(ErrorCode::kIo, path, "cannot open ({})", strerror(errno))
template <typename... Args>
[[nodiscard]] tl::unexpected<Error> make_error(ErrorCode code, std::string subject,
                                               fmt::format_string<Args...> detail,
                                               Args&&... args) {
    return tl::unexpected<Error>(
        Error{code, std::move(subject), fmt::format(detail, std::forward<Args>(args)...)});
}

}  // namespace interleave
