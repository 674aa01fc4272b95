// Tests for app::FrameRecorder on the FrameHub: PNGs and JSON lines on disk, every K-th shown
// frame, drops counted when the writer falls behind (or the hub has no buffer), what the port
// holds written at stop, errors that name the path.
#include "app/sinks/frame_recorder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loader/decoder.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::app {
namespace {

std::vector<std::uint8_t> pattern(int w, int h, int seed) {
    std::vector<std::uint8_t> rgba(static_cast<std::size_t>(w) * h * 4);
    for (std::size_t i = 0; i < rgba.size(); ++i) {
        rgba[i] = static_cast<std::uint8_t>(i % 4 == 3 ? 255 : (i * 7 + seed * 31) % 256);
    }
    return rgba;
}

// Publishes shown frame `shown` (index 40 + shown) with `rgba` as its pixels, as the render loop
// does: only when a port wants it, and only when the pool has a buffer. True when published.
bool publish(FrameHub& hub, const std::vector<std::uint8_t>& rgba, int w, int h,
             std::uint64_t shown) {
    if (!hub.wanted(shown)) return false;
    auto frame = hub.try_acquire(w, h);
    if (!frame) return false;
    std::memcpy(frame->pixels.data(), rgba.data(), rgba.size());
    const auto index = static_cast<std::int64_t>(40 + shown);
    frame->index = index;
    frame->frame = static_cast<std::size_t>(index % 5);
    frame->main_file = "face/0_a/" + std::to_string(index) + ".jpg";
    frame->float_file = "float/255_b/" + std::to_string(index) + ".webp";
    frame->shown = shown;
    hub.publish(std::move(frame));
    return true;
}

std::vector<nlohmann::json> lines_of(const std::filesystem::path& jsonl) {
    std::vector<nlohmann::json> lines;
    std::ifstream in(jsonl);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
}

TEST(FrameRecorder, WritesEachFrameAsPngWithAJsonLine) {
    test::TempDir dir;
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "rec", hub);
    ASSERT_TRUE(recorder) << recorder.error().message();
    std::vector<std::vector<std::uint8_t>> frames;
    for (int i = 0; i < 3; ++i) frames.push_back(pattern(7, 5, i));
    // The queue holds 4: three frames fit whatever the writer's pace.
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(publish(hub, frames[i], 7, 5, i));
    hub.close_all();
    (*recorder)->stop();
    const RecorderStats s = (*recorder)->stats_after(3);
    EXPECT_EQ(s.submitted, 3u);
    EXPECT_EQ(s.written, 3u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(s.failed, 0u);

    loader::Decoder decoder;
    loader::BufferPool pool(2);
    const auto lines = lines_of(dir / "rec" / "frames.jsonl");
    ASSERT_EQ(lines.size(), 3u);
    for (int n = 0; n < 3; ++n) {
        const auto& j = lines[static_cast<std::size_t>(n)];
        EXPECT_EQ(j["file"].get<std::string>(), fmt::format("{:06}.png", n));
        EXPECT_EQ(j["index"].get<int>(), 40 + n);
        EXPECT_EQ(j["frame"].get<int>(), (40 + n) % 5);
        EXPECT_EQ(j["main"].get<std::string>(), "face/0_a/" + std::to_string(40 + n) + ".jpg");
        EXPECT_EQ(j["float"].get<std::string>(), "float/255_b/" + std::to_string(40 + n) + ".webp");
        EXPECT_EQ(j.size(), 5u) << j.dump();
        const auto png = dir / "rec" / j["file"].get<std::string>();
        auto image = decoder.decode_file(png, loader::LayerEncoding::kPng, pool);
        ASSERT_TRUE(image) << image.error().message();
        ASSERT_EQ(image->width_px, 7);
        ASSERT_EQ(image->height_px, 5);
        EXPECT_TRUE(std::equal(frames[n].begin(), frames[n].end(), image->pixels.data()))
            << "pixels of " << png;
    }
}

TEST(FrameRecorder, RecordEveryKTakesOnlyEveryKthShownFrame) {
    test::TempDir dir;
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "rec", hub, 3);
    ASSERT_TRUE(recorder);
    const auto px = pattern(4, 4, 1);
    int published = 0;
    for (std::uint64_t shown = 0; shown < 9; ++shown) published += publish(hub, px, 4, 4, shown);
    EXPECT_EQ(published, 3) << "only shown frames 0, 3 and 6 are captured at all";
    hub.close_all();
    (*recorder)->stop();
    const auto lines = lines_of(dir / "rec" / "frames.jsonl");
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0]["index"].get<int>(), 40);
    EXPECT_EQ(lines[1]["index"].get<int>(), 43);
    EXPECT_EQ(lines[2]["index"].get<int>(), 46);
    EXPECT_EQ((*recorder)->stats_after(9).dropped, 0u);
    EXPECT_EQ((*recorder)->stats_after(9).written, 3u);
}

