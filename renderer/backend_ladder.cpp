// Backend ladder: EGL context attempts best first, machine facts, and the usage log.
#include "renderer/backend_ladder.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/log.hpp"

namespace interleave::renderer {
namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

std::string_view request_name(RendererRequest request) {
    switch (request) {
    case RendererRequest::kAuto: return "auto";
    case RendererRequest::kGl33: return "gl";
    case RendererRequest::kGles30: return "gles3";
    case RendererRequest::kGles20: return "gles2";
    case RendererRequest::kCpu: return "cpu";
    }
    return "auto";
}

BackendAttempt attempt(Rung rung, std::unique_ptr<gl::HeadlessEglContext>& context) {
    BackendAttempt a;
    a.rung = rung;
    const auto start = std::chrono::steady_clock::now();
    if (const auto api = gl_api_of(rung)) {
        // A rung works when its context comes up and can be made current here (which also
        // loads glad and reads GL_RENDERER/GL_VERSION).
        auto created = gl::HeadlessEglContext::create(*api);
        if (!created) {
            a.reason = created.error().message();
        } else if (auto current = (*created)->make_current(); !current) {
            a.reason = current.error().message();
        } else {
            a.ok = true;
            a.gl_renderer = (*created)->renderer();
            a.gl_version = (*created)->version();
            context = std::move(*created);
        }
    } else {
        a.ok = true;  // the CPU compositor needs nothing
    }
    a.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
               .count();
    return a;
}

std::string utc_now_iso() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

}  // namespace

bool is_software_renderer(const std::string& renderer) {
    for (const char* name : {"llvmpipe", "softpipe", "swrast", "Software Rasterizer"}) {
        if (renderer.find(name) != std::string::npos) return true;
    }
    return false;
}

std::optional<gl::GlApi> gl_api_of(Rung rung) {
    switch (rung) {
    case Rung::kGl33: return gl::GlApi::kGl33Core;
    case Rung::kGles30: return gl::GlApi::kGles30;
    case Rung::kGles20: return gl::GlApi::kGles20;
    case Rung::kCpu: return std::nullopt;
    }
    return std::nullopt;
}

std::string_view to_string(Rung rung) {
    switch (rung) {
    case Rung::kGl33: return "gl";
    case Rung::kGles30: return "gles3";
    case Rung::kGles20: return "gles2";
    case Rung::kCpu: return "cpu";
    }
    return "cpu";
}

MachineFacts machine_facts(const std::filesystem::path& model_file) {
    MachineFacts facts;
    const std::string session = env("XDG_SESSION_TYPE");
    if (session == "x11" || session == "wayland") {
        facts.session_type = session;
    } else if (!env("WAYLAND_DISPLAY").empty()) {
        facts.session_type = "wayland";
    } else if (!env("DISPLAY").empty()) {
        facts.session_type = "x11";
    } else {
        facts.session_type = "none";
    }
    std::ifstream in(model_file, std::ios::binary);
    std::string model((std::istreambuf_iterator<char>(in)), {});
    while (!model.empty() && (model.back() == '\0' || model.back() == '\n')) model.pop_back();
    facts.model = model;
    facts.raspberry_pi = model.find("Raspberry Pi") != std::string::npos;
    return facts;
}

