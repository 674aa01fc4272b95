// Tests loader/loader_pool.cpp: pairs decoded from a generated content tree into the FIFO
// with the right keys and pixels, failures named and counted, late requests dropped before
// decoding, back-pressure, a scheduler, workers and a consumer at once, and stop() while busy.
#include "loader/loader_pool.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/content_tree.hpp"
#include "tests/support/image_compare.hpp"
#include "tests/support/image_writers.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait.hpp"

namespace interleave::loader {
namespace {

using test::wait_until;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test::FolderSpec;
using test::FrameFormat;

using test::kHangGuard;

// Waits until the pair with exactly `key` is queued, then takes it. The tolerance is wide so
// that pairs queued for other indices stay (only pairs for other folders are evicted, as
// stale): tests take pairs in any order without losing the others.
std::optional<FramePair> take_when_queued(FrameFifo& fifo, const PairKey& key) {
    if (!wait_until([&] { return fifo.contains(key); })) return std::nullopt;
    return fifo.take_nearest(key, 1'000'000);
}

// A layer of a flat-colour frame is that colour everywhere (JPEG: within ±4).
::testing::AssertionResult layer_is(const LayerImage& layer, const FolderSpec& spec,
                                    std::size_t frame) {
    if (layer.empty()) return ::testing::AssertionFailure() << "layer has no pixels";
    const auto c = test::frame_rgba(spec, frame);
    const test::Image expected = test::solid(spec.width_px, spec.height_px, {c[0], c[1], c[2], c[3]});
    const int tolerance = spec.format == FrameFormat::kSbsJpeg || spec.format == FrameFormat::kJpeg
                              ? 4
                              : 0;
    if (layer.width_px != spec.width_px || layer.height_px != spec.height_px) {
        return ::testing::AssertionFailure() << "layer is " << layer.width_px << "x"
                                             << layer.height_px;
    }
    return test::rgba_near(layer.pixels.data(), layer.width_px, layer.height_px, expected,
                           tolerance, "loader-frame-" + std::to_string(frame));
}

class LoaderPoolTest : public ::testing::Test {
protected:
    static constexpr int kFrames = 6;
    const FolderSpec main0_{.frames = kFrames, .format = FrameFormat::kSbsJpeg, .seed = 0};
    const FolderSpec main1_{.frames = kFrames, .format = FrameFormat::kWebp, .seed = 1};
    const FolderSpec float0_{.frames = kFrames, .format = FrameFormat::kPng, .seed = 2};

    void SetUp() override {
        test::ContentTree tree(dir_.path());
        tree.add_main("0_jpeg", main0_);
        tree.add_main("1_webp", main1_);
        tree.add_float("255_png", float0_);
        report_ = scan_catalog(dir_.path());
        ASSERT_TRUE(report_.ok()) << report_.error->message();
        ASSERT_EQ(catalog().frame_count, static_cast<std::size_t>(kFrames));
    }

    const Catalog& catalog() const { return report_.catalog; }
    fs::path main_frame(int folder, std::size_t frame) const {
        return catalog().main_folders.at(static_cast<std::size_t>(folder)).frame_path(frame);
    }
    fs::path float_frame(std::size_t frame) const {
        return catalog().float_folders.at(0).frame_path(frame);
    }
    const FolderSpec& main_spec(int folder) const { return folder == 0 ? main0_ : main1_; }

    static LoaderOptions options(int workers, std::size_t max_in_flight = 0) {
        LoaderOptions o;
        o.workers = workers;
        o.max_in_flight = max_in_flight;
        return o;
    }

