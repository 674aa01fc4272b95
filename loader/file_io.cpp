// read_file: open, fstat, read until done; EINTR retried.
#include "loader/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace interleave::loader {
namespace {

// Closes the descriptor on every path out of read_file.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return fd_; }

private:
    int fd_;
};

}  // namespace

Result<std::uint64_t> read_file(const std::filesystem::path& file, std::uint64_t max_bytes,
                                ReadMode mode, std::vector<std::uint8_t>& out) {
    const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        return make_error(ErrorCode::kIo, file.string(), "cannot open ({})", std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return make_error(ErrorCode::kIo, file.string(), "cannot stat ({})", std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return make_error(ErrorCode::kIo, file.string(), "not a regular file");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (mode == ReadMode::kWhole && size > max_bytes) {
        return make_error(ErrorCode::kTooLarge, file.string(),
                          "file of {} bytes exceeds the limit of {} bytes", size, max_bytes);
    }
    out.resize(static_cast<std::size_t>(std::min(size, max_bytes)));
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n = ::read(fd.get(), out.data() + done, out.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            return make_error(ErrorCode::kIo, file.string(), "read failed after {} of {} bytes ({})",
                              done, out.size(),
                              n < 0 ? std::strerror(errno) : "file shrank while reading");
        }
        done += static_cast<std::size_t>(n);
    }
    return size;
}

}  // namespace interleave::loader
