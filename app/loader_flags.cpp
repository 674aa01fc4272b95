// Loader flags and settings mapping.
#include "app/loader_flags.hpp"

#include <cstdio>

namespace interleave::app {

void add_content_flags(CLI::App& sub, config::LoaderSettings& s) {
    sub.add_flag("--opaque-main-jpeg{false}", s.main_jpeg_sbs,
                 "Main-layer .jpg files are plain opaque JPEGs, not side-by-side RGB|mask");
    sub.add_flag("--opaque-float-jpeg{false}", s.float_jpeg_sbs,
                 "Float-layer .jpg files are plain opaque JPEGs, not side-by-side RGB|mask");
    sub.add_option("--max-side", s.max_side_px, "Refuse images larger than this on a side (px)")
        ->capture_default_str();
    sub.add_option("--max-megapixels", s.max_megapixels,
                   "Refuse images with more pixels than this (millions)")
        ->capture_default_str();
}

void add_worker_flags(CLI::App& sub, config::LoaderSettings& s) {
    sub.add_option("--workers", s.workers, "Loader workers (0: one per hardware thread)")
        ->capture_default_str();
}

loader::CatalogOptions catalog_options(const config::LoaderSettings& s) {
    loader::CatalogOptions options;
    options.main_jpeg_sbs = s.main_jpeg_sbs;
    options.float_jpeg_sbs = s.float_jpeg_sbs;
    options.limits.max_side_px = s.max_side_px;
    options.limits.max_pixels = static_cast<std::uint64_t>(s.max_megapixels) * 1'000'000;
    return options;
}

loader::LoaderOptions loader_options(const config::LoaderSettings& s) {
    loader::LoaderOptions options;
    options.workers = s.workers;
    options.late_window = s.tolerance;
    options.decoder.limits = catalog_options(s).limits;
    return options;
}

bool validate_or_report(const config::LoaderSettings& settings) {
    if (auto ok = config::validate(settings); !ok) {
        std::fprintf(stderr, "interleave: %s\n", ok.error().message().c_str());
        return false;
    }
    return true;
}

}  // namespace interleave::app
