// Decoder: turns one frame file into one RGBA LayerImage in a pooled buffer. Each loader
// worker owns one Decoder (TurboJPEG handle, file and plane scratch); never share one.
// Thread: the owning worker only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "loader/buffer_pool.hpp"
#include "loader/frame.hpp"
#include "loader/image_format.hpp"

namespace interleave::loader {

struct DecoderOptions {
    ImageLimits limits;
    std::uint64_t max_file_bytes = 512ull << 20;  // refuse larger files before reading them
    // SBS JPEG: decode to YUV planes and colour-convert only the RGB half (the mask half is
    // its luma). Off: full RGB decode of both halves, then split. Alpha is identical and
    // colour agrees within ±3 (both interpolate subsampled chroma).
    bool sbs_via_planes = true;
    std::chrono::milliseconds pool_timeout{1000};  // wait for a free pool buffer
};

// The size a decoded layer must have; 0 means "whatever the file says".
struct ExpectedSize {
    int width_px = 0;
    int height_px = 0;
};

class Decoder {
public:
    explicit Decoder(DecoderOptions options = {});
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    // Reads `file` and decodes it as `encoding` into a buffer from `pool`. Errors name the file
    // and say what was expected: I/O, empty/truncated/corrupt data, limits, odd SBS width,
    // a size other than `expected`. kCancelled when the pool is shut down. After any failure
    // the decoder is as good as new: the next file decodes as on a fresh Decoder.
    [[nodiscard]] Result<LayerImage> decode_file(const std::filesystem::path& file,
                                                 LayerEncoding encoding, BufferPool& pool,
                                                 ExpectedSize expected = {});

    // Same, from bytes already in memory; `subject` names them in errors.
    [[nodiscard]] Result<LayerImage> decode_memory(std::span<const std::uint8_t> bytes,
                                                   LayerEncoding encoding, BufferPool& pool,
                                                   const std::string& subject,
                                                   ExpectedSize expected = {});

    [[nodiscard]] const DecoderOptions& options() const { return options_; }

private:
    Result<LayerImage> decode_jpeg(std::span<const std::uint8_t> bytes, bool sbs,
                                   BufferPool& pool, const std::string& subject,
                                   ExpectedSize expected);
    Result<LayerImage> decode_sbs_planes(std::span<const std::uint8_t> bytes,
                                         const ImageHeader& header, int subsamp,
                                         BufferPool& pool, const std::string& subject);
    Result<LayerImage> decode_sbs_rgba(std::span<const std::uint8_t> bytes,
                                       const ImageHeader& header, BufferPool& pool,
                                       const std::string& subject);
    Result<LayerImage> decode_webp(std::span<const std::uint8_t> bytes, BufferPool& pool,
                                   const std::string& subject, ExpectedSize expected);
    Result<LayerImage> decode_png(std::span<const std::uint8_t> bytes, BufferPool& pool,
                                  const std::string& subject, ExpectedSize expected);
    // The layer's buffer from `pool`, its size computed in 64 bits and checked.
    Result<LayerImage> acquire_layer(const ImageHeader& header, BufferPool& pool,
                                     const std::string& subject);
    // The TurboJPEG decompressor, created on first use and again after a failure.
    void* jpeg_handle();
    // The Error for a failed TurboJPEG call; drops the handle, which may be left mid-stream.
    tl::unexpected<Error> jpeg_failure(const char* what, std::size_t file_bytes,
                                       const std::string& subject);
    // Grows scratch_ to `bytes`; kTooLarge beyond the limits or when allocation fails.
    Result<void> resize_scratch(std::uint64_t bytes, const std::string& subject);

    const DecoderOptions options_;
    void* tj_ = nullptr;                 // TurboJPEG decompressor; nullptr after a failure
    std::vector<std::uint8_t> file_;     // the last file read; grows to the largest file
    std::vector<std::uint8_t> scratch_;  // YUV planes or a full SBS RGBA image
};

// Checks a decoded header against the folder's expected layer size.
[[nodiscard]] Result<void> check_expected(const ImageHeader& header, ExpectedSize expected,
                                          const std::string& subject);

}  // namespace interleave::loader
