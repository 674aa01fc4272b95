// RgbaView and RgbaTarget: the RGBA8 pixel views that the CPU compositor, its scaler and the GL
// compositor take. Plain structs, no ownership. Thread: any.
#pragma once

#include <cstdint>

namespace interleave::renderer::cpu {

// A read-only view of tightly or loosely packed RGBA8 pixels, straight alpha. Every layer
// reaches the compositor in this form: the decoder already converted SBS JPEG (mask in alpha,
// values below 0.05 set to 0) and RGB sources (alpha 255).
struct RgbaView {
    const std::uint8_t* pixels = nullptr;
    int width_px = 0;
    int height_px = 0;
    int stride_bytes = 0;  // >= width_px * 4

    [[nodiscard]] bool empty() const {
        return pixels == nullptr || width_px <= 0 || height_px <= 0;
    }
};

// A writable RGBA8 image (the output frame, or a scaled layer).
struct RgbaTarget {
    std::uint8_t* pixels = nullptr;
    int width_px = 0;
    int height_px = 0;
    int stride_bytes = 0;  // >= width_px * 4
};

}  // namespace interleave::renderer::cpu
