// make_sample.cpp: generates Interleave's bundled sample content procedurally
// (three side-by-side JPEG main-layer folders and one RGBA WebP float folder).
// Usage: make_sample OUTDIR. Output is deterministic: same build, same bytes.

#include <turbojpeg.h>
#include <webp/encode.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

namespace {

constexpr int kWidth = 480;   // width of one picture (an SBS JPEG is twice this)
constexpr int kHeight = 270;
constexpr int kFrames = 48;
constexpr int kJpegQuality = 82;
constexpr float kWebpQuality = 75.0f;
// The picture's last few columns fade to neutral chroma so that a decoder's
// chroma upsampling cannot tint the mask's first column across the SBS seam.
constexpr int kSeamFade = 4;
constexpr float kAspect = static_cast<float>(kWidth) / static_cast<float>(kHeight);
constexpr float kTau = 2.0f * std::numbers::pi_v<float>;

struct GenError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Rgb {
    float r = 0.0f;
    float g = 0.0f;
    float b = 0.0f;
};

struct Rgba {
    float r = 0.0f;
    float g = 0.0f;
    float b = 0.0f;
    float a = 0.0f;
};

// Scene functions take centred coordinates in picture-height units
// (x in [-kAspect/2, kAspect/2], y in [-0.5, 0.5], y down) and the loop phase
// in [0, kTau). Every animation uses whole multiples of the phase, so frame 47
// flows seamlessly back into frame 0.
using ColorFn = Rgb (*)(float x, float y, float phase);
using MaskFn = float (*)(float x, float y, float phase);
using FloatFn = Rgba (*)(float x, float y, float phase);

struct MainScene {
    const char* folder;
    ColorFn color;
    MaskFn mask;
};

struct FloatScene {
    const char* folder;
    FloatFn paint;
};

struct Totals {
    int folders = 0;
    int frames = 0;
    std::uintmax_t bytes = 0;
};

// ---------------------------------------------------------------- math helpers

float clamp01(float v) {
    return std::clamp(v, 0.0f, 1.0f);
}

float mix(float a, float b, float t) {
    return a + (b - a) * t;
}

Rgb mix(const Rgb& a, const Rgb& b, float t) {
    return {mix(a.r, b.r, t), mix(a.g, b.g, t), mix(a.b, b.b, t)};
}

float smoothstep(float edge0, float edge1, float v) {
    const float t = clamp01((v - edge0) / (edge1 - edge0));
    return t * t * (3.0f - 2.0f * t);
}

// Cosine palette: a + b * cos(tau * (c * t + d)), per channel.
Rgb palette(float t, const Rgb& a, const Rgb& b, const Rgb& c, const Rgb& d) {
    return {a.r + b.r * std::cos(kTau * (c.r * t + d.r)),
            a.g + b.g * std::cos(kTau * (c.g * t + d.g)),
            a.b + b.b * std::cos(kTau * (c.b * t + d.b))};
}

std::uint32_t hash2(std::int32_t x, std::int32_t y, std::uint32_t seed) {
    std::uint32_t h = static_cast<std::uint32_t>(x) * 374761393u +
                      static_cast<std::uint32_t>(y) * 668265263u + seed * 0x27d4eb2du;
    h = (h ^ (h >> 13)) * 1274126177u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 15;
    return h;
}

float hash_unit(std::int32_t x, std::int32_t y, std::uint32_t seed) {
    return static_cast<float>(hash2(x, y, seed) >> 8) * (1.0f / 16777216.0f);
}

// Smoothly interpolated lattice noise in [0, 1].
float value_noise(float x, float y, std::uint32_t seed) {
    const float fx = std::floor(x);
    const float fy = std::floor(y);
    const auto ix = static_cast<std::int32_t>(fx);
    const auto iy = static_cast<std::int32_t>(fy);
    float tx = x - fx;
    float ty = y - fy;
    tx = tx * tx * (3.0f - 2.0f * tx);
    ty = ty * ty * (3.0f - 2.0f * ty);
    const float v00 = hash_unit(ix, iy, seed);
    const float v10 = hash_unit(ix + 1, iy, seed);
    const float v01 = hash_unit(ix, iy + 1, seed);
    const float v11 = hash_unit(ix + 1, iy + 1, seed);
    return mix(mix(v00, v10, tx), mix(v01, v11, tx), ty);
}

// Fractal sum of value noise in [0, 1].
float fbm(float x, float y, std::uint32_t seed, int octaves) {
    float sum = 0.0f;
    float amp = 0.5f;
    float norm = 0.0f;
    for (int i = 0; i < octaves; ++i) {
        sum += amp * value_noise(x, y, seed + static_cast<std::uint32_t>(i) * 101u);
        norm += amp;
        x = x * 2.03f + 17.1f;
        y = y * 2.03f - 9.7f;
        amp *= 0.5f;
    }
    return sum / norm;
}

// Soft disc: 1 inside radius*inner, smooth falloff to exactly 0 at radius.
float soft_disc(float dx, float dy, float radius, float inner) {
    const float d = std::sqrt(dx * dx + dy * dy);
    return 1.0f - smoothstep(radius * inner, radius, d);
}

std::uint8_t to_byte(float v) {
    return static_cast<std::uint8_t>(std::lround(clamp01(v) * 255.0f));
}

// ------------------------------------------------------------- scene 0: rest
// Calm dusk sea: navy to teal, slow rolling swells, drifting cloud texture.

Rgb rest_color(float x, float y, float phase) {
    const float drift_x = 0.6f * std::cos(phase);
    const float drift_y = 0.6f * std::sin(phase);
    const float clouds = fbm(x * 3.5f + drift_x, y * 3.5f + drift_y, 11u, 5);
    const float swell =
        0.5f + 0.5f * std::sin(y * 22.0f - phase * 2.0f + 1.8f * std::sin(x * 3.0f + phase));
    const float grain = value_noise(x * 70.0f, y * 140.0f, 12u);
    const Rgb navy{0.05f, 0.10f, 0.26f};
    const Rgb teal{0.08f, 0.48f, 0.55f};
    const Rgb lavender{0.62f, 0.58f, 0.85f};
    const Rgb peach{1.00f, 0.78f, 0.62f};
    Rgb c = mix(navy, teal, clamp01(0.55f + 0.9f * y + 0.5f * (clouds - 0.5f)));
    c = mix(c, lavender, 0.55f * smoothstep(0.45f, 0.80f, clouds) * clamp01(0.6f - y));
    const float glow = std::exp(-((x - 0.35f) * (x - 0.35f) + (y + 0.22f) * (y + 0.22f)) * 7.0f);
    c = mix(c, peach, 0.55f * glow);
    const float light = 0.80f + 0.25f * swell + 0.10f * (grain - 0.5f);
    return {c.r * light, c.g * light, c.b * light};
}

float rest_mask(float x, float y, float phase) {
    const float breathe = 1.0f + 0.06f * std::sin(phase);
    const float cy = 0.02f * std::sin(phase * 2.0f);
    const float dx = x / (0.62f * breathe);
    const float dy = (y - cy) / (0.38f * breathe);
    const float angle = std::atan2(dy, dx);
    const float wobble = 1.0f + 0.03f * std::sin(angle * 2.0f + phase) +
                         0.02f * std::sin(angle * 3.0f - phase * 2.0f);
    const float d = std::sqrt(dx * dx + dy * dy) / wobble;
    return 1.0f - smoothstep(0.70f, 1.0f, d);
}

// ------------------------------------------------------------ scene 1: orbit
// Warm plum and amber, glowing rings orbiting the centre over brushed texture.

Rgb orbit_color(float x, float y, float phase) {
    const float r = std::sqrt(x * x + y * y);
    const float brushed = fbm(x * 2.0f + std::cos(phase) * 0.3f, y * 24.0f, 21u, 4);
    Rgb c = mix(Rgb{0.98f, 0.62f, 0.30f}, Rgb{0.22f, 0.06f, 0.20f}, clamp01(r * 1.4f));
    c = mix(c, Rgb{0.55f, 0.12f, 0.32f}, 0.35f * brushed);
    constexpr int kOrbs = 7;
    for (int i = 0; i < kOrbs; ++i) {
        const auto fi = static_cast<float>(i);
        const float radius = 0.12f + 0.05f * fi;
        const float speed = (i % 2 == 0) ? 1.0f : -1.0f;
        const float angle = speed * phase * static_cast<float>(1 + i % 3) + fi * 2.39996f;
        const float ox = x - radius * 1.35f * std::cos(angle);
        const float oy = y - radius * std::sin(angle);
        const float size = 0.035f + 0.012f * static_cast<float>(i % 4);
        const float d = std::sqrt(ox * ox + oy * oy);
        const float disc = 1.0f - smoothstep(size * 0.6f, size, d);
        const float ring = std::exp(-std::pow((d - size * 1.7f) * 60.0f, 2.0f));
        const Rgb tint = palette(fi / kOrbs, {0.8f, 0.55f, 0.45f}, {0.2f, 0.3f, 0.3f},
                                 {1.0f, 1.0f, 1.0f}, {0.0f, 0.10f, 0.20f});
        c = mix(c, tint, 0.85f * disc);
        c = {c.r + 0.45f * ring * tint.r, c.g + 0.45f * ring * tint.g,
             c.b + 0.45f * ring * tint.b};
    }
    const float sheen = 0.9f + 0.2f * (brushed - 0.5f);
    return {c.r * sheen, c.g * sheen, c.b * sheen};
}

float orbit_mask(float x, float y, float phase) {
    const float cx = 0.36f * std::sin(phase);
    const float cy = 0.07f * std::sin(phase * 2.0f);
    const float dx = (x - cx) / 0.40f;
    const float dy = (y - cy) / 0.36f;
    // Squircle-ish blob: |dx|^3 + |dy|^3.
    const float d = std::cbrt(std::abs(dx * dx * dx) + std::abs(dy * dy * dy));
    return 1.0f - smoothstep(0.65f, 1.0f, d);
}

// ----------------------------------------------------------- scene 2: ripple
// Violet and green interference ripples from two wandering sources.

Rgb ripple_color(float x, float y, float phase) {
    const float ax = -0.35f + 0.10f * std::cos(phase);
    const float ay = -0.10f + 0.08f * std::sin(phase);
    const float bx = 0.40f + 0.08f * std::sin(phase * 2.0f);
    const float by = 0.15f + 0.06f * std::cos(phase);
    const float da = std::sqrt((x - ax) * (x - ax) + (y - ay) * (y - ay));
    const float db = std::sqrt((x - bx) * (x - bx) + (y - by) * (y - by));
    const float waves = 0.25f * (std::sin(da * 32.0f - phase * 3.0f) +
                                 std::sin(db * 26.0f - phase * 2.0f)) + 0.5f;
    const float stripes = 0.5f + 0.5f * std::sin((x + y) * 14.0f +
                                                 4.0f * fbm(x * 3.0f, y * 3.0f, 31u, 3));
    const float speckle = value_noise(x * 90.0f, y * 90.0f, 32u);
    const Rgb ink{0.07f, 0.04f, 0.16f};
    const Rgb violet{0.48f, 0.22f, 0.72f};
    const Rgb green = mix(Rgb{0.30f, 0.62f, 0.85f}, Rgb{0.35f, 0.85f, 0.45f}, clamp01(y + 0.5f));
    Rgb c = mix(violet, green, smoothstep(0.05f, 0.95f, 0.7f * waves + 0.3f * stripes));
    c = mix(ink, c, clamp01(0.35f + 0.9f * waves - 0.3f * y));
    const float shade = 0.9f + 0.2f * (stripes - 0.5f) + 0.10f * (speckle - 0.5f);
    return {c.r * shade, c.g * shade, c.b * shade};
}

float ripple_mask(float x, float y, float phase) {
    float field = 0.0f;
    constexpr int kBalls = 3;
    for (int i = 0; i < kBalls; ++i) {
        const float angle = phase + kTau * static_cast<float>(i) / kBalls;
        const float bx = 0.30f * std::cos(angle);
        const float by = 0.12f * std::sin(angle);
        const float r = 0.17f + 0.03f * std::sin(phase * 2.0f + static_cast<float>(i));
        const float d2 = (x - bx) * (x - bx) + (y - by) * (y - by);
        field += r * r / std::max(d2, 1e-6f);
    }
    return smoothstep(0.75f, 1.6f, field);
}

// ------------------------------------------------------------ float: fireflies
// Glowing orbs with opaque cores drifting over a translucent ribbon.

Rgba over(const Rgba& src, const Rgba& dst) {
    const float a = src.a + dst.a * (1.0f - src.a);
    if (a <= 0.0f) {
        return {};
    }
    const float wd = dst.a * (1.0f - src.a);
    return {(src.r * src.a + dst.r * wd) / a, (src.g * src.a + dst.g * wd) / a,
            (src.b * src.a + dst.b * wd) / a, a};
}

Rgba fireflies(float x, float y, float phase) {
    Rgba out{};
    // Ribbon: a wave across the lower part with a smooth translucent edge.
    const float curve = 0.22f + 0.06f * std::sin(x * 4.0f + phase) +
                        0.03f * std::sin(x * 9.0f - phase * 2.0f);
    const float dist = std::abs(y - curve);
    const float ribbon = 1.0f - smoothstep(0.005f, 0.06f, dist);
    if (ribbon > 0.0f) {
        const float shimmer = 0.5f + 0.5f * std::sin(x * 12.0f - phase * 3.0f);
        out = {0.55f + 0.30f * shimmer, 0.85f, 0.95f - 0.25f * shimmer, 0.70f * ribbon};
    }
    constexpr int kFlies = 9;
    for (int i = 0; i < kFlies; ++i) {
        const auto fi = static_cast<float>(i);
        const int fx = 1 + i % 3;
        const int fy = 1 + (i + 1) % 2;
        const float px = 0.70f * std::sin(phase * static_cast<float>(fx) + fi * 1.7f);
        const float py = -0.05f + 0.32f * std::sin(phase * static_cast<float>(fy) + fi * 2.3f);
        const float radius = 0.05f + 0.012f * static_cast<float>(i % 4) +
                             0.01f * std::sin(phase * 2.0f + fi);
        const float a = soft_disc(x - px, y - py, radius, 0.30f);
        if (a <= 0.0f) {
            continue;
        }
        const float d = std::sqrt((x - px) * (x - px) + (y - py) * (y - py)) / radius;
        const Rgb tint = palette(fi / kFlies, {0.85f, 0.65f, 0.45f}, {0.15f, 0.30f, 0.40f},
                                 {1.0f, 1.0f, 1.0f}, {0.05f, 0.15f, 0.25f});
        const Rgb col = mix(Rgb{1.0f, 0.98f, 0.90f}, tint, clamp01(d * 1.2f));
        out = over({col.r, col.g, col.b, a}, out);
    }
    return out;
}

// ------------------------------------------------------------------ encoding

const std::array<MainScene, 3> kMainScenes = {{
    {"0_rest", rest_color, rest_mask},
    {"1_orbit", orbit_color, orbit_mask},
    {"2_ripple", ripple_color, ripple_mask},
}};

const FloatScene kFloatScene = {"255_fireflies", fireflies};

float frame_phase(int frame) {
    return kTau * static_cast<float>(frame) / static_cast<float>(kFrames);
}

float scene_x(int px) {
    return ((static_cast<float>(px) + 0.5f) / kWidth - 0.5f) * kAspect;
}

float scene_y(int py) {
    return (static_cast<float>(py) + 0.5f) / kHeight - 0.5f;
}

std::uintmax_t write_file(const fs::path& path, const unsigned char* data, std::size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw GenError("cannot open " + path.string() + " for writing");
    }
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
        throw GenError("failed writing " + path.string());
    }
    return size;
}

