// What every fuzz target shares: FUZZ_CHECK, which turns a broken property into a crash that
// libFuzzer saves and reports, and the player's real decoder and catalog settings.
// Thread: the fuzzing thread only (libFuzzer calls a target from one thread).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "loader/catalog.hpp"
#include "loader/decoder.hpp"

// Aborts with the property and where it is: libFuzzer catches the abort as a crash and saves
// the input that broke it. Used for properties of the code under test, never for bad input.
#define FUZZ_CHECK(cond, what)                                                          \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            std::fprintf(stderr, "%s:%d: property failed: %s (%s)\n", __FILE__, __LINE__, \
                         #cond, what);                                                  \
            std::abort();                                                               \
        }                                                                               \
    } while (false)

namespace interleave::fuzz {

// The options the player decodes and scans with when nothing is configured: the limits come
// from config::LoaderSettings' defaults through the same mapping the player uses
// (app/loader_flags).
[[nodiscard]] loader::DecoderOptions default_decoder_options();
[[nodiscard]] loader::CatalogOptions default_catalog_options();

}  // namespace interleave::fuzz
