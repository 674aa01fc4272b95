// AsciiConverter: area-averaged cover scaling, the original's colour grading in fixed point,
// hysteresis against shimmer, colour blur and quantisation into TextFrame cells.
// Thread: one converter per thread at a time (see the header).
#include "renderer/ascii/ascii_converter.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>

#include "renderer/ascii/color_tables.hpp"

namespace interleave::renderer::ascii {
namespace {

// A cell holds its anchor while every channel of its new average is within this many levels.
constexpr int kDeadBand = 2;

double clamp_finite(double v, double lo, double hi, double fallback) {
    if (!std::isfinite(v)) return fallback;
    return std::clamp(v, lo, hi);
}

AsciiOptions sanitized(const AsciiOptions& o) {
    AsciiOptions s = o;
    const AsciiOptions d;
    s.cols = std::clamp(o.cols, 1, 1000);
    s.rows = std::clamp(o.rows, 1, 1000);
    s.font_aspect = clamp_finite(o.font_aspect, 0.1, 10.0, d.font_aspect);
    s.saturation = clamp_finite(o.saturation, 0.0, 8.0, d.saturation);
    s.brightness = clamp_finite(o.brightness, 0.0, 8.0, d.brightness);
    s.contrast = clamp_finite(o.contrast, 0.0, 8.0, d.contrast);
    s.gamma = clamp_finite(o.gamma, 0.1, 10.0, d.gamma);
    s.blur = std::clamp(o.blur, 0, 15);
    if (s.blur < 2) s.blur = 0;
    if (s.blur > 0 && s.blur % 2 == 0) s.blur += 1;
    if (s.color == ColorMode::kMono) s.half_block = false;
    return s;
}

// The vertical pass: acc[i] = the sum of `rows` rows at src (stride apart), i < n. Rows go
// four at a time (a sum of four bytes fits the accumulator's lane), halving the accumulator
// traffic; the compiler vectorises each loop.
template <typename Acc>
void sum_rows(Acc* __restrict acc, const std::uint8_t* src, std::size_t stride, int rows,
              std::size_t n) {
    const std::uint8_t* __restrict a = src;
    int y = 1;
    if (rows >= 2) {
        const std::uint8_t* __restrict b = src + stride;
        for (std::size_t i = 0; i < n; ++i) acc[i] = static_cast<Acc>(a[i] + b[i]);
        y = 2;
    } else {
        for (std::size_t i = 0; i < n; ++i) acc[i] = a[i];
    }
    for (; y + 4 <= rows; y += 4) {
        const std::uint8_t* __restrict r0 = src + stride * y;
        const std::uint8_t* __restrict r1 = r0 + stride;
        const std::uint8_t* __restrict r2 = r1 + stride;
        const std::uint8_t* __restrict r3 = r2 + stride;
        for (std::size_t i = 0; i < n; ++i) {
            acc[i] = static_cast<Acc>(acc[i] + static_cast<Acc>(r0[i] + r1[i] + r2[i] + r3[i]));
        }
    }
    for (; y < rows; ++y) {
        const std::uint8_t* __restrict r0 = src + stride * y;
        for (std::size_t i = 0; i < n; ++i) acc[i] = static_cast<Acc>(acc[i] + r0[i]);
    }
}

}  // namespace

struct AsciiConverter::State {
    AsciiOptions opt;  // sanitized
    // --- tables from the options
    std::array<char, 256> glyph_of_grey{};
    std::array<std::uint64_t, 256> value_mul{};  // V -> value'(V) / V in 16.16
    std::uint8_t value_of_black = 0;
    std::int64_t sat8 = 256;
    std::array<std::uint32_t, 16> blur_recip{};  // round(65536 / n)
    const std::uint8_t* lut256 = nullptr;
    const std::uint8_t* lut16 = nullptr;
    // --- geometry for the current source size
    int src_w = -1, src_h = -1;
    int sub_rows = 0;  // rows, or 2 * rows in half-block mode
    int x_begin = 0, x_end = 0;
    std::vector<int> col_x0, col_x1;  // per column, absolute source x
    std::vector<int> row_y0, row_y1;  // per sub-row
    // Per sub-cell: ceil(2^48 / pixel count). sum * it >> 48 rounds exactly (half up) for
    // cells of up to ~740k pixels; sum <= 255 * count keeps the product under 2^57.
    std::vector<std::uint64_t> recip;
    std::vector<std::uint16_t> acc16;
    std::vector<std::uint32_t> acc32;
    // --- per sub-cell levels, 3 bytes each
    std::vector<std::uint8_t> avg, anchor, boosted, colour;
    std::vector<std::uint8_t> grey;
    bool anchor_valid = false;

