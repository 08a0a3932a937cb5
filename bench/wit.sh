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

. bench/common.sh
while [ $# -gt 0 ]; do
    bench_arg "$@"
    shift "$shifted"
done
mkdir -p "$out"

# 1. wasm-tools.
ensure_wasm_tools

# 2. weft, release build, timed as a copy (as the other scripts do: a binary the linker has
# just written can time slower than the same bytes copied, see BENCHMARKS.md).
build_weft_copy "$out/weft"

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
