#!/usr/bin/env bash
# Interleave developer entry point: installs what is missing (Debian 12, as root), builds,
# and runs the player, the tests or the benchmarks.
#   scripts/dev.sh run [ARGS...]   build, then play the bundled sample (or run interleave ARGS)
#   scripts/dev.sh test            build, then run every test (unit, gl, e2e; ASan + UBSan;
#                                  fuzzing; soak; ThreadSanitizer), with each step's wall time
#   scripts/dev.sh bench [ARGS...] build, make photographic bench content, run the benchmarks
#   scripts/dev.sh build           install and build only
#   scripts/dev.sh fresh [run|test] the README's command in a throw-away minimal Debian 12 root
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${INTERLEAVE_BUILD_DIR:-$root/build}"
build_tsan="${INTERLEAVE_TSAN_BUILD_DIR:-$root/build-tsan}"
build_asan="${INTERLEAVE_ASAN_BUILD_DIR:-$root/build-asan}"
jobs="$(nproc 2>/dev/null || echo 2)"
# ccache, where installed, caches by paths relative to the checkout, so clones share entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$root}"

# Build and test dependencies (Debian 12 package names).
packages=(
    build-essential cmake pkg-config ninja-build
    libturbojpeg0-dev libwebp-dev libspng-dev libyuv-dev libhwy-dev libpixman-1-dev
    libtomlplusplus-dev
    libconcurrentqueue-dev libexpected-dev libfmt-dev libspdlog-dev libcli11-dev
    nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev
    python3-glad libegl-dev libgles-dev libgl-dev libopengl-dev libegl-mesa0 libgl1-mesa-dri
    libglfw3-dev libimgui-dev libx11-dev libxtst-dev xvfb xauth
    libboost1.81-dev libchafa-dev libglib2.0-dev
)
# Boost 1.81 (header-only Asio and Beast: the telnet and HTTP servers), not Debian's default
# 1.74: the two conflict, and 1.81's Asio 1.26 and Beast carry two more years of fixes.
# libchafa-dev (its header needs libglib2.0-dev, which it does not pull in): the reference text
# renderer the ASCII benchmark compares against.
# Only `test` needs these: clang for the ASan + UBSan build and the libFuzzer targets
# (libclang-rt-14-dev holds the sanitizer and fuzzer runtimes; it is only a recommendation of
# clang's, so it is named here), llvm for the symbolizer that names frames in reports, tmux
# for the terminal tests (a real terminal with no display).
test_packages=(clang libclang-rt-14-dev llvm tmux)
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
        local launcher=()
        # ccache is not required; where a developer has it, rebuilds of the three builds are quick.
        # CCACHE_BASEDIR (exported below) lets another checkout's Release objects be reused.
        if command -v ccache >/dev/null 2>&1; then
            launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
        fi
        cmake -S "$root" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" "$@" \
            >/dev/null
    fi
    cmake --build "$dir" -j "$jobs" >&2
}

# step NAME CMD...: runs one step of the test command and prints its wall time; the times are
# listed again at the end. A failing step stops the command (set -e) after saying which.
step_times=()
step() {
    local name="$1"
    shift
    say "step: $name"
    local start=$SECONDS rc=0
    "$@" || rc=$?
    local took=$((SECONDS - start))
    step_times+=("$(printf '%5d s  %s' "$took" "$name")")
    say "step: $name: $took s$([ $rc -eq 0 ] || echo ", FAILED (exit $rc)")"
    [ $rc -eq 0 ] || { print_step_times; exit "$rc"; }
}
print_step_times() {
    say "wall time per step:"
    local line
    for line in "${step_times[@]}"; do say "$line"; done
}

# Every test again in the clang ASan + UBSan build. Any report fails the test it comes from.
run_asan_tests() {
    # Mesa's driver stays loaded until exit (tests/support/asan_support.cpp), so LeakSanitizer
    # sees what it holds: nothing is suppressed. UB aborts (-fno-sanitize-recover=undefined).
    ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        ctest --test-dir "$build_asan" --output-on-failure -j "$jobs"
}

# The fuzz targets (libFuzzer, in the ASan build), each for a bounded time, two at a time,
# beside a 2-minute soak of the Release player (CPU and GL paths side by side): the soak
# samples RSS, fds and threads and needs no CPU to speak of, so the two share the step.
run_fuzz_and_soak() {
    local soak_log
    soak_log="$(mktemp)"
    bash "$root/bench/soak.sh" "$build" --quick >"$soak_log" 2>&1 &
    local soak_pid=$! fuzz_rc=0 soak_rc=0
    bash "$root/tests/fuzz/run.sh" "$build_asan" 20 >&2 || fuzz_rc=$?
    wait "$soak_pid" || soak_rc=$?
    cat "$soak_log" >&2
    rm -f "$soak_log"
    say "fuzzing: $([ $fuzz_rc -eq 0 ] && echo passed || echo "FAILED ($fuzz_rc)"); soak: $(
        [ $soak_rc -eq 0 ] && echo passed || echo "FAILED ($soak_rc)")"
    [ $fuzz_rc -eq 0 ] && [ $soak_rc -eq 0 ]
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
        elif [ -t 0 ] && [ -t 1 ]; then
            say "no display: playing assets/sample as text in this terminal (q, Esc or Ctrl-C quits)"
            set -- --mode ascii --images "$root/assets/sample"
        else
            # Neither a display nor a terminal (CI): headless, a stats line a second.
            say "no display and no terminal: playing assets/sample headless (Ctrl-C to stop)"
            set -- --mode headless --images "$root/assets/sample" --stats-interval 1
        fi
    fi
    exec "$build/interleave" "$@"
    ;;
test)
    install_missing "${packages[@]}" "${test_packages[@]}"
    step "build (Release)" configure_and_build "$build"
    step "tests: unit, gl, e2e" ctest --test-dir "$build" --output-on-failure -j "$jobs"
    step "build (clang, ASan + UBSan, fuzz targets)" configure_and_build "$build_asan" \
        -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DINTERLEAVE_ASAN=ON \
        -DINTERLEAVE_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
    step "tests under ASan + UBSan: unit, gl, e2e" run_asan_tests
    step "fuzzing (20 s a target) beside a 2-minute soak" run_fuzz_and_soak
    step "build (ThreadSanitizer)" configure_and_build "$build_tsan" -DINTERLEAVE_TSAN=ON \
        -DINTERLEAVE_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
    # Suppressed: races between llvmpipe's own threads inside Mesa's DRI driver, nothing of ours.
    step "tests under TSan: unit, gl" env TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
suppressions=$root/tests/support/tsan_mesa.supp" \
        ctest --test-dir "$build_tsan" --output-on-failure -j "$jobs" -L 'unit|gl'
    print_step_times
    ;;
fresh)
    exec bash "$root/scripts/fresh_root.sh" "$@"
    ;;
bench)
    install_missing "${packages[@]}" "${bench_packages[@]}"
    configure_and_build "$build"
    exec "$root/bench/run.sh" "$build" "$@"
    ;;
*)
    say "usage: scripts/dev.sh run|test|bench|build|fresh [ARGS...]"
    exit 2
    ;;
esac
