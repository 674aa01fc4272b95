// StatsOverlay: an ImGui frame per draw, rendered by ImGui's OpenGL 3 backend.
#include "app/stats_overlay.hpp"

#include <algorithm>
#include <chrono>

#include <backends/imgui_impl_opengl3.h>
#include <glad/gl.h>
#include <imgui.h>

namespace interleave::app {
namespace {

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

Result<std::unique_ptr<StatsOverlay>> StatsOverlay::create() {
    std::unique_ptr<StatsOverlay> overlay(new StatsOverlay());
    IMGUI_CHECKVERSION();
    overlay->context_ = ImGui::CreateContext();
    ImGui::SetCurrentContext(overlay->context_);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing written next to the player
    io.LogFilename = nullptr;
    ImGui::StyleColorsDark();
    if (!ImGui_ImplOpenGL3_Init("#version 330 core")) {
        ImGui::DestroyContext(overlay->context_);
        overlay->context_ = nullptr;
        return make_error(ErrorCode::kUnsupported, "overlay",
                          "ImGui's OpenGL 3 backend did not initialise on this context");
    }
    overlay->last_draw_s_ = now_s();
    return overlay;
}

StatsOverlay::~StatsOverlay() {
    if (context_ == nullptr) return;
    ImGui::SetCurrentContext(context_);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(context_);
}

void StatsOverlay::draw(int fb_w, int fb_h, const std::vector<std::string>& lines) {
    ImGui::SetCurrentContext(context_);
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(fb_w), static_cast<float>(fb_h));
    const double now = now_s();
    io.DeltaTime = static_cast<float>(std::max(1e-4, now - last_draw_s_));
    last_draw_s_ = now;
    // ImGui sizes an auto-resized window on its first frame and shows it from the second: lay
    // the panel out once, unseen, so the first draw shows it.
    if (!laid_out_) {
        build_frame(lines);
        laid_out_ = true;
    }
    build_frame(lines);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, fb_w, fb_h);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void StatsOverlay::build_frame(const std::vector<std::string>& lines) {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(8, 8));
    ImGui::SetNextWindowBgAlpha(0.6f);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoInputs |
                                   ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoNav;
    if (ImGui::Begin("Interleave stats", nullptr, flags)) {
        for (const std::string& line : lines) ImGui::TextUnformatted(line.c_str());
    }
    ImGui::End();
    ImGui::Render();
}

}  // namespace interleave::app
