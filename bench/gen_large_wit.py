#!/usr/bin/env python3
"""Generates a large, valid WIT package for `bench/wit.sh`.

The output is deterministic for a given seed and size: the same arguments always write the same
bytes. The package is a directory of several `.wit` files (all in `bench:large@1.0.0`) with
interfaces holding every kind of type (records, variants, enums, flags, resources with
constructors/methods/static functions, aliases, lists, fixed-length lists, options, results,
tuples, maps), functions, `use` between interfaces, `@since` gates, doc comments, and a few
worlds importing and exporting the interfaces.

Usage: gen_large_wit.py OUT_DIR [--interfaces N] [--types-per-interface M] [--seed S]
"""

import argparse
import os
import random
import shutil

PACKAGE = "bench:large@1.0.0"
PRIMITIVES = [
    "bool", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
    "f32", "f64", "char", "string",
]
# Interfaces per file, so the package exercises multi-file loading too.
INTERFACES_PER_FILE = 50


class Iface:
    """What one generated interface exports to the ones after it."""

    def __init__(self, index):
        self.index = index
        self.name = f"iface-{index}"
        # Names of the value types it defines (usable by later interfaces).
        self.types = []
        # Names of its resources.
        self.resources = []
        # Indices of every interface it depends on, transitively.
        self.deps = set()


