#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""exitbench show: the predicted per-exit difference beside the measured
one, on synthetic results files.  The prediction is counts x measured unit
costs and appears only where every counter that differs has a unit cost:
a difference in XSETBVs (which cannot be timed here) prints no number.

usage: predict_show_test.py EXITBENCH
"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile


def row(test, apx, median, per_exit, strategy=None, rnd=None):
    r = {"test": test, "apx": apx, "xcr0": "host", "status": "ok", "cpl": 0,
         # every statistic the loader requires, all at the median
         "cycles": {"n": 3, "min": median, "p1": median, "p5": median,
                    "p25": median, "median": median, "p75": median,
                    "p95": median, "p99": median, "max": median,
                    "mean": median, "stddev": 0.0, "mad": 0.0,
                    "median_ci": [median, median], "outliers_low": 0,
                    "outliers_high": 0},
         "apx_counts": {"window": "timed loop", "iterations": 10, "exits": 11,
                        "totals": {}, "per_exit": per_exit}}
    if strategy:
        r.update(strategy=strategy, round=rnd)
    return r


def pe(stores=0.0, loads=0.0, xsetbv=0.0):
    return {"apx_egpr_stores": stores, "apx_egpr_loads": loads, "apx_xsetbv": xsetbv}


def show(exe, doc):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "r.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        p = subprocess.run([exe, "show", path], capture_output=True, text=True)
    if p.returncode:
        sys.exit("FAIL: show: %d %s" % (p.returncode, p.stderr))
    return p.stdout


def main():
    exe = sys.argv[1]
    bad = 0
    doc = {"schema": "exitbench-result/1", "exitbench": {"version": "0", "commit": "x"},
           "date": "2026-01-01T00:00:00Z", "status": "ok",
           "host": {"hostname": "h", "cpu": {"model_name": "c"}},
           "kvm": {"flavor": "svm", "strategy": "unknown"}, "config": {"samples": 3, "batch": 1, "warmup": 0},
           "unit_costs": {"egpr_store16": 4.5, "egpr_load16": 2.5, "egpr_clear16": 1.0,
                          "xsetbv": {"unavailable": "privileged"}, "how": "test"},
           "results": [row("pio_user", "standin-off", 1000.0, pe(xsetbv=2.0)),
                       row("pio_user", "standin", 1010.0, pe(1.0, 1.0, 2.0)),
                       row("cpuid", "standin-off", 900.0, pe(xsetbv=2.0)),
                       row("cpuid", "standin", 850.0, pe(1.0, 1.0))]}
    out = show(exe, doc)

    def check(cond, what):
        nonlocal bad
        print("%s %s" % ("ok" if cond else "not ok", what))
        bad += not cond

    check(re.search(r"\npio_user/si1 +si0 +7\.0 +10\.0\n", out) is not None,
          "stores + loads predicted (4.5 + 2.5) beside the measured 10")
    check(re.search(r"\ncpuid/si1 +si0 +- +-50\.0 \(xsetbv unmeasured\)\n", out) is not None,
          "an XSETBV difference prints no predicted number")
    check(max(len(x) for x in out.splitlines()) <= 72, "at most 72 columns")
    nouc = copy.deepcopy(doc)
    del nouc["unit_costs"]
    check("Predicted" not in show(exe, nouc), "no unit costs: no prediction")
    sw = copy.deepcopy(doc)
    sw["switch"] = {"param": "/sys/module/kvm/parameters/apx_strategy",
                    "strategies": ["baseline", "cond-swap"], "rounds": 2,
                    "order": "abba"}
    sw["results"] = [row("pio_user", "standin", 1000.0, pe(), "baseline", 0),
                     row("pio_user", "standin", 1009.0, pe(1.0, 1.0), "cond-swap", 0),
                     row("pio_user", "standin", 1004.0, pe(1.0, 1.0), "cond-swap", 1),
                     row("pio_user", "standin", 990.0, pe(), "baseline", 1)]
    out = show(exe, sw)
    check(re.search(r"\npio_user/si1 +baseline r0 +7\.0 +9\.0\n", out) and
          re.search(r"\npio_user/si1 +baseline r1 +7\.0 +14\.0\n", out),
          "interleaved: each strategy against the first, per round")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
