#!/usr/bin/env bash
# Times `weft new`, `weft wit print` and `weft inspect` against `wasm-tools component new` and
# `wasm-tools component wit` on the real-toolchain fixtures (whole process, interleaved).
# See BENCHMARKS.md ("Component binaries").
#
# Usage: bench/component.sh [--rounds N] [--warmup N] [--only new,wit,inspect] [--record] [--no-build]
#   --record    write the results into BENCHMARKS.md (between the component.sh markers)
#   --no-build  use the existing target/release/weft instead of running cargo
#   --only      time only these kinds of case (comma list)
#
# Environment: WASM_TOOLS=/path/to/wasm-tools skips the pip install and uses that binary;
# ADAPTER=/path/to/wasi_snapshot_preview1.command.wasm overrides the adapter wasm-tools is given.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

. bench/common.sh
only=new,wit,inspect
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only=$2; shift 2 ;;
        *) bench_arg "$@"; shift "$shifted" ;;
    esac
done
mkdir -p "$out"

# 1. wasm-tools (the venv bench/wit.sh uses too).
ensure_wasm_tools

# 2. weft, release build.
head_before=$(git rev-parse --short HEAD)
build_weft
# Time a copy, so that a colleague's `cargo build --release` during the run cannot swap the
# binary under us; note the commit it was built from now, not when the report is written.
mkdir -p "$out/component"
weft=$out/component/weft
cp target/release/weft "$weft"
weft_rev=$(git rev-parse --short HEAD)
if [ "$weft_rev" != "$head_before" ]; then
    weft_rev="$weft_rev (HEAD moved from $head_before during the build)"
fi
if [ -n "$(git status --porcelain -- crates Cargo.toml Cargo.lock)" ]; then
    weft_rev="$weft_rev (with uncommitted changes)"
fi
if [ "$build" = 0 ]; then
    weft_rev="$weft_rev, not rebuilt by this run (binary from $(date -u -r target/release/weft '+%Y-%m-%d %H:%M UTC'))"
fi

# 3. Inputs: the fixtures (fixtures/build.sh caches, so this is quick when they are built), and
#    the preview1 command adapter weft has built in (wasi-preview1-component-adapter-provider,
#    the version in Cargo.lock), which wasm-tools needs on its command line.
fixtures=target/fixtures
missing=0
[ -f "$fixtures/manifest.json" ] || missing=1
for f in c-hello.core.wasm rust-greeter.core.wasm rust-greeter.wasm py-app.wasm js-app.wasm; do
    [ -f "$fixtures/$f" ] || missing=1
done
if [ "$missing" = 1 ]; then
    fixtures/build.sh --only c-hello,rust-greeter,py-app,js-app
fi
if [ -z "${ADAPTER:-}" ]; then
    adapter_version=$(awk '/^name = "wasi-preview1-component-adapter-provider"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
    for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/wasi-preview1-component-adapter-provider-"$adapter_version"/artefacts; do
        if [ -f "$d/wasi_snapshot_preview1.command.wasm" ]; then
            ADAPTER=$d/wasi_snapshot_preview1.command.wasm
            break
        fi
    done
fi
if [ ! -f "${ADAPTER:-}" ]; then
    echo "error: no wasi_snapshot_preview1.command.wasm (wasi-preview1-component-adapter-provider ${adapter_version:-?}); run \`cargo fetch\` or set ADAPTER" >&2
    exit 1
fi

# 4. Check and time, interleaved.
invocation="bench/component.sh --rounds $rounds --warmup $warmup"
[ "$only" = new,wit,inspect ] || invocation="$invocation --only $only"
python3 bench/component_timing.py \
    --weft "$weft" \
    --weft-rev "$weft_rev" \
    --wasm-tools "$WASM_TOOLS" \
    --fixtures "$fixtures" \
    --adapter "$ADAPTER" \
    --out "$out/component" \
    --rounds "$rounds" \
    --warmup "$warmup" \
    --only "$only" \
    --repo "$repo" \
    --invocation "$invocation${record:+ --record}" \
    --json-out "$out/component-results.json" \
    "${record[@]}"
