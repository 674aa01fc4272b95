// ContentTree: generated frame folders for catalog, loader and end-to-end tests.
#include "tests/support/content_tree.hpp"

#include <string>

#include <fmt/format.h>
#include <turbojpeg.h>

#include "tests/support/image_writers.hpp"
#include "tests/support/temp_dir.hpp"

namespace interleave::test {
namespace fs = std::filesystem;

namespace {
constexpr std::uint8_t kSbsMask = 200;
constexpr std::uint8_t kAlpha = 180;

std::string_view extension(FrameFormat format) {
    switch (format) {
    case FrameFormat::kSbsJpeg:
    case FrameFormat::kJpeg: return "jpg";
    case FrameFormat::kWebp: return "webp";
    case FrameFormat::kPng: return "png";
    }
    return "bin";
}
}  // namespace

std::array<std::uint8_t, 4> frame_rgba(const FolderSpec& spec, std::size_t frame) {
    const auto r = static_cast<std::uint8_t>(16 * (frame % 15) + 8);
    const auto g = static_cast<std::uint8_t>(48 + 40 * (spec.seed % 5));
    const auto b = static_cast<std::uint8_t>(16 * ((frame / 15) % 15) + 8);
    std::uint8_t a = 255;
    if (spec.format == FrameFormat::kSbsJpeg) a = kSbsMask;
    if (spec.format == FrameFormat::kWebp || spec.format == FrameFormat::kPng) a = kAlpha;
    return {r, g, b, a};
}

std::string frame_name(const FolderSpec& spec, std::size_t frame) {
    return fmt::format("{}.{}", frame, extension(spec.format));
}

void write_folder(const fs::path& dir, const FolderSpec& spec) {
    fs::create_directories(dir);
    for (std::size_t i = 0; i < static_cast<std::size_t>(spec.frames); ++i) {
        const auto c = frame_rgba(spec, i);
        const int w = spec.width_px;
        const int h = spec.height_px;
        std::vector<std::uint8_t> bytes;
        switch (spec.format) {
        case FrameFormat::kSbsJpeg:
            bytes = encode_sbs_jpeg(solid(w, h, {c[0], c[1], c[2]}), solid(w, h, {c[3]}),
                                    TJSAMP_444);
            break;
        case FrameFormat::kJpeg: bytes = encode_jpeg(solid(w, h, {c[0], c[1], c[2]}), TJSAMP_444); break;
        case FrameFormat::kWebp: bytes = encode_webp_lossless(solid(w, h, {c[0], c[1], c[2], c[3]})); break;
        case FrameFormat::kPng: bytes = encode_png(solid(w, h, {c[0], c[1], c[2], c[3]})); break;
        }
        write_file(dir / frame_name(spec, i), bytes);
    }
}

fs::path ContentTree::add_main(std::string_view name, const FolderSpec& spec) {
    const fs::path dir = root_ / "face" / name;
    write_folder(dir, spec);
    return dir;
}

fs::path ContentTree::add_float(std::string_view name, const FolderSpec& spec) {
    const fs::path dir = root_ / "float" / name;
    write_folder(dir, spec);
    return dir;
}

}  // namespace interleave::test