class Gen:
    def __init__(self, rng, n_ifaces, types_per_iface):
        self.rng = rng
        self.n_ifaces = n_ifaces
        self.types_per_iface = types_per_iface
        self.ifaces = []
        self.type_count = 0

    # -- type expressions ------------------------------------------------------------------

    def value_type(self, scope, resources, depth=0):
        """A type expression using primitives and the names in `scope`."""
        rng = self.rng
        roll = rng.random()
        if depth >= 2 or roll < 0.35:
            if scope and rng.random() < 0.6:
                return rng.choice(scope)
            return rng.choice(PRIMITIVES)
        kind = rng.choice(
            ["list", "option", "result", "tuple", "fixed", "map", "own", "result-ok", "result-err"]
        )
        inner = lambda: self.value_type(scope, resources, depth + 1)  # noqa: E731
        if kind == "list":
            return f"list<{inner()}>"
        if kind == "option":
            return f"option<{inner()}>"
        if kind == "result":
            return f"result<{inner()}, {inner()}>"
        if kind == "result-ok":
            return f"result<{inner()}>"
        if kind == "result-err":
            return f"result<_, {inner()}>"
        if kind == "tuple":
            return "tuple<" + ", ".join(inner() for _ in range(rng.randint(1, 4))) + ">"
        if kind == "fixed":
            return f"list<{inner()}, {rng.randint(1, 16)}>"
        if kind == "map":
            return f"map<{rng.choice(['string', 'u32', 's64'])}, {inner()}>"
        if kind == "own" and resources:
            return rng.choice(resources)
        return rng.choice(PRIMITIVES)

    def param_type(self, scope, resources):
        if resources and self.rng.random() < 0.15:
            return f"borrow<{self.rng.choice(resources)}>"
        return self.value_type(scope, resources)

    def params(self, scope, resources, lo=0, hi=4):
        n = self.rng.randint(lo, hi)
        return ", ".join(f"p{i}: {self.param_type(scope, resources)}" for i in range(n))

    def result(self, scope, resources):
        if self.rng.random() < 0.3:
            return ""
        return f" -> {self.value_type(scope, resources)}"

    # -- items -----------------------------------------------------------------------------

    def docs(self, out, indent, what):
        if self.rng.random() < 0.3:
            out.append(f"{indent}/// Generated {what}.")

    def gate(self, out, indent):
        if self.rng.random() < 0.2:
            out.append(f"{indent}@since(version = 1.0.0)")

    def interface(self, index):
        rng = self.rng
        me = Iface(index)
        out = []
        self.docs(out, "", f"interface {index}")
        self.gate(out, "")
        out.append(f"interface {me.name} {{")
        scope = []
        resources = []
        # `use` a few types from earlier interfaces.
        if self.ifaces:
            for dep in rng.sample(self.ifaces, min(len(self.ifaces), rng.randint(0, 3))):
                pool = dep.types + dep.resources
                if not pool:
                    continue
                names = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
                out.append(f"  use {dep.name}.{{{', '.join(names)}}};")
                me.deps |= {dep.index} | dep.deps
                for n in names:
                    (resources if n in dep.resources else scope).append(n)
            out.append("")
        for t in range(self.types_per_iface):
            name = f"t-{index}-{t}"
            kind = rng.choice(
                ["record", "variant", "enum", "flags", "resource", "alias", "alias", "record"]
            )
            self.docs(out, "  ", kind)
            self.gate(out, "  ")
            if kind == "record":
                fields = ", ".join(
                    f"f{i}: {self.value_type(scope, resources)}" for i in range(rng.randint(1, 6))
                )
                out.append(f"  record {name} {{ {fields} }}")
            elif kind == "variant":
                cases = []
                for i in range(rng.randint(1, 6)):
                    if rng.random() < 0.6:
                        cases.append(f"c{i}({self.value_type(scope, resources)})")
                    else:
                        cases.append(f"c{i}")
                out.append(f"  variant {name} {{ {', '.join(cases)} }}")
            elif kind == "enum":
                cases = ", ".join(f"e{i}" for i in range(rng.randint(1, 8)))
                out.append(f"  enum {name} {{ {cases} }}")
            elif kind == "flags":
                flags = ", ".join(f"g{i}" for i in range(rng.randint(1, 12)))
                out.append(f"  flags {name} {{ {flags} }}")
            elif kind == "resource":
                # The resource is in scope inside its own body.
                res_scope = resources + [name]
                out.append(f"  resource {name} {{")
                if rng.random() < 0.6:
                    out.append(f"    constructor({self.params(scope, res_scope, 0, 3)});")
                for m in range(rng.randint(0, 4)):
                    res = self.result(scope, res_scope)
                    out.append(f"    m{m}: func({self.params(scope, res_scope, 0, 3)}){res};")
                if rng.random() < 0.4:
                    res = self.result(scope, res_scope)
                    out.append(f"    make: static func({self.params(scope, res_scope, 0, 2)}){res};")
                out.append("  }")
                resources.append(name)
                me.resources.append(name)
                self.type_count += 1
                continue
            else:
                out.append(f"  type {name} = {self.value_type(scope, resources)};")
            scope.append(name)
            me.types.append(name)
            self.type_count += 1
        out.append("")
        for f in range(rng.randint(2, 6)):
            self.docs(out, "  ", "function")
            self.gate(out, "  ")
            res = self.result(scope, resources)
            out.append(f"  func-{f}: func({self.params(scope, resources)}){res};")
        out.append("}")
        self.ifaces.append(me)
        return "\n".join(out) + "\n"

    def world(self, index):
        rng = self.rng
        out = [f"world world-{index} {{"]
        # Exports may not depend on one another, and no import (explicit, or implied by an
        # export's dependencies) may depend on an export, or the world is invalid.
        exports, imports = [], []
        for iface in rng.sample(self.ifaces, min(len(self.ifaces), 40)):
            if len(exports) < 10:
                implied = set().union(*(self.ifaces[e].deps for e in exports + [iface.index]))
                closure = implied | set().union(*(self.ifaces[i].deps for i in implied))
                closure |= set().union(*(self.ifaces[i].deps for i in imports))
                closure |= set(imports)
                if iface.index not in closure and not (iface.deps & set(exports)):
                    exports.append(iface.index)
                    continue
            if len(imports) < 10:
                taken = set(exports)
                implied = set().union(*(self.ifaces[e].deps for e in exports))
                if iface.index not in taken and not (iface.deps & taken) and iface.index not in implied:
                    imports.append(iface.index)
        for i in imports:
            out.append(f"  import {self.ifaces[i].name};")
        for e in exports:
            out.append(f"  export {self.ifaces[e].name};")
        out.append(f"  import log-{index}: func(msg: string);")
        out.append(f"  export run-{index}: func(args: list<string>) -> result<_, string>;")
        out.append("}")
        return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("--interfaces", type=int, default=500)
    ap.add_argument("--types-per-interface", type=int, default=10)
    ap.add_argument("--worlds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()

    gen = Gen(random.Random(args.seed), args.interfaces, args.types_per_interface)
    files = []
    chunk = []
    for i in range(args.interfaces):
        chunk.append(gen.interface(i))
        if len(chunk) == INTERFACES_PER_FILE:
            files.append(chunk)
            chunk = []
    if chunk:
        files.append(chunk)
    worlds = [gen.world(i) for i in range(args.worlds)]

    if os.path.isdir(args.out_dir):
        shutil.rmtree(args.out_dir)
    os.makedirs(args.out_dir)
    header = f"package {PACKAGE};\n\n"
    total = 0
    for n, chunk in enumerate(files):
        text = header + "\n".join(chunk)
        total += len(text)
        with open(os.path.join(args.out_dir, f"part-{n:03}.wit"), "w") as f:
            f.write(text)
    text = header + "\n".join(worlds)
    total += len(text)
    with open(os.path.join(args.out_dir, "worlds.wit"), "w") as f:
        f.write(text)
    print(
        f"wrote {args.out_dir}: {len(files) + 1} files, {args.interfaces} interfaces, "
        f"{gen.type_count} named types, {args.worlds} worlds, {total} bytes"
    )


if __name__ == "__main__":
    main()
