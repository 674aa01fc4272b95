// The player's default decoder and catalog options, for the fuzz targets.
#include "app/loader_flags.hpp"
#include "config/loader_settings.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace interleave::fuzz {

loader::DecoderOptions default_decoder_options() {
    return app::loader_options(config::LoaderSettings{}).decoder;
}

loader::CatalogOptions default_catalog_options() {
    return app::catalog_options(config::LoaderSettings{});
}

}  // namespace interleave::fuzz