    void build_tables(const AsciiOptions& o);
    void build_geometry(int w, int h);
    void average(const cpu::RgbaView& frame);
    void hold();
    void grade();
    void blur();
    void emit(TextFrame& out) const;
};

void AsciiConverter::State::build_tables(const AsciiOptions& o) {
    opt = sanitized(o);
    // Gamma then the original's index (255 - g) / 255 * (n - 1), both rounded down as the
    // original's uint8 table and astype(int) do.
    const int n = static_cast<int>(kPalette.size());
    for (int g = 0; g < 256; ++g) {
        const int gam =
            std::clamp(static_cast<int>(std::pow(g / 255.0, opt.gamma) * 255.0 + 1e-9), 0, 255);
        int idx = (255 - gam) * (n - 1) / 255;
        if (opt.reverse) idx = n - 1 - idx;
        glyph_of_grey[g] = kPalette[idx];
    }
    // HSV value: contrast around mid grey, then brightness, each clipped (the original's order).
    for (int v = 0; v < 256; ++v) {
        const double c = std::clamp((v - 128.0) * opt.contrast + 128.0, 0.0, 255.0);
        const auto vv = static_cast<int>(std::clamp(std::lround(c * opt.brightness), 0L, 255L));
        if (v == 0) {
            value_of_black = static_cast<std::uint8_t>(vv);
            value_mul[0] = 0;
        } else {
            value_mul[v] = static_cast<std::uint64_t>(std::llround(vv * 65536.0 / v));
        }
    }
    sat8 = std::llround(opt.saturation * 256.0);
    for (int i = 1; i < 16; ++i)
        blur_recip[i] = static_cast<std::uint32_t>(std::lround(65536.0 / i));
    lut256 = opt.color == ColorMode::k256 ? detail::xterm256_table() : nullptr;
    lut16 = opt.color == ColorMode::k16 ? detail::ansi16_table() : nullptr;
    src_w = src_h = -1;
    anchor_valid = false;
}

void AsciiConverter::State::build_geometry(int w, int h) {
    src_w = w;
    src_h = h;
    anchor_valid = false;
    const int cols = opt.cols;
    sub_rows = opt.half_block ? 2 * opt.rows : opt.rows;
    const std::size_t cells = static_cast<std::size_t>(cols) * sub_rows;
    avg.assign(cells * 3, 0);
    anchor.assign(cells * 3, 0);
    boosted.assign(cells * 3, 0);
    colour.assign(cells * 3, 0);
    grey.assign(cells, 0);
    col_x0.assign(cols, 0);
    col_x1.assign(cols, 1);
    row_y0.assign(sub_rows, 0);
    row_y1.assign(sub_rows, 1);
    recip.assign(cells, 0);
    if (w <= 0 || h <= 0) return;
    // Cover: a cell is cell_w x cell_w / aspect source pixels, the grid as large as fits.
    const double aspect = opt.font_aspect * (opt.half_block ? 2.0 : 1.0);
    const double cell_w = std::min(static_cast<double>(w) / cols, h * aspect / sub_rows);
    const double cell_h = cell_w / aspect;
    const double off_x = (w - cols * cell_w) / 2.0;
    const double off_y = (h - sub_rows * cell_h) / 2.0;
    const auto span = [](double a, double b, int limit, int& lo, int& hi) {
        lo = std::clamp(static_cast<int>(std::llround(a)), 0, limit - 1);
        hi = std::clamp(static_cast<int>(std::llround(b)), lo + 1, limit);
    };
    for (int c = 0; c < cols; ++c) {
        span(off_x + c * cell_w, off_x + (c + 1) * cell_w, w, col_x0[c], col_x1[c]);
    }
    for (int r = 0; r < sub_rows; ++r) {
        span(off_y + r * cell_h, off_y + (r + 1) * cell_h, h, row_y0[r], row_y1[r]);
    }
    x_begin = col_x0[0];
    x_end = *std::max_element(col_x1.begin(), col_x1.end());
    for (int r = 0; r < sub_rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const auto count = static_cast<std::uint64_t>(col_x1[c] - col_x0[c]) *
                               static_cast<std::uint64_t>(row_y1[r] - row_y0[r]);
            recip[static_cast<std::size_t>(r) * cols + c] = ((1ull << 48) + count - 1) / count;
        }
    }
    const std::size_t n = static_cast<std::size_t>(x_end - x_begin) * 4;
    acc16.assign(n, 0);
    int max_band = 0;
    for (int r = 0; r < sub_rows; ++r) max_band = std::max(max_band, row_y1[r] - row_y0[r]);
    if (max_band > 257) acc32.assign(n, 0);  // 257 * 255 is the most a uint16 holds
}