    test::TempDir dir_;
    ScanReport report_;
};

TEST_F(LoaderPoolTest, LoadsPairsWithTheirKeysAndPixels) {
    FrameFifo fifo(32);
    BufferPool pool(BufferPool::buffers_for_fifo(32, 3));
    LoaderPool loader(catalog(), fifo, pool, options(3, 16));
    std::size_t total = 0;
    // One folder at a time: taking a pair for folder 1 would evict folder 0's as stale.
    for (const int folder : {0, 1}) {
        std::vector<LoadRequest> requests;
        for (std::size_t frame = 0; frame < kFrames; ++frame) {
            requests.push_back(
                {PairKey{100 * (folder + 1) + static_cast<std::int64_t>(frame), folder, 0}, frame});
        }
        for (const auto& r : requests) ASSERT_EQ(loader.try_request(r), RequestResult::kQueued);
        for (auto it = requests.rbegin(); it != requests.rend(); ++it) {  // any order
            const LoadRequest& r = *it;
            auto pair = take_when_queued(fifo, r.key);
            ASSERT_TRUE(pair.has_value()) << "pair " << r.key.index << " never arrived";
            ASSERT_TRUE(pair->ok()) << pair->error->message();
            EXPECT_EQ(pair->key, r.key);
            EXPECT_EQ(pair->frame, r.frame);
            EXPECT_TRUE(layer_is(pair->main, main_spec(r.key.main_folder), r.frame));
            EXPECT_TRUE(layer_is(pair->overlay, float0_, r.frame));
        }
        total += requests.size();
    }
    // A pair enters the FIFO just before its slot is free again: the last one taken may still
    // be in flight for a moment.
    EXPECT_TRUE(wait_until([&] { return loader.stats().in_flight == 0; }));
    const LoaderStats s = loader.stats();
    EXPECT_EQ(s.requested, total);
    EXPECT_EQ(s.pairs_loaded, total);
    EXPECT_EQ(s.pairs_failed, 0u);
    EXPECT_EQ(s.decodes, 2 * total);
    EXPECT_GT(s.decode_ms_p50, 0.0);
    EXPECT_GE(s.decode_ms_p99, s.decode_ms_p50);
    EXPECT_EQ(s.in_flight, 0u);
    EXPECT_EQ(fifo.stats().dropped, 0u);
    loader.stop();
    EXPECT_EQ(pool.stats().in_use, 0u);
}

TEST_F(LoaderPoolTest, FailedPairNamesTheFileAndCountsEachFileOnce) {
    test::write_text(main_frame(0, 2), "not a JPEG any more");  // corrupted after the scan
    FrameFifo fifo(32);
    BufferPool pool(16);
    LoaderPool loader(catalog(), fifo, pool, options(2));
    for (std::int64_t index = 0; index < 3; ++index) {
        ASSERT_EQ(loader.try_request({PairKey{index, 0, 0}, 2}), RequestResult::kQueued);
    }
    ASSERT_EQ(loader.try_request({PairKey{3, 0, 0}, 3}), RequestResult::kQueued);
    for (std::int64_t index = 0; index < 3; ++index) {
        auto pair = take_when_queued(fifo, {index, 0, 0});
        ASSERT_TRUE(pair.has_value());
        ASSERT_FALSE(pair->ok());
        EXPECT_EQ(pair->error->code, ErrorCode::kBadFormat);
        EXPECT_NE(pair->error->subject.find(main_frame(0, 2).string()), std::string::npos)
            << pair->error->message();
        EXPECT_TRUE(pair->main.empty()) << "a failed pair carries no pixels";
        EXPECT_TRUE(pair->overlay.empty());
    }
    auto good = take_when_queued(fifo, {3, 0, 0});
    ASSERT_TRUE(good.has_value());
    EXPECT_TRUE(good->ok());
    const LoaderStats s = loader.stats();
    EXPECT_EQ(s.failed_loads, 3u);
    EXPECT_EQ(s.failed_files, 1u);
    EXPECT_EQ(s.pairs_failed, 3u);
    EXPECT_EQ(s.pairs_loaded, 1u);
    good.reset();
    loader.stop();
    EXPECT_EQ(pool.stats().in_use, 0u) << "failed pairs must give their buffers back";
}

TEST_F(LoaderPoolTest, FilesDeletedAfterTheScanFailBothLayersByName) {
    fs::remove(float_frame(4));
    fs::remove(main_frame(1, 5));
    fs::remove(float_frame(5));
    FrameFifo fifo(8);
    BufferPool pool(16);
    LoaderPool loader(catalog(), fifo, pool, options(2));
    ASSERT_EQ(loader.try_request({PairKey{4, 1, 0}, 4}), RequestResult::kQueued);
    ASSERT_EQ(loader.try_request({PairKey{5, 1, 0}, 5}), RequestResult::kQueued);
    auto one = take_when_queued(fifo, {4, 1, 0});
    ASSERT_TRUE(one.has_value());
    ASSERT_FALSE(one->ok());
    EXPECT_EQ(one->error->code, ErrorCode::kIo);
    EXPECT_NE(one->error->message().find(float_frame(4).string()), std::string::npos);
    auto both = take_when_queued(fifo, {5, 1, 0});
    ASSERT_TRUE(both.has_value());
    ASSERT_FALSE(both->ok());
    const std::string message = both->error->message();
    EXPECT_NE(message.find(main_frame(1, 5).string()), std::string::npos) << message;
    EXPECT_NE(message.find(float_frame(5).string()), std::string::npos) << message;
    const LoaderStats s = loader.stats();
    EXPECT_EQ(s.failed_loads, 3u);
    EXPECT_EQ(s.failed_files, 3u);
}

TEST_F(LoaderPoolTest, RequestsBehindThePlayPositionAreDroppedBeforeDecoding) {
    FrameFifo fifo(8);
    BufferPool pool(16);
    LoaderOptions o = options(2);
    o.late_window = 10;
    LoaderPool loader(catalog(), fifo, pool, o);
    loader.set_play_position(100);
    ASSERT_EQ(loader.try_request({PairKey{50, 0, 0}, 0}), RequestResult::kQueued);
    ASSERT_EQ(loader.try_request({PairKey{89, 0, 0}, 1}), RequestResult::kQueued);
    ASSERT_EQ(loader.try_request({PairKey{90, 0, 0}, 2}), RequestResult::kQueued);  // just in
    ASSERT_EQ(loader.try_request({PairKey{130, 0, 0}, 3}), RequestResult::kQueued);  // ahead
    ASSERT_TRUE(wait_until([&] {
        const LoaderStats s = loader.stats();
        return s.late_dropped + s.pairs_loaded == 4 && s.in_flight == 0;
    })) << "requests never finished";
    const LoaderStats s = loader.stats();
    EXPECT_EQ(s.late_dropped, 2u);
    EXPECT_EQ(s.pairs_loaded, 2u);
    EXPECT_EQ(s.decodes, 4u) << "late requests must not be decoded";
    EXPECT_EQ(fifo.stats().pushed, 2u);
    EXPECT_TRUE(fifo.contains({90, 0, 0}));
    EXPECT_TRUE(fifo.contains({130, 0, 0}));
    EXPECT_EQ(pool.stats().allocations, 4u);
}

TEST_F(LoaderPoolTest, BusyWhenMaxInFlightPairsArePending) {
    // Hold every pool buffer so queued pairs cannot finish. One worker, so the two buffers
    // serve the pairs strictly in order once they are free (with two workers, each could hold
    // one half of a different pair and wait for the other half's buffer).
    BufferPool pool(2);
    auto a = pool.wait_acquire(16, 1s);
    auto b = pool.wait_acquire(16, 1s);
    ASSERT_TRUE(a && b);
    FrameFifo fifo(8);
    LoaderOptions o = options(1, 3);
    o.decoder.pool_timeout = kHangGuard;
    LoaderPool loader(catalog(), fifo, pool, o);
    for (std::int64_t i = 0; i < 3; ++i) {
        ASSERT_EQ(loader.try_request({PairKey{i, 0, 0}, static_cast<std::size_t>(i)}),
                  RequestResult::kQueued);
    }
    EXPECT_EQ(loader.try_request({PairKey{3, 0, 0}, 3}), RequestResult::kBusy);
    EXPECT_EQ(loader.try_request({PairKey{4, 0, 0}, 4}), RequestResult::kBusy);
    LoaderStats s = loader.stats();
    EXPECT_EQ(s.busy, 2u);
    EXPECT_EQ(s.requested, 3u);
    EXPECT_EQ(s.in_flight, 3u);

    // Free the buffers: the pending pairs complete, one after another as they are taken.
    a.reset();
    b.reset();
    for (std::int64_t i = 0; i < 3; ++i) {
        auto pair = take_when_queued(fifo, {i, 0, 0});
        ASSERT_TRUE(pair.has_value()) << "pair " << i;
        EXPECT_TRUE(pair->ok());
    }
    ASSERT_TRUE(wait_until([&] { return loader.stats().in_flight == 0; }));
    EXPECT_EQ(loader.try_request({PairKey{3, 0, 0}, 3}), RequestResult::kQueued);
}

TEST_F(LoaderPoolTest, DefaultsToTwoPendingPairsPerWorkerPlusTwo) {
    FrameFifo fifo(4);
    BufferPool pool(8);
    LoaderPool loader(catalog(), fifo, pool, options(3));
    EXPECT_EQ(loader.workers(), 3);
    EXPECT_EQ(loader.stats().workers, 3);
    EXPECT_EQ(loader.max_in_flight(), 8u);
}

TEST_F(LoaderPoolTest, OutOfRangeRequestsAreInvalid) {
    FrameFifo fifo(4);
    BufferPool pool(8);
    LoaderPool loader(catalog(), fifo, pool, options(1));
    const LoadRequest bad[] = {
        {PairKey{0, 0, 0}, kFrames},       // frame == frame_count
        {PairKey{0, 0, 0}, 1000},
        {PairKey{0, 2, 0}, 0},             // two main folders: 0 and 1
        {PairKey{0, -1, 0}, 0},
        {PairKey{0, 0, 1}, 0},             // one float folder
        {PairKey{0, 0, -1}, 0},
    };
    for (const auto& r : bad) EXPECT_EQ(loader.try_request(r), RequestResult::kInvalid);
    const LoaderStats s = loader.stats();
    EXPECT_EQ(s.invalid, std::size(bad));
    EXPECT_EQ(s.requested, 0u);
    EXPECT_EQ(s.in_flight, 0u);
}

TEST_F(LoaderPoolTest, StoppedPoolRefusesRequests) {
    FrameFifo fifo(4);
    BufferPool pool(8);
    LoaderPool loader(catalog(), fifo, pool, options(1));
    loader.stop();
    loader.stop();  // idempotent
    EXPECT_EQ(loader.try_request({PairKey{0, 0, 0}, 0}), RequestResult::kStopped);
}

TEST(LoaderPool, DefaultWorkersAreAtLeastOneAndCappedAt16) {
    int previous = 0;
    for (unsigned threads = 0; threads <= 64; ++threads) {
        const int workers = LoaderPool::default_workers(threads);
        EXPECT_GE(workers, 1) << threads;
        EXPECT_LE(workers, 16) << threads;
        EXPECT_GE(workers, previous) << "more cores never mean fewer workers";
        previous = workers;
    }
    EXPECT_EQ(LoaderPool::default_workers(64), 16);
}

// One scheduler thread (try_request and set_play_position, as the contract wants), four
// workers and a consumer taking from the FIFO at the same time, with folder switches making
// stale pairs, a jump of the play position making late requests, and one broken file making
// failed pairs.
TEST_F(LoaderPoolTest, SchedulerWorkersAndConsumerRunConcurrently) {
    test::write_text(main_frame(1, 3), "broken");
    constexpr std::int64_t kPairs = 600;
    constexpr std::int64_t kTolerance = 6;
    FrameFifo fifo(12);
    BufferPool pool(BufferPool::buffers_for_fifo(12, 4));
    LoaderOptions o = options(4, 10);
    o.late_window = 8;
    LoaderPool loader(catalog(), fifo, pool, o);
    auto folder_of = [](std::int64_t index) { return static_cast<int>((index / 40) % 2); };

    std::atomic<std::int64_t> scheduled{0};
    std::atomic<bool> scheduling{true};
    std::atomic<int> wrong_pixels{0};
    std::atomic<int> unnamed_failures{0};
    std::atomic<std::uint64_t> taken{0};

    std::thread scheduler([&] {
        for (std::int64_t index = 0; index < kPairs; ++index) {
            const LoadRequest r{PairKey{index, folder_of(index), 0},
                                static_cast<std::size_t>(index % kFrames)};
            // Indices 200..259 play 20 ahead of what is requested: those requests are late.
            loader.set_play_position(index >= 200 && index < 260 ? index + 20 : index - 4);
            const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
            while (loader.try_request(r) == RequestResult::kBusy &&
                   std::chrono::steady_clock::now() < deadline) {
                std::this_thread::yield();
            }
            scheduled.store(index + 1);
        }
        scheduling.store(false);
    });
    std::thread consumer([&] {
        const auto deadline = std::chrono::steady_clock::now() + kHangGuard;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::int64_t wanted = std::max<std::int64_t>(0, scheduled.load() - 3);
            auto pair = fifo.wait_take_nearest({wanted, folder_of(wanted), 0}, kTolerance, 2ms);
            if (pair) {
                taken.fetch_add(1);
                const int folder = pair->key.main_folder;
                if (pair->ok()) {
                    const auto frame = static_cast<std::size_t>(pair->key.index % kFrames);
                    if (pair->frame != frame ||
                        !layer_is(pair->main, folder == 0 ? main0_ : main1_, frame) ||
                        !layer_is(pair->overlay, float0_, frame)) {
                        wrong_pixels.fetch_add(1);
                    }
                } else if (pair->error->subject != main_frame(1, 3).string()) {
                    unnamed_failures.fetch_add(1);
                }
            } else if (!scheduling.load() && loader.stats().in_flight == 0 &&
                       fifo.stats().depth == 0) {
                break;
            }
        }
    });
    scheduler.join();
    consumer.join();
    const auto stop_start = std::chrono::steady_clock::now();
    loader.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 5s);

