// Writes the generated seed inputs of the fuzz targets: tiny frames of every layout the
// decoders read (from the test-support encoders), the same with an encoding byte for the
// header probe, and environment and flag lines for every config key at its default. The text
// seeds (config files, catalog trees, names, epochs) are written by hand.
//   fuzz_seed_writer tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <turbojpeg.h>

#include "config/config.hpp"
#include "config/config_keys.hpp"
#include "tests/support/image_writers.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using namespace interleave;
using Bytes = std::vector<std::uint8_t>;

struct Seed {
    std::string name;
    Bytes bytes;
};

test::Image with_alpha(const test::Image& rgb, const test::Image& mask) {
    test::Image out(rgb.width, rgb.height, 4);
    for (int y = 0; y < rgb.height; ++y) {
        for (int x = 0; x < rgb.width; ++x) {
            const std::uint8_t* s = rgb.at(x, y);
            std::uint8_t* d = out.at(x, y);
            d[0] = s[0];
            d[1] = s[1];
            d[2] = s[2];
            d[3] = *mask.at(x, y);
        }
    }
    return out;
}

void write_all(const fs::path& dir, const std::vector<Seed>& seeds) {
    fs::create_directories(dir);
    for (const Seed& s : seeds) test::write_file(dir / s.name, s.bytes);
    std::fprintf(stderr, "%zu seeds in %s\n", seeds.size(), dir.c_str());
}

Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_seed_writer CORPUS_DIR (tests/fuzz/corpus)\n");
        return 2;
    }
    const fs::path root = argv[1];
    // 16x8 layers: two JPEG MCUs wide, small enough to keep every seed under 1 KiB.
    const test::Image rgb = test::photo_like(16, 8, 7);
    const test::Image mask = test::mask_quadrants(16, 8, 0, 12, 13, 255);
    const Bytes sbs420 = test::encode_sbs_jpeg(rgb, mask, TJSAMP_420, 80);

    write_all(root / "decode_sbs_jpeg",
              {{"sbs_420.jpg", sbs420},
               {"sbs_422.jpg", test::encode_sbs_jpeg(rgb, mask, TJSAMP_422, 80)},
               {"sbs_444.jpg", test::encode_sbs_jpeg(rgb, mask, TJSAMP_444, 80)},
               {"sbs_gray.jpg", test::encode_jpeg(test::side_by_side(rgb, mask), TJSAMP_GRAY, 80)},
               {"sbs_corrupt_body.jpg", test::damaged(sbs420, test::Damage::kCorruptBody)}});
    const Bytes opaque444 = test::encode_jpeg(rgb, TJSAMP_444, 80);
    write_all(root / "decode_opaque_jpeg",
              {{"opaque_444.jpg", opaque444},
               {"opaque_420.jpg", test::encode_jpeg(rgb, TJSAMP_420, 80)},
               {"opaque_gray.jpg", test::encode_jpeg(mask, TJSAMP_GRAY, 80)},
               {"opaque_truncated.jpg", test::damaged(opaque444, test::Damage::kTruncatedBody)}});
    const test::Image rgba = with_alpha(rgb, mask);
    const Bytes webp_rgba = test::encode_webp_lossless(rgba);
    write_all(root / "decode_webp",
              {{"lossless_rgb.webp", test::encode_webp_lossless(rgb)},
               {"lossless_rgba.webp", webp_rgba},
               {"lossy_rgb.webp", test::encode_webp_lossy(rgb, 50)},
               {"lossy_rgba.webp", test::encode_webp_lossy(rgba, 50)}});
    const test::PaletteEntry palette[] = {{0, 0, 0, 0}, {255, 0, 0, 128}, {0, 255, 0, 255}};
    const std::uint8_t indices[16 * 8] = {0, 1, 2, 1, 0, 2, 2, 1};
    const Bytes png_rgba = test::encode_png(rgba);
    write_all(root / "decode_png",
              {{"gray.png", test::encode_png(mask)},
               {"rgb.png", test::encode_png(rgb)},
               {"rgba.png", png_rgba},
               {"palette_trns.png", test::encode_png_palette(16, 8, palette, indices)},
               {"corrupt_body.png", test::damaged(png_rgba, test::Damage::kCorruptBody)}});

    // The header probe's first byte picks the encoding: 0 SBS JPEG, 1 opaque, 2 WebP, 3 PNG.
    const auto probe = [](std::uint8_t encoding, const Bytes& file) {
        Bytes out{encoding};
        out.insert(out.end(), file.begin(), file.end());
        return out;
    };
    write_all(root / "header_probe", {{"sbs.bin", probe(0, sbs420)},
                                      {"opaque.bin", probe(1, opaque444)},
                                      {"webp.bin", probe(2, webp_rgba)},
                                      {"png.bin", probe(3, png_rgba)}});

    // Every key at its default, as environment variables and as flags, a section per file.
    std::vector<Seed> env;
    std::vector<Seed> flags;
    for (std::string_view section : config::sections()) {
        std::string env_lines;
        std::string flag_lines;
        for (const config::KeyInfo& key : config::keys()) {
            if (key.section() != section) continue;
            env_lines += config::env_name(key) + "=" + config::default_text(key) + "\n";
            flag_lines += std::string(key.key) + "=" + config::default_text(key) + "\n";
        }
        env.push_back({std::string(section) + ".env", text(env_lines)});
        flags.push_back({std::string(section) + ".flags", text(flag_lines)});
    }
    write_all(root / "config_env", env);
    write_all(root / "config_flags", flags);
    return 0;
}
