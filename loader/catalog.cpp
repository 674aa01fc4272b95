// Catalog scan: walk face/ and float/, read names, probe one header per folder, group by count.
#include "loader/catalog.hpp"

#include <algorithm>
#include <charconv>
#include <set>
#include <system_error>

#include <fmt/format.h>

#include "loader/natural_sort.hpp"

namespace interleave::loader {
namespace fs = std::filesystem;

namespace {

constexpr int kMaxMainNumber = 254;
constexpr int kFloatNumber = 255;

// "12_name" or "12" -> 12; anything else -> nullopt.
std::optional<int> folder_number(const std::string& name) {
    std::size_t digits = 0;
    while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
    if (digits == 0 || digits > 6) return std::nullopt;
    if (digits != name.size() && name[digits] != '_') return std::nullopt;
    int value = 0;
    std::from_chars(name.data(), name.data() + digits, value);
    return value;
}

struct LayerScan {
    Layer layer;
    bool jpeg_is_sbs;
    std::vector<Folder> folders;  // candidates with a valid first frame
};

class Scanner {
public:
    Scanner(const CatalogOptions& options, ScanReport& report)
        : options_(options), report_(report) {}

    void scan_layer(const fs::path& layer_root, LayerScan& out) {
        walk(layer_root, layer_root, std::nullopt, 0, out);
    }

private:
    void skip(const fs::path& path, std::string reason) {
        report_.skipped.push_back(Skipped{path.string(), std::move(reason)});
    }

    void walk(const fs::path& layer_root, const fs::path& dir, std::optional<int> inherited,
              int depth, LayerScan& out) {
        if (poll_stop()) return;
        if (depth > options_.max_depth) {
            skip(dir, fmt::format("nested deeper than {} folders (a link loop?)",
                                  options_.max_depth));
            return;
        }
        std::error_code ec;
        fs::directory_iterator it(dir, ec);  // an unreadable folder is reported below, not hidden
        if (ec) {
            skip(dir, fmt::format("cannot list folder ({})", ec.message()));
            return;
        }
        std::vector<std::string> frames;
        std::vector<std::string> subdirs;
        for (; it != fs::directory_iterator(); it.increment(ec)) {
            if (ec) break;
            if ((++report_.files_seen % kStopPollEntries) == 0 && poll_stop()) return;
            const fs::directory_entry& entry = *it;
            std::string name = entry.path().filename().string();
            std::error_code type_ec;
            if (entry.is_directory(type_ec)) {
                subdirs.push_back(std::move(name));
            } else if (depth == 0) {
                // Frames directly in face/ or float/ belong to no folder: report each file.
                skip(entry.path(), "file outside a numbered folder (expected <N>_<name>/ folders)");
            } else if (file_kind_from_name(name) != FileKind::kOther &&
                       entry.is_regular_file(type_ec)) {
                frames.push_back(std::move(name));
            } else {
                skip(entry.path(), "not a frame (expected .jpg, .jpeg, .webp or .png)");
            }
        }
        if (ec) skip(dir, fmt::format("listing stopped early ({})", ec.message()));

        const std::string dir_name = dir.filename().string();
        std::optional<int> number = depth == 0 ? std::nullopt : folder_number(dir_name);
        if (!number) number = inherited;

        if (!frames.empty()) add_folder(layer_root, dir, number, std::move(frames), out);

        natural_sort(subdirs);
        for (const std::string& sub : subdirs) {
            if (stopped_) return;
            walk(layer_root, dir / sub, number, depth + 1, out);
        }
    }

    void add_folder(const fs::path& layer_root, const fs::path& dir, std::optional<int> number,
                    std::vector<std::string> frames, LayerScan& out) {
        const bool main = out.layer == Layer::kMain;
        if (!number) {
            skip(dir, main ? "no numeric prefix (expected face/<N>_<name>/ with N 0..254)"
                           : "no numeric prefix (expected float/255_<name>/)");
            return;
        }
        if (main && *number > kMaxMainNumber) {
            skip(dir, fmt::format("prefix {} is out of range for a main folder (expected 0..254; "
                                  "255 belongs in float/)",
                                  *number));
            return;
        }
        if (!main && *number != kFloatNumber) {
            skip(dir, fmt::format("prefix {} in float/ (expected float/255_<name>/)", *number));
            return;
        }
        natural_sort(frames);
        Folder folder;
        folder.number = *number;
        folder.name = dir.lexically_relative(layer_root).generic_string();
        folder.path = dir;
        folder.jpeg_is_sbs = out.jpeg_is_sbs;
        folder.frames = std::move(frames);
        folder.encoding = folder.frame_encoding(0);
        auto header = probe_file(folder.frame_path(0), folder.encoding, options_.limits);
        if (!header) {
            skip(dir, fmt::format("first frame unreadable: {}", header.error().message()));
            return;
        }
        folder.width_px = header->layer_width_px;
        folder.height_px = header->layer_height_px;
        folder.has_alpha = header->has_alpha;
        out.folders.push_back(std::move(folder));
    }

public:
    // True once the stop callback asked to end the scan (it is not polled again).
    [[nodiscard]] bool stopped() const { return stopped_; }

private:
    bool poll_stop() {
        if (!stopped_ && options_.stop_requested != nullptr && options_.stop_requested()) {
            stopped_ = true;
        }
        return stopped_;
    }

