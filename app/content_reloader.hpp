// ContentReloader: rescans the content directory when asked (SIGHUP, through ReloadSignal) on
// its own thread, "reload", and hands a playable new catalog to playback at a clean point: the
// scheduler plays out the pairs it prefetched for the old catalog, then the new one takes over
// with the clock's epoch and ips unchanged and the selector a fresh start with the same seed
// and epoch would build on it, so screens that reload the same content stay in step. An
// unplayable catalog is logged (path and reason) and the old one goes on playing. Only the
// content is reloaded; the configuration needs a restart.
// Thread: construction and stop() on main; request(), update(), catalog_of() and stats() on
// the render thread (stats() on main too once the render thread has ended); the scan on
// "reload".
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

#include "app/playback/clock.hpp"
#include "app/playback/folder_selector.hpp"
#include "app/playback/scheduler.hpp"
#include "loader/catalog.hpp"
#include "loader/loader_pool.hpp"

namespace interleave::app {

struct ReloadSettings {
    std::filesystem::path root;       // the content directory, as at start
    loader::CatalogOptions catalog;   // as at start (its stop_requested is replaced)
    SelectorSettings selector;        // as at start: same seed, mode and timing
};

struct ReloadStats {
    std::uint64_t requests = 0;   // rescans asked for (requests while one runs count once more)
    std::uint64_t scans = 0;      // rescans finished
    std::uint64_t reloads = 0;    // new catalogs that took over
    std::uint64_t rejected = 0;   // unplayable rescans (logged; the old catalog stayed)
    std::uint32_t generation = 0; // the catalog playing: 0 at start, +1 per reload
    std::int64_t last_switch_index = 0;  // the first index of the latest new catalog
    double last_scan_ms = 0.0;    // how long the latest rescan took
};

class ContentReloader {
public:
    // `initial` (generation 0), `clock`, `selector`, `loaders` and `scheduler` must outlive
    // the reloader; `scheduler` must have been built on `clock` and `selector`, which a
    // reload replaces in place. Starts the "reload" thread, idle until request().
    ContentReloader(ReloadSettings settings, const loader::Catalog& initial, Clock& clock,
                    FolderSelector& selector, loader::LoaderPool& loaders, Scheduler& scheduler);
    ~ContentReloader();  // stop()
    ContentReloader(const ContentReloader&) = delete;
    ContentReloader& operator=(const ContentReloader&) = delete;

    // Asks for a rescan. One that comes while a scan runs makes one more scan after it.
    void request();

    // Call each frame right after Scheduler::feed(index). Never blocks on a scan. When a
    // rescan has finished: a playable catalog is staged for the indices after the prefetch
    // window (the loader gets it under the next generation); an unplayable one is counted.
    // When the scheduler reaches the staged index: the new clock and selector replace the old
    // ones, the loader forgets the old catalog, and the reload is logged. One switch at a time:
    // a rescan that ends meanwhile waits for the next update after it.
    void update(std::int64_t index);

    // The catalog a pair of `generation` was decoded from (the one playing or the one staged);
    // the one playing for any other generation.
    [[nodiscard]] const loader::Catalog& catalog_of(std::uint32_t generation) const;
    [[nodiscard]] const loader::Catalog& catalog() const { return *current_; }

    [[nodiscard]] ReloadStats stats() const;

    // Ends a scan in progress (its result is dropped) and joins "reload". Idempotent; bounded
    // by the scan's stop check (every folder and every 256 entries).
    void stop();

private:
    // A finished rescan, handed from "reload" to the render thread.
    struct Outcome {
        std::shared_ptr<const loader::Catalog> catalog;  // null: unplayable (logged)
        std::optional<FolderSelector> selector;
        double scan_ms = 0.0;
    };
    // The catalog staged for the scheduler, with what a fresh start on it would use.
    struct Staged {
        std::uint32_t generation = 0;
        std::shared_ptr<const loader::Catalog> catalog;
        Clock clock;
        FolderSelector selector;
    };

    void run(const std::stop_token& stop);
    [[nodiscard]] std::optional<Outcome> scan();
    void stage(Outcome outcome, std::int64_t index);
    void finish_switch();

    // --- immutable after construction
    const ReloadSettings settings_;
    // --- render thread (the references are the pipeline's; replaced in place on a switch)
    Clock& clock_;
    FolderSelector& selector_;
    loader::LoaderPool& loaders_;
    Scheduler& scheduler_;
    std::shared_ptr<const loader::Catalog> current_;
    std::optional<Staged> staged_;
    ReloadStats stats_;  // except scans (below)
    // --- guarded by mutex_ (leaf lock: held only to hand a request or an outcome over)
    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    bool requested_ = false;
    std::optional<Outcome> outcome_;  // the latest finished rescan not yet taken
    std::uint64_t scans_ = 0;
    // --- main: the "reload" thread
    std::jthread thread_;
};

}  // namespace interleave::app
