#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Summary table of scripts/vmtest --all.

usage: vmtest-summary.py DIR STRATEGY...

Reads, per strategy, DIR/<s>.stage (how far the run got: kernel, boot,
kvm, results PATH), DIR/<s>.json (its results) and DIR/<s>.log (its error
line), prints one row each and exits 1 unless every variant booted, loaded
KVM, named itself in kvm.strategy, ran its tests and passed the register
integrity check wherever it ran.  A run of `exitbench run --strategies`
(the switchable kernel) instead shows the strategies its VMs reported, and
passes only if every strategy asked for ran and was reported as asked.
"""
import json
import os
import sys


def row(d, s):
    stages = []
    try:
        with open(os.path.join(d, s + ".stage")) as f:
            stages = [l.split()[0] for l in f if l.strip()]
    except OSError:
        pass
    r = None
    try:
        with open(os.path.join(d, s + ".json")) as f:
            r = json.load(f)
    except (OSError, ValueError):
        pass
    err = ""
    try:
        with open(os.path.join(d, s + ".log")) as f:
            err = next((l.strip()[len("vmtest: error: "):] for l in f
                        if l.startswith("vmtest: error: ")), "")
    except OSError:
        pass
    yes = lambda st: "yes" if st in stages else "no"
    tests = regs = named = "-"
    good = r is not None and not err
    if r is not None:
        res = r.get("results", [])
        ok = sum(e.get("status") == "ok" for e in res)
        sk = sum(e.get("status") == "skipped" for e in res)
        bad = len(res) - ok - sk
        tests = f"{ok} ok/{sk} skip/{bad} fail"
        checked = [e["regcheck"] for e in res
                   if (e.get("regcheck") or {}).get("status") not in
                   (None, "off", "unsupported")]
        if not checked:
            regs = "not run"
        elif all(c.get("status") == "ok" and c.get("mismatches_total") == 0
                 for c in checked):
            regs = f"passed ({len(checked)} tests)"
        else:
            regs = "FAILED"
            good = False
        sw = r.get("switch")
        if isinstance(sw, dict):
            # The switchable kernel: one VM per (round, strategy); every
            # strategy asked for must have run, as the kernel reported it.
            asked = sw.get("strategies") or []
            seen = [n for n in asked
                    if any(e.get("strategy") == n for e in res)]
            honest = all(e.get("strategy") == e.get("strategy_requested")
                         for e in res)
            named = ",".join(seen) if seen else "none"
            if not honest:
                named += " (MISLABELLED)"
            good = good and bad == 0 and honest and seen == asked and asked
        else:
            named = r.get("kvm", {}).get("strategy", "?")
            good = good and bad == 0 and named == s
    return ([s, yes("kernel"), yes("boot"), yes("kvm"), tests, regs, named],
            good, err)


def main(argv):
    if len(argv) < 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    head = ["variant", "built", "boots", "KVM", "tests", "registers",
            "kvm.strategy"]
    rows, errs, allgood = [], [], True
    for s in argv[2:]:
        cells, good, err = row(argv[1], s)
        rows.append(cells)
        allgood = allgood and good
        if err:
            errs.append(f"{s}: {err}")
    widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    for cells in [head] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip())
    for e in errs:
        print(e)
    return 0 if allgood else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
