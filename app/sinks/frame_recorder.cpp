// FrameRecorder: one writer thread that takes frames from its SinkPort, encodes PNG with
// libspng and appends JSON lines.
#include "app/sinks/frame_recorder.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>
#include <spng.h>

#include "core/log.hpp"
#include "core/thread.hpp"

namespace interleave::app {
namespace {

// How long the writer waits for a frame before it looks whether its port was closed.
constexpr std::chrono::milliseconds kTakeTimeout{100};

struct SpngDeleter {
    void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};

}  // namespace

Result<std::unique_ptr<FrameRecorder>> FrameRecorder::create(const std::filesystem::path& dir,
                                                             FrameHub& hub, std::uint64_t every,
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
    every = std::max<std::uint64_t>(every, 1);
    auto port = hub.attach("record", SinkPolicy::kQueue,
                           std::clamp<std::size_t>(queue_frames, 1, 64), every);
    return std::unique_ptr<FrameRecorder>(
        new FrameRecorder(dir, file, std::move(port), every, std::clamp(compression, 0, 9)));
}

FrameRecorder::FrameRecorder(std::filesystem::path dir, std::FILE* jsonl,
                             std::shared_ptr<SinkPort> port, std::uint64_t every,
                             int compression)
    : dir_(std::move(dir)),
      port_(std::move(port)),
      every_(every),
      compression_(compression),
      jsonl_(jsonl),
      writer_([this] { run_writer(); }) {}

FrameRecorder::~FrameRecorder() { stop(); }

void FrameRecorder::stop() {
    std::lock_guard lock(stop_mutex_);
    port_->close();
    if (writer_.joinable()) writer_.join();
    if (jsonl_ != nullptr) {
        std::fclose(jsonl_);
        jsonl_ = nullptr;
    }
}

RecorderStats FrameRecorder::stats() const {
    const SinkPortStats port = port_->stats();
    RecorderStats s;
    s.submitted = port.offered - port.dropped;
    s.dropped = port.dropped;
    s.written = written_.load(std::memory_order_acquire);
    s.failed = failed_.load(std::memory_order_acquire);
    return s;
}

RecorderStats FrameRecorder::stats_after(std::uint64_t frames_shown) const {
    RecorderStats s = stats();
    const std::uint64_t due = (frames_shown + every_ - 1) / every_;
    const std::uint64_t offered = s.submitted + s.dropped;
    if (due > offered) s.dropped += due - offered;
    return s;
}

void FrameRecorder::run_writer() {
    set_current_thread_name("sink-record");
    std::vector<std::uint8_t> rgb;  // reused: grows once to the frame size
    std::uint64_t sequence = 0;     // the file names: 000000.png, 000001.png, ...
    bool logged_failure = false;
    for (;;) {
        FrameRef frame = port_->wait_take(kTakeTimeout);
        if (!frame) {
            // A closed kQueue port hands out what it holds first: nothing left to write.
            if (port_->closed()) return;
            continue;
        }
        const auto written = write(*frame, sequence++, rgb);
        frame.reset();  // the pixels go back to the hub's pool before the next wait
        if (written) {
            written_.fetch_add(1, std::memory_order_release);
        } else {
            failed_.fetch_add(1, std::memory_order_release);
            if (!logged_failure) {
                logged_failure = true;
                INTERLEAVE_LOG_ERROR("record", "{}", written.error().message());
            }
        }
    }
}

Result<void> FrameRecorder::write(const CapturedFrame& frame, std::uint64_t sequence,
                                  std::vector<std::uint8_t>& rgb) {
    const std::string name = fmt::format("{:06}.png", sequence);
    const std::filesystem::path path = dir_ / name;
    const std::size_t pixels =
        static_cast<std::size_t>(frame.width_px) * static_cast<std::size_t>(frame.height_px);
    rgb.resize(pixels * 3);
    const std::uint8_t* src = frame.pixels.data();
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
    ihdr.width = static_cast<std::uint32_t>(frame.width_px);
    ihdr.height = static_cast<std::uint32_t>(frame.height_px);
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
                                 {"index", frame.index},
                                 {"frame", frame.frame},
                                 {"main", frame.main_file},
                                 {"float", frame.float_file}};
    const std::string text = line.dump() + "\n";
    if (std::fwrite(text.data(), 1, text.size(), jsonl_) != text.size() ||
        std::fflush(jsonl_) != 0) {
        return make_error(ErrorCode::kIo, (dir_ / "frames.jsonl").string(),
                          "write failed ({})", std::strerror(errno));
    }
    return {};
}

nlohmann::json RecordSink::stats() const {
    const RecorderStats s = recorder_->stats();
    const SinkPortStats port = recorder_->port_stats();
    return {{"dir", recorder_->dir().string()},
            {"every", recorder_->every()},
            {"submitted", s.submitted},
            {"written", s.written},
            {"dropped", s.dropped},
            {"failed", s.failed},
            {"port", {{"offered", port.offered}, {"taken", port.taken},
                      {"dropped", port.dropped}}}};
}

}  // namespace interleave::app
