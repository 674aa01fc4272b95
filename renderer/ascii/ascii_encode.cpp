// The text frame encoders: whole frames, cell diffs with cheap cursor moves, plain frames for
// pipes. Pure functions of their arguments. Thread: any.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "renderer/ascii/ascii_converter.hpp"

namespace interleave::renderer::ascii {
namespace {

constexpr std::int64_t kDefault = -1;  // the terminal's default colour (after CSI 0m)

struct Pen {
    std::int64_t fg = kDefault;
    std::int64_t bg = kDefault;
};

bool well_formed(const TextFrame& f) {
    return f.cols > 0 && f.rows > 0 &&
           f.cells.size() == static_cast<std::size_t>(f.cols) * static_cast<std::size_t>(f.rows);
}

// The most bytes one cell can take (its escape and glyph), by mode.
std::size_t cell_bound(const TextFrame& f) {
    switch (f.color) {
        case ColorMode::k256:
            return f.half_block ? 23 : 12;
        case ColorMode::kTrueColor:
            return f.half_block ? 39 : 20;
        case ColorMode::k16:
            return f.half_block ? 12 : 6;
        case ColorMode::kMono:
            return 3;
    }
    return 39;
}

char* put(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
}

char* put_uint(char* p, unsigned v) {
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) *p++ = tmp[--n];
    return p;
}

int digits(unsigned v) {
    int n = 1;
    while (v >= 10) {
        v /= 10;
        ++n;
    }
    return n;
}

// SGR parameters of one colour (no CSI, no 'm').
char* put_colour(char* p, ColorMode mode, std::uint32_t c, bool background) {
    switch (mode) {
        case ColorMode::k256:
            p = put(p, background ? "48;5;" : "38;5;");
            return put_uint(p, c & 0xff);
        case ColorMode::kTrueColor:
            p = put(p, background ? "48;2;" : "38;2;");
            p = put_uint(p, (c >> 16) & 0xff);
            *p++ = ';';
            p = put_uint(p, (c >> 8) & 0xff);
            *p++ = ';';
            return put_uint(p, c & 0xff);
        case ColorMode::k16: {
            const unsigned i = c & 15;
            const unsigned base = i < 8 ? (background ? 40 : 30) : (background ? 100 : 90);
            return put_uint(p, base + (i & 7));
        }
        case ColorMode::kMono:
            return p;
    }
    return p;
}

constexpr std::string_view kLowerHalfBlock = "\xe2\x96\x84";  // "▄"

char* put_sgr(char* p, ColorMode mode, const std::uint32_t* fg, const std::uint32_t* bg) {
    p = put(p, "\x1b[");
    if (fg) p = put_colour(p, mode, *fg, false);
    if (fg && bg) *p++ = ';';
    if (bg) p = put_colour(p, mode, *bg, true);
    *p++ = 'm';
    return p;
}

// A half-block cell (top colour fg, bottom colour bg) in whichever form needs the fewest
// colour changes from the pen: "▀" (fg top, bg bottom) or "▄" (fg bottom, bg top); a cell of
// one colour is a space on that background. Ties go to "▀".
char* put_half(char* p, const TextFrame& f, const Cell& cell, Pen& pen) {
    const std::int64_t top = cell.fg, bottom = cell.bg;
    if (top == bottom) {  // a space never needs more than the background, nor 3 bytes
        if (pen.bg != bottom) {
            p = put_sgr(p, f.color, nullptr, &cell.bg);
            pen.bg = bottom;
        }
        return put(p, " ");
    }
    const int upper = (pen.fg != top) + (pen.bg != bottom);
    const int lower = (pen.fg != bottom) + (pen.bg != top);
    const bool flip = lower < upper;
    const std::uint32_t want_fg = flip ? cell.bg : cell.fg;
    const std::uint32_t want_bg = flip ? cell.fg : cell.bg;
    const bool change_fg = pen.fg != want_fg;
    const bool change_bg = pen.bg != want_bg;
    if (change_fg || change_bg) {
        p = put_sgr(p, f.color, change_fg ? &want_fg : nullptr, change_bg ? &want_bg : nullptr);
        pen.fg = want_fg;
        pen.bg = want_bg;
    }
    return put(p, flip ? kLowerHalfBlock : kHalfBlock);
}

// One cell, with the colour escape it needs given the pen; updates the pen.
char* put_cell(char* p, const TextFrame& f, const Cell& cell, Pen& pen) {
    if (f.half_block) {
        if (f.color != ColorMode::kMono && cell.glyph == 0) return put_half(p, f, cell, pen);
        if (cell.glyph == 0) return put(p, kHalfBlock);
        *p++ = cell.glyph;
        return p;
    }
    if (f.color != ColorMode::kMono && cell.glyph != ' ' && pen.fg != cell.fg) {
        p = put(p, "\x1b[");
        p = put_colour(p, f.color, cell.fg, false);
        *p++ = 'm';
        pen.fg = cell.fg;
    }
    if (cell.glyph == 0) return put(p, kHalfBlock);
    *p++ = cell.glyph;
    return p;
}

// Whether a viewer sees the two cells alike (a blank's colour is invisible outside half-block
// mode; monochrome has no colour).
bool looks_same(const TextFrame& f, const Cell& a, const Cell& b) {
    if (a.glyph != b.glyph) return false;
    if (f.half_block) return f.color == ColorMode::kMono || (a.fg == b.fg && a.bg == b.bg);
    return f.color == ColorMode::kMono || a.glyph == ' ' || a.fg == b.fg;
}

// Sizes `out` for the worst case; returns the write pointer.
char* begin(std::string& out, std::size_t bound) {
    out.clear();
    out.resize(bound);
    return out.data();
}
void finish(std::string& out, const char* p) {
    out.resize(static_cast<std::size_t>(p - out.data()));
}

}  // namespace

