// Bench helpers: photo loading, SBS JPEG encoding, and the ratio-printing main.
#include "bench/bench_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <utility>

#include <benchmark/benchmark.h>
#include <libyuv/scale_argb.h>
#include <turbojpeg.h>

namespace interleave::bench {
namespace {

struct Ratio {
    std::string label, faster, baseline;
};
std::vector<Ratio>& ratios() {
    static std::vector<Ratio> r;
    return r;
}

// Console output as usual, plus the real time of every run, for the ratios.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& run : runs) {
            if (run.error_occurred) continue;
            if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
            times_[run.run_name.str()] = run.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        for (const Ratio& r : ratios()) {
            const auto f = times_.find(r.faster);
            const auto b = times_.find(r.baseline);
            if (f == times_.end() || b == times_.end() || f->second <= 0) continue;
            std::printf("ratio  %-58s %6.2fx  (%s vs %s)\n", r.label.c_str(),
                        b->second / f->second, r.faster.c_str(), r.baseline.c_str());
        }
    }

private:
    std::map<std::string, double> times_;
};

}  // namespace

void add_ratio(std::string label, std::string faster, std::string baseline) {
    ratios().push_back({std::move(label), std::move(faster), std::move(baseline)});
}

Rgba load_photo(int width, int height, std::string& error) {
    const char* env = std::getenv("INTERLEAVE_BENCH_PHOTO");
    const std::string path = env ? env : "/usr/share/backgrounds/mate/nature/Garden.jpg";
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.empty()) {
        error = path + ": cannot read the photo (install mate-backgrounds or set "
                       "INTERLEAVE_BENCH_PHOTO to a JPEG photograph)";
        return {};
    }
    tjhandle tj = tjInitDecompress();
    int w = 0, h = 0, ss = 0, cs = 0;
    Rgba src;
    if (tjDecompressHeader3(tj, bytes.data(), bytes.size(), &w, &h, &ss, &cs) == 0) {
        src.width = w;
        src.height = h;
        src.pixels.resize(static_cast<std::size_t>(w) * h * 4);
        if (tjDecompress2(tj, bytes.data(), bytes.size(), src.pixels.data(), w, w * 4, h,
                          TJPF_RGBA, 0) != 0) {
            src = {};
        }
    }
    if (src.pixels.empty()) error = path + ": " + tjGetErrorStr2(tj);
    tjDestroy(tj);
    if (src.pixels.empty()) return {};
    // Scale to cover, then crop the centre.
    const double s = std::max(static_cast<double>(width) / src.width,
                              static_cast<double>(height) / src.height);
    Rgba scaled;
    scaled.width = std::max(width, static_cast<int>(std::ceil(src.width * s)));
    scaled.height = std::max(height, static_cast<int>(std::ceil(src.height * s)));
    scaled.pixels.resize(static_cast<std::size_t>(scaled.width) * scaled.height * 4);
    libyuv::ARGBScale(src.pixels.data(), src.width * 4, src.width, src.height,
                      scaled.pixels.data(), scaled.width * 4, scaled.width, scaled.height,
                      libyuv::kFilterBox);
    Rgba out;
    out.width = width;
    out.height = height;
    out.pixels.resize(static_cast<std::size_t>(width) * height * 4);
    const int x0 = (scaled.width - width) / 2;
    const int y0 = (scaled.height - height) / 2;
    for (int y = 0; y < height; ++y) {
        std::copy_n(scaled.pixels.data() + (static_cast<std::size_t>(y + y0) * scaled.width + x0) * 4,
                    static_cast<std::size_t>(width) * 4,
                    out.pixels.data() + static_cast<std::size_t>(y) * width * 4);
    }
    return out;
}

std::vector<std::uint8_t> make_sbs_jpeg(const Rgba& photo, int quality) {
    const int w = photo.width;
    const int h = photo.height;
    std::vector<unsigned char> sbs(static_cast<std::size_t>(w) * 2 * h * 4);
    for (int y = 0; y < h; ++y) {
        unsigned char* row = sbs.data() + static_cast<std::size_t>(y) * w * 8;
        std::copy_n(photo.pixels.data() + static_cast<std::size_t>(y) * w * 4,
                    static_cast<std::size_t>(w) * 4, row);
        for (int x = 0; x < w; ++x) {
            const double dx = (x - w * 0.5) / (w * 0.38);
            const double dy = (y - h * 0.5) / (h * 0.42);
            const double a = std::clamp((1.15 - std::sqrt(dx * dx + dy * dy)) / 0.3, 0.0, 1.0);
            unsigned char* px = row + (static_cast<std::size_t>(w) + x) * 4;
            px[0] = px[1] = px[2] = static_cast<unsigned char>(std::lround(a * 255));
            px[3] = 255;
        }
    }
    tjhandle tj = tjInitCompress();
    unsigned char* jpeg = nullptr;
    unsigned long size = 0;
    std::vector<std::uint8_t> out;
    if (tjCompress2(tj, sbs.data(), w * 2, w * 8, h, TJPF_RGBA, &jpeg, &size, TJSAMP_420, quality,
                    0) == 0) {
        out.assign(jpeg, jpeg + size);
    }
    tjFree(jpeg);
    tjDestroy(tj);
    return out;
}

}  // namespace interleave::bench

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
    interleave::bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
