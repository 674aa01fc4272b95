#!/usr/bin/env bash
# Interleave developer entry point: installs what is missing (Debian 12, as root), builds,
# and runs the player, the tests or the benchmarks.
#   scripts/dev.sh run [ARGS...]   build, then play the bundled sample (or run interleave ARGS)
#   scripts/dev.sh test            build, then run every test (unit, e2e, ThreadSanitizer)
#   scripts/dev.sh bench [ARGS...] build, make photographic bench content, run the benchmarks
#   scripts/dev.sh build           install and build only
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${INTERLEAVE_BUILD_DIR:-$root/build}"
build_tsan="${INTERLEAVE_TSAN_BUILD_DIR:-$root/build-tsan}"
jobs="$(nproc 2>/dev/null || echo 2)"

# Build and test dependencies (Debian 12 package names).
packages=(
    build-essential cmake pkg-config ninja-build
    libturbojpeg0-dev libwebp-dev libspng-dev libyuv-dev libhwy-dev libpixman-1-dev
    libtomlplusplus-dev
    libconcurrentqueue-dev libexpected-dev libfmt-dev libspdlog-dev libcli11-dev
    nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
    python3-glad libegl-dev libgles-dev libgl-dev libegl-mesa0 libgl1-mesa-dri
    libglfw3-dev libimgui-dev libx11-dev libxtst-dev xvfb xauth
)
# Only `bench` needs these: real photographs to make benchmark content from.
bench_packages=(mate-backgrounds)

say() { printf '[dev] %s\n' "$*" >&2; }

install_missing() {
    local missing=()
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        say "missing packages: ${missing[*]}"
        say "run this script as root (or: sudo apt-get install ${missing[*]})"
        exit 2
    fi
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" \
        >/dev/null
}

configure_and_build() {
    local dir="$1"
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    fi
    cmake --build "$dir" -j "$jobs" >&2
}

cmd="${1:-run}"
[ $# -gt 0 ] && shift
case "$cmd" in
build)
    install_missing "${packages[@]}"
    configure_and_build "$build"
    ;;
run)
    install_missing "${packages[@]}"
    configure_and_build "$build"
    if [ $# -eq 0 ]; then
        if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
            say "playing assets/sample in a window (F fullscreen, R rotate, M mirror, Q quit)"
            set -- --mode window --fullscreen false --images "$root/assets/sample" \
                --stats-interval 1
        else
            # No display, and ASCII output is not built yet: headless, a stats line a second.
            say "no display: playing assets/sample headless (Ctrl-C to stop)"
            set -- --mode headless --images "$root/assets/sample" --stats-interval 1
        fi
    fi
    exec "$build/interleave" "$@"
    ;;
test)
    install_missing "${packages[@]}"
    configure_and_build "$build"
    ctest --test-dir "$build" --output-on-failure -j "$jobs"
    say "ThreadSanitizer build: the unit tests again"
    configure_and_build "$build_tsan" -DINTERLEAVE_TSAN=ON -DINTERLEAVE_BENCH=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
        ctest --test-dir "$build_tsan" --output-on-failure -j "$jobs" -L unit
    ;;
bench)
    install_missing "${packages[@]}" "${bench_packages[@]}"
    configure_and_build "$build"
    exec "$root/bench/run.sh" "$build" "$@"
    ;;
*)
    say "usage: scripts/dev.sh run|test|bench|build [ARGS...]"
    exit 2
    ;;
esac
