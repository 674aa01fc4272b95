// Tests for app::FrameRecorder: PNGs and JSON lines on disk, drops counted when the writer
// falls behind, errors that name the path.
#include "app/sinks/frame_recorder.hpp"

#include <gtest/gtest.h>

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

FrameView view_of(const std::vector<std::uint8_t>& rgba, int w, int h, std::int64_t index) {
    return FrameView{rgba.data(), w, h, index, static_cast<std::size_t>(index % 5),
                     "face/0_a/" + std::to_string(index) + ".jpg",
                     "float/255_b/" + std::to_string(index) + ".webp"};
}

TEST(FrameRecorder, WritesEachFrameAsPngWithAJsonLine) {
    test::TempDir dir;
    auto recorder = FrameRecorder::create(dir / "rec");
    ASSERT_TRUE(recorder) << recorder.error().message();
    std::vector<std::vector<std::uint8_t>> frames;
    for (int i = 0; i < 3; ++i) frames.push_back(pattern(7, 5, i));
    for (int i = 0; i < 3; ++i) {
        // Wait for room rather than race the writer: the queue holds 4.
        ASSERT_TRUE((*recorder)->try_submit(view_of(frames[i], 7, 5, 40 + i)));
    }
    (*recorder)->stop();
    const RecorderStats s = (*recorder)->stats();
    EXPECT_EQ(s.written, 3u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(s.failed, 0u);

    std::ifstream jsonl(dir / "rec" / "frames.jsonl");
    std::string line;
    int n = 0;
    loader::Decoder decoder;
    loader::BufferPool pool(2);
    while (std::getline(jsonl, line)) {
        const auto j = nlohmann::json::parse(line);
        EXPECT_EQ(j["index"].get<int>(), 40 + n);
        EXPECT_EQ(j["frame"].get<int>(), (40 + n) % 5);
        EXPECT_EQ(j["main"].get<std::string>(), "face/0_a/" + std::to_string(40 + n) + ".jpg");
        EXPECT_EQ(j["float"].get<std::string>(), "float/255_b/" + std::to_string(40 + n) + ".webp");
        const auto png = dir / "rec" / j["file"].get<std::string>();
        auto image = decoder.decode_file(png, loader::LayerEncoding::kPng, pool);
        ASSERT_TRUE(image) << image.error().message();
        ASSERT_EQ(image->width_px, 7);
        ASSERT_EQ(image->height_px, 5);
        EXPECT_TRUE(std::equal(frames[n].begin(), frames[n].end(), image->pixels.data()))
            << "pixels of " << png;
        ++n;
    }
    EXPECT_EQ(n, 3);
}

TEST(FrameRecorder, EverySubmitIsWrittenOrCountedAsDropped) {
    test::TempDir dir;
    auto recorder = FrameRecorder::create(dir / "rec", 1, 9);  // slowest compression
    ASSERT_TRUE(recorder);
    const auto big = pattern(640, 480, 1);
    int accepted = 0;
    for (int i = 0; i < 50; ++i) accepted += (*recorder)->try_submit(view_of(big, 640, 480, i));
    (*recorder)->stop();
    const RecorderStats s = (*recorder)->stats();
    EXPECT_EQ(s.submitted, static_cast<std::uint64_t>(accepted));
    EXPECT_EQ(s.submitted + s.dropped, 50u);
    EXPECT_EQ(s.written, s.submitted) << "everything queued is written at stop";
}

TEST(FrameRecorder, SubmitAfterStopIsRefused) {
    test::TempDir dir;
    auto recorder = FrameRecorder::create(dir / "rec");
    ASSERT_TRUE(recorder);
    (*recorder)->stop();
    const auto px = pattern(2, 2, 0);
    EXPECT_FALSE((*recorder)->try_submit(view_of(px, 2, 2, 0)));
    EXPECT_EQ((*recorder)->stats().dropped, 1u);
}

TEST(FrameRecorder, ADirectoryThatIsAFileIsAnErrorNamingIt) {
    test::TempDir dir;
    test::write_text(dir / "taken", "a file");
    auto recorder = FrameRecorder::create(dir / "taken");
    ASSERT_FALSE(recorder);
    EXPECT_EQ(recorder.error().code, ErrorCode::kIo);
    EXPECT_NE(recorder.error().subject.find("taken"), std::string::npos);
}

}  // namespace
}  // namespace interleave::app
