// Catalog: what a content directory holds, scanned from names and at most one header per
// folder, never pixels. Layout (compatible with the original VideoInterleaving project):
//   <root>/face/<N>_<name>/...   main-layer folders, N = 0..254, ordered by N then name
//   <root>/float/255_<name>/...  float-layer folders
// Folders may nest; a folder with frames takes the number of its own name or, failing that,
// of the nearest numbered folder above it. Thread: any (scan_catalog is a pure function of
// the file system; a Catalog is immutable once built and may be shared read-only).
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "loader/frame.hpp"
#include "loader/image_format.hpp"

namespace interleave::loader {

struct CatalogOptions {
    bool main_jpeg_sbs = true;   // .jpg in face/ are side-by-side RGB|mask (else opaque)
    bool float_jpeg_sbs = true;  // .jpg in float/ likewise
    ImageLimits limits;
    int max_depth = 16;          // nested folders deeper than this are skipped (link loops)
    // Polled while scanning (every folder and every 256 entries): when it returns true the scan
    // ends early with a kCancelled error, so a stop signal during the scan of a 100,000-file
    // tree is seen at once. Called on the scanning thread; must be cheap (an atomic load).
    bool (*stop_requested)() = nullptr;
};

struct Folder {
    int number = 0;                 // the N of <N>_<name>
    std::string name;               // path relative to face/ or float/, e.g. "3_clouds"
    std::filesystem::path path;     // absolute or as given under the root
    std::vector<std::string> frames;  // file names in natural order
    LayerEncoding encoding = LayerEncoding::kSbsJpeg;  // of the first frame
    bool jpeg_is_sbs = true;        // how this layer reads .jpg files
    int width_px = 0;               // layer size from the first frame's header
    int height_px = 0;
    bool has_alpha = false;

    [[nodiscard]] std::filesystem::path frame_path(std::size_t i) const { return path / frames[i]; }
    // How frame i is decoded (by its extension and the layer's JPEG setting).
    [[nodiscard]] LayerEncoding frame_encoding(std::size_t i) const;
};

struct Skipped {
    std::string path;
    std::string reason;
};

struct Catalog {
    std::filesystem::path root;
    std::vector<Folder> main_folders;   // each with exactly frame_count frames
    std::vector<Folder> float_folders;
    std::size_t frame_count = 0;        // the largest count both layers have

    [[nodiscard]] const Folder& folder(Layer layer, int i) const {
        return layer == Layer::kMain ? main_folders.at(static_cast<std::size_t>(i))
                                     : float_folders.at(static_cast<std::size_t>(i));
    }
};

struct ScanReport {
    Catalog catalog;                      // playable folders (empty when error is set)
    std::vector<Skipped> skipped;         // every folder or file left out, once, with why
    std::map<std::size_t, int> main_counts;   // frame count -> valid main folders with it
    std::map<std::size_t, int> float_counts;
    std::size_t files_seen = 0;           // directory entries looked at
    std::optional<Error> error;           // nothing playable: what is wrong and where

    [[nodiscard]] bool ok() const { return !error.has_value(); }
};

// Scans `root`. Never throws; file-system errors become skips or the report's error.
[[nodiscard]] ScanReport scan_catalog(const std::filesystem::path& root,
                                      const CatalogOptions& options = {});

}  // namespace interleave::loader
