// Scalar reference blend (see blend_scalar.hpp for the formula). Thread: any.
#include "renderer/cpu/blend_scalar.hpp"

namespace interleave::renderer::cpu {

void blend_row_scalar(const std::uint8_t* main_rgba, const std::uint8_t* float_rgba,
                      BgColour bg, std::uint8_t* out_rgba, int width_px) {
    const std::uint8_t bg_c[3] = {bg.r, bg.g, bg.b};
    for (int x = 0; x < width_px; ++x) {
        const std::uint8_t* m = main_rgba + static_cast<std::size_t>(x) * 4;
        const std::uint8_t* f = float_rgba + static_cast<std::size_t>(x) * 4;
        std::uint8_t* o = out_rgba + static_cast<std::size_t>(x) * 4;
        // Read everything first: `out` may alias an input.
        const std::uint8_t ma = m[3];
        const std::uint8_t fa = f[3];
        std::uint8_t result[3];
        for (int c = 0; c < 3; ++c) {
            result[c] = mix8(mix8(bg_c[c], m[c], ma), f[c], fa);
        }
        o[0] = result[0];
        o[1] = result[1];
        o[2] = result[2];
        o[3] = 255;
    }
}

}  // namespace interleave::renderer::cpu
