// FrameRecorder: `--record DIR` writes each frame its SinkPort hands it once, as
// DIR/<sequence>.png (000000.png, 000001.png, ...), plus one JSON line per frame in
// DIR/frames.jsonl: {"file", "index", "frame", "main", "float"}. It takes frames from a
// kQueue port of the FrameHub (attached with `--record-every K`, so only every K-th shown frame
// is captured at all) on its own thread ("sink-record"), which owns the encoder and the files;
// frames it takes are held by reference, never copied. When the writer falls behind, the port
// drops new frames and counts them. Thread: create()/stop()/stats() on main; the writer on
// "sink-record". RecordSink: the same recorder as one of the pipeline's Sinks.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/sinks/frame_hub.hpp"
#include "app/sinks/sink.hpp"
#include "core/error.hpp"

namespace interleave::app {

struct RecorderStats {
    std::uint64_t submitted = 0;  // frames its port queued for the writer
    std::uint64_t written = 0;    // PNG + JSON line on disk
    std::uint64_t dropped = 0;    // refused: the port's queue was full (the writer fell behind)
    std::uint64_t failed = 0;     // encode or write errors (each logged once per kind)
};

class FrameRecorder {
public:
    static constexpr std::size_t kQueueFrames = 4;  // what the port may hold for the writer

    // Attaches a kQueue port of `queue_frames` (1..64) taking every `every`-th shown frame
    // (1..) to `hub`, creates DIR (and parents) if needed, opens DIR/frames.jsonl for writing
    // (truncated) and starts the writer. Errors name the path (nothing is attached then).
    // Thread: main, before the render thread publishes.
    [[nodiscard]] static Result<std::unique_ptr<FrameRecorder>> create(
        const std::filesystem::path& dir, FrameHub& hub, std::uint64_t every = 1,
        std::size_t queue_frames = kQueueFrames, int compression = 1);
    ~FrameRecorder();  // stop()
    FrameRecorder(const FrameRecorder&) = delete;
    FrameRecorder& operator=(const FrameRecorder&) = delete;

    // Closes the port, writes everything it still holds, then joins the writer. Idempotent.
    void stop();

    [[nodiscard]] RecorderStats stats() const;
    // The same once the render thread has ended after `frames_shown` frames: every shown frame
    // due for recording (every K-th) that never reached the port (the hub's pool was exhausted,
    // a read-back failed, a minimised window composited nothing) counts as dropped too, so
    // written + dropped + failed = the frames due.
    [[nodiscard]] RecorderStats stats_after(std::uint64_t frames_shown) const;
    [[nodiscard]] SinkPortStats port_stats() const { return port_->stats(); }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::uint64_t every() const { return every_; }

private:
    FrameRecorder(std::filesystem::path dir, std::FILE* jsonl, std::shared_ptr<SinkPort> port,
                  std::uint64_t every, int compression);
    void run_writer();
    Result<void> write(const CapturedFrame& frame, std::uint64_t sequence,
                       std::vector<std::uint8_t>& rgb);

    // --- immutable after construction
    const std::filesystem::path dir_;
    const std::shared_ptr<SinkPort> port_;
    const std::uint64_t every_;
    const int compression_;
    // --- owned by the writer thread after construction
    std::FILE* jsonl_;
    // --- written by the writer, read anywhere
    std::atomic<std::uint64_t> written_{0};
    std::atomic<std::uint64_t> failed_{0};
    // --- main thread (create, stop)
    std::mutex stop_mutex_;
    std::thread writer_;
};

// The recorder as a pipeline Sink ("record"). Thread: main.
class RecordSink final : public Sink {
public:
    explicit RecordSink(std::unique_ptr<FrameRecorder> recorder)
        : recorder_(std::move(recorder)) {}
    [[nodiscard]] std::string_view name() const override { return "record"; }
    void stop() override { recorder_->stop(); }
    [[nodiscard]] nlohmann::json stats() const override;
    [[nodiscard]] FrameRecorder& recorder() { return *recorder_; }

private:
    std::unique_ptr<FrameRecorder> recorder_;
};

}  // namespace interleave::app
