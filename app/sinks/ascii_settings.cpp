// ascii.* -> AsciiOptions.
#include "app/sinks/ascii_settings.hpp"

#include <algorithm>

namespace interleave::app {

namespace {

int clamp_side(std::int64_t cells) {
    return static_cast<int>(std::clamp<std::int64_t>(cells, 1, kMaxAsciiCells));
}

}  // namespace

CellSize ascii_grid(const config::AsciiConfig& ascii, CellSize viewer) {
    if (!ascii.size.is_content()) {
        return {clamp_side(ascii.size.width_px), clamp_side(ascii.size.height_px)};
    }
    if (viewer.cols > 0 && viewer.rows > 0) {
        return {clamp_side(viewer.cols), clamp_side(viewer.rows)};
    }
    return {kDefaultAsciiCols, kDefaultAsciiRows};
}

renderer::ascii::ColorMode ascii_color_mode(config::AsciiColor color) {
    using renderer::ascii::ColorMode;
    switch (color) {
        case config::AsciiColor::k256:
            return ColorMode::k256;
        case config::AsciiColor::kTrueColor:
            return ColorMode::kTrueColor;
        case config::AsciiColor::k16:
            return ColorMode::k16;
        case config::AsciiColor::kMono:
            return ColorMode::kMono;
    }
    return ColorMode::k256;
}

renderer::ascii::AsciiOptions ascii_options(const config::AsciiConfig& ascii, int cols, int rows) {
    renderer::ascii::AsciiOptions options;
    options.cols = clamp_side(cols);
    options.rows = clamp_side(rows);
    options.font_aspect = ascii.font_aspect;
    options.saturation = ascii.saturation;
    options.brightness = ascii.brightness;
    options.contrast = ascii.contrast;
    options.gamma = ascii.gamma;
    options.color = ascii_color_mode(ascii.color);
    options.blur = ascii.blur;
    options.half_block = ascii.half_block;
    options.reverse = ascii.reverse;
    return options;
}

}  // namespace interleave::app
