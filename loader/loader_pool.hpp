// LoaderPool: N worker threads decode frame pairs into pooled buffers and push them into the
// FrameFifo. A request names (play index, frame number, main folder, float folder); its two
// layers are separate jobs that any two workers may decode; the pair enters the FIFO when both
// are done, or as a failed pair naming what failed. A content reload adds the new catalog under
// a new generation; each request decodes from the catalog of its key's generation. Failures
// are counted per file and logged once until the file decodes again; a folder that cannot be
// reached (deleted, or no access) is logged once for the folder. Thread: try_request,
// set_play_position, add_catalog and forget_catalogs_before from one scheduling thread;
// stats() from any; workers are "loader-N".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <concurrentqueue/blockingconcurrentqueue.h>

#include "core/latency_histogram.hpp"
#include "loader/buffer_pool.hpp"
#include "loader/catalog.hpp"
#include "loader/decoder.hpp"
#include "loader/frame_fifo.hpp"

namespace interleave::loader {

struct LoaderOptions {
    int workers = 0;                 // 0: default_workers(hardware threads); 1..64
    std::int64_t late_window = 10;   // drop requests this far behind the play position
    std::size_t max_in_flight = 0;   // pending pairs; 0: 2 x workers + 2
    DecoderOptions decoder;
};

struct LoadRequest {
    PairKey key;
    std::size_t frame = 0;  // frame number in both folders, < Catalog::frame_count
};

enum class RequestResult { kQueued, kBusy, kInvalid, kStopped };

struct LoaderStats {
    int workers = 0;
    std::uint64_t requested = 0;      // queued requests
    std::uint64_t busy = 0;           // refused: max_in_flight pairs pending
    std::uint64_t invalid = 0;        // refused: frame or folder out of range
    std::uint64_t pairs_loaded = 0;   // pairs pushed into the FIFO with both layers
    std::uint64_t pairs_failed = 0;   // pairs pushed as failed (decode error or no free buffer)
    std::uint64_t late_dropped = 0;   // requests dropped before decoding: behind play position
    std::uint64_t failed_loads = 0;   // layer decodes that failed (every time)
    // Distinct files that failed at least once. A folder found unreachable counts all its
    // frames: every one of them fails until it comes back.
    std::uint64_t failed_files = 0;
    std::uint64_t failing_files = 0;    // files failing now: failed, not decoded since
    std::uint64_t failing_folders = 0;  // folders unreachable now: not decoded from since
    std::uint64_t folder_failures = 0;  // times a folder was found unreachable (logged each)
    std::uint64_t recoveries = 0;       // files and folders that decoded again after failing
    std::size_t in_flight = 0;
    double decode_ms_p50 = 0.0;       // one layer's read + decode
    double decode_ms_p99 = 0.0;
    std::uint64_t decodes = 0;
};

class LoaderPool {
public:
    // `catalog` (generation 0), `fifo` and `pool` must outlive the LoaderPool.
    LoaderPool(const Catalog& catalog, FrameFifo& fifo, BufferPool& pool,
               LoaderOptions options = {});
    ~LoaderPool();  // stop()
    LoaderPool(const LoaderPool&) = delete;
    LoaderPool& operator=(const LoaderPool&) = delete;

    // The default worker count for a machine with `hardware_threads` threads (see the .cpp).
    [[nodiscard]] static int default_workers(unsigned hardware_threads);

    // Never blocks: kBusy when max_in_flight pairs are pending; kInvalid when the key's
    // generation has no catalog here, or the frame or a folder is out of its range.
    [[nodiscard]] RequestResult try_request(const LoadRequest& request);

    // Content reload: requests keyed with `generation` decode from `catalog` (replacing any
    // catalog that generation had). A request holds its catalog until its pair is finished,
    // so a catalog may be forgotten while pairs for it are in flight.
    void add_catalog(std::uint32_t generation, std::shared_ptr<const Catalog> catalog);
    // Requests for generations below `generation` are refused (kInvalid) from now on.
    void forget_catalogs_before(std::uint32_t generation);

    // Requests whose index is more than late_window below this are dropped before decoding.
    void set_play_position(std::int64_t index);

    // Stops the workers (each finishes at most the decode in hand), discards pending requests
    // and joins. Idempotent; bounded by one decode plus 50 ms, or by the decoder's
    // pool_timeout when a worker is waiting for a free buffer.
    void stop();

    [[nodiscard]] LoaderStats stats() const;
    [[nodiscard]] int workers() const { return static_cast<int>(threads_.size()); }
    [[nodiscard]] std::size_t max_in_flight() const { return slots_.size(); }

private:
    struct Slot {
        LoadRequest request;
        std::shared_ptr<const Catalog> catalog;  // the request's generation's
        LayerImage layers[2];
        std::optional<Error> errors[2];
        std::atomic<int> remaining{0};
        std::atomic<bool> late{false};
    };
    struct Job {
        std::uint32_t slot = 0;
        Layer layer = Layer::kMain;
    };

    void run_worker(const std::stop_token& stop, int id);
    void process(Job job, Decoder& decoder);
    void finish(std::uint32_t slot_index);
    void release_slot(std::uint32_t slot_index);
    // Counts a failed decode of `folder`'s frame `frame` and logs it unless it is failing
    // already: the file, or, when the folder cannot be reached, the folder once.
    void note_failure(const Folder& folder, std::size_t frame, const Error& error);
    // A decode of the frame succeeded: the file and its folder fail no more (logged once).
    void note_success(const Folder& folder, std::size_t frame);

    // --- immutable after construction
    FrameFifo& fifo_;
    BufferPool& pool_;
    const LoaderOptions options_;
    // --- the scheduling thread only: the catalog of each live generation, oldest first
    std::vector<std::pair<std::uint32_t, std::shared_ptr<const Catalog>>> catalogs_;
    // --- slots: a slot belongs to whoever took it from free_slots_ until it is released
    std::vector<Slot> slots_;
    mutable std::mutex free_mutex_;           // guards free_slots_ (leaf lock)
    std::vector<std::uint32_t> free_slots_;
    // --- lock-free shared state
    moodycamel::BlockingConcurrentQueue<Job> jobs_;
    std::atomic<std::int64_t> play_position_;
    std::atomic<bool> stopped_{false};
    std::atomic<std::uint64_t> requested_{0}, busy_{0}, invalid_{0}, pairs_loaded_{0},
        pairs_failed_{0}, late_dropped_{0}, failed_loads_{0};
    LatencyHistogram decode_times_;
    // --- guarded by failures_mutex_ (leaf lock; logging happens after unlocking)
    mutable std::mutex failures_mutex_;
    std::unordered_set<std::string> failed_files_;     // every file that ever failed
    std::unordered_set<std::string> failing_files_;    // failed and not decoded since
    std::unordered_set<std::string> failing_folders_;  // unreachable, not decoded from since
    std::uint64_t folder_failures_ = 0;
    std::uint64_t recoveries_ = 0;
    // failing_files_ + failing_folders_ entries: a successful decode locks only when > 0.
    std::atomic<std::size_t> failing_{0};
    // --- owned by the constructor/stop() caller
    std::vector<std::jthread> threads_;
};

}  // namespace interleave::loader
