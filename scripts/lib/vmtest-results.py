#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check a results file that came out of a vmtest VM.

usage: vmtest-results.py RESULTS [STRATEGY]

Exit 1 with one line on stdout when the labels that keep emulated timing
apart from hardware timing are wrong: kvm.flavor must be "svm" (QEMU's TCG
emulates SVM only), kvm.emulated "tcg", and kvm.strategy STRATEGY when one
is given.  Otherwise exit 0 and print, on one line, the tests that failed or
timed out with their reasons (nothing when all ran or were skipped).
"""
import json
import sys


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
    if len(argv) == 3 and argv[2]:
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
