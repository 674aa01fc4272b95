// Command-line flags for the loader settings shared by the subcommands, and the mapping from
// config::LoaderSettings to the loader's option structs. Thread: main.
#pragma once

#include <CLI/CLI.hpp>

#include "config/loader_settings.hpp"
#include "loader/catalog.hpp"
#include "loader/loader_pool.hpp"

namespace interleave::app {

// --opaque-main-jpeg, --opaque-float-jpeg, --max-side, --max-megapixels.
void add_content_flags(CLI::App& sub, config::LoaderSettings& settings);
// --workers.
void add_worker_flags(CLI::App& sub, config::LoaderSettings& settings);

[[nodiscard]] loader::CatalogOptions catalog_options(const config::LoaderSettings& settings);
[[nodiscard]] loader::LoaderOptions loader_options(const config::LoaderSettings& settings);

// Validates; on error prints it to stderr and returns false.
[[nodiscard]] bool validate_or_report(const config::LoaderSettings& settings);

}  // namespace interleave::app