class JpegEncoder {
public:
    JpegEncoder() : handle_(tjInitCompress()) {
        if (handle_ == nullptr) {
            throw GenError(std::string("tjInitCompress failed: ") + tjGetErrorStr2(nullptr));
        }
    }
    ~JpegEncoder() { tjDestroy(handle_); }
    JpegEncoder(const JpegEncoder&) = delete;
    JpegEncoder& operator=(const JpegEncoder&) = delete;

    std::uintmax_t encode_to(const fs::path& path, const std::vector<unsigned char>& rgb,
                             int width, int height) {
        unsigned char* jpeg = nullptr;
        unsigned long jpeg_size = 0;
        const int rc = tjCompress2(handle_, rgb.data(), width, width * 3, height, TJPF_RGB,
                                   &jpeg, &jpeg_size, TJSAMP_420, kJpegQuality,
                                   TJFLAG_ACCURATEDCT);
        if (rc != 0) {
            const std::string msg = tjGetErrorStr2(handle_);
            tjFree(jpeg);
            throw GenError("JPEG encoding of " + path.string() + " failed: " + msg);
        }
        try {
            const std::uintmax_t n = write_file(path, jpeg, jpeg_size);
            tjFree(jpeg);
            return n;
        } catch (...) {
            tjFree(jpeg);
            throw;
        }
    }

private:
    tjhandle handle_;
};

