// `interleave scan DIR`: prints the catalog of a content directory, or what is wrong with it.
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/loader_flags.hpp"
#include "loader/catalog.hpp"

namespace interleave::app {
namespace {

struct ScanArgs {
    std::string dir;
    bool json = false;
    std::size_t max_skipped = 50;
    config::LoaderSettings settings;
};

nlohmann::json folder_json(const loader::Folder& f) {
    return {{"number", f.number},
            {"name", f.name},
            {"path", f.path.string()},
            {"frames", f.frames.size()},
            {"first_frame", f.frames.front()},
            {"width", f.width_px},
            {"height", f.height_px},
            {"encoding", std::string(loader::to_string(f.encoding))},
            {"alpha", f.has_alpha}};
}

nlohmann::json counts_json(const std::map<std::size_t, int>& counts) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [frames, folders] : counts) out[std::to_string(frames)] = folders;
    return out;
}

void print_text(const loader::ScanReport& report, const ScanArgs& args, double ms) {
    const auto& c = report.catalog;
    fmt::print("Content  {}\n", c.root.string());
    auto print_folders = [](const char* title, const std::vector<loader::Folder>& folders) {
        fmt::print("{} ({}):\n", title, folders.size());
        for (std::size_t i = 0; i < folders.size(); ++i) {
            const auto& f = folders[i];
            fmt::print("  [{:>3}] {:<32} {:>6} frames  {:>5}x{:<5} {:<8} {}\n", i, f.name,
                       f.frames.size(), f.width_px, f.height_px, loader::to_string(f.encoding),
                       f.has_alpha ? "alpha" : "opaque");
        }
    };
    if (report.ok()) {
        fmt::print("Plays    {} frames per folder\n", c.frame_count);
        print_folders("Main folders", c.main_folders);
        print_folders("Float folders", c.float_folders);
    }
    if (!report.skipped.empty()) {
        fmt::print("Skipped ({}):\n", report.skipped.size());
        const std::size_t shown = std::min(report.skipped.size(), args.max_skipped);
        for (std::size_t i = 0; i < shown; ++i) {
            fmt::print("  {}: {}\n", report.skipped[i].path, report.skipped[i].reason);
        }
        if (shown < report.skipped.size()) {
            fmt::print("  ... and {} more (--max-skipped to see them)\n",
                       report.skipped.size() - shown);
        }
    }
    fmt::print("Scanned  {} entries in {:.1f} ms\n", report.files_seen, ms);
}

int run_scan(const ScanArgs& args) {
    if (!validate_or_report(args.settings)) return kExitBadInput;
    const loader::CatalogOptions options = catalog_options(args.settings);
    const auto start = std::chrono::steady_clock::now();
    const loader::ScanReport report = loader::scan_catalog(args.dir, options);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (args.json) {
        nlohmann::json out = {{"root", args.dir},
                              {"ok", report.ok()},
                              {"frame_count", report.catalog.frame_count},
                              {"main_counts", counts_json(report.main_counts)},
                              {"float_counts", counts_json(report.float_counts)},
                              {"entries", report.files_seen},
                              {"scan_ms", ms}};
        out["main_folders"] = nlohmann::json::array();
        for (const auto& f : report.catalog.main_folders) out["main_folders"].push_back(folder_json(f));
        out["float_folders"] = nlohmann::json::array();
        for (const auto& f : report.catalog.float_folders) out["float_folders"].push_back(folder_json(f));
        out["skipped"] = nlohmann::json::array();
        for (const auto& s : report.skipped) out["skipped"].push_back({{"path", s.path}, {"reason", s.reason}});
        if (report.error) out["error"] = report.error->message();
        fmt::print("{}\n", out.dump(2));
    } else {
        print_text(report, args, ms);
    }
    if (report.error) {
        std::fprintf(stderr, "interleave: %s\n", report.error->message().c_str());
        return kExitBadInput;
    }
    return kExitOk;
}

}  // namespace

Command add_scan_command(CLI::App& app) {
    auto args = std::make_shared<ScanArgs>();
    CLI::App* sub = app.add_subcommand("scan", "Print the catalog of a content directory "
                                               "(folders, frame counts, sizes, formats, skips)");
    sub->add_option("dir", args->dir, "Content directory holding face/ and float/")->required();
    sub->add_flag("--json", args->json, "Print one JSON object instead of text");
    add_content_flags(*sub, args->settings);
    sub->add_option("--max-skipped", args->max_skipped, "Skipped entries to list")
        ->capture_default_str();
    return Command{sub, [args](const std::string&) { return run_scan(*args); }};
}

}  // namespace interleave::app
