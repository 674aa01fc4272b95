#!/usr/bin/env bash
# fresh_root.sh: proves the README's two commands on a machine that has nothing installed.
# Builds a throw-away minimal Debian 12 root (debootstrap --variant=minbase bookworm), copies
# the repository into it, and runs, as root inside it, exactly what the README says:
#   scripts/fresh_root.sh [OPTIONS] test   `bash scripts/dev.sh test` (CI=true, no stdin)
#   scripts/fresh_root.sh [OPTIONS] run    `bash scripts/dev.sh run`: install, build, then the
#                                          player plays headless; SIGINT after --play-seconds
#                                          of playback; passes on stats lines and exit 0 or 130
# Options:
#   --tree          copy the working tree (tracked files as they are now, plus untracked files
#                   that git does not ignore) instead of the committed HEAD (`git archive`)
#   --file PATH     HEAD, with PATH (repeatable) as it is in the working tree: tries one
#                   uncommitted change (scripts/dev.sh) without the rest of the tree
#   --with "PKGS"   apt-get install PKGS in the root before the command: tries a change to the
#                   package list before it is made in scripts/dev.sh
#   --keep          keep the root (its path is printed) instead of removing it
#   --no-cache      debootstrap from the mirror and download every package again
#   --refresh       make the cached pristine base root again
#   --play-seconds N  `run` only: how long the player plays before SIGINT (default 20)
#   --unshare       use `mmdebstrap --mode=unshare` even where chroot mounts work
# Host: Debian, as root. Installs debootstrap (or mmdebstrap) with apt-get if it is missing.
# The root lives under ${INTERLEAVE_FRESH_DIR:-/var/tmp}; the cache (a tarball of a pristine
# minbase root, made right after debootstrap and before anything touches it, and the .deb
# files the root downloaded) under ${INTERLEAVE_FRESH_CACHE:-/var/cache/interleave-fresh}.
# Every run unpacks a new root from that tarball; only downloads are reused.
# The mirror is the host's own (its apt sources); without one, debootstrap's default.
# The chroot runs in its own mount and PID namespaces: its mounts are never visible on the
# host, and every process left in it (an Xvfb, a player) ends with the command.
set -euo pipefail
# The whole script is one block, so bash has read all of it before it runs: editing the file
# while a run (15-30 min) goes on cannot change what that run does.
{
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
suite=bookworm
cache="${INTERLEAVE_FRESH_CACHE:-/var/cache/interleave-fresh}"
parent="${INTERLEAVE_FRESH_DIR:-/var/tmp}"
inner_dir=/root/interleave # where the repository lies inside the root

what="test"
from_tree=0
extra=""
files=()
keep=0
use_cache=1
refresh=0
play_s=20
force_unshare=0

say() { printf '[fresh] %s\n' "$*" >&2; }
die() {
    say "error: $*"
    exit 2
}
usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    run | test) what="$1" ;;
    --tree) from_tree=1 ;;
    --file)
        [ $# -ge 2 ] || usage
        files+=("$2")
        shift
        ;;
    --with)
        [ $# -ge 2 ] || usage
        extra="$2"
        shift
        ;;
    --keep) keep=1 ;;
    --no-cache) use_cache=0 ;;
    --refresh) refresh=1 ;;
    --play-seconds)
        [ $# -ge 2 ] || usage
        play_s="$2"
        shift
        ;;
    --unshare) force_unshare=1 ;;
    -h | --help) usage ;;
    *)
        say "unknown argument: $1"
        usage
        ;;
    esac
    shift
