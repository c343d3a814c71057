#!/usr/bin/env python3
"""No layer's objects call into a higher layer: the link-level half of the
arrows (check_layers.cmake checks the includes). A function declared in a
lower layer's header but defined in a higher layer's source compiles fine
and links fine into the one library; only the symbol tables show it.

Usage: check_links.py layer=obj1|obj2|... (lowest layer first)."""
import subprocess
import sys


def symbols(objects, undefined):
    args = ["nm", "-g", "--format=posix"] + (["-u"] if undefined else ["--defined-only"]) + objects
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2 or line.endswith(":"):
            continue
        # Strong definitions only: an inline function or a template is
        # defined weakly (W, V) in every object that uses it.
        if undefined or parts[1] in "TDBR":
            names.add(parts[0])
    return names


def demangle(names):
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True).stdout
    return out.splitlines()


def main():
    layers = []
    for arg in sys.argv[1:]:
        name, objs = arg.split("=", 1)
        layers.append((name, [o for o in objs.split("|") if o]))
    defined = {name: symbols(objs, False) for name, objs in layers}
    failures = []
    for i, (name, objs) in enumerate(layers):
        needed = symbols(objs, True)
        for higher, _ in layers[i + 1:]:
            up = sorted(needed & defined[higher])
            for sym in demangle(up):
                failures.append(f"{name} uses {sym}, defined in the higher layer {higher}")
    if failures:
        print("\n".join(failures))
        return 1
    total = sum(len(d) for d in defined.values())
    print(f"layers: {len(layers)} layers, {total} strong symbols; no layer uses a higher one's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