void encode_full(const TextFrame& frame, std::string& out, bool synchronized) {
    if (!well_formed(frame)) {
        out.clear();
        return;
    }
    char* p = begin(out, frame.cells.size() * cell_bound(frame) +
                             static_cast<std::size_t>(frame.rows) * 2 + 64);
    if (synchronized) p = put(p, "\x1b[?2026h");
    p = put(p, "\x1b[H");
    Pen pen;
    const Cell* cell = frame.cells.data();
    for (int r = 0; r < frame.rows; ++r) {
        if (r > 0) p = put(p, "\r\n");
        for (int c = 0; c < frame.cols; ++c) p = put_cell(p, frame, *cell++, pen);
    }
    p = put(p, "\x1b[0m");
    if (synchronized) p = put(p, "\x1b[?2026l");
    finish(out, p);
}

void encode_plain(const TextFrame& frame, std::string& out) {
    if (!well_formed(frame)) {
        out.clear();
        return;
    }
    const bool colour = frame.color != ColorMode::kMono;
    char* p = begin(out, frame.cells.size() * cell_bound(frame) +
                             static_cast<std::size_t>(frame.rows) * 6 + 16);
    const Cell* cell = frame.cells.data();
    for (int r = 0; r < frame.rows; ++r) {
        Pen pen;  // each row starts from the reset that ended the one before
        for (int c = 0; c < frame.cols; ++c) p = put_cell(p, frame, *cell++, pen);
        if (colour) p = put(p, "\x1b[0m");
        p = put(p, "\r\n");
    }
    p = put(p, "\r\n");
    finish(out, p);
}

