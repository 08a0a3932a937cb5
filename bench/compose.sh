#!/usr/bin/env bash
# Times `weft compose ROOT -d DEP… -o OUT` against `wasm-tools compose ROOT -d DEP… -o OUT` on the
# same inputs (whole process, interleaved). See BENCHMARKS.md ("Composition").
#
# Usage: bench/compose.sh [--rounds N] [--warmup N] [--record] [--no-build]
#   --record    write the results into BENCHMARKS.md (between the compose.sh markers)
#   --no-build  use the existing target/release/weft instead of running cargo
#
# Environment: WASM_TOOLS=/path/to/wasm-tools skips the pip install and uses that binary.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)

. bench/common.sh
while [ $# -gt 0 ]; do
    bench_arg "$@"
    shift "$shifted"
done
dir=$out/compose
mkdir -p "$dir"

# 1. wasm-tools (the venv bench/wit.sh and bench/component.sh use too).
ensure_wasm_tools

# 2. weft, release build, timed as a copy.
build_weft_copy "$dir/weft"

# 3. Inputs. Corpus cases on which `wasm-tools compose` and `weft compose` agree, compiled from
#    WAT (crates/weft-compose/tests/corpus/*/wasm-tools marks them); and real-toolchain
#    components from target/fixtures (fixtures/build.sh caches, so this is quick when they are
#    built), each with a small hand-written definition exporting the interface it imports.
for case in simple resource; do
    mkdir -p "$dir/$case"
    for wat in crates/weft-compose/tests/corpus/$case/*.wat; do
        "$WASM_TOOLS" parse "$wat" -o "$dir/$case/$(basename "$wat" .wat).wasm"
    done
done
missing=0
for f in rust-greeter.wasm js-app.wasm py-consumer.wasm js-provider.wasm; do
    [ -f "target/fixtures/$f" ] || missing=1
done
if [ "$missing" = 1 ]; then
    fixtures/build.sh --only rust-greeter,js-app,py-consumer,js-provider
fi

# weft:greeter/host@0.1.0, which rust-greeter.wasm imports: `log(level, message)` and `tick()`.
mkdir -p "$dir/greeter"
cat > "$dir/greeter/host.wat" <<'EOF'
(component
  (core module $m
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "log") (param i32 i32 i32))
    (func (export "tick") (result i64) (i64.const 42)))
  (core instance $i (instantiate $m))
  (type $level (enum "debug" "info" "warn"))
  (func $log (param "level" $level) (param "message" string)
    (canon lift (core func $i "log") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (func $tick (result u64) (canon lift (core func $i "tick")))
  (instance $host
    (export "level" (type $level))
    (export "log" (func $log))
    (export "tick" (func $tick)))
  (export "weft:greeter/host@0.1.0" (instance $host))
)
EOF
"$WASM_TOOLS" parse "$dir/greeter/host.wat" -o "$dir/greeter/host.wasm"

# weft:js-app/host@0.1.0, which js-app.wasm imports besides WASI: `log(msg)`.
mkdir -p "$dir/js-app" "$dir/xlang"
cat > "$dir/js-app/host.wat" <<'EOF'
(component
  (core module $m
    (memory (export "memory") 1)
    (global $next (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $next))
      (global.set $next (i32.add (local.get $p) (local.get 3)))
      (local.get $p))
    (func (export "log") (param i32 i32)))
  (core instance $i (instantiate $m))
  (func $log (param "msg" string)
    (canon lift (core func $i "log") (memory (core memory $i "memory")) (realloc (core func $i "realloc"))))
  (instance $host (export "log" (func $log)))
  (export "weft:js-app/host@0.1.0" (instance $host))
)
EOF
"$WASM_TOOLS" parse "$dir/js-app/host.wat" -o "$dir/js-app/host.wasm"

# 4. Check and time, interleaved.
python3 bench/compose_timing.py \
    --weft "$weft" \
    --weft-rev "$weft_rev" \
    --wasm-tools "$WASM_TOOLS" \
    --inputs "$dir" \
    --fixtures target/fixtures \
    --rounds "$rounds" \
    --warmup "$warmup" \
    --repo "$repo" \
    --invocation "bench/compose.sh --rounds $rounds --warmup $warmup${record:+ --record}" \
    --json-out "$out/compose-results.json" \
    "${record[@]}"