    EXPECT_EQ(wrong_pixels.load(), 0) << "a pair mixed frames or folders";
    EXPECT_EQ(unnamed_failures.load(), 0);
    const LoaderStats s = loader.stats();
    const FifoStats f = fifo.stats();
    EXPECT_GT(taken.load(), 0u);
    EXPECT_EQ(f.hits, taken.load());
    // Every pair the workers finished went into the FIFO, and every request was accounted for.
    EXPECT_EQ(f.pushed, s.pairs_loaded + s.pairs_failed);
    EXPECT_EQ(f.pushed, f.depth + f.hits + f.dropped + f.stale_evicted + f.late_evicted);
    EXPECT_EQ(s.requested, static_cast<std::uint64_t>(kPairs));
    EXPECT_EQ(s.pairs_loaded + s.pairs_failed + s.late_dropped, s.requested);
    EXPECT_GT(s.late_dropped, 0u);
    EXPECT_GT(s.pairs_failed, 0u);
    EXPECT_EQ(s.failed_files, 1u);
    EXPECT_EQ(s.failed_loads, s.pairs_failed);
    EXPECT_EQ(s.invalid, 0u);
    fifo.clear();
    EXPECT_EQ(pool.stats().in_use, 0u) << "buffers leaked";
}

// Large frames and a full queue: stop() must discard what is pending, finish quickly and give
// every buffer back. Repeated, with the destructor doing the stopping half of the time.
TEST(LoaderPoolStop, StopWhileBusyReturnsPromptlyAndLeaksNoBuffers) {
    test::TempDir dir;
    test::ContentTree tree(dir.path());
    const FolderSpec big{.frames = 8, .format = FrameFormat::kSbsJpeg, .width_px = 640, .height_px = 360};
    tree.add_main("0_big", big);
    tree.add_float("255_big", {.frames = 8, .format = FrameFormat::kPng, .width_px = 640, .height_px = 360});
    const ScanReport report = scan_catalog(dir.path());
    ASSERT_TRUE(report.ok()) << report.error->message();

    FrameFifo fifo(8);
    BufferPool pool(BufferPool::buffers_for_fifo(8, 4));
    for (int round = 0; round < 20; ++round) {
        SCOPED_TRACE(round);
        auto loader = std::make_unique<LoaderPool>(
            report.catalog, fifo, pool, LoaderOptions{.workers = 4, .max_in_flight = 32});
        int queued = 0;
        for (std::int64_t i = 0; i < 64; ++i) {
            if (loader->try_request({PairKey{i, 0, 0}, static_cast<std::size_t>(i % 8)}) ==
                RequestResult::kQueued) {
                ++queued;
            }
        }
        EXPECT_GT(queued, 0);
        if (round % 3 == 1) {
            // Stop mid-decode, too: once a worker holds a buffer, decoding has begun.
            ASSERT_TRUE(wait_until([&] { return pool.stats().in_use > 0; }))
                << "no decode ever started";
        }
        const auto start = std::chrono::steady_clock::now();
        if (round % 2 == 0) {
            loader->stop();
        }
        loader.reset();  // the destructor stops (again, harmlessly, on even rounds)
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "stop() hung";
        fifo.clear();
        const BufferPoolStats s = pool.stats();
        EXPECT_EQ(s.in_use, 0u) << "buffers leaked";
        EXPECT_LE(s.live_buffers, s.max_buffers);
    }
}

