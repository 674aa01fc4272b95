// StatsOverlay: the developers' Dear ImGui stats overlay, drawn over the presented frame in the
// window (the O key). Its ImGui context, font texture and GL objects live on the render thread:
// ImGui's IO is fed here (display size and time; the overlay takes no input), so no GLFW call
// is needed off the main thread. ImGui's OpenGL 3 backend drives desktop GL only: on the GLES
// rungs create() fails and the overlay is unavailable (said once in the log).
// Thread: render only, with the window's GL 3.3 context current.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"

struct ImGuiContext;

namespace interleave::app {

class StatsOverlay {
public:
    // Creates the ImGui context and its GL objects (program, buffers, font texture).
    // kUnsupported when the backend cannot initialise on the current context.
    [[nodiscard]] static Result<std::unique_ptr<StatsOverlay>> create();
    ~StatsOverlay();  // deletes the GL objects (the same context must be current)
    StatsOverlay(const StatsOverlay&) = delete;
    StatsOverlay& operator=(const StatsOverlay&) = delete;

    // Draws `lines` in a translucent panel at the top-left of framebuffer 0 (fb_w x fb_h),
    // over what is there; call after presenting and before swapping.
    void draw(int fb_w, int fb_h, const std::vector<std::string>& lines);

private:
    StatsOverlay() = default;
    void build_frame(const std::vector<std::string>& lines);
    ImGuiContext* context_ = nullptr;
    bool laid_out_ = false;
    double last_draw_s_ = 0.0;
};

}  // namespace interleave::app