std::uintmax_t encode_webp_to(const fs::path& path, const std::vector<unsigned char>& rgba,
                              int width, int height) {
    std::uint8_t* webp = nullptr;
    const std::size_t size =
        WebPEncodeRGBA(rgba.data(), width, height, width * 4, kWebpQuality, &webp);
    if (size == 0 || webp == nullptr) {
        WebPFree(webp);
        throw GenError("WebP encoding of " + path.string() + " failed");
    }
    try {
        const std::uintmax_t n = write_file(path, webp, size);
        WebPFree(webp);
        return n;
    } catch (...) {
        WebPFree(webp);
        throw;
    }
}

void make_dir(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
        throw GenError(dir.string() + " exists but is not a directory");
    }
    fs::create_directories(dir, ec);
    if (ec) {
        throw GenError("cannot create directory " + dir.string() + ": " + ec.message());
    }
}

void remove_subtree(const fs::path& dir) {
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(dir, ec);
    if (ec || !fs::exists(st)) {
        return;
    }
    fs::remove_all(dir, ec);
    if (ec) {
        throw GenError("cannot remove stale " + dir.string() + ": " + ec.message());
    }
}

void render_main(const fs::path& root, const MainScene& scene, JpegEncoder& encoder,
                 Totals& totals) {
    const fs::path dir = root / "face" / scene.folder;
    make_dir(dir);
    constexpr int kSbsWidth = kWidth * 2;
    std::vector<unsigned char> rgb(static_cast<std::size_t>(kSbsWidth) * kHeight * 3);
    for (int frame = 0; frame < kFrames; ++frame) {
        const float phase = frame_phase(frame);
        for (int py = 0; py < kHeight; ++py) {
            const float y = scene_y(py);
            unsigned char* row = rgb.data() + static_cast<std::size_t>(py) * kSbsWidth * 3;
            for (int px = 0; px < kWidth; ++px) {
                const float x = scene_x(px);
                Rgb c = scene.color(x, y, phase);
                if (px >= kWidth - kSeamFade) {
                    const float luma = 0.299f * c.r + 0.587f * c.g + 0.114f * c.b;
                    const float t = static_cast<float>(px - (kWidth - kSeamFade) + 1) /
                                    static_cast<float>(kSeamFade);
                    c = mix(c, Rgb{luma, luma, luma}, t);
                }
                unsigned char* left = row + static_cast<std::size_t>(px) * 3;
                left[0] = to_byte(c.r);
                left[1] = to_byte(c.g);
                left[2] = to_byte(c.b);
                const std::uint8_t m = to_byte(scene.mask(x, y, phase));
                unsigned char* right = row + static_cast<std::size_t>(kWidth + px) * 3;
                right[0] = m;
                right[1] = m;
                right[2] = m;
            }
        }
        const fs::path file = dir / (std::to_string(frame) + ".jpg");
        totals.bytes += encoder.encode_to(file, rgb, kSbsWidth, kHeight);
        ++totals.frames;
    }
    ++totals.folders;
}