// [SECTION] One worker after a bad file: every good pair still loads

// The main layer's format, and the damage done to its frame 2 after the scan (kWrongSize: a
// good file of another size than its folder's).
using BadFrameParam = std::tuple<FrameFormat, int>;
constexpr int kWrongSize = static_cast<int>(std::size(test::kAllDamages));

class LoaderPoolBadFrame : public ::testing::TestWithParam<BadFrameParam> {};

TEST_P(LoaderPoolBadFrame, OneWorkerLoadsEveryGoodPairAndCountsTheFileOnce) {
    const auto [format, damage] = GetParam();
    constexpr int kFrameCount = 6;
    constexpr std::size_t kBad = 2;
    test::TempDir dir;
    test::ContentTree tree(dir.path());
    const FolderSpec main{.frames = kFrameCount, .format = format, .seed = 0};
    // SBS JPEG floats: the one worker decodes a JPEG right after every main frame.
    const FolderSpec overlay{.frames = kFrameCount, .format = FrameFormat::kSbsJpeg, .seed = 1};
    tree.add_main("0_main", main);
    tree.add_float("255_float", overlay);
    const ScanReport report = scan_catalog(dir.path());
    ASSERT_TRUE(report.ok()) << report.error->message();
    const fs::path bad = report.catalog.main_folders.at(0).frame_path(kBad);
    ErrorCode code = ErrorCode::kBadFormat;
    if (damage == kWrongSize) {
        FolderSpec other = main;
        other.width_px += 8;
        test::write_folder(dir / "other", other);
        fs::copy_file(dir / "other" / test::frame_name(other, kBad), bad,
                      fs::copy_options::overwrite_existing);
        code = ErrorCode::kWrongSize;
    } else {
        const test::Damage d = test::kAllDamages[damage];
        test::write_file(bad, test::damaged(test::read_file(bad), d));
        if (d == test::Damage::kAbsurdSize) code = ErrorCode::kTooLarge;
    }

    FrameFifo fifo(4 * kFrameCount);
    BufferPool pool(BufferPool::buffers_for_fifo(4 * kFrameCount, 1));
    LoaderPool loader(report.catalog, fifo, pool, LoaderOptions{.workers = 1});
    constexpr int kRounds = 2;  // the bad file is met twice, and counted once
    for (std::int64_t index = 0; index < kRounds * kFrameCount; ++index) {
        const LoadRequest request{PairKey{index, 0, 0},
                                  static_cast<std::size_t>(index % kFrameCount)};
        ASSERT_TRUE(wait_until(
            [&] { return loader.try_request(request) == RequestResult::kQueued; }))
            << "request " << index << " was never accepted";
        auto pair = take_when_queued(fifo, request.key);
        ASSERT_TRUE(pair.has_value()) << "pair " << index << " never arrived";
        if (request.frame == kBad) {
            ASSERT_FALSE(pair->ok());
            EXPECT_EQ(pair->error->code, code) << pair->error->message();
            EXPECT_EQ(pair->error->subject, bad.string());
            continue;
        }
        ASSERT_TRUE(pair->ok()) << "pair " << index << ": " << pair->error->message();
        EXPECT_TRUE(layer_is(pair->main, main, request.frame)) << "pair " << index;
        EXPECT_TRUE(layer_is(pair->overlay, overlay, request.frame)) << "pair " << index;
    }
    const LoaderStats s = loader.stats();
    EXPECT_EQ(s.failed_files, 1u);
    EXPECT_EQ(s.failed_loads, static_cast<std::uint64_t>(kRounds));
    EXPECT_EQ(s.pairs_failed, static_cast<std::uint64_t>(kRounds));
    EXPECT_EQ(s.pairs_loaded, static_cast<std::uint64_t>(kRounds * (kFrameCount - 1)));
    loader.stop();
    EXPECT_EQ(pool.stats().in_use, 0u);
}

