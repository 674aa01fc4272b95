#!/usr/bin/env bash
# Runs the benchmarks: Google Benchmark micro benchmarks (decoders, catalog, compositor against
# pixman, GL uploads through PBOs against direct, frame to text against libchafa, publishing
# to sinks, the telnet server), then `interleave bench` and
# `interleave --benchmark` (CPU and GL compositing) on photographic 1080p SBS content made from
# Debian's mate-backgrounds photographs.
#   bench/run.sh BUILD_DIR [--json]
set -euo pipefail
build="${1:?usage: bench/run.sh BUILD_DIR [--json]}"
shift || true
photos=/usr/share/backgrounds/mate/nature
content="${INTERLEAVE_BENCH_CONTENT:-${TMPDIR:-/tmp}/interleave-bench-1080p}"

"$build/bench/loader_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
"$build/bench/renderer_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
"$build/bench/gl_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
# Frame to text against libchafa, publishing to three sinks, the telnet server's own CPU.
"$build/bench/ascii_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
"$build/bench/app_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
"$build/bench/telnet_bench"

if [ ! -d "$content/face" ]; then
    "$build/bench/interleave_make_bench_content" "$content" --size 1920x1080 --frames 48 \
        "$photos/Garden.jpg" "$photos/LadyBird.jpg" --float "$photos/Aqua.jpg"
fi
"$build/interleave" bench "$content" --pairs 96 --repeat 3 "$@"
"$build/interleave" --benchmark --mode headless --renderer cpu --images "$content" --frames 600
# The GL path at the same size: frame time p50/p99 and fps (Mesa llvmpipe on a machine with
# no GPU; a GPU through EGL devices where there is one).
"$build/interleave" --benchmark --mode headless --renderer gl --images "$content" --frames 300
