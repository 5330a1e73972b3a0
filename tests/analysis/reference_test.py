#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The comparison on real measurements (results/reference/README.md).

Usage: reference_test.py EXITBENCH PVM_A PVM_B REPEAT_A REPEAT_B

PVM_A/PVM_B: two single runs (one VM each) of the same kernel, back to
back.  REPEAT_A/REPEAT_B: two processes of `run --repeat 5`, back to back:
ten real runs of one kernel.  The checks hold whatever the numbers are:
  * one run per side: every row `unresolved`, the reason printed once,
    gate exit 2 with it; <= 72 columns, one row per measured test;
  * A/A on real runs: the ten runs split at random into two sides of five
    (one results file per run, sides joined by commas), 40 splits: the
    share of rows that say slower/faster stays at the 5% level (<= 10%);
  * a known shift (3% of each test's median, in whole TSC ticks) added to
    one side's runs: the 95% CI covers it in >= 90% of rows.
"""
import copy
import csv
import gzip
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

EXITBENCH, PVM_A, PVM_B, REP_A, REP_B = map(os.path.abspath, sys.argv[1:6])
REF_FILES = (PVM_A, PVM_B, REP_A, REP_B)


def run(*args, cwd):
    return subprocess.run([EXITBENCH, *args], cwd=cwd, text=True,
                          capture_output=True)


def load(path):
    with gzip.open(path, "rt") as f:
        return json.load(f)


def rows(text):
    out = {}
    for line in text.splitlines():
        parts = line.replace(" (e)", "").split()
        if len(parts) >= 6 and parts[-1] in ("same", "slower", "faster",
                                             "unresolved") and \
                parts[0] != "test" and not parts[0].isdigit():
            out[parts[0]] = line
    return out


def split_runs(doc, tag, d, shift_pct=0.0):
    """One results file per run of @doc: each entry keeps that run only."""
    paths = []
    nruns = max(len(r.get("runs", [])) for r in doc["results"])
    for k in range(nruns):
        x = copy.deepcopy(doc)
        for r in x["results"]:
            if r["status"] != "ok":
                continue
            run_k = copy.deepcopy(r["runs"][k])
            tick = r["tsc_tick"]["per_exit"] or 1
            delta = round(shift_pct / 100 * r["cycles"]["median"] / tick) * tick
            c = run_k["cycles"]
            for key in ("min", "p1", "p5", "p25", "median", "p75", "p95",
                        "p99", "max", "mean"):
                c[key] += delta
            c["median_ci"] = [v + delta for v in c["median_ci"]]
            r["runs"] = [run_k]
            r["cycles"] = c
            r.pop("raw", None)
            run_k.pop("raw_range", None)
            # What the loader checks the summary against: ns from cycles
            # at the file's TSC rate, net from the loop.
            if r.get("ns") is not None:
                ck = 1e6 / x["host"]["tsc_khz"]
                r["ns"] = {key: (val if key in ("n", "outliers_low",
                                                "outliers_high")
                                 else [v * ck for v in val]
                                 if key == "median_ci" else val * ck)
                           for key, val in c.items()}
            if r.get("overhead_cycles") is not None:
                r["net_median_cycles"] = c["median"] - r["overhead_cycles"]
        path = os.path.join(d, f"{tag}{k}.json")
        with open(path, "w") as f:
            json.dump(x, f)
        paths.append(path)
    return paths


def main():
    d = tempfile.mkdtemp(prefix="eb-ref-")
    try:
        p = run("compare", PVM_A, PVM_B, cwd=d)
        check(p.returncode == 0, f"reference compare: {p.stderr}")
        check(all(len(l) <= 72 for l in p.stdout.splitlines()),
              "reference table <= 72 columns")
        ok = [r["test"] for r in load(PVM_A)["results"] if r["status"] == "ok"]
        table = rows(p.stdout)
        check(len(table) == len(ok) and
              all(any(t.startswith(n.rstrip("~")) for t in ok) for n in table),
              f"one row per measured test: {sorted(table)} vs {sorted(ok)}")
        check(all(l.endswith("unresolved") for l in table.values()) and
              "unresolved (1 run per side: between-run spread unknown)" in
              p.stdout, f"two single runs: nothing claimed: {p.stdout}")
        g = run("gate", "-b", PVM_A, "-c", PVM_B, cwd=d)
        check(g.returncode == 2 and "unresolved (1 run per side" in g.stderr,
              f"gate on two single runs: exit 2, got {g.returncode}")

        a, b = load(REP_A), load(REP_B)
        files = split_runs(a, "a", d) + split_runs(b, "b", d)
        shifted = dict(zip(files, split_runs(a, "sa", d, 3.0) +
                           split_runs(b, "sb", d, 3.0)))
        check(len(files) >= 8, f"ten real runs: {len(files)}")
        rng = random.Random(13)
        alarms = cells = covered = ccells = 0
        for _ in range(40):
            rng.shuffle(files)
            h = len(files) // 2
            old, new = files[:h], files[h:2 * h]
            p = run("compare", "-f", "csv", "-t", "0", ",".join(old),
                    ",".join(new), cwd=d)
            for r in csv.DictReader(io.StringIO(p.stdout)):
                if r["state"] == "compared":
                    cells += 1
                    alarms += r["verdict"] in ("slower", "faster")
            p = run("compare", "-f", "csv", "-t", "0", ",".join(old),
                    ",".join(shifted[f] for f in new), cwd=d)
            base = {r["test"]: r for r in
                    csv.DictReader(io.StringIO(p.stdout))}
            doc = {r["test"]: r for r in a["results"] if r["status"] == "ok"}
            for t, r in base.items():
                if r["state"] != "compared" or t not in doc:
                    continue
                tick = doc[t]["tsc_tick"]["per_exit"] or 1
                ccells += 1
                lo, hi = float(r["shift_lo"]), float(r["shift_hi"])
                want = round(0.03 * doc[t]["cycles"]["median"] / tick) * tick
                # the decision widens the CI to at least one tick: so here
                covered += lo - tick <= want <= hi + tick
        print(f"real A/A over runs: {alarms}/{cells} rows slower/faster; "
              f"+3% covered by the CI in {covered}/{ccells}")
        check(cells and alarms <= 0.10 * cells,
              f"A/A on real runs at the 5% level: {alarms}/{cells}")
        check(ccells and covered >= 0.90 * ccells,
              f"CI covers a known shift: {covered}/{ccells}")
        # The emulation note quotes the CPL0 loop measured in the file,
        # not a constant (issue 17).
        for path in REF_FILES:
            with gzip.open(path, "rt") as f:
                doc = json.load(f)
            loops = sorted({round(r["overhead_cycles"]) for r in doc["results"]
                            if r.get("emulated") and r.get("overhead_cpl") == 0
                            and r["status"] == "ok"})
            p = subprocess.run([EXITBENCH, "show", path], text=True,
                               capture_output=True)
            note = p.stdout.split("cpl 0e:")[1].split("one-way")[0] \
                if "cpl 0e:" in p.stdout else ""
            want = (f"took {loops[0]} cycles" if len(loops) == 1 else
                    f"took {loops[0]}-{loops[-1]} cycles") if loops else "?"
            check(loops and want in note.replace("\n", " ") and
                  "1.5k" not in p.stdout, f"{os.path.basename(path)}: the "
                  f"emulation note quotes the file's CPL0 loop ({want}): {note!r}")
    finally:
        shutil.rmtree(d)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