void AsciiConverter::State::average(const cpu::RgbaView& frame) {
    const int cols = opt.cols;
    const std::size_t n = static_cast<std::size_t>(x_end - x_begin) * 4;
    for (int r = 0; r < sub_rows; ++r) {
        const int y0 = row_y0[r], y1 = row_y1[r];
        const auto row = [&](int y) {
            return frame.pixels + static_cast<std::size_t>(y) * frame.stride_bytes +
                   static_cast<std::size_t>(x_begin) * 4;
        };
        std::uint8_t* out = &avg[static_cast<std::size_t>(r) * cols * 3];
        const std::uint64_t* rc = &recip[static_cast<std::size_t>(r) * cols];
        const auto cells = [&](const auto* acc) {
            for (int c = 0; c < cols; ++c) {
                std::uint64_t sr = 0, sg = 0, sb = 0;
                const auto* p = acc + static_cast<std::size_t>(col_x0[c] - x_begin) * 4;
                for (int x = col_x0[c]; x < col_x1[c]; ++x, p += 4) {
                    sr += p[0];
                    sg += p[1];
                    sb += p[2];
                }
                const std::uint64_t m = rc[c];
                const auto avg8 = [m](std::uint64_t s) {
                    return static_cast<std::uint8_t>(
                        std::min<std::uint64_t>((s * m + (1ull << 47)) >> 48, 255));
                };
                out[3 * c] = avg8(sr);
                out[3 * c + 1] = avg8(sg);
                out[3 * c + 2] = avg8(sb);
            }
        };
        const std::size_t stride = static_cast<std::size_t>(frame.stride_bytes);
        if (y1 - y0 <= 257) {
            sum_rows(acc16.data(), row(y0), stride, y1 - y0, n);
            cells(acc16.data());
        } else {
            sum_rows(acc32.data(), row(y0), stride, y1 - y0, n);
            cells(acc32.data());
        }
    }
}

void AsciiConverter::State::hold() {
    if (!anchor_valid) {
        anchor = avg;
        anchor_valid = true;
        return;
    }
    const std::size_t cells = avg.size() / 3;
    for (std::size_t i = 0; i < cells; ++i) {
        std::uint8_t* a = &avg[3 * i];
        std::uint8_t* k = &anchor[3 * i];
        const int d =
            std::max({std::abs(a[0] - k[0]), std::abs(a[1] - k[1]), std::abs(a[2] - k[2])});
        if (d <= kDeadBand) {
            std::memcpy(a, k, 3);
        } else {
            std::memcpy(k, a, 3);
        }
    }
}

// HSV saturation and value without leaving RGB: with the hue fixed, a channel is
// c = V (1 - S f) for a hue-only f, so scaling S by s and mapping V to V' gives
// c' = V'/V (V - s (V - c)), clipped at 0 where s S would pass 1.
void AsciiConverter::State::grade() {
    const std::size_t cells = avg.size() / 3;
    for (std::size_t i = 0; i < cells; ++i) {
        const std::uint8_t* a = &avg[3 * i];
        std::uint8_t* o = &boosted[3 * i];
        const int v = std::max({a[0], a[1], a[2]});
        if (v == 0) {
            o[0] = o[1] = o[2] = value_of_black;
        } else {
            const std::uint64_t m = value_mul[v];
            for (int k = 0; k < 3; ++k) {
                const std::int64_t t = std::max<std::int64_t>(
                    0, static_cast<std::int64_t>(v) * 256 - sat8 * (v - a[k]));
                o[k] = static_cast<std::uint8_t>(std::min<std::uint64_t>(
                    (static_cast<std::uint64_t>(t) * m + (1u << 23)) >> 24, 255));
            }
        }
        // OpenCV's RGB2GRAY weights (0.299, 0.587, 0.114) in 14-bit fixed point.
        grey[i] = static_cast<std::uint8_t>((4899 * o[0] + 9617 * o[1] + 1868 * o[2] + 8192) >> 14);
    }
}

