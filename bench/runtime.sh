#!/usr/bin/env bash
# Times `weft run` against `wasmtime run` (whole process, interleaved) on the same components:
# one call of a small component, 10,000 cross-instance calls, compiling the 18 MB and 12 MB
# componentize-py/-js components, and a warm call into the componentize-py one.
# See BENCHMARKS.md ("Running components").
#
# Usage: bench/runtime.sh [--rounds N] [--warmup N] [--compile-rounds N] [--only CASE,...]
#                         [--record] [--no-build]
#   --rounds          rounds for the quick cases (default 30)
#   --compile-rounds  rounds for compile-18mb, whose runs take seconds (default 5; one warm-up)
#   --only            time only these cases (comma list of small-call, cross-instance-1k,
#                     compile-18mb, py-greeter-warm)
#   --record          write the results into BENCHMARKS.md (between the runtime.sh markers)
#   --no-build        use the existing target/release/weft instead of running cargo
#
# Environment: WASMTIME=/path/to/wasmtime (default ../oracles/wasmtime/bin/wasmtime, then
# `wasmtime` on PATH; install with `cargo install wasmtime-cli@48.0.8 --locked`).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

. bench/common.sh
all_cases=small-call,cross-instance-1k,compile-18mb,py-greeter-warm
only=$all_cases
compile_rounds=5
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only=$2; shift 2 ;;
        --compile-rounds) compile_rounds=$2; shift 2 ;;
        *) bench_arg "$@"; shift "$shifted" ;;
    esac
done
mkdir -p "$out/runtime"

# 1. wasmtime, the oracle: WASMTIME, else the copy installed next to the repository, else PATH.
find_wasmtime

# 2. weft, release build, timed as a copy (see build_weft_copy).
build_weft_copy "$out/runtime/weft"

# 3. Inputs: the example and bench/inputs/runtime (text, which both tools accept), and the
#    componentize-py/-js fixtures (fixtures/build.sh caches, so this is quick when they exist).
fixtures=target/fixtures
case ",$only," in
    *,compile-18mb,*|*,py-greeter-warm,*)
        if [ ! -f "$fixtures/py-app.wasm" ] || [ ! -f "$fixtures/js-app.wasm" ]; then
            fixtures/build.sh --only py-app,js-app
        fi ;;
esac

# 4. Both tools' compilation caches go under bench/out/runtime/cache (XDG_CACHE_HOME: weft's
#    `weft/` and wasmtime's `wasmtime/`), so that the warm cases do not depend on, or fill, the
#    user's caches. The cases that want a cold compile pass --no-cache / -C cache=n.
export XDG_CACHE_HOME=$repo/$out/runtime/cache
mkdir -p "$XDG_CACHE_HOME"
# No backtraces: with RUST_BACKTRACE=1, wasmtime prints a symbolized one with each error and
# anyhow captures one with each of weft's, which would be timed in compile-18mb.
unset RUST_BACKTRACE RUST_LIB_BACKTRACE

# 5. Check and time, interleaved.
invocation="bench/runtime.sh --rounds $rounds --warmup $warmup --compile-rounds $compile_rounds"
[ "$only" = "$all_cases" ] || invocation="$invocation --only $only"
python3 bench/runtime_timing.py \
    --weft "$weft" \
    --weft-rev "$weft_rev" \
    --wasmtime "$WASMTIME" \
    --fixtures "$fixtures" \
    --inputs bench/inputs/runtime \
    --cache "$out/runtime/cache" \
    --rounds "$rounds" \
    --warmup "$warmup" \
    --compile-rounds "$compile_rounds" \
    --only "$only" \
    --repo "$repo" \
    --invocation "$invocation${record:+ --record}" \
    --json-out "$out/runtime-results.json" \
    "${record[@]}"
