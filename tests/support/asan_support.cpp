// AddressSanitizer/LeakSanitizer support built into every executable of an INTERLEAVE_ASAN
// build (tests, fuzz targets and the player itself, which the e2e tests run), so a report is
// the same whether a binary runs under ctest, by hand or as a test's child process.
//
// Mesa's GL driver (Debian 12: one megadriver, hard-linked as swrast_dri.so, iris_dri.so, ...)
// keeps a few small allocations for the life of the process, pointed to from its own globals.
// libEGL_mesa unloads the driver at eglTerminate; its globals go with it, so LeakSanitizer
// finds those allocations unreferenced at exit and reports them, from `<unknown module>`
// (about 130 GL tests did). A process that links libEGL therefore loads the driver itself at
// start-up with RTLD_NODELETE: Mesa's own dlopen and dlclose then only count references, the
// driver stays mapped until exit, and LeakSanitizer sees its globals still pointing at that
// memory. Nothing is suppressed: a leak in our code, or a real one in the driver (now named by
// its module), still fails the run.

#include <dirent.h>
#include <dlfcn.h>
#include <link.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace {

// The directories Mesa's loader searches for DRI drivers: LIBGL_DRIVERS_PATH when set (as
// Mesa reads it), else <the directory of libEGL_mesa>/dri, Mesa's built-in default.
std::string driver_dirs() {
    if (const char* env = std::getenv("LIBGL_DRIVERS_PATH"); env != nullptr && *env != '\0') {
        return env;
    }
    void* mesa = dlopen("libEGL_mesa.so.0", RTLD_LAZY | RTLD_LOCAL);
    if (mesa == nullptr) return {};
    char origin[4096] = {};
    std::string dir;
    if (dlinfo(mesa, RTLD_DI_ORIGIN, origin) == 0) dir = std::string(origin) + "/dri";
    dlclose(mesa);
    return dir;
}

void keep_drivers_loaded() {
    // Only processes that can make a GL context: those that link libEGL.
    void* egl = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_NOLOAD);
    if (egl == nullptr) return;
    dlclose(egl);
    const std::string dirs = driver_dirs();
    std::set<std::pair<dev_t, ino_t>> seen;  // Debian's drivers are hard links of one file
    std::string_view rest = dirs;
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        const std::string dir(rest.substr(0, colon));
        rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon + 1);
        DIR* listing = opendir(dir.c_str());
        if (listing == nullptr) continue;
        while (const dirent* entry = readdir(listing)) {
            const std::string_view name = entry->d_name;
            if (!name.ends_with("_dri.so")) continue;
            const std::string path = dir + "/" + std::string(name);
            struct stat st {};
            if (stat(path.c_str(), &st) != 0 || !seen.insert({st.st_dev, st.st_ino}).second) {
                continue;
            }
            // Deliberately never closed: the point is that it stays.
            (void)dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL | RTLD_NODELETE);
        }
        closedir(listing);
    }
}

// Before main, before any test or the player can reach EGL.
[[maybe_unused]] const bool kDriversKept = (keep_drivers_loaded(), true);

}  // namespace
