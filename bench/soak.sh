#!/usr/bin/env bash
# Soak: plays headless for a given time on the CPU path (--renderer cpu) and on the GL path
# (--renderer gl: Mesa llvmpipe through EGL where there is no GPU), and samples each player's
# RSS, open file descriptors and threads every 10 s from /proc/PID into a table on stdout and a
# TSV file per path. The paths run side by side: the step's wall time is one duration, not two,
# and the two players share nothing but the machine (each has its own /proc entry).
#
#   bench/soak.sh BUILD_DIR [--quick] [--duration S] [--paths cpu,gl] [--images DIR] [--out DIR]
#
#   --quick       the test command's version: 120 s; fails if, after the first 30 s, a path's
#                 RSS grows by more than 2 MB or its fd or thread count changes
#   --duration S  seconds per path (default 1800); checked like --quick when --check is given
#   --check       apply the quick mode's limits (baseline at 30 s) to a --duration run
#   --paths LIST  cpu, gl or cpu,gl (default)
#   --images DIR  content (default: the bundled assets/sample; see below)
#   --out DIR     where soak-<path>.tsv and the players' output go (default: a temporary folder)
#
# The bundled sample (480x270, 3 main folders, random folder switches, ping-pong) is enough to
# show a leak: a leak grows with the frames shown and the allocations made per frame (decode,
# composite, upload, read-back, folder switches), not with the frame size, and 30 min at 30 ips
# is 54,000 frames, so even 32 bytes lost per frame shows as 1.7 MB. Bigger content would only
# cost CPU on a shared machine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
build="${1:?usage: bench/soak.sh BUILD_DIR [--quick] [--duration S] [--check] [--paths cpu,gl] [--images DIR] [--out DIR]}"
shift
exe="$build/interleave"
duration=1800
check=0
paths="cpu,gl"
images="$root/assets/sample"
out=""
interval=10      # seconds between samples
baseline_at=30   # the checks compare every later sample with the first one at or after this
rss_limit_kb=2048
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) duration=120; check=1 ;;
    --duration) duration="${2:?--duration needs seconds}"; shift ;;
    --check) check=1 ;;
    --paths) paths="${2:?--paths needs cpu, gl or cpu,gl}"; shift ;;
    --images) images="${2:?--images needs a directory}"; shift ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    *) echo "soak: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
[ -x "$exe" ] || { echo "soak: no executable at $exe (build the interleave target)" >&2; exit 2; }
[ -d "$images" ] || { echo "soak: no content directory at $images" >&2; exit 2; }
if [ -z "$out" ]; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/interleave-soak.XXXXXX")"
fi
mkdir -p "$out"
# The player writes its backend-usage log under XDG_STATE_HOME: keep it with the results.
export XDG_STATE_HOME="$out/state"

# sample PID: "rss_kb fds threads" from /proc/PID, or nothing once the process has gone.
sample() {
    local pid="$1" rss threads fds
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" || return 1
    threads="$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null)" || return 1
    fds="$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" || return 1
    [ -n "$rss" ] && [ -n "$threads" ] || return 1
    echo "$rss $fds $threads"
}

# soak_one PATH: plays on PATH for $duration s, sampling every $interval s into $out/soak-PATH.tsv;
# then SIGTERM, and the player must exit 0 with its summary.
soak_one() {
    local path="$1" tsv="$out/soak-$1.tsv" pid start now t next line rc
    "$exe" --mode headless --renderer "$path" --images "$images" --duration 0 \
        --stats-interval 0 >"$out/$path.out" 2>"$out/$path.err" &
    pid=$!
    printf 't_s\trss_kb\tfds\tthreads\n' >"$tsv"
    start="$(date +%s.%N)"
    next=0
    while :; do
        now="$(date +%s.%N)"
        t="$(awk -v a="$now" -v b="$start" 'BEGIN {printf "%d", a - b}')"
        if [ "$t" -ge "$next" ]; then
            if ! line="$(sample "$pid")"; then
                echo "soak[$path]: the player ended early" >&2
                wait "$pid" || true
                tail -n 20 "$out/$path.err" >&2
                return 1
            fi
            read -r rss fds threads <<<"$line"
            printf '%d\t%d\t%d\t%d\n' "$next" "$rss" "$fds" "$threads" >>"$tsv"
            [ "$next" -ge "$duration" ] && break
            next=$((next + interval))
        fi
        sleep 0.5
    done
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "soak[$path]: exit code $rc after SIGTERM (expected 0)" >&2
        tail -n 20 "$out/$path.err" >&2
        return 1
    fi
    grep -q "stopped by SIGTERM" "$out/$path.out" || {
        echo "soak[$path]: no summary after SIGTERM" >&2
        return 1
    }
}

# report PATH: prints the table and its summary; with --check/--quick, fails on growth.
report() {
    local path="$1" tsv="$out/soak-$1.tsv"
    echo "== soak: $path path, ${duration} s, a sample every ${interval} s ($tsv)"
    column -t -s $'\t' "$tsv" 2>/dev/null || cat "$tsv"
    awk -F'\t' -v path="$path" -v at="$baseline_at" -v limit="$rss_limit_kb" -v check="$check" '
        NR == 1 { next }
        {
            t = $1; rss = $2; fds = $3; thr = $4
            if (!have_base && t >= at) { have_base = 1; b_t = t; b_rss = rss; b_fds = fds; b_thr = thr }
            if (!have_min && t >= 60) { have_min = 1; m_rss = rss }
            if (have_base) {
                if (rss - b_rss > grow) grow = rss - b_rss
                if (fds != b_fds) fd_changes++
                if (thr != b_thr) thr_changes++
            }
            last_t = t; last_rss = rss; last_fds = fds; last_thr = thr
        }
        END {
            if (!have_base) { printf "soak[%s]: no sample at or after %d s\n", path, at; exit 1 }
            since_min = have_min ? sprintf("%+d kB since 1 min", last_rss - m_rss) : "no sample at 1 min"
            printf "summary[%s]: RSS %d kB at %d s, %s at 1 min, %d kB at %d s (%s); " \
                   "most growth after %d s: %d kB; fds %d -> %d; threads %d -> %d\n",
                   path, b_rss, b_t, have_min ? m_rss " kB" : "n/a", last_rss, last_t,
                   since_min, at, grow, b_fds, last_fds, b_thr, last_thr
            if (check) {
                bad = 0
                if (grow > limit) { printf "soak[%s]: FAIL: RSS grew by %d kB after %d s (limit %d kB)\n", path, grow, at, limit; bad = 1 }
                if (fd_changes) { printf "soak[%s]: FAIL: the fd count changed after %d s\n", path, at; bad = 1 }
                if (thr_changes) { printf "soak[%s]: FAIL: the thread count changed after %d s\n", path, at; bad = 1 }
                exit bad
            }
        }' "$tsv"
}

IFS=',' read -r -a path_list <<<"$paths"
pids=()
for path in "${path_list[@]}"; do
    case "$path" in cpu | gl) ;; *) echo "soak: unknown path '$path' (expected cpu or gl)" >&2; exit 2 ;; esac
    soak_one "$path" &
    pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "soak[${path_list[$i]}]: the run failed" >&2; failed=1; }
done
for path in "${path_list[@]}"; do
    [ -s "$out/soak-$path.tsv" ] || continue
    report "$path" || failed=1
done
echo "soak: results in $out"
exit "$failed"
