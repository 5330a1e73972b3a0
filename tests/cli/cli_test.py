#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""CLI behaviour that needs no working KVM: bad input gives one clear line
on stderr and a non-zero status, and never leaves a results file behind.

usage: cli_test.py EXITBENCH CASE
"""
import json
import re
import os
import subprocess
import sys
import tempfile

EXE = os.path.abspath(sys.argv[1])
CASE = sys.argv[2]


def run(*args, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([EXE, *args], capture_output=True, text=True,
                          env=e, cwd=cwd, timeout=60)


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def one_line_error(p, status, *needles):
    if p.returncode != status:
        fail(f"exit status {p.returncode}, want {status}; stderr={p.stderr!r}")
    lines = p.stderr.strip().splitlines()
    if len(lines) != 1:
        fail(f"want one stderr line, got {lines!r}")
    if not lines[0].startswith("exitbench: error: "):
        fail(f"not an error line: {lines[0]!r}")
    for n in needles:
        if n not in lines[0]:
            fail(f"{n!r} not in {lines[0]!r}")
    if p.stdout:
        fail(f"unexpected stdout: {p.stdout!r}")


def no_files(d):
    left = [f for _, _, fs in os.walk(d) for f in fs]
    if left:
        fail(f"files left behind: {left}")


def main():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        if CASE == "bad-option":
            one_line_error(run("run", "--bogus", "--out", out), 2, "--bogus")
            one_line_error(run("list", "--nope"), 2, "--nope")
            one_line_error(run("show", "-x", out), 2, "-x")
            one_line_error(run("frobnicate"), 2, "frobnicate")
            # The analysis commands too: one line, not getopt's plus usage.
            for cmd in ("compare", "gate", "plot", "selftest"):
                one_line_error(run(cmd, "--bogus"), 2, "--bogus")
            for cmd in ("compare", "gate", "plot"):
                one_line_error(run(cmd, "-t"), 2, "-t needs a value")
            no_files(d)
            # The scripts: bad usage is one line and exit 2, before any
            # install, build or download.
            top = os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
            for name, args in (("run", ["--bogus"]), ("test", ["--bogus"]),
                               ("kvariant", ["--bogus"]),
                               ("kvariant", ["build"]),
                               ("kvariant", ["frobnicate"]),
                               ("kvariant", ["build", "baseline", "--config",
                                             os.path.join(d, "nosuch.config")]),
                               ("vmtest", ["--bogus"]),
                               ("matrix", ["--bogus", d]),
                               ("bench-harness", ["--bogus"]),
                               ("check-counts", ["--bogus"])):
                p = subprocess.run([os.path.join(top, "scripts", name),
                                    *args], capture_output=True, text=True,
                                   timeout=60)
                lines = p.stderr.strip().splitlines()
                if p.returncode != 2 or len(lines) != 1 or p.stdout:
                    fail(f"scripts/{name} {' '.join(args)}: exit "
                         f"{p.returncode}, stderr {lines!r}, stdout "
                         f"{p.stdout[:80]!r}")
        elif CASE == "bad-value":
            for args, needle in ((["--samples", "0"], "--samples"),
                                 (["--samples", "12x"], "--samples"),
                                 (["--batch", "-1"], "--batch"),
                                 (["--timeout", "abc"], "--timeout"),
                                 (["--cpu", "100000"], "--cpu"),
                                 (["--cpl", "2"], "--cpl"),
                                 (["--apx", "sideways"], "--apx"),
                                 (["--tests", "cpuid,nosuch"], "nosuch"),
                                 (["--samples"], "--samples")):
                one_line_error(run("run", *args, "--out", out), 2, needle)
            one_line_error(run("run", "extra", "--out", out), 2, "extra")
            # The range the --samples error states is the one enforced:
            # its maximum passes option parsing (the unknown test is
            # what fails), one more does not.
            p = run("run", "--samples", "99999999999", "--out", out)
            one_line_error(p, 2, "--samples")
            top = int(p.stderr.strip().rsplit(" ", 1)[1])
            one_line_error(run("run", "--samples", str(top), "--tests",
                               "nosuch", "--out", out), 2, "nosuch")
            one_line_error(run("run", "--samples", str(top + 1), "--tests",
                               "nosuch", "--out", out), 2, "--samples")
            no_files(d)
        elif CASE == "missing-kvm":
            # by option and by environment; nothing written either way
            one_line_error(run("run", "--kvm-dev", "/nonexistent/kvm",
                               "--out", out), 1, "/nonexistent/kvm")
            one_line_error(run("run", "--out", out,
                               env={"EXITBENCH_KVM_DEV": "/nonexistent/k2"}),
                           1, "/nonexistent/k2")
            p = run("run", "--kvm-dev", "/nonexistent/kvm", cwd=d)
            one_line_error(p, 1, "/nonexistent/kvm")
            no_files(d)
            # list still works and says why nothing can run
            p = run("list", "--kvm-dev", "/nonexistent/kvm")
            if p.returncode != 0 or "No VM could be created" not in p.stdout:
                fail(f"list without KVM: {p.returncode} {p.stdout!r}")
        elif CASE == "unwritable-out":
            if not os.access("/dev/kvm", os.R_OK | os.W_OK):
                print("SKIP: needs /dev/kvm (the output is checked once a VM exists)")
                sys.exit(77)
            for bad in ("/proc/exitbench-test.json",
                        os.path.join(d, "no", "such", "dir", "r.json")):
                # Refused as bad input, before anything is measured.
                one_line_error(run("run", "--tests", "nop", "--samples", "10",
                                   "--warmup", "0", "--out", bad), 2, bad)
                if os.path.exists(bad):
                    fail(f"{bad} was created")
            no_files(d)
        elif CASE == "help":
            for sub in ("run", "list", "show", "compare", "gate", "plot",
                        "selftest"):
                p = run(sub, "--help")
                if p.returncode != 0 or not p.stdout.startswith("usage: exitbench " + sub):
                    fail(f"{sub} --help: {p.returncode} {p.stdout[:80]!r}")
                if max(len(x) for x in p.stdout.splitlines()) > 80:
                    fail(f"{sub} --help has lines over 80 columns")
            p = run("--help")
            if p.returncode != 0 or "run" not in p.stdout:
                fail("exitbench --help")
            # The scripts the README names: --help exits 0 before doing
            # anything (no install, no build) and fits 80 columns.
            top = os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__))))
            for name in ("run", "test", "kvariant", "vmtest", "matrix",
                         "bench-harness", "check-counts"):
                p = subprocess.run([os.path.join(top, "scripts", name),
                                    "--help"], capture_output=True,
                                   text=True, timeout=60)
                if (p.returncode != 0 or
                        not p.stdout.startswith("usage: scripts/" + name)):
                    fail(f"scripts/{name} --help: {p.returncode} "
                         f"{p.stdout[:80]!r} {p.stderr[:200]!r}")
                long = [x for x in p.stdout.splitlines() if len(x) > 80]
                if long:
                    fail(f"scripts/{name} --help over 80 columns: {long}")
        elif CASE == "show":
            # A complete file, as the loader requires (results/README.md).
            cyc = {"n": 3, "min": 1200.0, "p1": 1200.68, "p5": 1203.4,
                   "p25": 1217.0, "median": 1234.0, "p75": 1267.0,
                   "p95": 1293.4, "p99": 1298.68, "max": 1300.0,
                   "mean": 1244.6667, "stddev": 51.3, "mad": 34.0,
                   "median_ci": [1230.0, 1238.0], "outliers_low": 0,
                   "outliers_high": 0}
            doc = {"schema": "exitbench-result/1",
                   "exitbench": {"version": "0", "commit": "x"},
                   "date": "2026-01-01T00:00:00Z", "status": "ok",
                   "host": {"hostname": "h", "cpu": {"model_name": "c"}},
                   "kvm": {"flavor": "vmx", "strategy": "unknown"},
                   "config": {"samples": 3, "batch": 1, "warmup": 0},
                   "results": [{"test": "cpuid", "apx": "off",
                                "xcr0": "host", "status": "ok", "cpl": 0,
                                "cycles": cyc,
                                "overhead_cycles": 34.0,
                                "net_median_cycles": 1200.0,
                                "apx_counts": {"window": "timed loop",
                                               "iterations": 10, "exits": 11,
                                               "totals": {"apx_egpr_stores": 11,
                                                          "apx_xsetbv": 0},
                                               "per_exit": {"apx_egpr_stores": 1.0,
                                                            "apx_xsetbv": 0.0}}},
                               {"test": "hypercall", "apx": "off",
                                "xcr0": "host", "status": "skipped",
                                "reason": "because"}]}
            with open(out, "w") as f:
                json.dump(doc, f)
            p = run("show", out)
            if p.returncode != 0:
                fail(f"show: {p.returncode} {p.stderr!r}")
            row = [x for x in p.stdout.splitlines() if x.startswith("cpuid ")]
            if not row or "1234" not in row[0] or "1200" not in row[0]:
                fail(f"no cpuid row with its numbers: {p.stdout!r}")
            if "skipped hypercall: because" not in p.stdout:
                fail("skip reason not shown")
            ev = p.stdout.split("APX events per exit")
            if len(ev) != 2 or not re.search(r"stores +xsetbv", ev[1]) or \
                    not re.search(r"\ncpuid +11 +1\.000 +0\.000\n", ev[1]) or \
                    max(len(x) for x in ev[1].splitlines()) > 72:
                fail(f"APX event counts not shown: {p.stdout!r}")
            if max(len(x) for x in p.stdout.splitlines()) > 72:
                fail("table wider than 72 columns (it is pasted into mail)")
            with open(out, "w") as f:
                f.write(json.dumps(doc)[:100])
            one_line_error(run("show", out), 2, "truncated")
            doc["schema"] = "exitbench-result/9"
            with open(out, "w") as f:
                json.dump(doc, f)
            one_line_error(run("show", out), 2, "newer")
            one_line_error(run("show"), 2, "one results file")
        else:
            fail(f"unknown case {CASE}")
    print("ok")


main()