std::string bad_frame_name(const ::testing::TestParamInfo<BadFrameParam>& info) {
    const auto [format, damage] = info.param;
    const char* f = format == FrameFormat::kSbsJpeg ? "SbsJpeg"
                    : format == FrameFormat::kWebp  ? "Webp"
                                                    : "Png";
    std::string d = damage == kWrongSize ? "wrong-size"
                                         : std::string(test::to_string(test::kAllDamages[damage]));
    std::erase(d, '-');
    return std::string(f) + "_" + d;
}

INSTANTIATE_TEST_SUITE_P(LoaderPool, LoaderPoolBadFrame,
                         ::testing::Combine(::testing::Values(FrameFormat::kSbsJpeg,
                                                              FrameFormat::kWebp,
                                                              FrameFormat::kPng),
                                            ::testing::Range(0, kWrongSize + 1)),
                         bad_frame_name);

TEST_F(LoaderPoolTest, CreateAndStopManyTimes) {
    FrameFifo fifo(4);
    BufferPool pool(12);
    for (int round = 0; round < 30; ++round) {
        LoaderPool loader(catalog(), fifo, pool, options(1 + round % 4));
        (void)loader.try_request({PairKey{round, 0, 0}, static_cast<std::size_t>(round % kFrames)});
        if (round % 5 == 0) {
            EXPECT_TRUE(take_when_queued(fifo, {round, 0, 0}).has_value());
        }
    }
    fifo.clear();
    EXPECT_EQ(pool.stats().in_use, 0u);
}

}  // namespace
}  // namespace interleave::loader
