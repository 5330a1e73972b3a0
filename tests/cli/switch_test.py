#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""exitbench run --strategies / compare FILE (issue 9).

usage: switch_test.py EXITBENCH CASE
  refuse   --strategies on a kernel that cannot switch: one line, exit 2,
           naming what was found (absent / read-only with its value)
  usage    bad --strategies/--rounds combinations
  compare  compare FILE on a synthetic interleaved file recovers an
           injected difference (sign, CI covering it)
  rounds   a real run (needs /dev/kvm) against a stand-in parameter file:
           ABBA schedule, tags, one file, parameter restored
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile

EXE = os.path.abspath(sys.argv[1])
CASE = sys.argv[2]
PARAM = "/sys/module/kvm/parameters/apx_strategy"


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("EXITBENCH_APX_STRATEGY_PARAM", None)
    e.update(env or {})
    return subprocess.run([EXE, *args], capture_output=True, text=True,
                          env=e, timeout=300)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def skip(msg):
    print("SKIP:", msg)
    sys.exit(77)


def one_line_error(p, status, *needles):
    lines = p.stderr.strip().splitlines()
    if p.returncode != status:
        fail(f"exit status {p.returncode}, want {status}; stderr={p.stderr!r}")
    if len(lines) != 1 or not lines[0].startswith("exitbench"):
        fail(f"want one error line, got {lines!r}")
    for n in needles:
        if n not in lines[0]:
            fail(f"{n!r} not in {lines[0]!r}")
    print("ok:", lines[0])


def case_refuse():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        args = ["run", "--strategies", "baseline,cond-swap", "--rounds", "2",
                "--out", out]
        # This machine's kernel, whatever it is.
        if os.path.exists(PARAM) and os.access(PARAM, os.W_OK) and \
                os.stat(PARAM).st_mode & 0o222:
            print(f"note: {PARAM} is writable here: not refused")
        elif os.path.exists(PARAM):
            val = open(PARAM).read().strip()
            one_line_error(run(*args), 2, PARAM, "read-only", f"'{val}'")
        else:
            one_line_error(run(*args), 2, PARAM, "absent")
        # A stand-in that is absent, and one that is read-only (even for root).
        one_line_error(run(*args, env={"EXITBENCH_APX_STRATEGY_PARAM":
                                       os.path.join(d, "nope")}),
                       2, "absent", "nope")
        ro = os.path.join(d, "apx_strategy")
        with open(ro, "w") as f:
            f.write("cond-swap\n")
        os.chmod(ro, 0o444)
        one_line_error(run(*args, env={"EXITBENCH_APX_STRATEGY_PARAM": ro}),
                       2, "read-only", "'cond-swap'")
        if os.listdir(d) != ["apx_strategy"]:
            fail(f"files left behind: {os.listdir(d)}")


def case_usage():
    one_line_error(run("run", "--strategies", "a,b", "--rounds", "3"), 2,
                   "--rounds", "even")
    one_line_error(run("run", "--rounds", "4"), 2, "--rounds needs --strategies")
    one_line_error(run("run", "--strategies", "a"), 2, "two or more")
    one_line_error(run("run", "--strategies", "a,b,a"), 2, "'a' given twice")


def point_stats(med):
    """Statistics of one sample: what the loader accepts for a median."""
    keys = ("min", "p1", "p5", "p25", "median", "p75", "p95", "p99", "max",
            "mean")
    return {"n": 1, **{k: med for k in keys}, "stddev": 0.0, "mad": 0.0,
            "median_ci": [med, med], "outliers_low": 0, "outliers_high": 0}


def synthetic(path, delta, rounds=8, seed=1):
    rnd = random.Random(seed)
    results, drift = [], 0.0
    names = ["baseline", "cand"]
    for r in range(rounds):
        drift += rnd.gauss(0, 30)
        order = names if r % 2 == 0 else names[::-1]
        for pos, s in enumerate(order):
            med = 1000 + drift + rnd.gauss(0, 1) + (delta if s == "cand" else 0)
            results.append({"test": "cpuid", "apx": "off", "xcr0": "host",
                            "status": "ok", "strategy": s,
                            "strategy_requested": s, "round": r,
                            "position": pos, "cycles": point_stats(med)})
    doc = {"schema": "exitbench-result/1",
           "exitbench": {"version": "0", "commit": "x"},
           "date": "2026-11-21T00:00:00Z", "status": "ok",
           "host": {"hostname": "h", "cpu": {"model_name": "c"}},
           "kvm": {"flavor": "vmx", "strategy": "baseline"},
           "config": {}, "results": results,
           "switch": {"param": PARAM, "strategies": names, "rounds": rounds,
                      "order": "abba"}}
    with open(path, "w") as f:
        json.dump(doc, f)


