#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The scripts/vmtest --all summary (scripts/lib/vmtest-summary.py) on
synthetic run directories: how far each run got comes from its stage file,
tests and register checks from its results, the cause of a failure from its
log; exit 0 only when every variant passed everything.

usage: summary_test.py REPO_TOP
"""
import json
import os
import subprocess
import sys
import tempfile

TOOL = os.path.join(sys.argv[1], "scripts", "lib", "vmtest-summary.py")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def entry(test, status="ok", rc="ok", mism=0):
    e = {"test": test, "status": status}
    if status == "ok":
        e["regcheck"] = {"status": rc, "checked_exits": 10,
                         "mismatches_total": mism}
    return e


def run(d, runs):
    for s, (stages, results, log) in runs.items():
        if stages is not None:
            with open(os.path.join(d, s + ".stage"), "w") as f:
                f.write("".join(x + "\n" for x in stages))
        if results is not None:
            with open(os.path.join(d, s + ".json"), "w") as f:
                json.dump({"kvm": {"strategy": results[0]},
                           "results": results[1]}, f)
        with open(os.path.join(d, s + ".log"), "w") as f:
            f.write(log)
    p = subprocess.run([sys.executable, TOOL, d, *runs], capture_output=True,
                       text=True, check=False)
    rows = {l.split()[0]: l.split() for l in p.stdout.splitlines()[1:]
            if l.split() and l.split()[0] in runs}
    return p, rows


all_stages = ["kernel", "boot", "kvm", "results /x.json"]
good = [entry("cpuid"), entry("pio_user"), entry("hlt", rc="unsupported"),
        entry("xsetbv", status="skipped")]

with tempfile.TemporaryDirectory() as d:
    p, rows = run(d, {"baseline": (all_stages, ("baseline", good), ""),
                      "cond-swap": (all_stages, ("cond-swap", good), "")})
    check(p.returncode == 0, f"all good: exit 0 ({p.returncode})")
    check(rows.get("baseline", [])[1:4] == ["yes", "yes", "yes"],
          f"built/boots/KVM yes: {rows.get('baseline')}")
    check("3 ok/1 skip/0 fail" in p.stdout and "passed (2 tests)" in p.stdout,
          "tests counted, register check summed over the checked tests")

with tempfile.TemporaryDirectory() as d:
    bad_regs = [entry("cpuid"), entry("pio_user", mism=3)]
    p, rows = run(d, {
        "baseline": (all_stages, ("baseline", bad_regs), ""),
        "cond-swap": (all_stages, ("unknown", good), ""),
        "dual-exit": (["kernel", "boot"], None,
                      "vmtest: error: KVM not available inside the VM: x\n"),
        "early-xcr0": (None, None,
                       "vmtest: error: scripts/kvariant build early-xcr0 failed\n"),
    })
    check(p.returncode == 1, "any failure: exit 1")
    check("FAILED" in rows.get("baseline", []),
          f"register mismatch shows FAILED: {rows.get('baseline')}")
    check(rows.get("cond-swap", [""])[-1] == "unknown",
          "a kernel not naming its strategy is shown")
    check(rows.get("dual-exit", [])[1:4] == ["yes", "yes", "no"],
          f"booted without KVM: {rows.get('dual-exit')}")
    check(rows.get("early-xcr0", [])[1:4] == ["no", "no", "no"],
          f"build failure: {rows.get('early-xcr0')}")
    check("dual-exit: KVM not available inside the VM: x" in p.stdout
          and "early-xcr0: scripts/kvariant build early-xcr0 failed" in p.stdout,
          "each failure's one-line cause is printed")



def switched(asked, reported):
    """A results file of exitbench run --strategies: (asked, reported) per VM."""
    res = []
    for a, g in zip(asked, reported):
        e = entry("cpuid")
        e.update(strategy=g, strategy_requested=a)
        res.append(e)
    return {"kvm": {"strategy": "baseline"},
            "switch": {"strategies": sorted(set(asked), key=asked.index)},
            "results": res}


def run_switch(d, results):
    with open(os.path.join(d, "switchable.stage"), "w") as f:
        f.write("".join(x + "\n" for x in all_stages))
    with open(os.path.join(d, "switchable.json"), "w") as f:
        json.dump(results, f)
    open(os.path.join(d, "switchable.log"), "w").close()
    p = subprocess.run([sys.executable, TOOL, d, "switchable"],
                       capture_output=True, text=True, check=False)
    return p, p.stdout.splitlines()[-1] if p.stdout else ""


ab = ["baseline", "cond-swap", "cond-swap", "baseline"]
with tempfile.TemporaryDirectory() as d:
    p, line = run_switch(d, switched(ab, ab))
    check(p.returncode == 0 and line.endswith("baseline,cond-swap"),
          f"switchable: every strategy reported as asked: exit 0 ({line})")
with tempfile.TemporaryDirectory() as d:
    p, line = run_switch(d, switched(ab, ["baseline"] * 4))
    check(p.returncode == 1 and "MISLABELLED" in line,
          f"switchable: a VM reporting another strategy fails ({line})")
with tempfile.TemporaryDirectory() as d:
    p, line = run_switch(d, switched(["baseline", "baseline"],
                                     ["baseline", "baseline"]) |
                         {"switch": {"strategies": ["baseline", "cond-swap"]}})
    check(p.returncode == 1 and line.endswith("baseline"),
          f"switchable: a strategy that never ran fails ({line})")

sys.exit(1 if failures else 0)
