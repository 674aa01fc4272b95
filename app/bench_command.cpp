// `interleave bench DIR`: can this machine decode DIR's frame pairs at rate? Times the loader
// pool against one thread decoding both layers in turn, in the same run, and the compositor.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/loader_flags.hpp"
#include "core/latency_histogram.hpp"
#include "core/process_stats.hpp"
#include "loader/catalog.hpp"
#include "loader/decoder.hpp"
#include "loader/frame_fifo.hpp"
#include "loader/loader_pool.hpp"
#include "renderer/cpu/cpu_compositor.hpp"

namespace interleave::app {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchArgs {
    std::string dir;
    config::LoaderSettings settings;
    int pairs = 120;
    int repeat = 3;
    int main_folder = 0;
    int float_folder = 0;
    bool json = false;
    bool full_rgb = false;
    double ips = 30.0;
    std::string command_line;
};

double median(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

// One thread decodes main then float of each pair; returns pairs per second.
Result<double> single_thread_rate(const loader::Catalog& catalog, const BenchArgs& args,
                                  const loader::DecoderOptions& options) {
    loader::Decoder decoder(options);
    loader::BufferPool pool(4);
    const auto& main = catalog.main_folders[static_cast<std::size_t>(args.main_folder)];
    const auto& overlay = catalog.float_folders[static_cast<std::size_t>(args.float_folder)];
    const auto start = Clock::now();
    for (int i = 0; i < args.pairs; ++i) {
        const std::size_t frame = static_cast<std::size_t>(i) % catalog.frame_count;
        for (const loader::Folder* f : {&main, &overlay}) {
            auto image = decoder.decode_file(f->frame_path(frame), f->frame_encoding(frame), pool,
                                             {f->width_px, f->height_px});
            if (!image) return tl::unexpected(image.error());
        }
    }
    const double s = std::chrono::duration<double>(Clock::now() - start).count();
    return args.pairs / s;
}

struct PoolRun {
    double pairs_per_s = 0.0;
    loader::LoaderStats stats;
    std::size_t pool_high_water = 0;
};

// The loader pool decodes the same pairs; the caller takes them in index order.
Result<PoolRun> pool_rate(const loader::Catalog& catalog, const BenchArgs& args,
                          const loader::DecoderOptions& options) {
    loader::LoaderOptions lo = loader_options(args.settings);
    lo.decoder = options;
    lo.late_window = args.pairs;  // nothing is late in a benchmark
    const int workers = lo.workers > 0 ? lo.workers
                                       : loader::LoaderPool::default_workers(
                                             std::thread::hardware_concurrency());
    lo.max_in_flight = 2 * static_cast<std::size_t>(workers) + 2;
    loader::FrameFifo fifo(2 * lo.max_in_flight);
    loader::BufferPool pool(loader::BufferPool::buffers_for_fifo(fifo.capacity(), workers));
    loader::LoaderPool loaders(catalog, fifo, pool, lo);
    auto key = [&](int i) {
        return loader::PairKey{i, args.main_folder, args.float_folder};
    };
    const auto start = Clock::now();
    // Requested but not yet taken: never more than the FIFO holds, or it would drop the oldest.
    int next = 0;
    int taken = 0;
    auto submit = [&] {
        while (next < args.pairs && next - taken < static_cast<int>(fifo.capacity()) &&
               loaders.try_request({key(next), static_cast<std::size_t>(next) %
                                                    catalog.frame_count}) ==
                   loader::RequestResult::kQueued) {
            ++next;
        }
    };
    submit();
    // Pairs finish out of order: take the nearest one after those already taken.
    for (int i = 0; i < args.pairs; ++i) {
        auto pair = fifo.wait_take_nearest(key(i), args.pairs, std::chrono::seconds(10));
        if (!pair) {
            return make_error(ErrorCode::kInternal, "bench", "no pair arrived in 10 s after {}",
                              i);
        }
        if (pair->error) return tl::unexpected(*pair->error);
        pair.reset();  // the renderer would show it; we give the buffers back at once
        ++taken;
        submit();
    }
    PoolRun run;
    run.pairs_per_s = args.pairs / std::chrono::duration<double>(Clock::now() - start).count();
    run.stats = loaders.stats();
    run.pool_high_water = pool.stats().high_water;
    return run;
}

// Composites one decoded pair of DIR at its content size on this thread, `repeats` times.
Result<double> composite_rate(const loader::Catalog& catalog, const BenchArgs& args,
                              const loader::DecoderOptions& options, int repeats,
                              LatencyHistogram& times) {
    loader::Decoder decoder(options);
    loader::BufferPool pool(4);
    const auto& main = catalog.main_folders[static_cast<std::size_t>(args.main_folder)];
    const auto& overlay = catalog.float_folders[static_cast<std::size_t>(args.float_folder)];
    auto m = decoder.decode_file(main.frame_path(0), main.frame_encoding(0), pool,
                                 {main.width_px, main.height_px});
    if (!m) return tl::unexpected(m.error());
    auto f = decoder.decode_file(overlay.frame_path(0), overlay.frame_encoding(0), pool,
                                 {overlay.width_px, overlay.height_px});
    if (!f) return tl::unexpected(f.error());
    std::vector<std::uint8_t> out(static_cast<std::size_t>(main.width_px) * main.height_px * 4);
    const renderer::cpu::RgbaTarget target{out.data(), main.width_px, main.height_px,
                                           main.width_px * 4};
    renderer::cpu::CpuCompositor compositor;
    const auto start = Clock::now();
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = Clock::now();
        if (auto ok = compositor.compose(*m, *f, {}, target); !ok) return tl::unexpected(ok.error());
        times.record(Clock::now() - t0);
    }
    return repeats / std::chrono::duration<double>(Clock::now() - start).count();
}

int run_bench(const BenchArgs& args) {
    if (!validate_or_report(args.settings)) return kExitBadInput;
    const loader::ScanReport report =
        loader::scan_catalog(args.dir, catalog_options(args.settings));
    if (report.error) {
        std::fprintf(stderr, "interleave: %s\n", report.error->message().c_str());
        return kExitBadInput;
    }
    const auto& catalog = report.catalog;
    if (args.main_folder < 0 ||
        static_cast<std::size_t>(args.main_folder) >= catalog.main_folders.size() ||
        args.float_folder < 0 ||
        static_cast<std::size_t>(args.float_folder) >= catalog.float_folders.size()) {
        std::fprintf(stderr,
                     "interleave: --main-folder/--float-folder out of range (expected 0..%zu and "
                     "0..%zu)\n",
                     catalog.main_folders.size() - 1, catalog.float_folders.size() - 1);
        return kExitBadInput;
    }
    loader::DecoderOptions options = loader_options(args.settings).decoder;
    options.sbs_via_planes = !args.full_rgb;
    // Warm the page cache (and every lazy allocation) so both runs read from memory.
    BenchArgs warm = args;
    warm.pairs = static_cast<int>(std::min<std::size_t>(catalog.frame_count, args.pairs));
    if (auto w = single_thread_rate(catalog, warm, options); !w) {
        std::fprintf(stderr, "interleave: %s\n", w.error().message().c_str());
        return kExitFailure;
    }
    std::vector<double> single;
    std::vector<double> pooled;
    PoolRun last;
    for (int r = 0; r < args.repeat; ++r) {
        auto s = single_thread_rate(catalog, args, options);
        auto p = pool_rate(catalog, args, options);
        if (!s || !p) {
            std::fprintf(stderr, "interleave: %s\n",
                         (!s ? s.error() : p.error()).message().c_str());
            return kExitFailure;
        }
        single.push_back(*s);
        pooled.push_back(p->pairs_per_s);
        last = *p;
        std::fprintf(stderr, "[bench] run %d/%d: pool %.1f pairs/s (%d workers), one thread %.1f\n",
                     r + 1, args.repeat, p->pairs_per_s, p->stats.workers, *s);
    }
    LatencyHistogram composite_times;
    auto composites = composite_rate(catalog, args, options, 200, composite_times);
    if (!composites) {
        std::fprintf(stderr, "interleave: %s\n", composites.error().message().c_str());
        return kExitFailure;
    }
    const auto& main = catalog.main_folders[static_cast<std::size_t>(args.main_folder)];
    const auto& overlay = catalog.float_folders[static_cast<std::size_t>(args.float_folder)];
    const std::size_t pair_bytes =
        4 * (static_cast<std::size_t>(main.width_px) * main.height_px +
             static_cast<std::size_t>(overlay.width_px) * overlay.height_px);
    const double single_rate = median(single);
    const double pool_rate_median = median(pooled);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    const double ideal = std::min<double>(cores, last.stats.workers) * single_rate;
    nlohmann::json out = {
        {"command", args.command_line},
        {"machine", {{"cpu", cpu_model_name()}, {"hardware_threads", cores}}},
        {"content", args.dir},
        {"main", {{"folder", main.name}, {"encoding", std::string(loader::to_string(main.encoding))},
                  {"width", main.width_px}, {"height", main.height_px}}},
        {"float", {{"folder", overlay.name},
                   {"encoding", std::string(loader::to_string(overlay.encoding))},
                   {"width", overlay.width_px}, {"height", overlay.height_px}}},
        {"sbs_decode", args.full_rgb ? "full-rgb" : "planes"},
        {"pairs", args.pairs},
        {"repeat", args.repeat},
        {"workers", last.stats.workers},
        {"pair_bytes", pair_bytes},
        {"pairs_per_s", pool_rate_median},
        {"single_thread_pairs_per_s", single_rate},
        {"pairs_per_s_runs", pooled},
        {"single_thread_runs", single},
        {"scaling_vs_ideal", ideal > 0 ? pool_rate_median / ideal : 0.0},
        {"decode_ms_p50", last.stats.decode_ms_p50},
        {"decode_ms_p99", last.stats.decode_ms_p99},
        {"pool_high_water_buffers", last.pool_high_water},
        {"composites_per_s", *composites},
        {"composite_ms_p50", composite_times.percentile_ms(50)},
        {"composite_ms_p99", composite_times.percentile_ms(99)},
        {"ips", args.ips},
        {"plays_at_ips", pool_rate_median >= args.ips}};
    if (args.json) {
        fmt::print("{}\n", out.dump(2));
    } else {
        fmt::print("Content   {} ({} {}x{} + {} {}x{})\n", args.dir, main.name, main.width_px,
                   main.height_px, overlay.name, overlay.width_px, overlay.height_px);
        fmt::print("Machine   {} ({} threads)\n", cpu_model_name(), cores);
        fmt::print("Pool      {:.1f} pairs/s with {} workers (median of {})\n", pool_rate_median,
                   last.stats.workers, args.repeat);
        fmt::print("1 thread  {:.1f} pairs/s\n", single_rate);
        fmt::print("Scaling   {:.2f} of min(cores, workers) x single thread\n",
                   ideal > 0 ? pool_rate_median / ideal : 0.0);
        fmt::print("Decode    p50 {:.2f} ms, p99 {:.2f} ms per layer\n", last.stats.decode_ms_p50,
                   last.stats.decode_ms_p99);
        fmt::print("Composite {:.0f} frames/s on one thread (p50 {:.2f} ms)\n", *composites,
                   composite_times.percentile_ms(50));
        fmt::print("Verdict   {} at {:g} ips: the pool decodes {:.1f}x the pairs needed\n",
                   pool_rate_median >= args.ips ? "plays" : "does NOT play", args.ips,
                   pool_rate_median / args.ips);
    }
    return kExitOk;
}

}  // namespace

