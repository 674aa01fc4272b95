// ContentReloader: a scan thread with a one-slot mailbox, and the two-step switch (stage, then
// finish when the scheduler reaches the staged index) on the render thread.
#include "app/content_reloader.hpp"

#include <atomic>
#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "app/stop_signal.hpp"
#include "core/log.hpp"
#include "core/thread.hpp"

namespace interleave::app {
namespace {

// The "reload" thread waits this long at most before looking at its stop token again.
constexpr auto kIdleWait = std::chrono::seconds(1);

// Reloaders being stopped. The scan's stop check is a plain function, so it cannot name its
// reloader: a stop ends every reload scan running in the process (there is one reloader per
// player), and a stop signal ends it too.
std::atomic<int> g_stopping{0};

bool reload_scan_stopped() { return g_stopping.load() > 0 || StopSignal::requested(); }

std::string describe(const loader::Catalog& c) {
    return fmt::format("{} main and {} float folders of {} frames", c.main_folders.size(),
                       c.float_folders.size(), c.frame_count);
}

}  // namespace

ContentReloader::ContentReloader(ReloadSettings settings, const loader::Catalog& initial,
                                 Clock& clock, FolderSelector& selector,
                                 loader::LoaderPool& loaders, Scheduler& scheduler)
    : settings_([&] {
          settings.catalog.stop_requested = &reload_scan_stopped;
          return std::move(settings);
      }()),
      clock_(clock),
      selector_(selector),
      loaders_(loaders),
      scheduler_(scheduler),
      // Not owned: the pipeline keeps the start-up catalog (an empty owner, no count).
      current_(std::shared_ptr<const loader::Catalog>(), &initial),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

ContentReloader::~ContentReloader() { stop(); }

void ContentReloader::request() {
    ++stats_.requests;
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wake_.notify_one();
}

void ContentReloader::stop() {
    if (!thread_.joinable()) return;
    g_stopping.fetch_add(1);
    thread_.request_stop();  // wakes the wait
    thread_.join();
    g_stopping.fetch_sub(1);
}

void ContentReloader::run(const std::stop_token& stop) {
    set_current_thread_name("reload");
    try {
        while (!stop.stop_requested()) {
            {
                std::unique_lock lock(mutex_);
                if (!wake_.wait_for(lock, stop, kIdleWait, [&] { return requested_; })) continue;
                requested_ = false;
            }
            std::optional<Outcome> outcome = scan();
            if (!outcome) continue;  // stopped during the scan
            std::lock_guard lock(mutex_);
            ++scans_;
            outcome_ = std::move(outcome);  // a newer rescan replaces one not taken yet
        }
    } catch (const std::exception& e) {
        INTERLEAVE_LOG_ERROR("reload", "content reload stopped: {}", e.what());
    } catch (...) {
        INTERLEAVE_LOG_ERROR("reload", "content reload stopped: unknown exception");
    }
}

std::optional<ContentReloader::Outcome> ContentReloader::scan() {
    const auto started = std::chrono::steady_clock::now();
    INTERLEAVE_LOG_INFO("reload", "rescanning {}", settings_.root.string());
    loader::ScanReport report = loader::scan_catalog(settings_.root, settings_.catalog);
    Outcome outcome;
    outcome.scan_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    if (report.error && report.error->code == ErrorCode::kCancelled) return std::nullopt;
    // What a fresh start would say about the same tree.
    for (const auto& skipped : report.skipped) {
        INTERLEAVE_LOG_WARN("catalog", "skipped {}: {}", skipped.path, skipped.reason);
    }
    if (report.error) {
        INTERLEAVE_LOG_ERROR("reload",
                             "content reload refused, still playing the previous content: {}",
                             report.error->message());
        return outcome;
    }
    const loader::Catalog& c = report.catalog;
    auto selector = FolderSelector::create(settings_.selector,
                                           static_cast<int>(c.main_folders.size()),
                                           static_cast<int>(c.float_folders.size()),
                                           c.frame_count);
    if (!selector) {
        INTERLEAVE_LOG_ERROR("reload",
                             "content reload refused, still playing the previous content: {}: "
                             "{} (the configuration needs a restart to change)",
                             settings_.root.string(), selector.error().message());
        return outcome;
    }
    outcome.selector.emplace(std::move(*selector));
    outcome.catalog = std::make_shared<const loader::Catalog>(std::move(report.catalog));
    return outcome;
}

void ContentReloader::update(std::int64_t index) {
    if (staged_ && scheduler_.switch_due()) finish_switch();
    if (staged_) return;
    std::optional<Outcome> outcome;
    {
        std::lock_guard lock(mutex_);
        outcome.swap(outcome_);
    }
    if (outcome) stage(std::move(*outcome), index);
}

void ContentReloader::stage(Outcome outcome, std::int64_t index) {
    stats_.last_scan_ms = outcome.scan_ms;
    if (!outcome.catalog) {
        ++stats_.rejected;
        return;
    }
    // The clock's epoch and ips stay; only the frame count is the new catalog's.
    auto clock = Clock::create(clock_.settings(), outcome.catalog->frame_count);
    if (!clock) {
        INTERLEAVE_LOG_ERROR("reload",
                             "content reload refused, still playing the previous content: {}: "
                             "{}",
                             settings_.root.string(), clock.error().message());
        ++stats_.rejected;
        return;
    }
    const std::uint32_t generation = stats_.generation + 1;
    // After what the scheduler has prefetched: those pairs still play, then the new catalog.
    const std::int64_t from_index = index + scheduler_.prefetch() + 1;
    staged_.emplace(Staged{generation, outcome.catalog, *clock, std::move(*outcome.selector)});
    loaders_.add_catalog(generation, staged_->catalog);
    scheduler_.stage_content(staged_->clock, staged_->selector, generation, from_index);
    INTERLEAVE_LOG_INFO("reload", "new content in {:.0f} ms: {} (was {}); plays from index {}",
                        outcome.scan_ms, describe(*staged_->catalog), describe(*current_),
                        from_index);
}

void ContentReloader::finish_switch() {
    clock_ = staged_->clock;
    selector_ = std::move(staged_->selector);
    const std::int64_t from = scheduler_.finish_switch();
    loaders_.forget_catalogs_before(staged_->generation);
    current_ = std::move(staged_->catalog);
    stats_.generation = staged_->generation;
    stats_.last_switch_index = from;
    ++stats_.reloads;
    staged_.reset();
    INTERLEAVE_LOG_INFO("reload", "playing content generation {} since index {}",
                        stats_.generation, from);
}

const loader::Catalog& ContentReloader::catalog_of(std::uint32_t generation) const {
    if (staged_ && staged_->generation == generation) return *staged_->catalog;
    return *current_;
}

ReloadStats ContentReloader::stats() const {
    ReloadStats s = stats_;
    std::lock_guard lock(mutex_);
    s.scans = scans_;
    return s;
}

}  // namespace interleave::app
