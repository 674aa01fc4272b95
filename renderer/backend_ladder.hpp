// The backend ladder: GL 3.3 core -> GLES 3.0 -> GLES 2.0 -> CPU. `--renderer auto` walks it
// and falls back with a logged reason; a forced rung is tried alone and fails clearly. Every
// attempt, with the machine's facts (session type, GL_RENDERER/GL_VERSION, Raspberry Pi), is
// appended to a JSON backend-usage log in the XDG state directory.
// Thread: choose_headless_backend() on the thread that will own the context (render); the
// log helpers on any thread (one writer at a time per process).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "renderer/gl/egl_context.hpp"

namespace interleave::renderer {

enum class Rung : std::uint8_t { kGl33, kGles30, kGles20, kCpu };
enum class RendererRequest : std::uint8_t { kAuto, kGl33, kGles30, kGles20, kCpu };

[[nodiscard]] std::string_view to_string(Rung rung);  // "gl", "gles3", "gles2", "cpu"
// The GL API of a GL rung; nullopt for kCpu.
[[nodiscard]] std::optional<gl::GlApi> gl_api_of(Rung rung);

struct BackendAttempt {
    Rung rung = Rung::kCpu;
    bool ok = false;
    std::string reason;       // why it failed (empty when ok)
    std::string gl_renderer;  // GL_RENDERER / GL_VERSION when a context came up
    std::string gl_version;
    double ms = 0.0;          // time the attempt took
};

// The machine's facts the log records.
struct MachineFacts {
    std::string session_type;  // "x11", "wayland" or "none"
    bool raspberry_pi = false;
    std::string model;         // device-tree model when there is one ("Raspberry Pi 4 Model B")
};

struct BackendChoice {
    Rung rung = Rung::kCpu;
    std::vector<BackendAttempt> attempts;
    // The context for a GL rung, made current on the calling thread; null for kCpu.
    std::unique_ptr<gl::HeadlessEglContext> context;
};

// True for the GL_RENDERER of a software rasteriser (Mesa llvmpipe, softpipe, swrast, ...).
[[nodiscard]] bool is_software_renderer(const std::string& gl_renderer);

// Reads $XDG_SESSION_TYPE, $WAYLAND_DISPLAY and $DISPLAY, and the device-tree model
// (`model_file`, normally /proc/device-tree/model).
[[nodiscard]] MachineFacts machine_facts(
    const std::filesystem::path& model_file = "/proc/device-tree/model");

// Headless (EGL, no display server): `kAuto` tries each GL rung best first and ends on the CPU,
// which always works. A software rasteriser (llvmpipe, softpipe, swrast) is no usable GPU:
// the SIMD CPU compositor is far faster than it (0.9 ms against 27 ms for a 1080p frame on
// two cores), so `kAuto` records why and goes to the CPU. A forced rung is tried alone and
// used even in software (that is how CI tests the GL path); its failure is an error naming
// output.renderer, the rung and the reason (kUnsupported).
[[nodiscard]] Result<BackendChoice> choose_headless_backend(RendererRequest request);

// The log: $XDG_STATE_HOME/interleave/backend-usage.json, else
// $HOME/.local/state/interleave/backend-usage.json; nullopt when neither variable is set.
[[nodiscard]] std::optional<std::filesystem::path> default_usage_log_path();

// One log entry for a choice, e.g. {"time", "mode": "headless", "request", "chosen",
// "attempts": [...], "session_type", "raspberry_pi", "model"}.
[[nodiscard]] nlohmann::json usage_entry(const BackendChoice& choice, RendererRequest request,
                                         std::string_view mode, const MachineFacts& facts);

// Appends `entry` to the JSON array in `log` (created with its folders if missing; a file that
// is not a JSON array is replaced, not crashed on), keeping the newest `keep` entries. Written
// to a temporary file and renamed, so readers never see half a log. Errors name the path.
[[nodiscard]] Result<void> append_usage_log(const std::filesystem::path& log,
                                            const nlohmann::json& entry, std::size_t keep = 200);

}  // namespace interleave::renderer
