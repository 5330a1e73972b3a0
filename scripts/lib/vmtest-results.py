#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check a results file that came out of a vmtest VM.

usage: vmtest-results.py RESULTS [STRATEGY]

Exit 1 with one line on stdout when the labels that keep emulated timing
apart from hardware timing are wrong: kvm.flavor must be "svm" (QEMU's TCG
emulates SVM only), kvm.emulated "tcg", and kvm.strategy STRATEGY when one
is given; for "switchable", every result's strategy as the kernel reported
it must be the one exitbench run --strategies asked for.  Otherwise exit 0 and print, on one line, the tests that failed or
timed out with their reasons (nothing when all ran or were skipped).
"""
import json
import sys


def check_switch(r):
    """The switchable kernel: exitbench run --strategies must have selected
    every strategy, and the kernel must have reported, for each VM, the
    strategy asked for (results/README.md, "Interleaved strategies")."""
    sw = r.get("switch")
    if not isinstance(sw, dict):
        return ("the switchable kernel needs 'exitbench run --strategies a,b': "
                "no switch object in the results")
    names = sw.get("strategies") or []
    seen = set()
    for e in r.get("results", []):
        got, asked = e.get("strategy"), e.get("strategy_requested")
        if got != asked or got not in names:
            return (f"results mislabelled: {e.get('test')} round {e.get('round')} "
                    f"asked for {asked!r}, the kernel reported {got!r}")
        seen.add(got)
    missing = [n for n in names if n not in seen]
    if missing:
        return f"no results for strategies {missing}"
    return None


def main(argv):
    if len(argv) not in (2, 3):
        print("usage: vmtest-results.py RESULTS [STRATEGY]")
        return 2
    try:
        with open(argv[1]) as f:
            r = json.load(f)
    except (OSError, ValueError) as e:
        print(f"results file does not parse: {e}")
        return 1
    kvm = r.get("kvm") or {}
    want = {"flavor": "svm", "emulated": "tcg"}
    if len(argv) == 3 and argv[2] == "switchable":
        err = check_switch(r)
        if err:
            print(err)
            return 1
    elif len(argv) == 3 and argv[2]:
        want["strategy"] = argv[2]
    errs = [f"kvm.{k} is {kvm.get(k)!r}, expected {v!r}"
            for k, v in want.items() if kvm.get(k) != v]
    if errs:
        print("results mislabelled: " + "; ".join(errs))
        return 1
    bad = [f"{e.get('test')} {e.get('status')} ({e.get('reason', 'no reason')})"
           for e in r.get("results", [])
           if e.get("status") not in ("ok", "skipped")]
    if bad:
        print("; ".join(bad))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
