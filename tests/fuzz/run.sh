#!/usr/bin/env bash
# Runs every libFuzzer target of an INTERLEAVE_ASAN build for a bounded time, two at a time,
# each on a temporary copy of its seed corpus (tests/fuzz/corpus/<name>/) plus the committed
# regressions (tests/fuzz/regressions/<name>/, read only): the repository is never written.
# Prints executions per second and in total per target; fails when a target crashes, leaks,
# runs out of memory or times out, and keeps the input that did it under FINDINGS_DIR.
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]     (default 30 s; 12 targets, two at a time: ~3 min)
# Environment: INTERLEAVE_FUZZ_JOBS (targets at once, default 2), INTERLEAVE_FUZZ_FINDINGS
# (default BUILD_DIR/fuzz-findings), ASAN_OPTIONS / UBSAN_OPTIONS (defaults below).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET]" >&2
    exit 2
fi
build="$(cd "$1" && pwd)"
seconds="${2:-30}"
jobs="${INTERLEAVE_FUZZ_JOBS:-2}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
findings="${INTERLEAVE_FUZZ_FINDINGS:-$build/fuzz-findings}"

# Any sanitizer report ends the run (libFuzzer then saves the input). UB already aborts: the
# build has -fno-sanitize-recover=undefined.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

work="$(mktemp -d "${TMPDIR:-/tmp}/interleave-fuzz-XXXXXX")"
trap 'rm -rf "$work"' EXIT
# The targets' own temporary files (catalog trees, config files) go here too.
export TMPDIR="$work"

names=()
for dir in "$here"/corpus/*/; do
    name="$(basename "$dir")"
    if [ ! -x "$build/tests/fuzz/fuzz_$name" ]; then
        echo "[fuzz] $build/tests/fuzz/fuzz_$name is missing (configure with -DINTERLEAVE_ASAN=ON)" >&2
        exit 2
    fi
    names+=("$name")
done

# One target: fuzz, then write its figures (or its finding) to $work/<name>/result.
fuzz_one() {
    local name="$1"
    local dir="$work/$name"
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp "$here/corpus/$name"/* "$dir/corpus/"
    local corpora=("$dir/corpus")
    [ -d "$here/regressions/$name" ] && corpora+=("$here/regressions/$name")
    local start=$SECONDS rc=0
    "$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -rss_limit_mb=3072 -timeout=10 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" \
        "${corpora[@]}" >"$dir/log" 2>&1 || rc=$?
    local execs rate
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)"
    printf '%s %s %s %s %s\n' "$rc" "${execs:-?}" "${rate:-?}" "$(ls "$dir/corpus" | wc -l)" \
        "$((SECONDS - start))" >"$dir/result"
}

start=$SECONDS
running=0
for name in "${names[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
    fuzz_one "$name" &
    running=$((running + 1))
done
wait || true

failed=0
printf '[fuzz] %-20s %12s %10s %8s %6s  %s\n' target executions exec/s corpus wall result >&2
for name in "${names[@]}"; do
    dir="$work/$name"
    read -r rc execs rate corpus wall <"$dir/result"
    verdict=ok
    if [ "$rc" -ne 0 ]; then
        failed=1
        verdict="FAILED (exit $rc)"
    fi
    printf '[fuzz] %-20s %12s %10s %8s %5ss  %s\n' "$name" "$execs" "$rate" "$corpus" "$wall" \
        "$verdict" >&2
done
for name in "${names[@]}"; do
    dir="$work/$name"
    read -r rc _ <"$dir/result"
    [ "$rc" -eq 0 ] && continue
    mkdir -p "$findings/$name"
    cp "$dir/log" "$findings/$name/log"
    echo "[fuzz] $name failed; its report:" >&2
    grep -v '^#\|^INFO:\|^stat::\|^Done\|^MS:\|^NEW\|^REDUCE\|^pulse\|^base unit' "$dir/log" \
        | tail -60 >&2 || true
    found=0
    for artifact in "$dir"/artifacts/*; do
        [ -e "$artifact" ] || continue
        cp "$artifact" "$findings/$name/"
        echo "[fuzz] $name: input saved as $findings/$name/$(basename "$artifact")" >&2
        echo "[fuzz]   reproduce: $build/tests/fuzz/fuzz_$name $findings/$name/$(basename "$artifact")" >&2
        found=1
    done
    [ "$found" -eq 1 ] || echo "[fuzz] $name: no input saved; see $findings/$name/log" >&2
done
echo "[fuzz] ${#names[@]} targets, ${seconds} s each, $jobs at a time: $((SECONDS - start)) s" >&2
exit "$failed"
