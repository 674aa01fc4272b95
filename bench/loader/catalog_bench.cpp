// Catalog scan of a 100,000-file content tree: names and one header per folder, no pixels.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>

#include "bench/bench_support.hpp"
#include "loader/catalog.hpp"

namespace interleave::bench {
namespace {
namespace fs = std::filesystem;

constexpr int kMainFolders = 99;
constexpr int kFramesPerFolder = 1000;  // 100 folders x 1000 frames = 100,000 files

// Builds the tree once per process: the first frame of each folder is a real SBS JPEG, the
// others hard links to it (the scan reads only names and the first header).
struct Tree {
    fs::path root;
    std::string error;
    Tree() {
        root = fs::temp_directory_path() / ("interleave-catalog-bench-" + std::to_string(::getpid()));
        std::string why;
        const Rgba photo = load_photo(64, 36, why);
        const auto jpeg = make_sbs_jpeg(photo, 80);
        if (jpeg.empty()) {
            error = why;
            return;
        }
        auto make_folder = [&](const fs::path& dir) {
            fs::create_directories(dir);
            const fs::path first = dir / "0.jpg";
            std::ofstream(first, std::ios::binary)
                .write(reinterpret_cast<const char*>(jpeg.data()),
                       static_cast<std::streamsize>(jpeg.size()));
            for (int i = 1; i < kFramesPerFolder; ++i) {
                fs::create_hard_link(first, dir / (std::to_string(i) + ".jpg"));
            }
        };
        for (int f = 0; f < kMainFolders; ++f) {
            make_folder(root / "face" / (std::to_string(f) + "_folder"));
        }
        make_folder(root / "float" / "255_overlay");
    }
    ~Tree() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

void BM_ScanCatalog100k(benchmark::State& state) {
    static Tree tree;
    if (!tree.error.empty()) return state.SkipWithError(tree.error.c_str());
    std::size_t files = 0;
    for (auto _ : state) {
        const loader::ScanReport report = loader::scan_catalog(tree.root);
        if (!report.ok()) return state.SkipWithError(report.error->message().c_str());
        files = report.files_seen;
        benchmark::DoNotOptimize(report.catalog.frame_count);
    }
    state.counters["files"] = static_cast<double>(files);
}
BENCHMARK(BM_ScanCatalog100k)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace interleave::bench
