// Fuzz target: catalog name parsing (folder numbers, extensions, nesting, natural order). The
// input is a content tree, one path a line under the content root: "face/3_x/0002.png" makes
// a valid frame (a small image of the kind its extension names; other names get text), a
// trailing '/' makes a folder, a trailing '!' makes a broken file of that name. The tree is
// written to a temporary directory and scanned with the player's default options.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <turbojpeg.h>

#include "loader/catalog.hpp"
#include "loader/natural_sort.hpp"
#include "tests/fuzz/fuzz_check.hpp"
#include "tests/support/image_writers.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using interleave::loader::Catalog;
using interleave::loader::FileKind;
using interleave::loader::Folder;
using interleave::loader::ScanReport;

constexpr std::size_t kMaxLines = 48;
constexpr std::size_t kMaxComponents = 20;  // deeper than CatalogOptions::max_depth
constexpr std::size_t kMaxComponentBytes = 48;

struct Frames {
    std::vector<std::uint8_t> jpeg, webp, png;
    Frames() {
        const auto rgb = interleave::test::quadrants(8, 8, {200, 0, 0}, {0, 200, 0},
                                                     {0, 0, 200}, {90, 90, 90});
        jpeg = interleave::test::encode_sbs_jpeg(
            rgb, interleave::test::mask_quadrants(8, 8, 0, 100, 200, 255), TJSAMP_444);
        webp = interleave::test::encode_webp_lossless(rgb);
        png = interleave::test::encode_png(rgb);
    }
};

// The path a line names under `root`, or nothing when no usable component is left.
std::optional<fs::path> path_of(const fs::path& root, std::string_view line) {
    fs::path path = root;
    std::size_t components = 0;
    while (!line.empty() && components < kMaxComponents) {
        const auto slash = line.find('/');
        std::string part(line.substr(0, std::min(slash, kMaxComponentBytes)));
        std::erase(part, '\0');
        line.remove_prefix(slash == std::string_view::npos ? line.size() : slash + 1);
        if (part.empty() || part == "." || part == "..") continue;
        path /= part;
        ++components;
    }
    if (components == 0) return std::nullopt;
    return path;
}

// The files it wrote that a scan must account for: those under face/ or float/.
std::vector<fs::path> write_tree(const fs::path& root, std::string_view text,
                                 const Frames& frames) {
    std::vector<fs::path> files;
    for (std::size_t lines = 0; !text.empty() && lines < kMaxLines; ++lines) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        const bool folder = line.ends_with('/');
        const bool broken = line.ends_with('!');
        if (broken) line.remove_suffix(1);
        const auto path = path_of(root, line);
        if (!path) continue;
        std::error_code ec;
        if (folder) {
            fs::create_directories(*path, ec);
            continue;
        }
        fs::create_directories(path->parent_path(), ec);
        if (ec || fs::exists(*path, ec)) continue;  // a file stands where a folder should
        const std::string name = path->filename().string();
        std::span<const std::uint8_t> bytes;
        static constexpr std::string_view kText = "not an image\n";
        bytes = {reinterpret_cast<const std::uint8_t*>(kText.data()), kText.size()};
        if (!broken) {
            switch (interleave::loader::file_kind_from_name(name)) {
            case FileKind::kJpeg: bytes = frames.jpeg; break;
            case FileKind::kWebp: bytes = frames.webp; break;
            case FileKind::kPng: bytes = frames.png; break;
            case FileKind::kOther: break;
            }
        }
        interleave::test::write_file(*path, bytes);
        const fs::path rel = path->lexically_relative(root);
        const std::string top = rel.begin()->string();
        if (top == "face" || top == "float") files.push_back(*path);
    }
    return files;
}

bool listed(const Catalog& catalog, const fs::path& file) {
    for (const auto* folders : {&catalog.main_folders, &catalog.float_folders}) {
        for (const Folder& f : *folders) {
            if (f.path != file.parent_path()) continue;
            for (const std::string& frame : f.frames) {
                if (frame == file.filename().string()) return true;
            }
        }
    }
    return false;
}

bool skipped(const ScanReport& report, const fs::path& file) {
    const std::string text = file.string();
    for (const auto& s : report.skipped) {
        if (text == s.path || (text.starts_with(s.path) && text[s.path.size()] == '/')) {
            return true;
        }
    }
    return false;
}

void check_folders(const std::vector<Folder>& folders, std::size_t frame_count, bool main) {
    for (std::size_t i = 0; i < folders.size(); ++i) {
        const Folder& f = folders[i];
        if (main) {
            FUZZ_CHECK(f.number >= 0 && f.number <= 254, "main folders are numbered 0..254");
        } else {
            FUZZ_CHECK(f.number == 255, "float folders are numbered 255");
        }
        FUZZ_CHECK(f.frames.size() == frame_count, "every played folder has frame_count frames");
        FUZZ_CHECK(f.width_px > 0 && f.height_px > 0, "a played folder has a layer size");
        for (std::size_t j = 0; j < f.frames.size(); ++j) {
            FUZZ_CHECK(interleave::loader::file_kind_from_name(f.frames[j]) != FileKind::kOther,
                       "only image files are frames");
            if (j > 0) {
                FUZZ_CHECK(!interleave::loader::natural_less(f.frames[j], f.frames[j - 1]),
                           "frames in natural order");
            }
        }
        if (i > 0) {
            const Folder& p = folders[i - 1];
            FUZZ_CHECK(p.number < f.number ||
                           (p.number == f.number &&
                            !interleave::loader::natural_less(f.name, p.name)),
                       "folders ordered by number, then name");
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const interleave::test::TempDir dir("interleave-fuzz-catalog");
    static const Frames frames;
    static const auto options = interleave::fuzz::default_catalog_options();
    const fs::path root = dir / "images";
    std::error_code ec;
    fs::remove_all(root, ec);
    fs::create_directory(root, ec);
    FUZZ_CHECK(!ec, "the content root can be made");

    const std::vector<fs::path> files =
        write_tree(root, {reinterpret_cast<const char*>(data), size}, frames);
    const ScanReport report = interleave::loader::scan_catalog(root, options);
    for (std::size_t i = 0; i < report.skipped.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            FUZZ_CHECK(report.skipped[i].path != report.skipped[j].path ||
                           report.skipped[i].reason != report.skipped[j].reason,
                       "each skip is reported once");
        }
    }
    if (!report.ok()) {
        FUZZ_CHECK(report.catalog.main_folders.empty() && report.catalog.float_folders.empty(),
                   "a failed scan plays nothing");
        return 0;
    }
    const Catalog& catalog = report.catalog;
    FUZZ_CHECK(catalog.frame_count > 0, "a playable catalog has frames");
    FUZZ_CHECK(!catalog.main_folders.empty() && !catalog.float_folders.empty(),
               "a playable catalog has both layers");
    check_folders(catalog.main_folders, catalog.frame_count, true);
    check_folders(catalog.float_folders, catalog.frame_count, false);
    for (const fs::path& file : files) {
        if (!listed(catalog, file) && !skipped(report, file)) {
            std::fprintf(stderr, "%s is neither played nor reported\n", file.c_str());
        }
        FUZZ_CHECK(listed(catalog, file) || skipped(report, file),
                   "every file under face/ and float/ is played or reported as skipped");
    }
    return 0;
}
