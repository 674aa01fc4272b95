// ASCII converter benchmarks on one core: a decoded 1080p photograph to 160x60 cells in 256
// colours (convert alone, convert + encode_full, half blocks), against libchafa 1.12 on the
// same frame (one thread, INDEXED_256, ASCII symbols and default symbols); and the mean
// bytes per frame of encode_diff over a slow pan and over the bundled sample's frames.
// Thread: the benchmark main thread.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <turbojpeg.h>
#ifdef INTERLEAVE_HAVE_CHAFA
#include <chafa.h>
#endif

#include "bench/bench_support.hpp"
#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::bench {
namespace {

namespace ascii = renderer::ascii;
using renderer::cpu::RgbaView;

constexpr int kWidth = 1920;
constexpr int kHeight = 1080;
constexpr int kCols = 160;
constexpr int kRows = 60;

struct Frame {
    Rgba image;
    std::string source;  // "photo" or "synthetic"
    [[nodiscard]] RgbaView view() const {
        return {image.pixels.data(), image.width, image.height, image.width * 4};
    }
};

// A smooth colour gradient with +-8 noise, when no photograph is installed.
Rgba synthetic(int width, int height) {
    Rgba out{width, height,
             std::vector<std::uint8_t>(static_cast<std::size_t>(width) * height * 4)};
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> noise(-8, 8);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::uint8_t* p = &out.pixels[(static_cast<std::size_t>(y) * width + x) * 4];
            const int v[3] = {x * 255 / width, y * 255 / height,
                              255 - (x + y) * 255 / (width + height)};
            for (int c = 0; c < 3; ++c)
                p[c] = static_cast<std::uint8_t>(std::clamp(v[c] + noise(rng), 0, 255));
            p[3] = 255;
        }
    }
    return out;
}

Frame load(int width, int height) {
    std::string error;
    Frame f{load_photo(width, height, error), "photo"};
    if (f.image.pixels.empty()) f = {synthetic(width, height), "synthetic"};
    return f;
}

const Frame& frame_1080p() {
    static const Frame f = load(kWidth, kHeight);
    return f;
}
// Wider than 1080p, for the pan: 1080 rows of 1920 + 240 columns.
const Frame& frame_wide() {
    static const Frame f = load(kWidth + 240, kHeight);
    return f;
}

ascii::AsciiOptions options_256(bool half_block = false) {
    ascii::AsciiOptions o;  // the original's look: blur 7, saturation 0.9, value x1.4, ...
    o.cols = kCols;
    o.rows = kRows;
    o.color = ascii::ColorMode::k256;
    o.half_block = half_block;
    return o;
}

// Bytes of our full frame for the 1080p frame (for the chafa cases' byte ratio).
std::size_t our_full_bytes() {
    static const std::size_t n = [] {
        ascii::AsciiConverter converter(options_256());
        ascii::TextFrame text;
        std::string out;
        converter.convert(frame_1080p().view(), text);
        ascii::encode_full(text, out, true);
        return out.size();
    }();
    return n;
}

void set_rate(benchmark::State& state, double bytes) {
    state.counters["fps"] =
        benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    if (bytes > 0) state.counters["bytes_per_frame"] = bytes;
}

void BM_AsciiConvert(benchmark::State& state) {
    const Frame& f = frame_1080p();
    ascii::AsciiConverter converter(options_256());
    ascii::TextFrame text;
    // The same frame each time: the hysteresis holds every cell, but convert() does all its
    // work whatever it holds (the hold only replaces levels).
    for (auto _ : state) {
        converter.convert(f.view(), text);
        benchmark::DoNotOptimize(text.cells.data());
    }
    state.SetLabel(f.source);
    set_rate(state, 0);
}
BENCHMARK(BM_AsciiConvert)->Unit(benchmark::kMicrosecond)->UseRealTime();

