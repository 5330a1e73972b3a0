#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""scripts/lib/vmtest-results.py for `scripts/vmtest switchable`: an
interleaved results file passes only if every VM reported the strategy
that was asked for and every strategy ran.

usage: results_switch_test.py TOP
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(sys.argv[1], "scripts/lib/vmtest-results.py")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check(doc, target="switchable"):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
    try:
        p = subprocess.run([sys.executable, CHECK, f.name, target],
                           capture_output=True, text=True, timeout=60)
    finally:
        os.unlink(f.name)
    return p.returncode, p.stdout.strip()


results = []
for rnd, order in enumerate((["baseline", "cond-swap"], ["cond-swap", "baseline"])):
    for pos, s in enumerate(order):
        results.append({"test": "pio_kernel", "status": "ok", "strategy": s,
                        "strategy_requested": s, "round": rnd, "position": pos})
good = {"kvm": {"flavor": "svm", "emulated": "tcg", "strategy": "baseline"},
        "switch": {"strategies": ["baseline", "cond-swap"], "rounds": 2},
        "results": results}

rc, out = check(good)
if rc:
    fail(f"a correct interleaved file was refused: {out}")
print("ok - correct interleaved file accepted")

bad = copy.deepcopy(good)
bad["results"][1]["strategy"] = "baseline"	# the kernel ignored the switch
rc, out = check(bad)
if rc != 1 or "reported 'baseline'" not in out:
    fail(f"a VM reporting another strategy was accepted: {rc} {out}")
print("ok -", out)

bad = copy.deepcopy(good)
bad["results"] = [e for e in bad["results"] if e["strategy"] == "baseline"]
rc, out = check(bad)
if rc != 1 or "cond-swap" not in out:
    fail(f"a strategy that never ran was accepted: {rc} {out}")
print("ok -", out)

bad = copy.deepcopy(good)
del bad["switch"]
rc, out = check(bad)
if rc != 1 or "--strategies" not in out:
    fail(f"a run without --strategies was accepted: {rc} {out}")
print("ok -", out)

bad = copy.deepcopy(good)
bad["kvm"]["flavor"] = "pvm"
rc, out = check(bad)
if rc != 1 or "flavor" not in out:
    fail(f"a non-svm file was accepted: {rc} {out}")
print("ok -", out)

# Single-strategy targets are unchanged.
rc, out = check(good, "cond-swap")
if rc != 1 or "strategy" not in out:
    fail(f"target cond-swap accepted kvm.strategy 'baseline': {rc} {out}")
print("ok - single-strategy target still checks kvm.strategy")