Command add_bench_command(CLI::App& app) {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* sub = app.add_subcommand(
        "bench", "Measure how fast this machine decodes DIR's frame pairs (pool vs one thread)");
    sub->add_option("dir", args->dir, "Content directory holding face/ and float/")->required();
    add_worker_flags(*sub, args->settings);
    add_content_flags(*sub, args->settings);
    sub->add_option("--pairs", args->pairs, "Pairs decoded per run")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    sub->add_option("--repeat", args->repeat, "Runs of each; medians are reported")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    sub->add_option("--main-folder", args->main_folder, "Main folder (position in the catalog)")
        ->capture_default_str();
    sub->add_option("--float-folder", args->float_folder, "Float folder (position in the catalog)")
        ->capture_default_str();
    sub->add_flag("--full-rgb", args->full_rgb,
                  "Decode SBS JPEGs to full RGB and split (instead of YUV planes)");
    sub->add_option("--ips", args->ips, "Images per second the content must play at")
        ->check(CLI::Range(0.1, 1000.0))
        ->capture_default_str();
    sub->add_flag("--json", args->json, "Print one JSON object");
    return Command{sub, [args](const std::string& command_line) {
                       args->command_line = command_line;
                       return run_bench(*args);
                   }};
}

}  // namespace interleave::app
