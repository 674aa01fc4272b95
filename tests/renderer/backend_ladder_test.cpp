// Tests for renderer/backend_ladder: the headless ladder on Mesa (no display server), the
// fallback when EGL is unusable, machine facts, and the JSON usage log.
#include "renderer/backend_ladder.hpp"

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.hpp"

namespace interleave::renderer {
namespace {

nlohmann::json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json::parse(text.str(), nullptr, false);
}

bool software(const std::string& renderer) {
    return renderer.find("llvmpipe") != std::string::npos ||
           renderer.find("softpipe") != std::string::npos ||
           renderer.find("swrast") != std::string::npos;
}

TEST(BackendLadder, AutoTakesAHardwareGlRungOrSkipsASoftwareRasteriserForTheCpu) {
    auto choice = choose_headless_backend(RendererRequest::kAuto);
    ASSERT_TRUE(choice) << choice.error().message();
    ASSERT_FALSE(choice->attempts.empty());
    const BackendAttempt& first = choice->attempts[0];
    EXPECT_EQ(first.rung, Rung::kGl33);
    ASSERT_FALSE(first.gl_renderer.empty()) << "GL 3.3 core comes up here: " << first.reason;
    EXPECT_NE(first.gl_version.find("Core"), std::string::npos) << first.gl_version;
    if (software(first.gl_renderer)) {
        // CI's Mesa llvmpipe: recorded with the reason, then straight to the CPU.
        EXPECT_FALSE(first.ok);
        EXPECT_NE(first.reason.find("software rasteriser"), std::string::npos) << first.reason;
        EXPECT_EQ(choice->rung, Rung::kCpu);
        ASSERT_EQ(choice->attempts.size(), 2u);
        EXPECT_EQ(choice->attempts[1].rung, Rung::kCpu);
        EXPECT_EQ(choice->context, nullptr);
    } else {
        EXPECT_TRUE(first.ok);
        EXPECT_EQ(choice->rung, Rung::kGl33);
        EXPECT_NE(choice->context, nullptr);
    }
}

TEST(BackendLadder, AForcedGlRungIsUsedEvenInSoftware) {
    auto choice = choose_headless_backend(RendererRequest::kGl33);
    ASSERT_TRUE(choice) << choice.error().message();
    EXPECT_EQ(choice->rung, Rung::kGl33);
    EXPECT_TRUE(choice->attempts[0].ok);
    EXPECT_NE(choice->context, nullptr);
}

TEST(BackendLadder, ForcedRungsAreTriedAlone) {
    for (const auto& [request, rung] : {std::pair{RendererRequest::kGles30, Rung::kGles30},
                                       std::pair{RendererRequest::kGles20, Rung::kGles20}}) {
        auto choice = choose_headless_backend(request);
        ASSERT_TRUE(choice) << choice.error().message();
        EXPECT_EQ(choice->rung, rung);
        EXPECT_EQ(choice->attempts.size(), 1u);
        EXPECT_NE(choice->context, nullptr);
        EXPECT_NE(choice->attempts[0].gl_version.find("OpenGL ES"), std::string::npos);
    }
    auto cpu = choose_headless_backend(RendererRequest::kCpu);
    ASSERT_TRUE(cpu);
    EXPECT_EQ(cpu->rung, Rung::kCpu);
    EXPECT_EQ(cpu->context, nullptr);
}

// The child test below: the parent runs it by this name, and checks by this name that it ran.
constexpr const char* kChildSuite = "BackendLadder";
constexpr const char* kChildTest = "DISABLED_ChildWithoutEgl";

// Runs in a child process whose EGL finds no driver (see the test below); never on its own.
TEST(BackendLadder, DISABLED_ChildWithoutEgl) {
    auto choice = choose_headless_backend(RendererRequest::kAuto);
    ASSERT_TRUE(choice);
    EXPECT_EQ(choice->rung, Rung::kCpu);
    ASSERT_EQ(choice->attempts.size(), 4u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(choice->attempts[i].ok);
        EXPECT_FALSE(choice->attempts[i].reason.empty());
    }
    EXPECT_TRUE(choice->attempts[3].ok);
    EXPECT_EQ(choice->context, nullptr);
    const auto forced = choose_headless_backend(RendererRequest::kGl33);
    ASSERT_FALSE(forced);
    EXPECT_EQ(forced.error().code, ErrorCode::kUnsupported);
    EXPECT_EQ(forced.error().subject, "output.renderer");
    EXPECT_NE(forced.error().detail.find("gl is not available"), std::string::npos)
        << forced.error().message();
}

// The entry for suite.name in a gtest JSON report, or null when the report does not list it.
nlohmann::json reported_test(const nlohmann::json& report, const std::string& suite,
                             const std::string& name) {
    if (!report.is_object() || !report.contains("testsuites")) return nullptr;
    for (const auto& s : report["testsuites"]) {
        if (s.value("name", "") != suite || !s.contains("testsuite")) continue;
        for (const auto& t : s["testsuite"]) {
            if (t.value("name", "") == name) return t;
        }
    }
    return nullptr;
}

TEST(BackendLadder, WithoutAUsableEglAutoFallsBackToTheCpuAndForcedGlFails) {
    // libglvnd picks its EGL vendors once per process: run the checks in a fresh one whose
    // vendor search finds nothing. A filter that matches nothing also exits 0 ("0 tests
    // ran"), so the child's own JSON report must show that the child test ran, and passed.
    test::TempDir dir;
    const std::string report_file = (dir / "child-report.json").string();
    const std::string filter = std::string("--gtest_filter=") + kChildSuite + "." + kChildTest;
    const std::string output = "--gtest_output=json:" + report_file;
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::setenv("__EGL_VENDOR_LIBRARY_DIRS", "/nonexistent-interleave-test", 1);
        ::unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");
        ::execl("/proc/self/exe", "renderer_tests", filter.c_str(),
                "--gtest_also_run_disabled_tests", output.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child's checks failed (see its output above)";

    const nlohmann::json report = read_json(report_file);
    ASSERT_TRUE(report.is_object()) << "the child wrote no gtest report to " << report_file;
    EXPECT_EQ(report.value("tests", -1), 1) << "the child ran no test or another one than "
                                            << kChildTest << ":\n" << report.dump(2);
    EXPECT_EQ(report.value("failures", -1), 0) << report.dump(2);
    const nlohmann::json child = reported_test(report, kChildSuite, kChildTest);
    ASSERT_TRUE(child.is_object()) << kChildTest << " missing in the child's report:\n"
                                   << report.dump(2);
    EXPECT_EQ(child.value("status", ""), "RUN") << child.dump(2);
    EXPECT_EQ(child.value("result", ""), "COMPLETED") << child.dump(2);
    EXPECT_FALSE(child.contains("failures")) << child.dump(2);
}

TEST(MachineFacts, ReadsTheDeviceTreeModelAndTheSessionType) {
    test::TempDir dir;
    const std::string pi("Raspberry Pi 4 Model B Rev 1.4\0", 31);
    test::write_text(dir / "model", pi);
    const char* display = std::getenv("DISPLAY");
    const std::string saved = display ? display : "";
    ::unsetenv("XDG_SESSION_TYPE");
    ::unsetenv("WAYLAND_DISPLAY");
    ::setenv("DISPLAY", ":7", 1);
    MachineFacts facts = machine_facts(dir / "model");
    EXPECT_TRUE(facts.raspberry_pi);
    EXPECT_EQ(facts.model, "Raspberry Pi 4 Model B Rev 1.4");
    EXPECT_EQ(facts.session_type, "x11");
    ::unsetenv("DISPLAY");
    facts = machine_facts(dir / "missing");
    EXPECT_FALSE(facts.raspberry_pi);
    EXPECT_EQ(facts.session_type, "none");
    if (display) ::setenv("DISPLAY", saved.c_str(), 1);
}

TEST(UsageLog, EntriesAppendToAValidJsonArrayAndTheOldestGo) {
    test::TempDir dir;
    const auto log = dir / "state" / "interleave" / "backend-usage.json";
    auto choice = choose_headless_backend(RendererRequest::kCpu);
    ASSERT_TRUE(choice);
    const MachineFacts facts{"none", false, ""};
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(append_usage_log(log, usage_entry(*choice, RendererRequest::kCpu, "headless",
                                                      facts),
                                     3));
    }
    const auto entries = read_json(log);
    ASSERT_TRUE(entries.is_array()) << entries.dump();
    EXPECT_EQ(entries.size(), 3u);
    const auto& e = entries.back();
    EXPECT_EQ(e["mode"], "headless");
    EXPECT_EQ(e["request"], "cpu");
    EXPECT_EQ(e["chosen"], "cpu");
    EXPECT_EQ(e["session_type"], "none");
    EXPECT_EQ(e["raspberry_pi"], false);
    ASSERT_EQ(e["attempts"].size(), 1u);
    EXPECT_EQ(e["attempts"][0]["ok"], true);
    EXPECT_TRUE(e.contains("time"));
}

TEST(UsageLog, AGlEntryRecordsRendererAndVersion) {
    test::TempDir dir;
    auto choice = choose_headless_backend(RendererRequest::kGl33);
    ASSERT_TRUE(choice);
    const auto log = dir / "usage.json";
    ASSERT_TRUE(append_usage_log(
        log, usage_entry(*choice, RendererRequest::kGl33, "headless", machine_facts())));
    const auto entries = read_json(log);
    ASSERT_TRUE(entries.is_array());
    const auto& attempt = entries[0]["attempts"][0];
    EXPECT_EQ(attempt["rung"], "gl");
    EXPECT_FALSE(attempt["gl_renderer"].get<std::string>().empty());
    EXPECT_FALSE(attempt["gl_version"].get<std::string>().empty());
}

TEST(UsageLog, AFileThatIsNotAJsonArrayIsReplacedNotFatal) {
    test::TempDir dir;
    const auto log = dir / "usage.json";
    test::write_text(log, "{ not json");
    auto choice = choose_headless_backend(RendererRequest::kCpu);
    ASSERT_TRUE(choice);
    ASSERT_TRUE(append_usage_log(log, usage_entry(*choice, RendererRequest::kCpu, "headless",
                                                  MachineFacts{})));
    const auto entries = read_json(log);
    ASSERT_TRUE(entries.is_array());
    EXPECT_EQ(entries.size(), 1u);
}

TEST(UsageLog, DefaultPathFollowsXdgStateHome) {
    const char* old = std::getenv("XDG_STATE_HOME");
    const std::string saved = old ? old : "";
    ::setenv("XDG_STATE_HOME", "/tmp/xdg-state", 1);
    EXPECT_EQ(default_usage_log_path(), std::filesystem::path("/tmp/xdg-state/interleave/backend-usage.json"));
    if (old) {
        ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
    } else {
        ::unsetenv("XDG_STATE_HOME");
    }
}

}  // namespace
}  // namespace interleave::renderer
