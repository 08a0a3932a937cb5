#!/usr/bin/env python3
"""A/B timing of two builds of weft (or any two programs) on one command line.

    bench/ab.py [--runs N] BIN_A BIN_B -- ARGS...

Runs `BIN_A ARGS...` and `BIN_B ARGS...` N times each (default 200), alternating run by run
(and which goes first), stdout and stderr to /dev/null, and prints the median wall time of each
and B's over A's. For changes smaller than the machine's drift over a minute, which separate
`perf stat` runs of each build cannot resolve.
"""

import os
import statistics
import sys
import time


def main():
    args = sys.argv[1:]
    runs = 200
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    if len(args) < 3 or args[2] != "--":
        sys.exit(__doc__)
    a, b, argv = args[0], args[1], args[3:]
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]

    def run(program):
        start = time.perf_counter()
        pid = os.posix_spawn(program, [program, *argv], os.environ, file_actions=actions)
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            sys.exit(f"error: `{program} {' '.join(argv)}` failed (status {status})")
        return elapsed

    times = {a: [], b: []}
    for i in range(runs):
        for program in ((a, b) if i % 2 else (b, a)):
            times[program].append(run(program))
    ma, mb = (statistics.median(times[p]) * 1000 for p in (a, b))
    print(f"{a}: {ma:.3f} ms  {b}: {mb:.3f} ms  B/A {mb / ma:.3f}  ({' '.join(argv)})")


if __name__ == "__main__":
    main()
