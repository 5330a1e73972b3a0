#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""`exitbench compare FILE` on a real interleaved run: results/reference/
tcg-switchable.json.gz (the switchable kernel under QEMU TCG, six
strategies, 2 ABBA rounds; see results/reference/README.md).

Usage: reference_switch_test.py EXITBENCH FILE GOLDEN_DIR [--update]
(golden/compare-switch.{txt,md}: the text and markdown of this file)

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

EXITBENCH, PATH, GOLDEN = sys.argv[1:4]
UPDATE = "--update" in sys.argv[4:]


def golden(name, text):
    import os
    path = os.path.join(GOLDEN, name)
    if UPDATE:
        with open(path, "w") as f:
            f.write(text)
        return
    with open(path) as f:
        want = f.read()
    if text != want:
        print(f"--- golden {name}\n{want}--- got\n{text}---")
    check(text == want, f"output matches golden/{name}")


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
# The file's name as given differs between callers: golden without it.
golden("compare-switch.txt", p.stdout.replace(PATH.split("/")[-1][:16], "FILE"))
check(f"within one boot, {rounds} rounds (ABBA), baseline {base}" in p.stdout,
      f"header names rounds and baseline: {out[:2]}")
check(all(len(l) <= 72 for l in out), "text lines <= 72 columns")
for what in ("host ", "cpu ", "ucode", "KVM svm under tcg", "tool exitbench",
             doc["exitbench"]["commit"][:12], doc["date"][:10]):
    check(what in p.stdout, f"provenance header has {what!r}")
for c in names[1:]:
    check(f"{c} vs {base} (old)" in p.stdout, f"a block for {c}")

j = subprocess.run([EXITBENCH, "compare", "-f", "json", PATH],
                   capture_output=True, text=True, timeout=60)
check(j.returncode == 0, f"compare -f json exits 0: {j.stderr}")
doc_cmp = json.loads(j.stdout)
cells = {}
for r in doc_cmp["rows"]:
    for c in r["cells"]:
        cells[((r["test"], r["apx"]), c["candidate"])] = c
want = [(k, c) for k in keys for c in names[1:]]
check(sorted(cells) == sorted(want), f"{len(want)} cells, one per (test, apx)"
      f" and candidate ({len(cells)})")
cis = flagged = 0
for k, c in want:
    cell = cells.get((k, c))
    if cell is None:
        continue
    d = [med[(k, c, r)] - med[(k, base, r)] for r in range(rounds)
         if (k, c, r) in med and (k, base, r) in med]
    if len(d) < 2:
        check(cell["state"] != "compared" or cell["verdict"] == "unresolved",
              f"{k} {c}: {len(d)} paired rounds but a verdict: {cell}")
        continue
    cis += 1
    mean = sum(d) / len(d)
    if abs(cell["delta"] - mean) > 1e-6 * max(1, abs(mean)):
        check(False, f"{k} {c}: delta {cell['delta']}, recomputed {mean:.2f}")
    if len(set(d)) == 1:
        check(cell["verdict"] == "unresolved", f"{k} {c}: all {len(d)} "
              f"differences equal ({d[0]}): a zero-width CI gives no verdict")
    check(cell["method"] == "paired t over rounds (one boot)",
          f"{k} {c}: method {cell.get('method')}")
    flagged += cell["verdict"] in ("slower", "faster")
check(cis > 0, f"{cis} rows with a CI, deltas recomputed from the file")
text = p.stdout.replace("\n   ", " ")
check(f"{cis} comparisons at 95%" in text and f"; {flagged} given" in text,
      f"footer counts {cis} comparisons, {flagged} verdicts")

# Every renderer and -o take the file.
for fmt in ("markdown", "csv"):
    q = subprocess.run([EXITBENCH, "compare", "-f", fmt, "-o", "-", PATH],
                       capture_output=True, text=True, timeout=60)
    check(q.returncode == 0 and q.stdout.count("cond-swap") >= 2,
          f"-f {fmt} -o -: {q.returncode} {q.stderr}")
    if fmt == "markdown":
        golden("compare-switch.md", q.stdout.replace(PATH, "FILE"))
sys.exit(finish())
