#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The model's per-exit counts (eb-model predict) against the table the
kernel side writes down: kernel-patches/README.md, "Expected counts per
exit" (strategy, APX off/on, stores, loads, clears, XSETBVs per loop and
per fastpath exit, path switches, dispatch).  Every (strategy, vendor,
APX, other XCR0 bits, exit kind) of the stand-in host is compared; any
difference fails with both numbers.

usage: kernel_table_test.py EB_MODEL KERNEL_PATCHES_README
Exit 0 pass, 1 fail, 77 skip (no such table in the README yet).
"""
import json
import re
import subprocess
import sys

COLS = ["stores", "loads", "clears", "xsetbv_loop", "xsetbv_fast",
        "path_switches", "dispatch"]


def table(readme):
    text = open(readme).read()
    m = re.search(r"### Expected counts per exit\n(.*?)(?:\n#|\Z)", text, re.S)
    if not m:
        return None
    rows = []
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 + len(COLS) or cells[0] in ("strategy",) or \
                set(cells[0]) <= set("-"):
            continue
        for apx in cells[1].split("/"):
            rows.append((cells[0], apx, dict(zip(COLS, cells[2:]))))
    return rows


def value(expr, on, other):
    """A cell of the table: 0, 2, 2[G!=H], 1 + [G!=H], 2 + 2[E!=H], T, S."""
    # stand-in steady state: G = H (on) or H without M (off), unless other
    # bits differ too; E = G | M differs from H only then.
    env = {"gh": int(not on or other), "eh": int(other), "T": 0, "S": 0}
    e = re.sub(r"(\d)\s*\[", r"\1*[", expr)
    e = e.replace("[G!=H]", "gh").replace("[E!=H]", "eh")
    if not re.fullmatch(r"[0-9ghe*+ TS]+", e):
        raise ValueError("cannot read cell %r" % expr)
    return eval(e, {"__builtins__": {}}, env)


def main():
    model, readme = sys.argv[1], sys.argv[2]
    rows = table(readme)
    if not rows:
        print("SKIP: %s has no \"Expected counts per exit\" table" % readme)
        return 77
    pred = {}
    for r in json.loads(subprocess.run([model, "predict", "--json"], check=True,
                                       capture_output=True, text=True).stdout):
        if r["host"] == "standin":
            pred[(r["strategy"], r["vendor"], r["guest_apx"], r["other_differs"],
                  r["kind"])] = r
    bad = n = 0
    for strategy, apx, cells in rows:
        on = apx == "on"
        for vendor in ("vmx", "svm"):
            for other in (False, True):
                for kind in ("loop", "fast"):
                    p = pred.get((strategy, vendor, on, other, kind))
                    if p is None:
                        print("not ok %s %s apx %s: no model row" % (strategy, vendor, apx))
                        bad += 1
                        continue
                    for col, field in (("stores", "stores"), ("loads", "loads"),
                                       ("clears", "clears"),
                                       ("xsetbv_" + kind, "xsetbv"),
                                       ("path_switches", "path_switches")):
                        want = value(cells[col], on, other)
                        n += 1
                        if p[field] != want:
                            bad += 1
                            print("not ok %s %s apx %s %s exit%s: %s: kernel table %d, "
                                  "model %d" % (strategy, vendor, apx, kind,
                                                ", other XCR0 bits differ" if other else "",
                                                field, want, p[field]))
    print("%d counts compared, %d differ" % (n, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
