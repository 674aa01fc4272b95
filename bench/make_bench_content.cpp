// interleave_make_bench_content: photographic benchmark content from real photographs (Debian's
// mate-backgrounds), in the player's layout, every frame a different crop so nothing repeats.
// Smooth synthetic gradients decode several times faster and would flatter every figure.
//   interleave_make_bench_content OUTDIR --size 1920x1080 --frames 48 PHOTO_MAIN... --float PHOTO
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <libyuv/scale_argb.h>
#include <turbojpeg.h>

namespace fs = std::filesystem;

namespace {

struct Image {
    int width = 0;
    int height = 0;
    std::vector<unsigned char> rgba;
};

bool load_jpeg(const fs::path& path, Image& out) {
    std::ifstream in(path, std::ios::binary);
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.empty()) return false;
    tjhandle tj = tjInitDecompress();
    int w = 0, h = 0, ss = 0, cs = 0;
    bool ok = tjDecompressHeader3(tj, bytes.data(), bytes.size(), &w, &h, &ss, &cs) == 0;
    if (ok) {
        out.width = w;
        out.height = h;
        out.rgba.resize(static_cast<std::size_t>(w) * h * 4);
        ok = tjDecompress2(tj, bytes.data(), bytes.size(), out.rgba.data(), w, w * 4, h,
                           TJPF_RGBA, 0) == 0;
    }
    if (!ok) std::fprintf(stderr, "%s: %s\n", path.c_str(), tjGetErrorStr2(tj));
    tjDestroy(tj);
    return ok;
}

// Scales the photo so that it covers (w + pan) x h, keeping its aspect ratio.
Image cover(const Image& src, int w, int h, int pan) {
    const double sx = static_cast<double>(w + pan) / src.width;
    const double sy = static_cast<double>(h) / src.height;
    const double s = std::max(sx, sy);
    Image out;
    out.width = std::max(w + pan, static_cast<int>(std::ceil(src.width * s)));
    out.height = std::max(h, static_cast<int>(std::ceil(src.height * s)));
    out.rgba.resize(static_cast<std::size_t>(out.width) * out.height * 4);
    libyuv::ARGBScale(src.rgba.data(), src.width * 4, src.width, src.height, out.rgba.data(),
                      out.width * 4, out.width, out.height, libyuv::kFilterBox);
    return out;
}

// One SBS frame: a panning crop of the photo on the left, a soft moving ellipse mask on the
// right. `phase` in [0, 1).
std::vector<unsigned char> sbs_frame(const Image& photo, int w, int h, int pan, double phase) {
    std::vector<unsigned char> sbs(static_cast<std::size_t>(w) * 2 * h * 4);
    const int x0 = static_cast<int>(pan * (0.5 - 0.5 * std::cos(phase * 2 * M_PI)));
    const int y0 = (photo.height - h) / 2;
    const double cx = w * (0.5 + 0.2 * std::sin(phase * 2 * M_PI));
    const double cy = h * 0.5;
    const double rx = w * 0.38;
    const double ry = h * 0.42;
    for (int y = 0; y < h; ++y) {
        unsigned char* row = sbs.data() + static_cast<std::size_t>(y) * w * 2 * 4;
        std::memcpy(row, photo.rgba.data() + (static_cast<std::size_t>(y + y0) * photo.width + x0) * 4,
                    static_cast<std::size_t>(w) * 4);
        for (int x = 0; x < w; ++x) {
            const double dx = (x - cx) / rx;
            const double dy = (y - cy) / ry;
            const double d = std::sqrt(dx * dx + dy * dy);
            const double a = std::clamp((1.15 - d) / 0.3, 0.0, 1.0);  // soft edge
            const auto m = static_cast<unsigned char>(std::lround(a * 255));
            unsigned char* px = row + (static_cast<std::size_t>(w) + x) * 4;
            px[0] = px[1] = px[2] = m;
            px[3] = 255;
        }
    }
    return sbs;
}

bool write_folder(const fs::path& dir, const Image& photo, int w, int h, int frames,
                  int quality, std::size_t& bytes_out) {
    fs::create_directories(dir);
    const int pan = std::min(photo.width - w, w / 4);
    tjhandle tj = tjInitCompress();
    bool ok = true;
    for (int i = 0; i < frames && ok; ++i) {
        const auto sbs = sbs_frame(photo, w, h, pan, static_cast<double>(i) / frames);
        unsigned char* jpeg = nullptr;
        unsigned long size = 0;
        ok = tjCompress2(tj, sbs.data(), w * 2, w * 2 * 4, h, TJPF_RGBA, &jpeg, &size,
                         TJSAMP_420, quality, 0) == 0;
        if (ok) {
            std::ofstream out(dir / (std::to_string(i) + ".jpg"), std::ios::binary);
            out.write(reinterpret_cast<const char*>(jpeg), static_cast<std::streamsize>(size));
            ok = static_cast<bool>(out);
            bytes_out += size;
        } else {
            std::fprintf(stderr, "%s: %s\n", dir.c_str(), tjGetErrorStr2(tj));
        }
        tjFree(jpeg);
    }
    tjDestroy(tj);
    return ok;
}

int usage() {
    std::fprintf(stderr,
                 "usage: interleave_make_bench_content OUTDIR [--size WxH] [--frames N] "
                 "[--quality Q] PHOTO_MAIN.jpg... --float PHOTO_FLOAT.jpg\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    const fs::path out = argv[1];
    int w = 1920, h = 1080, frames = 48, quality = 90;
    std::vector<fs::path> mains;
    fs::path overlay;
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--size" && i + 1 < argc) {
            if (std::sscanf(argv[++i], "%dx%d", &w, &h) != 2 || w < 16 || h < 16) return usage();
        } else if (arg == "--frames" && i + 1 < argc) {
            frames = std::atoi(argv[++i]);
        } else if (arg == "--quality" && i + 1 < argc) {
            quality = std::atoi(argv[++i]);
        } else if (arg == "--float" && i + 1 < argc) {
            overlay = argv[++i];
        } else {
            mains.emplace_back(arg);
        }
    }
    if (mains.empty() || overlay.empty() || frames < 1) return usage();
    std::error_code ec;
    fs::remove_all(out / "face", ec);
    fs::remove_all(out / "float", ec);
    std::size_t bytes = 0;
    int folder = 0;
    auto make = [&](const fs::path& photo_path, const fs::path& dir) {
        Image photo;
        if (!load_jpeg(photo_path, photo)) return false;
        const Image scaled = cover(photo, w, h, w / 4);
        return write_folder(dir, scaled, w, h, frames, quality, bytes);
    };
    for (const auto& m : mains) {
        if (!make(m, out / "face" / (std::to_string(folder++) + "_" + m.stem().string()))) return 1;
    }
    if (!make(overlay, out / "float" / ("255_" + overlay.stem().string()))) return 1;
    std::printf("%s: %zu folders x %d frames of %dx%d SBS JPEG (q%d), %.1f MB\n", out.c_str(),
                mains.size() + 1, frames, w * 2, h, quality, bytes / 1e6);
    return 0;
}
