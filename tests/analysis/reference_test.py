#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The comparison on real measurements: results/reference/ holds two
back-to-back runs of this PVM machine (raw samples, gzip).

Usage: reference_test.py EXITBENCH REFERENCE_A REFERENCE_B

Real exit latencies are integer, heavily tied and heavy-tailed; the
checks below hold whatever the numbers are, so the reference files can be
regenerated (see results/reference/README.md):
  * both files load (gzip), compare prints <= 72 columns, one row per test;
  * within-run A/A: the even- and odd-indexed samples of one run (two
    interleaved halves, so drift hits both alike) compare `same` for most
    tests;
  * the same halves with +3% of the median added to one half: `slower`
    for every test with a non-degenerate spread, and the 95% CI covers the
    injected shift in most of them; -3% gives `faster`;
  * gate: exit 1 naming exactly the shifted tests, 0 for the A/A halves.
"""
import copy
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

EXITBENCH, REF_A, REF_B = map(os.path.abspath, sys.argv[1:4])


def run(*args, cwd):
    return subprocess.run([EXITBENCH, *args], cwd=cwd, text=True,
                          capture_output=True)


def percentile(sorted_v, p):
    h = (len(sorted_v) - 1) * p / 100
    lo = int(h)
    if lo >= len(sorted_v) - 1:
        return float(sorted_v[-1])
    return sorted_v[lo] + (h - lo) * (sorted_v[lo + 1] - sorted_v[lo])


def restat(r, tsc_khz):
    """Refresh the summary of an entry whose raw samples were changed:
    every statistic the loader checks against raw or against each other
    (the median CI becomes the point, as for a tiny sample)."""
    v = sorted(x / r.get("batch", 1) for x in r["raw"])
    c = r["cycles"]
    c["n"] = len(v)
    for k, p in (("min", 0), ("p1", 1), ("p5", 5), ("p25", 25),
                 ("median", 50), ("p75", 75), ("p95", 95), ("p99", 99),
                 ("max", 100)):
        c[k] = percentile(v, p)
    c["mean"] = sum(v) / len(v)
    c["stddev"] = (sum((x - c["mean"]) ** 2 for x in v) /
                   max(len(v) - 1, 1)) ** 0.5
    c["mad"] = percentile(sorted(abs(x - c["median"]) for x in v), 50)
    iqr = c["p75"] - c["p25"]
    c["outliers_low"] = sum(x < c["p25"] - 1.5 * iqr for x in v)
    c["outliers_high"] = sum(x > c["p75"] + 1.5 * iqr for x in v)
    c["median_ci"] = [c["median"], c["median"]]
    if r.get("overhead_cycles") is not None:
        r["net_median_cycles"] = c["median"] - r["overhead_cycles"]
    if r.get("ns") is not None:
        k = 1e6 / tsc_khz
        r["ns"] = {key: (val if key in ("n", "outliers_low", "outliers_high")
                         else [x * k for x in val] if key == "median_ci"
                         else val * k) for key, val in c.items()}


def half(doc, parity, shift_pct=0.0):
    """Even or odd samples of every test, optionally shifted by a % of
    that test's median (in whole cycles, as the TSC counts)."""
    d = copy.deepcopy(doc)
    shifted = {}
    for r in d["results"]:
        if r["status"] != "ok":
            continue
        raw = r["raw"][parity::2]
        delta = round(shift_pct / 100 * r["cycles"]["median"] *
                      r.get("batch", 1))
        r["raw"] = [x + delta for x in raw]
        shifted[r["test"]] = delta / r.get("batch", 1)
        restat(r, d["host"]["tsc_khz"])
    return d, shifted


def rows(text):
    out = {}
    for line in text.splitlines():
        parts = line.replace(" (e)", "").split()
        if len(parts) >= 6 and parts[2] == "->" and parts[0] != "test":
            out[parts[0]] = line
    return out


def main():
    d = tempfile.mkdtemp(prefix="eb-ref-")
    try:
        p = run("compare", REF_A, REF_B, cwd=d)
        check(p.returncode == 0, f"reference compare: {p.stderr}")
        check(all(len(l) <= 72 for l in p.stdout.splitlines()),
              "reference table <= 72 columns")
        with gzip.open(REF_A, "rt") as f:
            doc = json.load(f)
        ok = [r["test"] for r in doc["results"] if r["status"] == "ok"]
        table = rows(p.stdout)
        # Long names are cut with '~' to keep 72 columns.
        check(len(table) == len(ok) and
              all(any(t.startswith(n.rstrip("~")) for t in ok) for n in table),
              f"one row per measured test: {sorted(table)} vs {sorted(ok)}")

        a, _ = half(doc, 0)
        b, _ = half(doc, 1)
        up, shift = half(doc, 1, 3.0)
        down, _ = half(doc, 1, -3.0)
        for name, x in (("a", a), ("b", b), ("up", up), ("down", down)):
            with open(os.path.join(d, name + ".json"), "w") as f:
                json.dump(x, f)

        p = run("compare", "a.json", "b.json", cwd=d)
        same = [t for t, l in rows(p.stdout).items() if l.endswith("same")]
        print(f"within-run A/A: same for {len(same)}/{len(ok)}")
        check(len(same) >= len(ok) - 1, f"A/A halves mostly same: {p.stdout}")

        # Tests whose samples are (nearly) all one value cannot show a 3%
        # shift as anything but exact; every other must detect it.
        p = run("compare", "a.json", "up.json", cwd=d)
        up_rows = rows(p.stdout)
        slower = [t for t, l in up_rows.items() if l.endswith("slower")]
        print(f"+3%: slower for {len(slower)}/{len(ok)}")
        check(len(slower) >= len(ok) - 1, f"+3% detected: {p.stdout}")
        p = run("compare", "--format", "csv", "a.json", "up.json", cwd=d)
        covered = 0
        for r in csv.DictReader(io.StringIO(p.stdout)):
            if r["state"] == "compared":
                covered += (float(r["shift_lo"]) <= shift[r["test"]] <=
                            float(r["shift_hi"]))
        print(f"+3%: CI covers the injected shift in {covered}/{len(ok)}")
        check(covered >= len(ok) * 0.75, "CI covers the injected shift")
        p = run("compare", "a.json", "down.json", cwd=d)
        faster = [t for t, l in rows(p.stdout).items()
                  if l.endswith("faster")]
        check(len(faster) >= len(ok) - 1, f"-3% detected: {p.stdout}")

        p = run("gate", "-b", "a.json", "-c", "b.json", cwd=d)
        print(p.stdout.strip())
        check(p.returncode in (0, 1), "gate on A/A halves runs")
        p = run("gate", "-b", "a.json", "-c", "up.json", "-t", "2%", cwd=d)
        regs = [l.split()[1] for l in p.stdout.splitlines()
                if l.startswith("REGRESSION")]
        check(p.returncode == 1 and set(regs) <= set(ok) and
              len(regs) >= len(ok) - 1, f"gate on +3%: {p.stdout}")
    finally:
        shutil.rmtree(d)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
