// FrameHub: the capture path every output shares. The render thread publishes each newly
// composited frame once, as a refcounted CapturedFrame in a pooled buffer; each sink takes
// frames from its own SinkPort on its own "sink-NAME" thread, by its policy: live outputs
// (terminal, telnet, stream) the latest frame, skipping the rest (counted); the recorder a
// bounded queue that drops (counted) when full. Publishing never blocks and never copies per
// sink; memory is bounded by the pool (every frame a sink may hold, plus two).
// Thread: attach() on main before the render thread starts; wanted(), try_acquire() and
// publish() on render; SinkPort's take side on its sink's thread; stats() anywhere.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "loader/buffer_pool.hpp"
#include "renderer/cpu/rgba_view.hpp"

namespace interleave::app {

// One composited frame. Filled by the render thread between try_acquire() and publish(),
// immutable afterwards; the buffer returns to the hub's pool when the last reference goes.
struct CapturedFrame {
    loader::PooledBuffer pixels;  // width_px * height_px * 4 bytes, tightly packed RGBA8
    int width_px = 0;
    int height_px = 0;
    std::int64_t index = 0;       // the play index it was shown at
    std::size_t frame = 0;        // the frame number in its folders
    std::string main_file;        // source files, as the catalog names them
    std::string float_file;
    std::uint64_t shown = 0;      // the render loop's shown-frame count (0 = the first frame)
    std::uint64_t sequence = 0;   // set by publish(): 1, 2, ... in publish order
    bool refresh = false;         // the frame on screen captured again for a new live viewer:
                                  // publish() offers it to the live ports only
    std::chrono::steady_clock::time_point composited_at{};

    [[nodiscard]] renderer::cpu::RgbaView view() const {
        return {pixels.data(), width_px, height_px, width_px * 4};
    }
};
using FrameRef = std::shared_ptr<const CapturedFrame>;

enum class SinkPolicy {
    kLatest,  // a newer frame replaces one not yet taken (counted as skipped)
    kQueue,   // up to queue_frames wait; a frame that finds the queue full is dropped (counted)
};

struct SinkPortStats {
    std::uint64_t offered = 0;  // frames the hub gave this port
    std::uint64_t taken = 0;    // frames the sink took
    std::uint64_t skipped = 0;  // kLatest: replaced by a newer one before the sink took it
    std::uint64_t dropped = 0;  // kQueue: the queue was full
};

class FrameHub;

// One sink's mailbox. Thread: offer side the render thread (through FrameHub::publish); take
// side the sink's thread; set_wanted()/close() any thread.
class SinkPort {
public:
    SinkPort(std::string name, SinkPolicy policy, std::size_t queue_frames, std::uint64_t every);

    // The next frame (kLatest: the newest not yet taken; kQueue: the oldest queued), waiting up
    // to `timeout`; nullptr on timeout or once closed (a closed kQueue port still hands out
    // what it holds first).
    [[nodiscard]] FrameRef wait_take(std::chrono::milliseconds timeout);
    [[nodiscard]] FrameRef try_take() { return wait_take(std::chrono::milliseconds(0)); }
    // The last frame offered to this port, taken or not (a new viewer's first picture).
    [[nodiscard]] FrameRef latest() const;

    // Whether this port wants frames now: a telnet server without clients says no, and when no
    // port wants a frame the GL path does not read it back. Default true. Turning it on asks the
    // render loop for the frame on screen at once (FrameHub::take_refresh), so a first viewer
    // gets a picture even while playback holds still.
    void set_wanted(bool wanted);
    [[nodiscard]] bool wanted() const { return wanted_.load(std::memory_order_acquire); }

    // Wakes a waiting taker; later offers are refused. Idempotent.
    void close();
    [[nodiscard]] bool closed() const;

    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] SinkPortStats stats() const;

private:
    friend class FrameHub;
    // Whether the render loop's shown-frame `shown` is one this port takes (open, wanted, and
    // every `every_`-th frame).
    [[nodiscard]] bool wants(std::uint64_t shown) const;
    // Whether this port takes a refresh: a live (kLatest) port that is open and wanted.
    [[nodiscard]] bool wants_refresh() const;
    void offer(const FrameRef& frame);