done

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot and mounts need it)"
arch="$(dpkg --print-architecture)"
parent="$(realpath -m "$parent")"
case "$parent/" in
"$(realpath "$repo")"/*) die "INTERLEAVE_FRESH_DIR ($parent) is inside the repository" ;;
esac
mkdir -p "$parent"

# [SECTION] Phase timing: each phase's wall time, listed again at the end.
phase_times=()
phase_name=""
phase_start=0
phase() { # phase NAME: ends the running phase (if any), starts NAME
    phase_end
    phase_name="$1"
    phase_start=$SECONDS
    say "phase: $phase_name"
}
phase_end() {
    [ -n "$phase_name" ] || return 0
    phase_times+=("$(printf '%5d s  %s' $((SECONDS - phase_start)) "$phase_name")")
    phase_name=""
}
print_phase_times() {
    phase_end
    say "wall time per phase:"
    local line
    for line in "${phase_times[@]}"; do say "$line"; done
}

# [SECTION] Clean-up on every exit path.
root=""
log=""
tree_tar=""
job="" # the background pipeline that runs the command
cleanup() {
    local rc=$?
    trap - EXIT INT TERM HUP
    [ -z "$tree_tar" ] || rm -f "$tree_tar"
    [ -n "$root" ] || exit "$rc"
    phase "clean-up"
    # The command ran in a PID namespace that ends with it; anything still running with this
    # root (a namespace that failed to start, an interrupted run) is ours: end it by its id.
    local p r c
    if [ -n "$job" ]; then # the pipeline's own processes (unshare or mmdebstrap, the stamper)
        for c in $(cat "/proc/$job/task/$job/children" 2>/dev/null); do
            kill -TERM "$c" 2>/dev/null || true
        done
    fi
    for p in /proc/[0-9]*; do
        r="$(readlink "$p/root" 2>/dev/null)" || continue
        if [ "$r" = "$root" ]; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
    done
    # Mounts were made in a private mount namespace; if one shows here anyway, leave the root.
    if awk -v r="$root" '$5 == r || index($5, r "/") == 1 { f = 1 } END { exit !f }' \
        /proc/self/mountinfo; then
        say "something is still mounted under $root: not removing it"
        keep=1
    fi
    if [ "$keep" -eq 1 ]; then
        say "kept the root: $root"
    else
        rm -rf --one-file-system "$root"
    fi
    print_phase_times
    [ -n "$log" ] && say "full log: $log"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# [SECTION] Host tools and the mirror.
phase "host tools"
host_install() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            {
                say "installing on the host: $p"
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                    -o DPkg::Lock::Timeout=600 "$p" >/dev/null ||
                    {
                        apt-get update -qq
                        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                            --no-install-recommends -o DPkg::Lock::Timeout=600 "$p" >/dev/null
                    }
            }
    done
}

# Chroot mounts work where a private mount namespace can mount proc and a tmpfs.
mounts_work() {
    local probe
    probe="$(mktemp -d "$parent/interleave-probe.XXXXXX")"
    local ok=0
    unshare --mount --pid --fork --propagation private sh -c \
        "mount -t proc proc '$probe' && umount '$probe' && mount -t tmpfs tmpfs '$probe' &&
         umount '$probe'" 2>/dev/null || ok=1
    rmdir "$probe"
    return $ok
}
mode=chroot
if [ "$force_unshare" -eq 1 ] || ! mounts_work; then
    mode=unshare
    say "chroot mounts are refused here (or --unshare): using mmdebstrap --mode=unshare"
    host_install mmdebstrap uidmap
else
    host_install debootstrap
fi

# The host's Debian mirror and security mirror for $suite, from its apt sources (one-line and
# deb822 formats); empty when it has none.
host_uri() { # host_uri SUITE
    local want="$1" f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v s="$want" '
            $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                          if ($(i + 1) == s) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v s="$want" '
            function flush() { if (deb && hit && uri != "") { print uri; found = 1 }
                               deb = 0; hit = 0; uri = "" }
            /^[ \t]*$/ { flush(); if (found) exit; next }
            /^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) hit = 1 }
            /^URIs:/ { uri = $2 }
            END { if (!found) flush() }' "$f"
    done
}
mirror="$(host_uri "$suite" | head -n 1)"
security="$(host_uri "$suite-security" | head -n 1)"
say "mirror: ${mirror:-the default of debootstrap}${security:+, security: $security}"

# [SECTION] The tree to copy: HEAD by default (what a clone has), or the working tree.
phase "tree"
tree_tar="$(mktemp "$parent/interleave-tree.XXXXXX.tar")"
commit="$(git -C "$repo" rev-parse HEAD)"
tree_desc="$commit"
[ "$from_tree" -eq 0 ] || tree_desc="$commit + working tree"
[ ${#files[@]} -eq 0 ] || tree_desc="$commit + ${files[*]} from the working tree"
if [ "$from_tree" -eq 1 ]; then
    changed="$(git -C "$repo" status --porcelain --untracked-files=all | wc -l)"
    say "tree: working tree at $commit plus $changed uncommitted or untracked paths"
    git -C "$repo" ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$repo/$f" ] && printf '%s\0' "$f"; done |
        tar -C "$repo" --null --no-recursion -T - -cf "$tree_tar"
else
    say "tree: committed HEAD $commit ($(git -C "$repo" log -1 --format=%s | cut -c1-70))"
    git -C "$repo" archive --format=tar -o "$tree_tar" HEAD
    for f in "${files[@]}"; do
        [ -e "$repo/$f" ] || die "--file $f: no such file in the working tree"
        say "tree: $f from the working tree"
    done
    if [ ${#files[@]} -gt 0 ]; then
        tar -C "$repo" --no-recursion -rf "$tree_tar" -- "${files[@]}"
    fi
fi

# [SECTION] A pristine minbase root.
mkdir -p "$cache/archives"
root="$(mktemp -d "$parent/interleave-fresh.XXXXXX")"
chmod 755 "$root"
log="$parent/$(basename "$root").log"
base_tar="$cache/$suite-minbase-$arch.tar"
https_include=()
case "$mirror" in https:*) https_include=(--include=ca-certificates) ;; esac

# The inner command, written into the root (not into the repository copy).
write_inner() { # write_inner FILE
    local f="$1"
    {
        echo 'set -uo pipefail'
        echo "cd '$inner_dir'"
        if [ -n "$extra" ]; then
            echo "echo '[fresh] extra packages: $extra'"
            echo 'export DEBIAN_FRONTEND=noninteractive'
            echo "apt-get update -qq && apt-get install -y -qq --no-install-recommends $extra" \
                '>/dev/null || exit 3'
            echo "echo '[fresh] extra packages installed'"
        fi
        if [ "$what" = test ]; then
            echo "echo '[fresh] command: bash scripts/dev.sh test'"
            echo 'exec bash scripts/dev.sh test'
        else
            cat <<EOF
echo '[fresh] command: bash scripts/dev.sh run'
# A background job starts with SIGINT ignored; the player must get it as a user's Ctrl-C would.
env --default-signal=INT bash scripts/dev.sh run > >(tee /root/run.out) 2>&1 &
pid=\$!
# dev.sh execs the player; playback starts with its first stats line.
while kill -0 "\$pid" 2>/dev/null && ! grep -qs '^t=[0-9.]*s fps' /root/run.out; do sleep 1; done
if ! kill -0 "\$pid" 2>/dev/null; then
    wait "\$pid"; rc=\$?
    echo "[fresh] run: dev.sh ended (exit \$rc) before the player printed a stats line"
    exit 1
fi
echo "[fresh] playing: SIGINT in $play_s s"
sleep $play_s
kill -INT "\$pid"
wait "\$pid"; rc=\$?
sleep 1
lines=\$(grep -c '^t=[0-9.]*s fps' /root/run.out)
echo "[fresh] run: player exit \$rc, \$lines stats lines"
if [ "\$lines" -ge $((play_s / 2)) ] && { [ "\$rc" -eq 0 ] || [ "\$rc" -eq 130 ]; }; then
    echo "[fresh] run: PASS"
    exit 0
fi
echo "[fresh] run: FAIL"
exit 1
EOF
        fi
    } >"$f"
}

# Inside a private mount and PID namespace: mounts what the tests need, copies resolv.conf,
# then chroots and runs the inner command with a clean environment and no stdin.
chroot_run() {
    unshare --mount --pid --fork --propagation private bash -euo pipefail -c '
        root="$1"
        mount -t proc proc "$root/proc"
        mount -t sysfs sysfs "$root/sys" 2>/dev/null ||
            { mount --rbind /sys "$root/sys"; mount --make-rslave "$root/sys"; }
        # A minimal /dev: the usual nodes, a private devpts for ptys, a tmpfs /dev/shm.
        mount -t tmpfs -o mode=755,nosuid dev "$root/dev"
        for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
            IFS=: read -r name maj min <<<"$n"
            if ! mknod -m 666 "$root/dev/$name" c "$maj" "$min" 2>/dev/null; then
                touch "$root/dev/$name"
                mount --bind "/dev/$name" "$root/dev/$name"
            fi
        done
        mkdir -p "$root/dev/pts" "$root/dev/shm"
        mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts "$root/dev/pts"
        ln -s pts/ptmx "$root/dev/ptmx"
        mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"
        ln -s /proc/self/fd "$root/dev/fd"
        ln -s /proc/self/fd/0 "$root/dev/stdin"
        ln -s /proc/self/fd/1 "$root/dev/stdout"
        ln -s /proc/self/fd/2 "$root/dev/stderr"
        mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$root/tmp"
        exec chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 CI=true \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            /bin/bash /root/fresh-inner.sh
    ' fresh "$root" </dev/null
}

# Prefixes each line with the seconds since the command started, into the log and stderr.
stamp() {
    local start=$SECONDS line
    while IFS= read -r line; do
        printf '[%5ds] %s\n' $((SECONDS - start)) "$line"
    done | tee "$log" >&2
}

apt_sources() { # the root's sources.list: the mirror debootstrap used, updates, security
    local m
    m="$(awk '$1 == "deb" { print $2; exit }' "$root/etc/apt/sources.list")"
    {
        echo "deb $m $suite main"
        echo "deb $m $suite-updates main"
        [ -z "$security" ] || echo "deb $security $suite-security main"
    } >"$root/etc/apt/sources.list"
}

if [ "$mode" = chroot ]; then
    if [ "$use_cache" -eq 1 ] && [ "$refresh" -eq 0 ] && [ -f "$base_tar" ]; then
        phase "base root (unpack the cached pristine minbase, $(date -r "$base_tar" +%F))"
        tar -C "$root" --numeric-owner -xpf "$base_tar"
    else
        phase "base root (debootstrap --variant=minbase $suite)"
        debootstrap --variant=minbase --arch="$arch" "${https_include[@]}" "$suite" "$root" \
            ${mirror:+"$mirror"} >"$root.debootstrap.log" 2>&1 ||
            {
                tail -n 20 "$root.debootstrap.log" >&2
                die "debootstrap failed (log: $root.debootstrap.log)"
            }
        rm -f "$root.debootstrap.log"
        if [ "$use_cache" -eq 1 ]; then
            tar -C "$root" --numeric-owner -cpf "$base_tar.new" . && mv "$base_tar.new" "$base_tar"
        fi
    fi
    phase "copy the tree"
    mkdir -p "$root$inner_dir"
    tar -C "$root$inner_dir" -xf "$tree_tar"
    rm -f "$tree_tar"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    apt_sources
    write_inner "$root/root/fresh-inner.sh"
    # The .deb files earlier runs downloaded, hard-linked in (a copy where links fail); the root
    # keeps its own apt locks, so runs at the same time do not wait for each other.
    if [ "$use_cache" -eq 1 ]; then
        debs="$root/var/cache/apt/archives"
        find "$cache/archives" -maxdepth 1 -name '*.deb' -exec cp -n -l -t "$debs" {} + 2>/dev/null ||
            find "$cache/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$debs" {} +
    fi
    phase "command: bash scripts/dev.sh $what${extra:+ (after installing: $extra)}"
    rc=0
    # In the background, so that a signal to this script runs its clean-up at once (bash runs a
    # trap only after a foreground command ends, and a build takes many minutes).
    (chroot_run 2>&1 | stamp) &
    job=$!
    wait "$job" || rc=$?
    job=""
    if [ "$use_cache" -eq 1 ]; then # keep what this run downloaded for the next one
        find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' \
            -exec cp -n -l -t "$cache/archives" {} + 2>/dev/null || true
    fi
else
    # mmdebstrap builds the root in a user namespace, mounts /proc, /sys and /dev for its hooks,
    # and runs the command as a customize hook; a failing hook fails mmdebstrap.
    phase "mmdebstrap --mode=unshare: base root, tree, command: bash scripts/dev.sh $what"
    inner_tmp="$(mktemp "$parent/interleave-inner.XXXXXX.sh")"
    write_inner "$inner_tmp"
    rmdir "$root"
    # Without a host mirror, mmdebstrap's own default (its mirror for the suite).
    sources=()
    if [ -n "$mirror" ]; then
        sources=("deb $mirror $suite main" "deb $mirror $suite-updates main")
        [ -z "$security" ] || sources+=("deb $security $suite-security main")
    fi
    rc=0
    (mmdebstrap --mode=unshare --variant=minbase --arch="$arch" "${https_include[@]}" \
        --customize-hook="mkdir -p \"\$1$inner_dir\" && tar -C \"\$1$inner_dir\" -xf '$tree_tar'" \
        --customize-hook="cp '$inner_tmp' \"\$1/root/fresh-inner.sh\"" \
        --customize-hook="cp -L /etc/resolv.conf \"\$1/etc/resolv.conf\"" \
        --customize-hook="chroot \"\$1\" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
            CI=true PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            /bin/bash -c 'mount -t tmpfs tmp /tmp; mountpoint -q /dev/shm ||
                mount -t tmpfs shm /dev/shm; exec bash /root/fresh-inner.sh' </dev/null" \
        "$suite" "$root" "${sources[@]}" 2>&1 | stamp) &
    job=$!
    wait "$job" || rc=$?
    job=""
    rm -f "$inner_tmp"
fi

# The marks inside the command's output, with the second each came at: where the install, the
# builds and each test step began (dev.sh's own [dev] lines, ninja's first line per build).
say "marks in the command's output (seconds since it started):"
awk '
    /\] \[(dev|fresh)\]/ { print; next }
    /\] \[1\/[0-9]+\] / { print "    " $0 " (a build starts)"; next }
    /\] (Test project|[0-9]+% tests passed|Total Test time|The following tests FAILED)/ { print }
    /\][ \t]+[0-9]+ - .*\((Failed|Timeout|SEGFAULT|Subprocess aborted|Child aborted|Exception)\)/ {
        print
    }
    /\] +[0-9]+\/[0-9]+ Test +#[0-9]+: .*\*\*\*/ { gsub(/ \.\.\.+ */, " "); print }
' "$log" >&2
if [ "$rc" -eq 0 ]; then
    say "PASS: bash scripts/dev.sh $what in a fresh $suite minbase root ($tree_desc)"
else
    say "FAIL (exit $rc): bash scripts/dev.sh $what in a fresh $suite minbase root ($tree_desc)"
fi
exit "$rc"
}
