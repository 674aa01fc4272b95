// FrameRecorder: `--record DIR` writes each frame handed to it once, as DIR/<sequence>.png,
// plus one JSON line per frame in DIR/frames.jsonl: {"file", "index", "frame", "main",
// "float"}. Encoding and writing happen on its own thread ("sink-record"), fed through a
// bounded queue: when the writer falls behind, new frames are dropped and counted, never
// queued without bound. Thread: try_submit()/stats()/stop() from the render thread; the
// writer thread owns the encoder and the files.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "loader/buffer_pool.hpp"

namespace interleave::app {

// One composited frame to record: tightly packed RGBA8 (alpha ignored; PNGs are RGB).
struct FrameView {
    const std::uint8_t* rgba = nullptr;
    int width_px = 0;
    int height_px = 0;
    std::int64_t index = 0;      // the play index it was shown at
    std::size_t frame = 0;       // the frame number in its folders
    std::string main_file;       // source files, as the catalog names them
    std::string float_file;
};

struct RecorderStats {
    std::uint64_t submitted = 0;  // frames copied into the queue
    std::uint64_t written = 0;    // PNG + JSON line on disk
    std::uint64_t dropped = 0;    // refused: the queue was full (the writer fell behind)
    std::uint64_t failed = 0;     // encode or write errors (each logged once per kind)
};

class FrameRecorder {
public:
    // Creates DIR (and parents) if needed and opens DIR/frames.jsonl for writing (truncated).
    // `queue_frames` (1..64) frames may wait for the writer. Errors name the path.
    [[nodiscard]] static Result<std::unique_ptr<FrameRecorder>> create(
        const std::filesystem::path& dir, std::size_t queue_frames = 4, int compression = 1);
    ~FrameRecorder();  // stop()
    FrameRecorder(const FrameRecorder&) = delete;
    FrameRecorder& operator=(const FrameRecorder&) = delete;

    // Copies the frame into a pooled buffer and queues it; false (counted as dropped) when
    // the queue is full or the recorder is stopped. Never blocks on the writer.
    bool try_submit(const FrameView& frame);

    // Writes everything already queued, then joins the writer. Idempotent.
    void stop();

    [[nodiscard]] RecorderStats stats() const;
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

private:
    struct Item {
        loader::PooledBuffer pixels;
        int width_px = 0;
        int height_px = 0;
        std::int64_t index = 0;
        std::size_t frame = 0;
        std::uint64_t sequence = 0;
        std::string main_file;
        std::string float_file;
    };

    FrameRecorder(std::filesystem::path dir, std::FILE* jsonl, std::size_t queue_frames,
                  int compression);
    void run_writer();
    Result<void> write(const Item& item, std::vector<std::uint8_t>& rgb);

    // --- immutable after construction
    const std::filesystem::path dir_;
    const std::size_t queue_frames_;
    const int compression_;
    // --- owned by the writer thread after construction
    std::FILE* jsonl_;
    // --- shared
    loader::BufferPool pool_;
    mutable std::mutex mutex_;  // guards queue_, stopping_, stats_, next_sequence_ (leaf lock)
    std::condition_variable queued_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    std::uint64_t next_sequence_ = 0;
    RecorderStats stats_;
    std::thread writer_;
};

}  // namespace interleave::app
