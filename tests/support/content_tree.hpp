// ContentTree: writes a content directory (face/<N>_<name>/, float/255_<name>/) of small
// flat-colour frames, each frame a colour that names its folder seed and frame number, so a
// test can tell which file a decoded layer came from. Thread: owned by one test.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>

namespace interleave::test {

enum class FrameFormat {
    kSbsJpeg,   // RGB | mask side by side, 4:4:4 quality 95 (decodes within a few levels)
    kJpeg,      // plain opaque JPEG
    kWebp,      // lossless RGBA WebP (exact)
    kPng,       // RGBA PNG (exact)
};

struct FolderSpec {
    int frames = 4;
    FrameFormat format = FrameFormat::kSbsJpeg;
    int width_px = 16;   // the layer's size (an SBS file is twice as wide)
    int height_px = 16;
    int seed = 0;        // tells folders apart in the frames' colours
};

// The RGBA a frame of a folder made with `spec` decodes to (JPEG: within a few levels).
// Distinct for every frame below 225 and seed below 5 (channels 16 levels apart or more).
[[nodiscard]] std::array<std::uint8_t, 4> frame_rgba(const FolderSpec& spec, std::size_t frame);

// The file name of frame i: "<i>.<ext>", not zero padded, so order needs natural sort.
[[nodiscard]] std::string frame_name(const FolderSpec& spec, std::size_t frame);

// Writes spec.frames frames into `dir` (created if missing).
void write_folder(const std::filesystem::path& dir, const FolderSpec& spec);

class ContentTree {
public:
    explicit ContentTree(std::filesystem::path root) : root_(std::move(root)) {}

    // face/<name>/ and float/<name>/ with spec.frames frames; returns the folder's path.
    std::filesystem::path add_main(std::string_view name, const FolderSpec& spec = {});
    std::filesystem::path add_float(std::string_view name, const FolderSpec& spec = {});

    [[nodiscard]] const std::filesystem::path& root() const { return root_; }

private:
    std::filesystem::path root_;
};

}  // namespace interleave::test
