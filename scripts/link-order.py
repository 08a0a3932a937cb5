#!/usr/bin/env python3
"""Writes crates/weft-cli/link-order.txt: the order in which the linker lays out weft's functions.

    scripts/link-order.py [--weft target/release/weft] [--check]

A short command spends much of its time on page faults for the code it runs: the kernel maps a
binary's code 64 KiB at a time, on first use, and the functions a `weft wit` of a small
component runs are spread over 4 MB of weft's 15 MB of code (43 faults). Placed next to each
other they fit in a fraction of that (13 faults). This script runs representative commands
under valgrind's callgrind, which records every function executed, and writes the functions of
the weft binary that ran, those used by the most commands first (start-up, argument parsing,
printing errors), then the rest in the order they first ran. `crates/weft-cli/build.rs` hands
the file to the linker (LLD's `--symbol-ordering-file`) for release builds on
x86_64-unknown-linux-gnu, where Rust links with LLD.

The names are mangled symbols of a release build. Most end in a hash of their crate's
metadata, which Cargo derives from the rustc version and the package and dependency versions:
they stay valid across edits of the code, but not across a new rustc, a version bump or a
dependency update, after which almost none match. A name that does not match is only missing
from the order, which costs start-up time and nothing else (the linker is told not to warn).
Run this again after any of those, and after large changes, on a release build of the current
tree (`cargo build --release -p weft-cli`). `--check` reports how many of
the file's symbols the binary still has, without writing.

Needs valgrind, and the fixtures `fixtures/build.sh --only c-hello,rust-greeter` builds.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crates", "weft-cli", "link-order.txt")

# The commands profiled, in this order: each is the argv after `weft` (paths relative to the
# repository). Small inputs, so that start-up and the per-command paths dominate.
FX = "target/fixtures"
COMPOSE = "crates/weft-compose/tests/corpus"
COMMANDS = [
    ["--version"],
    ["wit", f"{FX}/rust-greeter.wasm"],
    ["inspect", f"{FX}/rust-greeter.wasm"],
    ["inspect", "--json", f"{FX}/c-hello.core.wasm"],
    ["new", f"{FX}/c-hello.core.wasm", "-o", "{tmp}/c-hello.wasm"],
    ["new", f"{FX}/rust-greeter.core.wasm", "-o", "{tmp}/rust-greeter.wasm"],
    ["compose", f"{COMPOSE}/simple/root.wat", "-d", f"{COMPOSE}/simple/a.wat", "-o", "{tmp}/simple.wasm"],
    ["compose", f"{COMPOSE}/resource/root.wat", "-d", f"{COMPOSE}/resource/a.wat", "-o", "{tmp}/resource.wasm"],
    ["wit", "check", "examples/typo.wit"],
    # A WIT package directory with WASI dependencies (`bench/wit.sh` times `wit json` of one).
    ["wit", "json", "fixtures/python-cmd/wit"],
    ["wit", "print", "fixtures/python-cmd/wit"],
    ["run", "--invoke", 'greet("Ada")', "examples/hello-component.wat"],
    ["run", f"{FX}/c-hello.wasm", "--", "Ada"],
]


def symbols(weft):
    """The binary's function symbols (`nm`): name -> size."""
    out = subprocess.run(["nm", "-S", "--defined-only", weft], check=True,
                         capture_output=True, text=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tT":
            syms[parts[3]] = int(parts[1], 16)
    return syms


def profile(weft, argv, tmp, n):
    """The functions of `weft` that ran for `argv`, in the order callgrind lists them. `weft run`
    runs once before, unprofiled, so that its compilation cache (in `tmp`) is warm, as it is for
    every run but a component's first."""
    out = os.path.join(tmp, f"callgrind.{n}")
    argv = [a.replace("{tmp}", tmp) for a in argv]
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(tmp, "cache"))
    if argv[0] == "run":
        subprocess.run([weft, *argv], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    r = subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no",
                        f"--callgrind-out-file={out}", weft, *argv],
                       cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    if not os.path.exists(out):
        sys.exit(f"error: callgrind did not run `weft {' '.join(argv)}`:\n{r.stderr[-2000:]}")
    names, obj = [], None
    with open(out) as f:
        for line in f:
            if line.startswith("ob="):
                obj = line[3:].strip()
            elif line.startswith("fn=") and obj and os.path.realpath(obj) == os.path.realpath(weft):
                # callgrind marks recursion levels with a `'N` suffix.
                names.append(re.sub(r"'\d+$", "", line[3:].strip()))
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weft", default=os.path.join(REPO, "target", "release", "weft"))
    ap.add_argument("--check", action="store_true", help="report coverage; write nothing")
    args = ap.parse_args()
    syms = symbols(args.weft)
    if args.check:
        listed = [l.strip() for l in open(OUT) if l.strip()]
        have = sum(1 for s in listed if s in syms)
        print(f"{OUT}: {have} of {len(listed)} symbols are in {args.weft}")
        return
    for f in (f"{FX}/c-hello.core.wasm", f"{FX}/rust-greeter.core.wasm", f"{FX}/c-hello.wasm"):
        if not os.path.exists(os.path.join(REPO, f)):
            sys.exit(f"error: no {f}: run `fixtures/build.sh --only c-hello,rust-greeter`")
    users, first = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, argv in enumerate(COMMANDS):
            seen = set()
            for name in profile(args.weft, argv, tmp, n):
                if name in syms and name not in seen:
                    seen.add(name)
                    users[name] = users.get(name, 0) + 1
                    first.setdefault(name, len(first))
            print(f"weft {' '.join(argv)}: {len(seen)} functions", file=sys.stderr)
    order = sorted(first, key=lambda s: (-users[s], first[s]))
    size = sum(syms[s] for s in order)
    with open(OUT, "w") as f:
        f.write("".join(s + "\n" for s in order))
    print(f"wrote {OUT}: {len(order)} functions, {size / 1e6:.2f} MB of code", file=sys.stderr)


if __name__ == "__main__":
    main()
