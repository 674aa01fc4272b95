// Error formatting.
#include "core/error.hpp"

namespace interleave {

std::string_view to_string(ErrorCode code) {
    switch (code) {
    case ErrorCode::kIo: return "io";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kBadFormat: return "bad-format";
    case ErrorCode::kTooLarge: return "too-large";
    case ErrorCode::kWrongSize: return "wrong-size";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNoContent: return "no-content";
    case ErrorCode::kCancelled: return "cancelled";
    case ErrorCode::kInternal: return "internal";
    }
    return "unknown";
}

std::string Error::message() const {
    if (subject.empty()) return detail;
    return subject + ": " + detail;
}

}  // namespace interleave