void render_float(const fs::path& root, const FloatScene& scene, Totals& totals) {
    const fs::path dir = root / "float" / scene.folder;
    make_dir(dir);
    std::vector<unsigned char> rgba(static_cast<std::size_t>(kWidth) * kHeight * 4);
    for (int frame = 0; frame < kFrames; ++frame) {
        const float phase = frame_phase(frame);
        for (int py = 0; py < kHeight; ++py) {
            const float y = scene_y(py);
            for (int px = 0; px < kWidth; ++px) {
                const Rgba c = scene.paint(scene_x(px), y, phase);
                const std::uint8_t a = to_byte(c.a);
                unsigned char* out =
                    rgba.data() + (static_cast<std::size_t>(py) * kWidth + static_cast<std::size_t>(px)) * 4;
                // Fully transparent pixels carry black so they compress to nothing.
                out[0] = a == 0 ? 0 : to_byte(c.r);
                out[1] = a == 0 ? 0 : to_byte(c.g);
                out[2] = a == 0 ? 0 : to_byte(c.b);
                out[3] = a;
            }
        }
        const fs::path file = dir / (std::to_string(frame) + ".webp");
        totals.bytes += encode_webp_to(file, rgba, kWidth, kHeight);
        ++totals.frames;
    }
    ++totals.folders;
}

int run(int argc, char** argv) {
    if (argc != 2 || argv[1][0] == '\0') {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argc > 0 ? argv[0] : "make_sample");
        return 2;
    }
    const fs::path root = argv[1];
    make_dir(root);
    remove_subtree(root / "face");
    remove_subtree(root / "float");

    Totals totals;
    JpegEncoder encoder;
    for (const MainScene& scene : kMainScenes) {
        render_main(root, scene, encoder, totals);
    }
    render_float(root, kFloatScene, totals);

    std::printf("make_sample: wrote %d folders, %d frames, %ju bytes (%dx%d) to %s\n",
                totals.folders, totals.frames, totals.bytes, kWidth, kHeight,
                root.string().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_sample: error: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "make_sample: error: unknown failure\n");
    }
    return 1;
}
