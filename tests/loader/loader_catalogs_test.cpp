// Tests loader/loader_pool.cpp's catalog generations (content reload): a request decodes from
// the catalog of its key's generation, an unknown or forgotten generation is refused, and a
// forgotten catalog lives on until the pairs in flight for it are finished.
#include "loader/loader_pool.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/content_tree.hpp"
#include "tests/support/image_compare.hpp"
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

std::optional<FramePair> take_when_queued(FrameFifo& fifo, const PairKey& key) {
    if (!wait_until([&] { return fifo.contains(key); })) return std::nullopt;
    return fifo.take_nearest(key, 0);
}

// The layer is the flat colour of `spec`'s frame (lossless formats: exactly).
::testing::AssertionResult layer_is(const LayerImage& layer, const FolderSpec& spec,
                                    std::size_t frame) {
    if (layer.empty()) return ::testing::AssertionFailure() << "layer has no pixels";
    const auto c = test::frame_rgba(spec, frame);
    const test::Image expected =
        test::solid(spec.width_px, spec.height_px, {c[0], c[1], c[2], c[3]});
    return test::rgba_near(layer.pixels.data(), layer.width_px, layer.height_px, expected, 0,
                           "loader-generation-" + std::to_string(frame));
}

class LoaderCatalogsTest : public ::testing::Test {
protected:
    static constexpr int kFrames = 4;
    const FolderSpec first_{.frames = kFrames, .format = FrameFormat::kPng, .seed = 0};
    const FolderSpec added_{.frames = kFrames, .format = FrameFormat::kWebp, .seed = 1};
    const FolderSpec float_{.frames = kFrames, .format = FrameFormat::kPng, .seed = 2};

    void SetUp() override {
        tree_.add_main("0_first", first_);
        tree_.add_float("255_over", float_);
        before_ = scan_catalog(dir_.path());
        ASSERT_TRUE(before_.ok()) << before_.error->message();
        tree_.add_main("1_added", added_);  // what an operator adds while it plays
        ScanReport after = scan_catalog(dir_.path());
        ASSERT_TRUE(after.ok()) << after.error->message();
        ASSERT_EQ(after.catalog.main_folders.size(), 2u);
        after_ = std::make_shared<const Catalog>(std::move(after.catalog));
        LoaderOptions options;
        options.workers = 2;
        loader_.emplace(before_.catalog, fifo_, pool_, options);
    }
    void TearDown() override {
        if (loader_) loader_->stop();
    }

    test::TempDir dir_;
    test::ContentTree tree_{dir_.path()};
    ScanReport before_;
    std::shared_ptr<const Catalog> after_;
    FrameFifo fifo_{16};
    BufferPool pool_{16};
    std::optional<LoaderPool> loader_;
};

TEST_F(LoaderCatalogsTest, RequestDecodesFromTheCatalogOfItsGeneration) {
    // Folder 1 exists only in generation 1's catalog.
    EXPECT_EQ(loader_->try_request({PairKey{0, 1, 0, 0}, 0}), RequestResult::kInvalid);
    EXPECT_EQ(loader_->try_request({PairKey{0, 1, 0, 1}, 0}), RequestResult::kInvalid)
        << "no catalog for generation 1 yet";
    loader_->add_catalog(1, after_);
    const PairKey added{1, 1, 0, 1};
    ASSERT_EQ(loader_->try_request({added, 2}), RequestResult::kQueued);
    const PairKey old_first{2, 0, 0, 0};
    ASSERT_EQ(loader_->try_request({old_first, 3}), RequestResult::kQueued);

    auto pair = take_when_queued(fifo_, added);
    ASSERT_TRUE(pair.has_value());
    ASSERT_TRUE(pair->ok()) << pair->error->message();
    EXPECT_EQ(pair->key.generation, 1u);
    EXPECT_TRUE(layer_is(pair->main, added_, 2));
    EXPECT_TRUE(layer_is(pair->overlay, float_, 2));
    auto old = take_when_queued(fifo_, old_first);
    ASSERT_TRUE(old.has_value());
    ASSERT_TRUE(old->ok()) << old->error->message();
    EXPECT_TRUE(layer_is(old->main, first_, 3));
    EXPECT_EQ(loader_->stats().invalid, 2u);
}

// A pair of the other generation at the same index and folders is stale to the FIFO: never
// taken for the wanted generation, evicted once the index has passed.
TEST_F(LoaderCatalogsTest, FifoNeverGivesAPairOfAnotherGeneration) {
    loader_->add_catalog(1, after_);
    const PairKey old_key{5, 0, 0, 0};
    ASSERT_EQ(loader_->try_request({old_key, 1}), RequestResult::kQueued);
    ASSERT_TRUE(wait_until([&] { return fifo_.contains(old_key); }));
    const PairKey new_key{5, 0, 0, 1};
    EXPECT_FALSE(fifo_.take_nearest(new_key, 10).has_value());
    EXPECT_FALSE(fifo_.contains(old_key)) << "behind or at the wanted index: evicted as stale";
    EXPECT_EQ(fifo_.stats().stale_evicted, 1u);
}

TEST_F(LoaderCatalogsTest, ForgottenCatalogStaysAliveUntilItsPairsInFlightAreDone) {
    std::weak_ptr<const Catalog> watch = after_;
    loader_->add_catalog(1, std::move(after_));  // the loader holds the only reference
    const PairKey in_flight{0, 1, 0, 1};
    ASSERT_EQ(loader_->try_request({in_flight, 0}), RequestResult::kQueued);
    loader_->forget_catalogs_before(2);
    EXPECT_EQ(loader_->try_request({PairKey{1, 1, 0, 1}, 1}), RequestResult::kInvalid)
        << "a forgotten generation is refused";
    EXPECT_EQ(loader_->try_request({PairKey{1, 0, 0, 0}, 1}), RequestResult::kInvalid);

    auto pair = take_when_queued(fifo_, in_flight);
    ASSERT_TRUE(pair.has_value());
    ASSERT_TRUE(pair->ok()) << pair->error->message();
    EXPECT_TRUE(layer_is(pair->main, added_, 0));
    // The slot lets go of the catalog when the pair is finished (in_flight back to 0).
    ASSERT_TRUE(wait_until([&] { return loader_->stats().in_flight == 0; }));
    EXPECT_TRUE(watch.expired()) << "nothing holds the forgotten catalog any more";
}

// Replacing a generation's catalog: later requests use the new one.
TEST_F(LoaderCatalogsTest, AddingAGenerationAgainReplacesItsCatalog) {
    loader_->add_catalog(1, after_);
    auto only_first = std::make_shared<const Catalog>(before_.catalog);
    loader_->add_catalog(1, only_first);
    EXPECT_EQ(loader_->try_request({PairKey{0, 1, 0, 1}, 0}), RequestResult::kInvalid);
    EXPECT_EQ(loader_->try_request({PairKey{0, 0, 0, 1}, 0}), RequestResult::kQueued);
}

}  // namespace
}  // namespace interleave::loader