def row(out, name):
    """(delta, lo, hi, rounds, verdict) of cpuid vs @name in compare -f json."""
    for r in json.loads(out)["rows"]:
        for c in r["cells"]:
            if r["test"] == "cpuid" and c["candidate"] == name:
                return (c["shift"], c["shift_ci"][0], c["shift_ci"][1],
                        c["runs_base"], c["verdict"])
    fail(f"no row for {name} in:\n{out}")


def case_compare():
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "s.json")
        for delta, verdict in ((+8, "slower"), (-8, "faster"), (0, "same")):
            synthetic(f, delta)
            p = run("compare", "--threshold", "2", "-f", "json", f)
            if p.returncode:
                fail(f"compare: {p.returncode} {p.stderr}")
            est, lo, hi, n, v = row(p.stdout, "cand")
            m = [None] * 6 + [n, v]
            print(f"delta {delta:+}: estimate {est:+.2f} CI [{lo}, {hi}] {v}")
            if not lo <= delta <= hi:
                fail(f"CI [{lo}, {hi}] does not cover {delta}")
            if delta and (est > 0) != (delta > 0):
                fail(f"wrong sign: {est} for {delta}")
            if int(m[6]) != 8 or m[7] != verdict:
                fail(f"n {m[6]} verdict {m[7]}, want 8 {verdict}")
            # 30 cycles of drift per round: with the rounds unpaired the
            # difference would be lost; paired, the CI is a few cycles wide.
            if hi - lo > 6:
                fail(f"CI [{lo}, {hi}] wider than within-round noise explains")
            # The footer counts the comparisons and the non-"same" verdicts.
            p = run("compare", "--threshold", "2", f)
            want = (f"1 comparison at 95%: about 0.1 verdicts other than\n"
                    f"   \"same\" expected by chance alone; {int(delta != 0)} given")
            if want not in p.stdout or max(map(len, p.stdout.splitlines())) > 72:
                fail(f"no footer '{want}' in:\n{p.stdout}")
        # A file without interleaved strategies: told to give two files.
        doc = json.load(open(f))
        del doc["switch"]
        json.dump(doc, open(f, "w"))
        one_line_error(run("compare", f), 2, "run --strategies")


def case_rounds():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        skip("/dev/kvm not usable")
    with tempfile.TemporaryDirectory() as d:
        param, out = os.path.join(d, "apx_strategy"), os.path.join(d, "r.json")
        with open(param, "w") as f:
            f.write("none\n")
        p = run("run", "--strategies", "baseline,cond-swap,dual-exit",
                "--rounds", "2", "--tests", "nop", "--samples", "100",
                "--warmup", "10", "--apx", "off", "--out", out,
                env={"EXITBENCH_APX_STRATEGY_PARAM": param})
        if p.returncode:
            if "KVM" in p.stderr or "kvm" in p.stderr:
                skip(f"KVM unusable: {p.stderr.strip()}")
            fail(f"run: {p.returncode} {p.stderr}")
        doc = json.load(open(out))
        sw = doc["switch"]
        got = [(s["round"], s["strategy"]) for s in sw["schedule"]]
        want = [(0, "baseline"), (0, "cond-swap"), (0, "dual-exit"),
                (1, "dual-exit"), (1, "cond-swap"), (1, "baseline")]
        if got != want:
            fail(f"schedule {got}")
        tags = [(r["round"], r["strategy"], r["test"]) for r in doc["results"]]
        if tags != [(r, s, "nop") for r, s in want]:
            fail(f"result tags {tags}")
        # One VM checks that KVM works before anything is written, then
        # one fresh VM per (round, strategy).
        if doc["vms_created"] != 7:
            fail(f"vms_created {doc['vms_created']}, want 1 + 6 (one per round x strategy)")
        if open(param).read().strip() != "none" or not sw["restored"]:
            fail("parameter not restored")
        c = run("compare", out)
        if c.returncode or "cond-swap" not in c.stdout or "dual-exit" not in c.stdout:
            fail(f"compare: {c.returncode} {c.stdout} {c.stderr}")
        print(c.stdout)
        # A name the "kernel" does not take: the stand-in is a file, so
        # make it refuse writes by replacing it with a directory.
        os.remove(param)
        os.mkdir(param)
        p = run("run", "--strategies", "a,b", "--rounds", "2", "--tests", "nop",
                "--out", out + "2", env={"EXITBENCH_APX_STRATEGY_PARAM": param})
        if p.returncode == 0 or os.path.exists(out + "2"):
            fail("run succeeded with an unwritable parameter")


{"refuse": case_refuse, "usage": case_usage, "compare": case_compare,
 "rounds": case_rounds}[CASE]()