void encode_diff(const TextFrame& prev, const TextFrame& next, std::string& out,
                 bool synchronized) {
    if (!well_formed(next) || !well_formed(prev) || !prev.same_shape(next)) {
        encode_full(next, out, synchronized);
        return;
    }
    const int cols = next.cols;
    const Cell* a = prev.cells.data();
    const Cell* b = next.cells.data();
    const std::size_t n = next.cells.size();
    std::size_t first = 0;
    while (first < n && looks_same(next, a[first], b[first])) ++first;
    out.clear();
    if (first == n) return;

    // Worst case: every cell behind a CSI r;c H (a cheaper rewrite or CR LF never costs more).
    const std::size_t move_bound =
        4 + static_cast<std::size_t>(digits(static_cast<unsigned>(next.rows)) +
                                     digits(static_cast<unsigned>(cols)));
    char* p = begin(out, n * (cell_bound(next) + move_bound) + 64);
    if (synchronized) p = put(p, "\x1b[?2026h");
    Pen pen;
    // The cursor: its row, and its column or -1 when unknown (after the last column the
    // terminal waits to wrap, which terminals treat differently); row -1: unknown.
    int cur_r = -1, cur_c = -1;
    constexpr int kMaxRewrite = 8;  // a move costs at most ~12 bytes; a cell at least 1
    char gap_buf[kMaxRewrite * 39];
    for (std::size_t i = first; i < n; ++i) {
        if (looks_same(next, a[i], b[i])) continue;
        const int r = static_cast<int>(i / cols);
        const int c = static_cast<int>(i % cols);
        // The cheapest way to reach (r, c).
        const int absolute = 3 + digits(r + 1) + (c > 0 ? 1 + digits(c + 1) : 0);
        int best = absolute;
        enum { kAbsolute, kForward, kRewrite, kNewline } how = kAbsolute;
        std::size_t rewrite_len = 0;
        Pen rewrite_pen = pen;
        if (cur_r == r && cur_c >= 0 && cur_c <= c) {
            const int gap = c - cur_c;
            if (gap == 0) {
                best = 0;
                how = kForward;
            } else {
                const int forward = gap == 1 ? 3 : 3 + digits(gap);
                if (forward < best) {
                    best = forward;
                    how = kForward;
                }
                if (gap <= kMaxRewrite) {
                    char* q = gap_buf;
                    for (int k = cur_c; k < c; ++k) {
                        q = put_cell(q, next, b[static_cast<std::size_t>(r) * cols + k],
                                     rewrite_pen);
                    }
                    rewrite_len = static_cast<std::size_t>(q - gap_buf);
                    if (static_cast<int>(rewrite_len) <= best) {
                        best = static_cast<int>(rewrite_len);
                        how = kRewrite;
                    }
                }
            }
        } else if (cur_r >= 0 && cur_r < r) {
            const int down = r - cur_r;
            const int newline = 2 * down + (c == 0 ? 0 : c == 1 ? 3 : 3 + digits(c));
            if (newline < best) {
                best = newline;
                how = kNewline;
            }
        }
        switch (how) {
            case kAbsolute:
                p = put(p, "\x1b[");
                p = put_uint(p, static_cast<unsigned>(r + 1));
                if (c > 0) {
                    *p++ = ';';
                    p = put_uint(p, static_cast<unsigned>(c + 1));
                }
                *p++ = 'H';
                break;
            case kForward:
                if (best > 0) {
                    p = put(p, "\x1b[");
                    if (c - cur_c > 1) p = put_uint(p, static_cast<unsigned>(c - cur_c));
                    *p++ = 'C';
                }
                break;
            case kRewrite:
                std::memcpy(p, gap_buf, rewrite_len);
                p += rewrite_len;
                pen = rewrite_pen;
                break;
            case kNewline:
                for (int k = cur_r; k < r; ++k) p = put(p, "\r\n");
                if (c > 0) {
                    p = put(p, "\x1b[");
                    if (c > 1) p = put_uint(p, static_cast<unsigned>(c));
                    *p++ = 'C';
                }
                break;
        }
        p = put_cell(p, next, b[i], pen);
        cur_r = r;
        cur_c = c + 1 < cols ? c + 1 : -1;
    }
    p = put(p, "\x1b[0m");
    if (synchronized) p = put(p, "\x1b[?2026l");
    finish(out, p);
}

}  // namespace interleave::renderer::ascii