    // Entries listed between two polls of the stop callback.
    static constexpr std::uint64_t kStopPollEntries = 256;

    const CatalogOptions& options_;
    ScanReport& report_;
    bool stopped_ = false;
};

bool folder_less(const Folder& a, const Folder& b) {
    if (a.number != b.number) return a.number < b.number;
    return natural_less(a.name, b.name);
}

std::string describe_counts(const std::map<std::size_t, int>& counts) {
    if (counts.empty()) return "none";
    std::string out;
    for (const auto& [frames, folders] : counts) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} frames ({} folder{})", frames, folders, folders == 1 ? "" : "s");
    }
    return out;
}

}  // namespace

LayerEncoding Folder::frame_encoding(std::size_t i) const {
    return encoding_for(file_kind_from_name(frames[i]), jpeg_is_sbs);
}

ScanReport scan_catalog(const fs::path& root, const CatalogOptions& options) {
    ScanReport report;
    report.catalog.root = root;
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        report.error = Error{ErrorCode::kNotFound, root.string(),
                             ec ? fmt::format("not a readable directory ({})", ec.message())
                                : std::string("not a directory (expected a content directory "
                                              "holding face/ and float/)")};
        return report;
    }
    Scanner scanner(options, report);
    LayerScan main{Layer::kMain, options.main_jpeg_sbs, {}};
    LayerScan overlay{Layer::kFloat, options.float_jpeg_sbs, {}};
    for (auto [sub, scan] : {std::pair{"face", &main}, std::pair{"float", &overlay}}) {
        const fs::path dir = root / sub;
        if (fs::is_directory(dir, ec)) scanner.scan_layer(dir, *scan);
    }
    if (scanner.stopped()) {
        report.error = Error{ErrorCode::kCancelled, root.string(),
                             fmt::format("scan stopped on request after {} entries",
                                         report.files_seen)};
        return report;
    }
    for (const Folder& f : main.folders) ++report.main_counts[f.frames.size()];
    for (const Folder& f : overlay.folders) ++report.float_counts[f.frames.size()];

    if (main.folders.empty()) {
        report.error = Error{ErrorCode::kNoContent, (root / "face").string(),
                             "no valid main folders (expected face/<N>_<name>/ folders, N 0..254, "
                             "holding .jpg, .webp or .png frames)"};
        return report;
    }
    if (overlay.folders.empty()) {
        report.error = Error{ErrorCode::kNoContent, (root / "float").string(),
                             "no valid float folders (expected float/255_<name>/ folders holding "
                             ".jpg, .webp or .png frames)"};
        return report;
    }
    std::size_t common = 0;
    for (const auto& [frames, folders] : report.main_counts) {
        if (report.float_counts.count(frames) != 0) common = std::max(common, frames);
    }
    if (common == 0) {
        report.error = Error{ErrorCode::kNoContent, root.string(),
                             fmt::format("no frame count common to both layers (main: {}; float: "
                                         "{})",
                                         describe_counts(report.main_counts),
                                         describe_counts(report.float_counts))};
        return report;
    }
    Catalog& catalog = report.catalog;
    catalog.frame_count = common;
    for (auto [scan, target] : {std::pair{&main, &catalog.main_folders},
                                std::pair{&overlay, &catalog.float_folders}}) {
        for (Folder& f : scan->folders) {
            if (f.frames.size() == common) {
                target->push_back(std::move(f));
            } else {
                report.skipped.push_back(
                    Skipped{f.path.string(), fmt::format("{} frames; the played count is {}",
                                                         f.frames.size(), common)});
            }
        }
        std::sort(target->begin(), target->end(), folder_less);
    }
    return report;
}

}  // namespace interleave::loader