Result<BackendChoice> choose_headless_backend(RendererRequest request) {
    BackendChoice choice;
    auto try_rung = [&](Rung rung) {
        choice.attempts.push_back(attempt(rung, choice.context));
        const BackendAttempt& a = choice.attempts.back();
        if (a.ok) {
            choice.rung = rung;
            if (rung == Rung::kCpu) {
                INTERLEAVE_LOG_INFO("render", "backend cpu: the SIMD CPU compositor");
            } else {
                INTERLEAVE_LOG_INFO("render", "backend {}: {}, {}", to_string(rung),
                                    a.gl_renderer, a.gl_version);
            }
        }
        return a.ok;
    };
    if (request == RendererRequest::kAuto) {
        for (const Rung rung : {Rung::kGl33, Rung::kGles30, Rung::kGles20}) {
            choice.attempts.push_back(attempt(rung, choice.context));
            BackendAttempt& a = choice.attempts.back();
            if (a.ok && is_software_renderer(a.gl_renderer)) {
                // Every rung of this driver is the same rasteriser: go straight to the CPU.
                a.ok = false;
                a.reason = fmt::format("{} is a software rasteriser, no usable GPU: the SIMD "
                                       "CPU compositor is faster (force it with --renderer {})",
                                       a.gl_renderer, to_string(rung));
                choice.context.reset();
                INTERLEAVE_LOG_INFO("render", "backend {}: {}", to_string(rung), a.reason);
                break;
            }
            if (a.ok) {
                choice.rung = rung;
                INTERLEAVE_LOG_INFO("render", "backend {}: {}, {}", to_string(rung),
                                    a.gl_renderer, a.gl_version);
                return choice;
            }
            INTERLEAVE_LOG_WARN("render", "backend {} unavailable, trying the next: {}",
                                to_string(rung), a.reason);
        }
        try_rung(Rung::kCpu);
        return choice;
    }
    const Rung forced = request == RendererRequest::kGl33     ? Rung::kGl33
                        : request == RendererRequest::kGles30 ? Rung::kGles30
                        : request == RendererRequest::kGles20 ? Rung::kGles20
                                                              : Rung::kCpu;
    if (try_rung(forced)) return choice;
    return make_error(ErrorCode::kUnsupported, "output.renderer",
                      "{} is not available here ({}); --renderer auto falls back to the next "
                      "rung",
                      to_string(forced), choice.attempts.back().reason);
}

std::optional<std::filesystem::path> default_usage_log_path() {
    const std::string state = env("XDG_STATE_HOME");
    if (!state.empty()) return std::filesystem::path(state) / "interleave" / "backend-usage.json";
    const std::string home = env("HOME");
    if (!home.empty()) {
        return std::filesystem::path(home) / ".local" / "state" / "interleave" /
               "backend-usage.json";
    }
    return std::nullopt;
}

nlohmann::json usage_entry(const BackendChoice& choice, RendererRequest request,
                           std::string_view mode, const MachineFacts& facts) {
    nlohmann::json attempts = nlohmann::json::array();
    for (const BackendAttempt& a : choice.attempts) {
        nlohmann::json item = {{"rung", std::string(to_string(a.rung))},
                               {"ok", a.ok},
                               {"ms", a.ms}};
        if (!a.ok) item["reason"] = a.reason;
        if (!a.gl_renderer.empty()) item["gl_renderer"] = a.gl_renderer;
        if (!a.gl_version.empty()) item["gl_version"] = a.gl_version;
        attempts.push_back(std::move(item));
    }
    return {{"time", utc_now_iso()},
            {"mode", std::string(mode)},
            {"request", std::string(request_name(request))},
            {"chosen", std::string(to_string(choice.rung))},
            {"attempts", std::move(attempts)},
            {"session_type", facts.session_type},
            {"raspberry_pi", facts.raspberry_pi},
            {"model", facts.model}};
}

Result<void> append_usage_log(const std::filesystem::path& log, const nlohmann::json& entry,
                              std::size_t keep) {
    std::error_code ec;
    std::filesystem::create_directories(log.parent_path(), ec);
    if (ec) {
        return make_error(ErrorCode::kIo, log.parent_path().string(),
                          "cannot create the state directory ({})", ec.message());
    }
    nlohmann::json entries = nlohmann::json::array();
    if (std::ifstream in(log); in) {
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
        if (parsed.is_array()) {
            entries = std::move(parsed);
        } else if (!text.str().empty()) {
            INTERLEAVE_LOG_WARN("render", "{}: not a JSON array; starting the log again",
                                log.string());
        }
    }
    entries.push_back(entry);
    if (keep > 0 && entries.size() > keep) {
        entries.erase(entries.begin(),
                      entries.begin() + static_cast<std::ptrdiff_t>(entries.size() - keep));
    }
    const std::filesystem::path tmp = log.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << entries.dump(2) << "\n";
        if (!out) {
            return make_error(ErrorCode::kIo, tmp.string(), "cannot write the usage log");
        }
    }
    std::filesystem::rename(tmp, log, ec);
    if (ec) {
        return make_error(ErrorCode::kIo, log.string(), "cannot replace the usage log ({})",
                          ec.message());
    }
    return {};
}

}  // namespace interleave::renderer
