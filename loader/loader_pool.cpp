// LoaderPool: slots for pending pairs, a blocking job queue, N decoding workers.
#include "loader/loader_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "core/log.hpp"
#include "core/thread.hpp"

namespace interleave::loader {
namespace {
constexpr auto kDequeueTimeout = std::chrono::milliseconds(50);
constexpr std::int64_t kNoPlayPosition = std::numeric_limits<std::int64_t>::min();

// Why `folder` cannot be reached (gone, or a folder on the way denies access), or nullopt when
// it can: then a file in it that fails to open is that file's problem alone.
std::optional<std::string> unreachable_reason(const std::filesystem::path& folder) {
    if (::access(folder.c_str(), X_OK) == 0) return std::nullopt;
    return std::string(std::strerror(errno));
}
}  // namespace

int LoaderPool::default_workers(unsigned hardware_threads) {
    // Measured with `interleave bench` on photographic 1080p SBS pairs on a 2-core machine
    // (README, "Loader workers"): decoding is CPU-bound and 2 workers already reach 2x the
    // single-thread pair rate; 3 or 4 add no pairs/s and double the p99 decode time. So one
    // worker per hardware thread, capped at 16 like the original, and no extra workers.
    return static_cast<int>(std::clamp(hardware_threads, 1u, 16u));
}

LoaderPool::LoaderPool(const Catalog& catalog, FrameFifo& fifo, BufferPool& pool,
                       LoaderOptions options)
    : fifo_(fifo),
      pool_(pool),
      options_([&] {
          if (options.workers <= 0) {
              options.workers = default_workers(std::thread::hardware_concurrency());
          }
          options.workers = std::clamp(options.workers, 1, 64);
          if (options.max_in_flight == 0) {
              options.max_in_flight = 2 * static_cast<std::size_t>(options.workers) + 2;
          }
          return options;
      }()),
      slots_(options_.max_in_flight),
      jobs_(2 * options_.max_in_flight),
      play_position_(kNoPlayPosition) {
    // Not owned: the caller keeps generation 0's catalog alive (an empty owner, no count).
    catalogs_.emplace_back(0, std::shared_ptr<const Catalog>(std::shared_ptr<const Catalog>(),
                                                             &catalog));
    free_slots_.reserve(slots_.size());
    for (std::size_t i = slots_.size(); i > 0; --i) {
        free_slots_.push_back(static_cast<std::uint32_t>(i - 1));
    }
    threads_.reserve(static_cast<std::size_t>(options_.workers));
    for (int i = 0; i < options_.workers; ++i) {
        threads_.emplace_back([this, i](const std::stop_token& stop) { run_worker(stop, i); });
    }
}

LoaderPool::~LoaderPool() { stop(); }

RequestResult LoaderPool::try_request(const LoadRequest& request) {
    if (stopped_.load(std::memory_order_acquire)) return RequestResult::kStopped;
    const PairKey& key = request.key;
    const auto entry = std::find_if(catalogs_.begin(), catalogs_.end(),
                                    [&](const auto& c) { return c.first == key.generation; });
    const Catalog* catalog = entry == catalogs_.end() ? nullptr : entry->second.get();
    if (catalog == nullptr || request.frame >= catalog->frame_count || key.main_folder < 0 ||
        key.float_folder < 0 ||
        static_cast<std::size_t>(key.main_folder) >= catalog->main_folders.size() ||
        static_cast<std::size_t>(key.float_folder) >= catalog->float_folders.size()) {
        invalid_.fetch_add(1, std::memory_order_relaxed);
        return RequestResult::kInvalid;
    }
    std::uint32_t index = 0;
    {
        std::lock_guard lock(free_mutex_);
        if (free_slots_.empty()) {
            busy_.fetch_add(1, std::memory_order_relaxed);
            return RequestResult::kBusy;
        }
        index = free_slots_.back();
        free_slots_.pop_back();
    }
    Slot& slot = slots_[index];
    slot.request = request;
    slot.catalog = entry->second;
    slot.errors[0].reset();
    slot.errors[1].reset();
    slot.late.store(false, std::memory_order_relaxed);
    slot.remaining.store(2, std::memory_order_release);
    requested_.fetch_add(1, std::memory_order_relaxed);
    // The queue's release/acquire hands the slot's contents to the workers.
    jobs_.enqueue(Job{index, Layer::kMain});
    jobs_.enqueue(Job{index, Layer::kFloat});
    return RequestResult::kQueued;
}

void LoaderPool::add_catalog(std::uint32_t generation, std::shared_ptr<const Catalog> catalog) {
    assert(catalog && "a generation needs a catalog");
    const auto entry = std::find_if(catalogs_.begin(), catalogs_.end(),
                                    [&](const auto& c) { return c.first == generation; });
    if (entry != catalogs_.end()) {
        entry->second = std::move(catalog);
    } else {
        catalogs_.emplace_back(generation, std::move(catalog));
    }
}

void LoaderPool::forget_catalogs_before(std::uint32_t generation) {
    std::erase_if(catalogs_, [&](const auto& c) { return c.first < generation; });
}

void LoaderPool::set_play_position(std::int64_t index) {
    play_position_.store(index, std::memory_order_relaxed);
}

void LoaderPool::run_worker(const std::stop_token& stop, int id) {
    set_current_thread_name("loader-" + std::to_string(id));
    try {
        Decoder decoder(options_.decoder);
        Job job;
        while (!stop.stop_requested()) {
            if (jobs_.wait_dequeue_timed(job, kDequeueTimeout)) process(job, decoder);
        }
    } catch (const std::exception& e) {
        INTERLEAVE_LOG_ERROR("loader", "worker {} stopped: {}", id, e.what());
    } catch (...) {
        INTERLEAVE_LOG_ERROR("loader", "worker {} stopped: unknown exception", id);
    }
}

void LoaderPool::process(Job job, Decoder& decoder) {
    Slot& slot = slots_[job.slot];
    const int layer = static_cast<int>(job.layer);
    const std::int64_t play = play_position_.load(std::memory_order_relaxed);
    if (play != kNoPlayPosition && slot.request.key.index < play - options_.late_window) {
        slot.late.store(true, std::memory_order_relaxed);
    }
    if (!slot.late.load(std::memory_order_relaxed) && !stopped_.load(std::memory_order_relaxed)) {
        const PairKey& key = slot.request.key;
        const Folder& folder =
            slot.catalog->folder(job.layer, job.layer == Layer::kMain ? key.main_folder
                                                                      : key.float_folder);
        const std::size_t frame = slot.request.frame;
        const auto start = std::chrono::steady_clock::now();
        auto image = decoder.decode_file(folder.frame_path(frame), folder.frame_encoding(frame),
                                         pool_, ExpectedSize{folder.width_px, folder.height_px});
        if (image) {
            decode_times_.record(std::chrono::steady_clock::now() - start);
            slot.layers[layer] = std::move(*image);
            note_success(folder, frame);
        } else {
            if (image.error().code != ErrorCode::kCancelled) {
                note_failure(folder, frame, image.error());
            }
            slot.errors[layer] = std::move(image.error());
        }
    }
    // The last of the two layers to finish (acq_rel: it sees the other's writes) completes.
    if (slot.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) finish(job.slot);
}

void LoaderPool::finish(std::uint32_t slot_index) {
    Slot& slot = slots_[slot_index];
    if (slot.late.load(std::memory_order_relaxed)) {
        late_dropped_.fetch_add(1, std::memory_order_relaxed);
        release_slot(slot_index);
        return;
    }
    FramePair pair;
    pair.key = slot.request.key;
    pair.frame = slot.request.frame;
    pair.main = std::move(slot.layers[0]);
    pair.overlay = std::move(slot.layers[1]);
    for (auto& error : slot.errors) {
        if (!error) continue;
        if (!pair.error) {
            pair.error = std::move(*error);
        } else {
            pair.error->detail += "; also " + error->message();
        }
    }
    // Shutting down: nobody will take it. (A pool that stayed full while running is not
    // shutdown: that pair goes in as failed, counted, and the last good frame stays up.)
    if (!stopped_.load(std::memory_order_relaxed)) {
        if (pair.error) {
            pair.main = {};
            pair.overlay = {};
            pairs_failed_.fetch_add(1, std::memory_order_relaxed);
        } else {
            pairs_loaded_.fetch_add(1, std::memory_order_relaxed);
        }
        fifo_.push(std::move(pair));
    }
    // Only now is the request no longer in flight: whoever sees in_flight reach 0 finds every
    // finished pair in the FIFO already.
    release_slot(slot_index);
}

void LoaderPool::release_slot(std::uint32_t slot_index) {
    Slot& slot = slots_[slot_index];
    slot.layers[0] = {};
    slot.layers[1] = {};
    slot.errors[0].reset();
    slot.errors[1].reset();
    slot.catalog.reset();
    std::lock_guard lock(free_mutex_);
    free_slots_.push_back(slot_index);
}

void LoaderPool::note_failure(const Folder& folder, std::size_t frame, const Error& error) {
    failed_loads_.fetch_add(1, std::memory_order_relaxed);
    // A file that cannot be opened may be one of a whole folder's: deleted, or behind a folder
    // that denies access. Then the folder is what failed, logged once with its frame count,
    // instead of a line for every frame the scheduler asks for while it is gone.
    const std::optional<std::string> unreachable =
        error.code == ErrorCode::kIo ? unreachable_reason(folder.path) : std::nullopt;
    std::string line;
    if (unreachable) {
        const std::string key = folder.path.string();
        bool known = false;
        {
            std::lock_guard lock(failures_mutex_);
            known = failing_folders_.contains(key);
        }
        if (known) return;
        // Every frame of the folder fails while it is unreachable: count them all (distinct
        // files), with the names made before taking the lock again.
        std::vector<std::string> frames;
        frames.reserve(folder.frames.size());
        for (std::size_t i = 0; i < folder.frames.size(); ++i) {
            frames.push_back(folder.frame_path(i).string());
        }
        {
            std::lock_guard lock(failures_mutex_);
            if (!failing_folders_.insert(key).second) return;  // another worker was first
            for (auto& f : frames) failed_files_.insert(std::move(f));
            ++folder_failures_;
            failing_.store(failing_files_.size() + failing_folders_.size(),
                           std::memory_order_relaxed);
        }
        line = fmt::format("{}: folder cannot be reached ({}): its {} frames fail until it "
                           "comes back",
                           key, *unreachable, folder.frames.size());
    } else {
        const std::string key = folder.frame_path(frame).string();
        bool again = false;
        {
            std::lock_guard lock(failures_mutex_);
            if (!failing_files_.insert(key).second) return;  // failing already: said before
            again = !failed_files_.insert(key).second;
            failing_.store(failing_files_.size() + failing_folders_.size(),
                           std::memory_order_relaxed);
        }
        line = again ? error.message() + " (failed again after it had recovered)"
                     : error.message();
    }
    INTERLEAVE_LOG_WARN("loader", "{}", line);
}

void LoaderPool::note_success(const Folder& folder, std::size_t frame) {
    // Nothing failing (the usual case): no lock, no strings.
    if (failing_.load(std::memory_order_relaxed) == 0) return;
    const std::string file = folder.frame_path(frame).string();
    const std::string dir = folder.path.string();
    bool file_back = false;
    bool dir_back = false;
    {
        std::lock_guard lock(failures_mutex_);
        file_back = failing_files_.erase(file) != 0;
        dir_back = failing_folders_.erase(dir) != 0;
        recoveries_ += static_cast<std::uint64_t>(file_back) + static_cast<std::uint64_t>(dir_back);
        failing_.store(failing_files_.size() + failing_folders_.size(),
                       std::memory_order_relaxed);
    }
    if (dir_back) INTERLEAVE_LOG_INFO("loader", "{}: folder can be read again", dir);
    if (file_back) INTERLEAVE_LOG_INFO("loader", "{}: decodes again", file);
}

void LoaderPool::stop() {
    if (stopped_.exchange(true, std::memory_order_acq_rel)) return;
    for (auto& t : threads_) t.request_stop();
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
    // Jobs nobody will run: their slots' buffers go back to the pool now.
    Job job;
    while (jobs_.try_dequeue(job)) {
        Slot& slot = slots_[job.slot];
        slot.layers[static_cast<int>(job.layer)] = {};
    }
    for (Slot& slot : slots_) {
        slot.layers[0] = {};
        slot.layers[1] = {};
        slot.catalog.reset();
    }
}

LoaderStats LoaderPool::stats() const {
    LoaderStats s;
    s.workers = workers();
    s.requested = requested_.load(std::memory_order_relaxed);
    s.busy = busy_.load(std::memory_order_relaxed);
    s.invalid = invalid_.load(std::memory_order_relaxed);
    s.pairs_loaded = pairs_loaded_.load(std::memory_order_relaxed);
    s.pairs_failed = pairs_failed_.load(std::memory_order_relaxed);
    s.late_dropped = late_dropped_.load(std::memory_order_relaxed);
    s.failed_loads = failed_loads_.load(std::memory_order_relaxed);
    {
        std::lock_guard lock(failures_mutex_);
        s.failed_files = failed_files_.size();
        s.failing_files = failing_files_.size();
        s.failing_folders = failing_folders_.size();
        s.folder_failures = folder_failures_;
        s.recoveries = recoveries_;
    }
    {
        std::lock_guard lock(free_mutex_);
        s.in_flight = slots_.size() - free_slots_.size();
    }
    s.decode_ms_p50 = decode_times_.percentile_ms(50);
    s.decode_ms_p99 = decode_times_.percentile_ms(99);
    s.decodes = decode_times_.count();
    return s;
}

}  // namespace interleave::loader
