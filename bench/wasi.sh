#!/usr/bin/env bash
# Times `weft run` against `wasmtime run` (whole process, interleaved) on WASI 0.2 command
# components: start-up of a small C command, 100 MiB to stdout, a 100 MiB file read from a
# preopened directory (and start-up of a componentize-py command, when there is a fixture).
# See BENCHMARKS.md ("WASI commands").
#
# Usage: bench/wasi.sh [--rounds N] [--warmup N] [--only CASE,...] [--record] [--no-build]
#   --rounds    interleaved rounds per case (default 30)
#   --only      time only these cases (comma list of c-start, stdout-100mb, read-100mb,
#               py-start)
#   --record    write the results into BENCHMARKS.md (between the wasi.sh markers)
#   --no-build  use the existing target/release/weft instead of running cargo
#
# Environment: WASMTIME=/path/to/wasmtime (default ../oracles/wasmtime/bin/wasmtime, then
# `wasmtime` on PATH; install with `cargo install wasmtime-cli@48.0.8 --locked`).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

. bench/common.sh
all_cases=c-start,stdout-100mb,read-100mb,py-start
only=$all_cases
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only=$2; shift 2 ;;
        *) bench_arg "$@"; shift "$shifted" ;;
    esac
done
work=$out/wasi
mkdir -p "$work/tmp" "$work/data"

# 1. wasmtime, the oracle: WASMTIME, else the copy installed next to the repository, else PATH.
find_wasmtime

# 2. weft, release build, timed as a copy (see build_weft_copy).
build_weft_copy "$work/weft"

# 3. Inputs: bench/inputs/wasi (text, which both tools accept); the c-hello fixture
#    (fixtures/build.sh caches, so this is quick when it exists); and read-100mb's file,
#    100 MiB of random bytes, made once (again when its size is not 100 MiB).
fixtures=target/fixtures
case ",$only," in
    *,c-start,*)
        if [ ! -f "$fixtures/c-hello.wasm" ]; then
            fixtures/build.sh --only c-hello
        fi ;;
esac
data=$work/data/data.bin
if [ ! -f "$data" ] || [ "$(stat -c %s "$data")" != 104857600 ]; then
    head -c 104857600 /dev/urandom >"$data.tmp"
    mv "$data.tmp" "$data"
fi

# 4. Both tools' compilation caches go under bench/out/wasi/cache (XDG_CACHE_HOME: weft's
#    `weft/` and wasmtime's `wasmtime/`), so that the cases, all warm, do not depend on, or
#    fill, the user's caches.
export XDG_CACHE_HOME=$repo/$work/cache
mkdir -p "$XDG_CACHE_HOME"
# No backtraces: with RUST_BACKTRACE=1, wasmtime prints a symbolized one with each error and
# anyhow captures one with each of weft's.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

# 5. Check and time, interleaved. Absolute paths: c-start runs in the fixtures directory.
invocation="bench/wasi.sh --rounds $rounds --warmup $warmup"
[ "$only" = "$all_cases" ] || invocation="$invocation --only $only"
python3 bench/wasi_timing.py \
    --weft "$repo/$weft" \
    --weft-rev "$weft_rev" \
    --wasmtime "$WASMTIME" \
    --fixtures "$repo/$fixtures" \
    --inputs "$repo/bench/inputs/wasi" \
    --work "$repo/$work" \
    --cache "$work/cache" \
    --rounds "$rounds" \
    --warmup "$warmup" \
    --only "$only" \
    --repo "$repo" \
    --invocation "$invocation${record:+ --record}" \
    --json-out "$out/wasi-results.json" \
    "${record[@]}"
