#!/usr/bin/env bash
# Rebuilds the sample generator (make_sample.cpp) and rewrites assets/sample.
# Usage: regenerate.sh [BUILD_DIR]
#   BUILD_DIR: an existing, configured build tree that has the target
#   interleave_make_sample; without it (or if it lacks the target) the
#   generator is built in a temporary directory that is removed afterwards.
set -euo pipefail

script_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
out_dir="${script_dir}/sample"
target="interleave_make_sample"
exe=""

find_exe() {
    # Newest regular executable named after the target anywhere in the tree
    # (single- and multi-config generators put it in different places).
    find "$1" -type f -name "${target}" -perm -u+x -printf '%T@ %p\n' 2>/dev/null \
        | sort -nr | head -n 1 | cut -d' ' -f2-
}

if [[ $# -ge 1 ]]; then
    if [[ ! -d "$1" ]]; then
        echo "regenerate.sh: build directory '$1' does not exist" >&2
        exit 1
    fi
    build_dir="$(cd -- "$1" && pwd)"
    if cmake --build "${build_dir}" --target "${target}"; then
        exe="$(find_exe "${build_dir}")"
    fi
    if [[ -z "${exe}" ]]; then
        echo "regenerate.sh: '${build_dir}' cannot build ${target}; using a temporary build" >&2
    fi
fi

if [[ -z "${exe}" ]]; then
    tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/interleave-sample.XXXXXX")"
    trap 'rm -rf -- "${tmp_dir}"' EXIT
    cat > "${tmp_dir}/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(interleave_sample CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
add_subdirectory("${script_dir}" assets)
EOF
    generator=()
    if command -v ninja > /dev/null 2>&1; then
        generator=(-G Ninja)
    fi
    cmake -S "${tmp_dir}" -B "${tmp_dir}/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release
    cmake --build "${tmp_dir}/build" --target "${target}"
    exe="$(find_exe "${tmp_dir}/build")"
    if [[ -z "${exe}" ]]; then
        echo "regenerate.sh: built ${target} but cannot find the executable" >&2
        exit 1
    fi
fi

"${exe}" "${out_dir}"