    // --- immutable after construction
    const std::string name_;
    const SinkPolicy policy_;
    std::shared_ptr<std::atomic<bool>> refresh_;  // the hub's flag (set by attach)
    const std::size_t queue_frames_;
    const std::uint64_t every_;
    std::atomic<bool> wanted_{true};
    std::atomic<bool> closed_{false};  // written under mutex_, read anywhere
    // --- guarded by mutex_ (leaf lock)
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<FrameRef> queue_;  // kLatest: at most one
    FrameRef latest_;
    SinkPortStats stats_;
};

struct FrameHubStats {
    std::uint64_t published = 0;       // frames handed to at least one port
    std::uint64_t pool_exhausted = 0;  // try_acquire found every buffer held by sinks
    std::size_t pool_buffers = 0;      // the pool's cap
    std::uint64_t pool_bytes = 0;      // what the pool holds now
};

class FrameHub {
public:
    FrameHub();
    ~FrameHub();
    FrameHub(const FrameHub&) = delete;
    FrameHub& operator=(const FrameHub&) = delete;

    // A port for sink `name` ("record", "terminal", "telnet", "stream"): kLatest ignores
    // `queue_frames`; `every` K takes every K-th shown frame (1 = all). Grows the pool by what
    // the port may hold. Thread: main, before the render thread starts publishing.
    std::shared_ptr<SinkPort> attach(std::string name, SinkPolicy policy,
                                     std::size_t queue_frames = 1, std::uint64_t every = 1);

    // Whether any port takes shown frame `shown`: when false the render loop captures nothing
    // (the GL path reads nothing back). Cheap: a few atomic loads. Thread: render.
    [[nodiscard]] bool wanted(std::uint64_t shown) const;
    // A frame to fill (pixels sized width_px * height_px * 4), or nullptr, counted, when every
    // pool buffer is still held by sinks. Never blocks. Thread: render.
    [[nodiscard]] std::shared_ptr<CapturedFrame> try_acquire(int width_px, int height_px);
    // Stamps the sequence and offers the frame to every port that wants it. Never blocks on a
    // sink. Thread: render.
    void publish(std::shared_ptr<CapturedFrame> frame);
    // A live port has just started wanting frames: true once per request (the flag is cleared).
    // The render loop then captures the frame on screen again, marks it `refresh` and
    // publishes it: a refresh goes to the live ports only (a recorder never gets a frame twice).
    // Thread: render.
    [[nodiscard]] bool take_refresh();
    // Whether any live (kLatest) port wants frames now.
    [[nodiscard]] bool live_wanted() const;

    // Closes every port (their sinks' waits end). Thread: main, when stopping.
    void close_all();

    [[nodiscard]] FrameHubStats stats() const;
    [[nodiscard]] std::vector<std::shared_ptr<SinkPort>> ports() const;

private:
    // --- guarded by mutex_ (leaf lock); ports_ is replaced, never changed, by attach(), so
    // publish() takes a reference under the lock and offers outside it, allocating nothing
    using Ports = std::vector<std::shared_ptr<SinkPort>>;
    mutable std::mutex mutex_;
    std::shared_ptr<const Ports> ports_ = std::make_shared<const Ports>();
    // The render thread's frame being filled and the GL read-backs in flight.
    std::size_t pool_cap_ = 3;
    std::unique_ptr<loader::BufferPool> pool_;
    // --- render thread only
    std::uint64_t next_sequence_ = 1;
    // --- atomics, read anywhere
    std::shared_ptr<std::atomic<bool>> refresh_ = std::make_shared<std::atomic<bool>>(false);
    std::atomic<std::uint64_t> published_{0};
    std::atomic<std::uint64_t> pool_exhausted_{0};
};

}  // namespace interleave::app
