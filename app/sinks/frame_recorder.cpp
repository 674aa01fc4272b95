// FrameRecorder: a bounded queue of pooled frame copies, drained by one writer thread that
// encodes PNG with libspng and appends JSON lines.
#include "app/sinks/frame_recorder.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spng.h>

#include "core/log.hpp"
#include "core/thread.hpp"

namespace interleave::app {
namespace {

constexpr auto kPoolTimeout = std::chrono::milliseconds(0);

struct SpngDeleter {
    void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

}  // namespace

Result<std::unique_ptr<FrameRecorder>> FrameRecorder::create(const std::filesystem::path& dir,
                                                             std::size_t queue_frames,
                                                             int compression) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec)) {
        return make_error(ErrorCode::kIo, dir.string(), "cannot create the record directory ({})",
                          ec ? ec.message() : "not a directory");
    }
    const std::filesystem::path jsonl = dir / "frames.jsonl";
    std::FILE* file = std::fopen(jsonl.c_str(), "w");
    if (file == nullptr) {
        return make_error(ErrorCode::kIo, jsonl.string(), "cannot open for writing ({})",
                          std::strerror(errno));
    }
    queue_frames = std::clamp<std::size_t>(queue_frames, 1, 64);
    return std::unique_ptr<FrameRecorder>(
        new FrameRecorder(dir, file, queue_frames, std::clamp(compression, 0, 9)));
}

FrameRecorder::FrameRecorder(std::filesystem::path dir, std::FILE* jsonl,
                             std::size_t queue_frames, int compression)
    : dir_(std::move(dir)),
      queue_frames_(queue_frames),
      compression_(compression),
      jsonl_(jsonl),
      pool_(queue_frames + 1),  // the queue plus the one being written
      writer_([this] { run_writer(); }) {}

FrameRecorder::~FrameRecorder() { stop(); }

bool FrameRecorder::try_submit(const FrameView& frame) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || queue_.size() >= queue_frames_) {
            ++stats_.dropped;
            return false;
        }
    }
    const std::size_t bytes = static_cast<std::size_t>(frame.width_px) *
                              static_cast<std::size_t>(frame.height_px) * 4;
    auto buffer = pool_.wait_acquire(bytes, kPoolTimeout);
    if (!buffer) {
        std::lock_guard lock(mutex_);
        ++stats_.dropped;
        return false;
    }
    std::memcpy(buffer->data(), frame.rgba, bytes);
    Item item{std::move(*buffer), frame.width_px, frame.height_px, frame.index, frame.frame, 0,
              frame.main_file, frame.float_file};
    {
        std::lock_guard lock(mutex_);
        item.sequence = next_sequence_++;
        queue_.push_back(std::move(item));
        ++stats_.submitted;
    }
    queued_.notify_one();
    return true;
}

void FrameRecorder::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !writer_.joinable()) return;
        stopping_ = true;
    }
    queued_.notify_all();
    if (writer_.joinable()) writer_.join();
    if (jsonl_ != nullptr) {
        std::fclose(jsonl_);
        jsonl_ = nullptr;
    }
}

RecorderStats FrameRecorder::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void FrameRecorder::run_writer() {
    set_current_thread_name("sink-record");
    std::vector<std::uint8_t> rgb;  // reused: grows once to the frame size
    bool logged_failure = false;
    for (;;) {
        Item item;
        {
            std::unique_lock lock(mutex_);
            queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and everything queued is written
            item = std::move(queue_.front());
            queue_.pop_front();
        }
        const auto written = write(item, rgb);
        item.pixels.reset();
        std::lock_guard lock(mutex_);
        if (written) {
            ++stats_.written;
        } else {
            ++stats_.failed;
            if (!logged_failure) {
                logged_failure = true;
                INTERLEAVE_LOG_ERROR("record", "{}", written.error().message());
            }
        }
    }
}

Result<void> FrameRecorder::write(const Item& item, std::vector<std::uint8_t>& rgb) {
    const std::string name = fmt::format("{:06}.png", item.sequence);
    const std::filesystem::path path = dir_ / name;
    const std::size_t pixels =
        static_cast<std::size_t>(item.width_px) * static_cast<std::size_t>(item.height_px);
    rgb.resize(pixels * 3);
    const std::uint8_t* src = item.pixels.data();
    for (std::size_t i = 0; i < pixels; ++i) {
        rgb[3 * i + 0] = src[4 * i + 0];
        rgb[3 * i + 1] = src[4 * i + 1];
        rgb[3 * i + 2] = src[4 * i + 2];
    }
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        return make_error(ErrorCode::kIo, path.string(), "cannot open for writing ({})",
                          std::strerror(errno));
    }
    std::unique_ptr<spng_ctx, SpngDeleter> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
    spng_ihdr ihdr{};
    ihdr.width = static_cast<std::uint32_t>(item.width_px);
    ihdr.height = static_cast<std::uint32_t>(item.height_px);
    ihdr.bit_depth = 8;
    ihdr.color_type = SPNG_COLOR_TYPE_TRUECOLOR;
    int rc = ctx ? 0 : SPNG_EMEM;
    if (rc == 0) rc = spng_set_png_file(ctx.get(), file);
    if (rc == 0) rc = spng_set_ihdr(ctx.get(), &ihdr);
    if (rc == 0) rc = spng_set_option(ctx.get(), SPNG_IMG_COMPRESSION_LEVEL, compression_);
    if (rc == 0) {
        rc = spng_encode_image(ctx.get(), rgb.data(), rgb.size(), SPNG_FMT_PNG,
                               SPNG_ENCODE_FINALIZE);
    }
    ctx.reset();
    const bool closed = std::fclose(file) == 0;
    if (rc != 0 || !closed) {
        return make_error(ErrorCode::kIo, path.string(), "PNG write failed ({})",
                          rc != 0 ? spng_strerror(rc) : std::strerror(errno));
    }
    const nlohmann::json line = {{"file", name},
                                 {"index", item.index},
                                 {"frame", item.frame},
                                 {"main", item.main_file},
                                 {"float", item.float_file}};
    const std::string text = line.dump() + "\n";
    if (std::fwrite(text.data(), 1, text.size(), jsonl_) != text.size() ||
        std::fflush(jsonl_) != 0) {
        return make_error(ErrorCode::kIo, (dir_ / "frames.jsonl").string(),
                          "write failed ({})", std::strerror(errno));
    }
    return {};
}

}  // namespace interleave::app