TEST(FrameRecorder, EveryDueFrameIsWrittenOrCountedAsDropped) {
    test::TempDir dir;
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "rec", hub, 1, 1, 9);  // slowest compression
    ASSERT_TRUE(recorder);
    const auto big = pattern(640, 480, 1);
    // Faster than the writer: the port's queue of one overflows, and the hub's pool runs dry
    // while the writer holds frames; both are counted.
    for (std::uint64_t shown = 0; shown < 50; ++shown) publish(hub, big, 640, 480, shown);
    hub.close_all();
    (*recorder)->stop();
    const RecorderStats s = (*recorder)->stats_after(50);
    EXPECT_EQ(s.submitted + s.dropped, 50u);
    EXPECT_EQ(s.written, s.submitted) << "everything queued is written at stop";
    EXPECT_EQ(s.failed, 0u);
    EXPECT_EQ(lines_of(dir / "rec" / "frames.jsonl").size(), s.written);
}

TEST(FrameRecorder, StopWritesWhatThePortStillHolds) {
    test::TempDir dir;
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "rec", hub, 1, 4, 9);
    ASSERT_TRUE(recorder);
    const auto big = pattern(320, 240, 2);
    for (std::uint64_t shown = 0; shown < 4; ++shown) ASSERT_TRUE(publish(hub, big, 320, 240, shown));
    (*recorder)->stop();  // without close_all(): stop() closes the port itself
    EXPECT_EQ((*recorder)->stats().written, 4u);
    EXPECT_FALSE(hub.wanted(4)) << "a stopped recorder's port takes nothing more";
    (*recorder)->stop();  // idempotent
}

TEST(FrameRecorder, AFrameAfterStopIsNotCapturedAndCountsAsDropped) {
    test::TempDir dir;
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "rec", hub);
    ASSERT_TRUE(recorder);
    (*recorder)->stop();
    const auto px = pattern(2, 2, 0);
    EXPECT_FALSE(publish(hub, px, 2, 2, 0));
    EXPECT_EQ((*recorder)->stats_after(1).dropped, 1u);
    EXPECT_EQ((*recorder)->stats_after(1).written, 0u);
}

TEST(FrameRecorder, IsASinkNamedRecordWithItsCounters) {
    test::TempDir dir;
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "rec", hub);
    ASSERT_TRUE(recorder);
    RecordSink sink(std::move(*recorder));
    const auto px = pattern(2, 2, 0);
    ASSERT_TRUE(publish(hub, px, 2, 2, 0));
    sink.stop();
    EXPECT_EQ(sink.name(), "record");
    const nlohmann::json j = sink.stats();
    EXPECT_EQ(j.value("written", 0), 1) << j.dump();
    EXPECT_EQ(j["port"].value("offered", 0), 1) << j.dump();
    EXPECT_EQ(j.value("dir", std::string()), (dir / "rec").string());
}

TEST(FrameRecorder, ADirectoryThatIsAFileIsAnErrorNamingIt) {
    test::TempDir dir;
    test::write_text(dir / "taken", "a file");
    FrameHub hub;
    auto recorder = FrameRecorder::create(dir / "taken", hub);
    ASSERT_FALSE(recorder);
    EXPECT_EQ(recorder.error().code, ErrorCode::kIo);
    EXPECT_NE(recorder.error().subject.find("taken"), std::string::npos);
    EXPECT_TRUE(hub.ports().empty()) << "nothing is attached when creation fails";
}

}  // namespace
}  // namespace interleave::app
