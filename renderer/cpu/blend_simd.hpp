// The CPU compositor's fused blend pass in portable SIMD (Google Highway), dispatched at run
// time to the best target the CPU supports. Thread: any for blending; the *_for_test hooks
// change process-wide dispatch state and belong to single-threaded tests only.
#pragma once

#include <cstdint>
#include <vector>

#include "renderer/cpu/blend_scalar.hpp"

namespace interleave::renderer::cpu {

// Same contract and same result, bit for bit, as blend_row_scalar (blend_scalar.hpp): two
// straight-alpha RGBA8 rows (main, float) over `bg`, one RGBA8 row out with alpha 255, each of
// the two mix stages rounded to nearest 8 bits by div255_round. Any width >= 0; no alignment
// needed. `out` may be the same buffer as an input (in place); no partial overlap. No
// allocation. Little-endian only (the pixels are handled as 32-bit words R | G<<8 | B<<16 |
// A<<24; Highway's x86 and Arm targets are all little-endian).
void blend_row_simd(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba, BgColour bg,
                    std::uint8_t* out_rgba, int width_px);

// Every Highway target compiled into blend_simd.cpp that this CPU supports, best first
// (x86: AVX3 (AVX-512), AVX2, SSE4, SSSE3, SCALAR; Arm: NEON, SVE..., SCALAR).
[[nodiscard]] std::vector<std::int64_t> blend_simd_targets();

// Highway's name for a target ("AVX2", "AVX3", "SCALAR", ...).
[[nodiscard]] const char* blend_simd_target_name(std::int64_t target);

// The target that blend_row_simd dispatches to now.
[[nodiscard]] std::int64_t blend_simd_dispatched_target();

// Test hook: restricts dispatch to `target` (one of blend_simd_targets()); 0 restores normal
// detection. Process-wide (hwy::SetSupportedTargetsForTest): never call it while another
// thread blends.
void set_blend_simd_target_for_test(std::int64_t target);

}  // namespace interleave::renderer::cpu