// A horizontal box blur of the colour only (the glyphs keep the sharp grey), window shrunk
// at the row's ends.
void AsciiConverter::State::blur() {
    const int cols = opt.cols;
    const int half = opt.blur / 2;
    if (half == 0 || opt.color == ColorMode::kMono) {
        colour = boosted;
        return;
    }
    for (int r = 0; r < sub_rows; ++r) {
        const std::uint8_t* in = &boosted[static_cast<std::size_t>(r) * cols * 3];
        std::uint8_t* out = &colour[static_cast<std::size_t>(r) * cols * 3];
        std::uint32_t s[3] = {0, 0, 0};
        int lo = 0, hi = 0;  // the window [lo, hi)
        for (int c = 0; c < cols; ++c) {
            const int want_hi = std::min(cols, c + half + 1);
            const int want_lo = std::max(0, c - half);
            for (; hi < want_hi; ++hi) {
                for (int k = 0; k < 3; ++k) s[k] += in[3 * hi + k];
            }
            for (; lo < want_lo; ++lo) {
                for (int k = 0; k < 3; ++k) s[k] -= in[3 * lo + k];
            }
            const std::uint32_t m = blur_recip[hi - lo];
            for (int k = 0; k < 3; ++k) {
                out[3 * c + k] = static_cast<std::uint8_t>((s[k] * m + 32768) >> 16);
            }
        }
    }
}

void AsciiConverter::State::emit(TextFrame& out) const {
    const int cols = opt.cols, rows = opt.rows;
    out.cols = cols;
    out.rows = rows;
    out.color = opt.color;
    out.half_block = opt.half_block;
    out.cells.resize(static_cast<std::size_t>(cols) * rows);
    const auto pick = [this](const std::uint8_t* c, bool remap_black) -> std::uint32_t {
        switch (opt.color) {
            case ColorMode::k256: {
                const std::uint8_t i = detail::nearest_xterm256(lut256, c[0], c[1], c[2]);
                return remap_black && i == 16 ? 235u : i;
            }
            case ColorMode::k16: {
                const std::uint8_t i = detail::nearest_ansi16(lut16, c[0], c[1], c[2]);
                return remap_black && i == 0 ? 8u : i;
            }
            case ColorMode::kTrueColor:
                return static_cast<std::uint32_t>(c[0]) << 16 | c[1] << 8 | c[2];
            case ColorMode::kMono:
                return 0;
        }
        return 0;
    };
    if (opt.half_block) {
        for (int r = 0; r < rows; ++r) {
            const std::uint8_t* top = &colour[static_cast<std::size_t>(2 * r) * cols * 3];
            const std::uint8_t* bottom = top + static_cast<std::size_t>(cols) * 3;
            Cell* cell = &out.cells[static_cast<std::size_t>(r) * cols];
            for (int c = 0; c < cols; ++c) {
                cell[c] = Cell{0, pick(top + 3 * c, false), pick(bottom + 3 * c, false)};
            }
        }
        return;
    }
    const std::size_t cells = out.cells.size();
    for (std::size_t i = 0; i < cells; ++i) {
        const char glyph = glyph_of_grey[grey[i]];
        out.cells[i] = Cell{glyph, glyph == ' ' ? 0u : pick(&colour[3 * i], true), 0};
    }
}

AsciiConverter::AsciiConverter(const AsciiOptions& options)
    : options_(options), state_(std::make_unique<State>()) {
    state_->build_tables(options_);
}

AsciiConverter::~AsciiConverter() = default;
AsciiConverter::AsciiConverter(AsciiConverter&&) noexcept = default;
AsciiConverter& AsciiConverter::operator=(AsciiConverter&&) noexcept = default;

AsciiConverter::AsciiConverter(const AsciiConverter& other)
    : options_(other.options_),
      state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

AsciiConverter& AsciiConverter::operator=(const AsciiConverter& other) {
    if (this != &other) {
        options_ = other.options_;
        state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
    }
    return *this;
}

void AsciiConverter::set_options(const AsciiOptions& options) {
    options_ = options;
    if (!state_) state_ = std::make_unique<State>();
    state_->build_tables(options_);
}

void AsciiConverter::convert(const cpu::RgbaView& frame, TextFrame& out) {
    if (!state_) set_options(options_);  // a moved-from converter
    State& s = *state_;
    const bool usable = !frame.empty() && frame.stride_bytes >= frame.width_px * 4;
    const int w = usable ? frame.width_px : 0;
    const int h = usable ? frame.height_px : 0;
    if (w != s.src_w || h != s.src_h) s.build_geometry(w, h);
    if (usable) {
        s.average(frame);
    } else {
        std::fill(s.avg.begin(), s.avg.end(), std::uint8_t{0});
    }
    s.hold();
    s.grade();
    s.blur();
    s.emit(out);
}

}  // namespace interleave::renderer::ascii