void convert_encode(benchmark::State& state, bool half_block) {
    const Frame& f = frame_1080p();
    ascii::AsciiConverter converter(options_256(half_block));
    ascii::TextFrame text;
    std::string out;
    for (auto _ : state) {
        converter.convert(f.view(), text);
        ascii::encode_full(text, out, true);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetLabel(f.source);
    set_rate(state, static_cast<double>(out.size()));
}

void BM_AsciiConvertEncodeFull(benchmark::State& state) {
    convert_encode(state, false);
}
BENCHMARK(BM_AsciiConvertEncodeFull)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_AsciiConvertEncodeFullHalfBlock(benchmark::State& state) {
    convert_encode(state, true);
}
BENCHMARK(BM_AsciiConvertEncodeFullHalfBlock)->Unit(benchmark::kMicrosecond)->UseRealTime();

// encode_diff over a sequence: each iteration converts and diffs every frame once; the
// counter is the mean diff bytes per frame (the first frame of the sequence is a full one).
void diff_sequence(benchmark::State& state, const std::vector<RgbaView>& frames,
                   const ascii::AsciiOptions& o, const std::string& label) {
    ascii::AsciiConverter converter(o);
    ascii::TextFrame prev, next;
    std::string out;
    double bytes = 0, full_bytes = 0;
    std::int64_t frames_done = 0;
    for (auto _ : state) {
        converter.set_options(o);
        prev = {};
        for (const RgbaView& v : frames) {
            converter.convert(v, next);
            ascii::encode_diff(prev, next, out, true);
            bytes += static_cast<double>(out.size());
            std::string full;
            ascii::encode_full(next, full, true);
            full_bytes += static_cast<double>(full.size());
            std::swap(prev, next);
            ++frames_done;
        }
    }
    state.SetLabel(label);
    state.counters["fps"] =
        benchmark::Counter(static_cast<double>(frames_done), benchmark::Counter::kIsRate);
    state.counters["diff_bytes_per_frame"] =
        bytes / static_cast<double>(std::max<std::int64_t>(frames_done, 1));
    state.counters["full_bytes_per_frame"] =
        full_bytes / static_cast<double>(std::max<std::int64_t>(frames_done, 1));
}

// A slow pan: 1920x1080 windows of a wider frame, 2 px to the right per frame, 120 frames.
void BM_AsciiDiffPan(benchmark::State& state) {
    const Frame& f = frame_wide();
    std::vector<RgbaView> frames;
    for (int i = 0; i < 120; ++i) {
        frames.push_back({f.image.pixels.data() + static_cast<std::size_t>(2 * i) * 4, kWidth,
                          kHeight, f.image.width * 4});
    }
    diff_sequence(state, frames, options_256(), f.source + " pan 2 px/frame");
}
BENCHMARK(BM_AsciiDiffPan)->Unit(benchmark::kMillisecond)->UseRealTime();

// The bundled sample's main layer (face/1_orbit, the colour half of each SBS JPEG, 480x270)
// in playback order, no float layer composited.
struct Sample {
    std::vector<Rgba> frames;  // each the whole SBS image decoded
};
const Sample& sample() {
    static const Sample s = [] {
        Sample out;
        const std::filesystem::path dir =
            std::filesystem::path(INTERLEAVE_SAMPLE_DIR) / "face" / "1_orbit";
        tjhandle tj = tjInitDecompress();
        for (int i = 0; i < 48; ++i) {
            std::ifstream in(dir / (std::to_string(i) + ".jpg"), std::ios::binary);
            std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
            int w = 0, h = 0, ss = 0, cs = 0;
            if (bytes.empty() ||
                tjDecompressHeader3(tj, bytes.data(), bytes.size(), &w, &h, &ss, &cs) != 0)
                break;
            Rgba img{w, h, std::vector<std::uint8_t>(static_cast<std::size_t>(w) * h * 4)};
            if (tjDecompress2(tj, bytes.data(), bytes.size(), img.pixels.data(), w, w * 4, h,
                              TJPF_RGBA, 0) != 0)
                break;
            out.frames.push_back(std::move(img));
        }
        tjDestroy(tj);
        return out;
    }();
    return s;
}

void BM_AsciiDiffSample(benchmark::State& state) {
    const Sample& s = sample();
    if (s.frames.empty()) return state.SkipWithError("cannot read assets/sample/face/1_orbit");
    std::vector<RgbaView> frames;
    for (const Rgba& img : s.frames) {
        frames.push_back({img.pixels.data(), img.width / 2, img.height, img.width * 4});
    }
    diff_sequence(state, frames, options_256(), "sample face/1_orbit, 48 frames");
}
BENCHMARK(BM_AsciiDiffSample)->Unit(benchmark::kMillisecond)->UseRealTime();

#ifdef INTERLEAVE_HAVE_CHAFA
// libchafa: canvas 160x60, INDEXED_256, one thread; draw the 1080p frame and print it.
void chafa_case(benchmark::State& state, bool ascii_symbols) {
    const Frame& f = frame_1080p();
    chafa_set_n_threads(1);
    ChafaCanvasConfig* config = chafa_canvas_config_new();
    chafa_canvas_config_set_geometry(config, kCols, kRows);
    chafa_canvas_config_set_canvas_mode(config, CHAFA_CANVAS_MODE_INDEXED_256);
    ChafaSymbolMap* map = nullptr;
    if (ascii_symbols) {
        map = chafa_symbol_map_new();
        chafa_symbol_map_add_by_tags(map, CHAFA_SYMBOL_TAG_ASCII);
        chafa_canvas_config_set_symbol_map(config, map);
    }
    ChafaCanvas* canvas = chafa_canvas_new(config);
    std::size_t bytes = 0;
    for (auto _ : state) {
        chafa_canvas_draw_all_pixels(canvas, CHAFA_PIXEL_RGBA8_UNASSOCIATED, f.image.pixels.data(),
                                     f.image.width, f.image.height, f.image.width * 4);
        GString* gs = chafa_canvas_print(canvas, nullptr);
        bytes = gs->len;
        benchmark::DoNotOptimize(gs->str);
        g_string_free(gs, TRUE);
    }
    chafa_canvas_unref(canvas);
    if (map) chafa_symbol_map_unref(map);
    chafa_canvas_config_unref(config);
    state.SetLabel(f.source);
    set_rate(state, static_cast<double>(bytes));
    state.counters["bytes_vs_ours"] =
        static_cast<double>(bytes) / static_cast<double>(our_full_bytes());
}

void BM_ChafaAsciiSymbols(benchmark::State& state) {
    chafa_case(state, true);
}
BENCHMARK(BM_ChafaAsciiSymbols)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_ChafaDefaultSymbols(benchmark::State& state) {
    chafa_case(state, false);
}
BENCHMARK(BM_ChafaDefaultSymbols)->Unit(benchmark::kMicrosecond)->UseRealTime();

const bool kRatios = [] {
    add_ratio("ascii convert+encode_full vs chafa ASCII symbols",
              "BM_AsciiConvertEncodeFull/real_time", "BM_ChafaAsciiSymbols/real_time");
    add_ratio("ascii convert+encode_full vs chafa default symbols",
              "BM_AsciiConvertEncodeFull/real_time", "BM_ChafaDefaultSymbols/real_time");
    add_ratio("ascii half blocks vs chafa default symbols",
              "BM_AsciiConvertEncodeFullHalfBlock/real_time", "BM_ChafaDefaultSymbols/real_time");
    return true;
}();
#endif

}  // namespace
}  // namespace interleave::bench
