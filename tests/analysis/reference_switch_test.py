#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""`exitbench compare FILE` on a real interleaved run: results/reference/
tcg-switchable.json.gz (the switchable kernel under QEMU TCG, six
strategies, 2 ABBA rounds; see results/reference/README.md).

Usage: reference_switch_test.py EXITBENCH FILE

Checks what must hold whatever the numbers are, recomputing from the file:
  * compare exits 0 and names the rounds and the baseline;
  * one row per (test, apx) and candidate strategy, in the file's order,
    for every test the baseline ran; n/a exactly where a round lacks an ok
    result on either side (the skipped xsetbv tests);
  * each delta is the mean over rounds of (candidate - baseline) per-round
    medians, recomputed here;
  * the last line counts the rows with a CI and the non-"same" verdicts.
"""
import gzip
import json
import re
import subprocess
import sys

from checks import check, finish

EXITBENCH, PATH = sys.argv[1:3]


with gzip.open(PATH, "rt") as f:
    doc = json.load(f)
names = doc["switch"]["strategies"]
rounds = doc["switch"]["rounds"]
base = names[0]
med = {}
keys = []
for e in doc["results"]:
    k = (e["test"], e["apx"])
    if k not in keys:
        keys.append(k)
    if e["status"] == "ok":
        med[(k, e["strategy"], e["round"])] = e["cycles"]["median"]

p = subprocess.run([EXITBENCH, "compare", PATH], capture_output=True,
                   text=True, timeout=60)
check(p.returncode == 0, f"compare exits 0 ({p.returncode}: {p.stderr.strip()})")
out = p.stdout.splitlines()
check(bool(out) and f"within one boot, {rounds} rounds (ABBA), baseline {base}"
      in out[0], f"header names rounds and baseline: {out[:1]}")

rows = [l for l in out if re.match(r"\S+\s+(off|on)\s+\S+\s", l)
        and not l.startswith("test ")]
want = [(k, c) for k in keys for c in names[1:]]
check(len(rows) == len(want), f"{len(want)} rows, one per (test, apx) and "
      f"candidate ({len(rows)})")
cis = flagged = 0
for line, (k, c) in zip(rows, want):
    f = line.split()
    if f[:3] != [k[0], k[1], c]:
        check(False, f"row order: {f[:3]} where {list(k) + [c]} was due")
        continue
    d = [med[(k, c, r)] - med[(k, base, r)] for r in range(rounds)
         if (k, c, r) in med and (k, base, r) in med]
    if len(d) < 2:
        if "n/a" not in line:
            check(False, f"{k} {c}: {len(d)} paired rounds but no n/a: {line}")
        continue
    cis += 1
    mean = sum(d) / len(d)
    got = float(f[4])
    if abs(got - mean) > 0.051 + 1e-9 * abs(mean):
        check(False, f"{k} {c}: delta {got}, recomputed {mean:.2f}")
    flagged += f[-1] != "same"
check(cis > 0, f"{cis} rows with a CI, deltas recomputed from the file")
last = out[-1] if out else ""
check(last.startswith(f"{cis} comparison") and last.endswith(f"; {flagged} given"),
      f"last line counts {cis} comparisons, {flagged} verdicts: {last!r}")
sys.exit(finish())
