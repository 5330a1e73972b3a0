#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Integration tests on this machine's /dev/kvm (skip, 77, without it).

usage: kvm_test.py EXITBENCH GUEST_ELF CASE
"""
import json
import os
import subprocess
import sys
import tempfile
import time

EXE, GUEST_ELF, CASE = sys.argv[1:4]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def run(*args, status=None):
    """Run exitbench run ARGS into a temp file; return (doc, proc, secs)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        t0 = time.monotonic()
        p = subprocess.run([EXE, "run", "--out", out, *args],
                           capture_output=True, text=True, timeout=600)
        secs = time.monotonic() - t0
        sys.stdout.write(p.stdout)
        sys.stderr.write(p.stderr)
        if status is not None and p.returncode != status:
            fail(f"exit status {p.returncode}, want {status}")
        if not os.path.exists(out):
            fail("no results file written")
        with open(out) as f:
            doc = json.load(f)
        leftovers = [x for x in os.listdir(d) if x != "r.json"]
        if leftovers:
            fail(f"temporary files left: {leftovers}")
    return doc, p, secs


def result(doc, test):
    for r in doc["results"]:
        if r["test"] == test:
            return r
    fail(f"no result for {test}")


def check_stats(r, n):
    """Pooled statistics hold every run's n samples; each run its own n."""
    runs = r.get("runs") or [r]
    for run in runs:
        if run["cycles"]["n"] != n:
            fail(f"{r['test']}: a run's cycles.n = {run['cycles']['n']}, want {n}")
    for key in ("cycles", "ns"):
        s = r[key]
        if s is None:
            continue
        if s["n"] != n * len(runs):
            fail(f"{r['test']}: {key}.n = {s['n']}, want {n} x {len(runs)} runs")
        if not (s["min"] <= s["p1"] <= s["median"] <= s["p99"] <= s["max"]):
            fail(f"{r['test']}: {key} not ordered: {s}")
        lo, hi = s["median_ci"]
        if not (lo <= s["median"] <= hi):
            fail(f"{r['test']}: median outside its CI: {s}")
        if s["min"] <= 0:
            fail(f"{r['test']}: non-positive time {s['min']}")


def symbol(name):
    out = subprocess.run(["nm", GUEST_ELF], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[2] == name:
            return int(f[0], 16)
    fail(f"{name} not in {GUEST_ELF}")


def main():
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        print("SKIP: /dev/kvm is missing or not accessible")
        sys.exit(77)

    if CASE == "all":
        n = 200
        doc, p, _ = run("--samples", str(n), "--warmup", "20")
        if doc["status"] != "ok" or p.returncode != 0:
            fail(f"run status {doc['status']}, exit {p.returncode}")
        names = [r["test"] for r in doc["results"]]
        listed = subprocess.run([EXE, "list"], capture_output=True,
                                text=True, check=True).stdout
        for name in names:
            if name + " " not in listed:
                fail(f"{name} ran but is not in 'exitbench list'")
        ran = 0
        for r in doc["results"]:
            if r["status"] == "skipped":
                if not r.get("reason"):
                    fail(f"{r['test']} skipped without a reason")
                continue
            if r["status"] != "ok":
                fail(f"{r['test']}: {r['status']}: {r.get('reason')}")
            check_stats(r, n)
            if r["warmup_discarded"] != 20:
                fail(f"{r['test']}: warm-up {r['warmup_discarded']}")
            if r["guest_cpl"] != r["cpl"]:
                fail(f"{r['test']}: ran at CPL{r['guest_cpl']}, want {r['cpl']}")
            if r["overhead_cycles"] is None:
                fail(f"{r['test']}: no loop overhead")
            if abs(r["cycles"]["median"] - r["overhead_cycles"]
                   - r["net_median_cycles"]) > 1e-6:
                fail(f"{r['test']}: net != median - overhead")
            # KVM's own exit counter, as the test table expects it: at
            # least one exit per iteration, or (an instruction KVM passes
            # through) fewer than one per two iterations
            want = r.get("kvm_exits_expected")
            if want not in ("every", "none", "unchecked"):
                fail(f"{r['test']}: kvm_exits_expected {want!r}")
            if r["test"] == "nop" or r["emulated"]:
                if want != "unchecked":
                    fail(f"{r['test']}: emulated or nop but {want!r}")
            ex = r.get("kvm_exits")
            if ex is not None and want == "every" and ex < n + 20:
                fail(f"{r['test']}: KVM counted {ex} exits for {n + 20} iterations")
            if ex is not None and want == "none" and 2 * ex >= n + 20:
                fail(f"{r['test']}: KVM counted {ex} exits for {n + 20} iterations of a pass-through")
            # KVM_IOEVENTFD: one signal per iteration, warm-up included
            if r["test"].endswith("_ioeventfd") and r.get("ioeventfd_signals") != n + 20:
                fail(f"{r['test']}: eventfd counted {r.get('ioeventfd_signals')} signals for {n + 20} writes")
            if r.get("warning"):
                fail(f"{r['test']}: {r['warning']}")
            ran += 1
        if "nop" not in names or result(doc, "nop")["status"] != "ok":
            fail("nop must always run")
        if doc["kvm"]["flavor"] == "pvm":
            h = result(doc, "hypercall")
            if h["status"] != "skipped" or "hang" not in h["reason"]:
                fail(f"hypercall on pvm: {h}")
            for r in doc["results"]:
                if r["status"] == "ok" and r["cpl"] == 0 and not r["emulated"]:
                    fail(f"{r['test']}: CPL0 number on PVM not labelled emulated")
        print(f"{ran} tests ran, {len(names) - ran} skipped")
    elif CASE == "fault-ud":
        doc, p, _ = run("--tests", "fault_ud,nop", "--samples", "10",
                        "--warmup", "0", status=1)
        r = result(doc, "fault_ud")
        exc = r.get("exception")
        if r["status"] != "failed" or not exc:
            fail(f"fault_ud: {r}")
        want = symbol("eb_ud_site")
        if exc["vector"] != 6 or exc["rip"] != want:
            fail(f"#UD reported as vector {exc['vector']} at {exc['rip']:#x}, want 6 at {want:#x}")
        if "vector 6" not in r["reason"] or result(doc, "nop")["status"] != "ok":
            fail("reason or recovery")
        if doc["status"] != "failed":
            fail("run status must be failed")
    elif CASE == "watchdog":
        timeout = 1.0
        doc, p, secs = run("--tests", "hang,hang_cpl0,nop", "--samples", "10",
                           "--warmup", "0", "--timeout", str(timeout),
                           status=1)
        for t in ("hang", "hang_cpl0"):
            r = result(doc, t)
            if r["status"] != "timeout":
                fail(f"{t}: {r['status']}: {r.get('reason')}")
        if result(doc, "nop")["status"] != "ok":
            fail("the run did not continue after the timeouts")
        # two deadlines plus at most the 2 s grace each, plus set-up
        if secs > 2 * (timeout + 2.0) + 5:
            fail(f"took {secs:.1f} s")
        print(f"two hung guests ended in {secs:.1f} s")
        # a test that runs longer than the deadline but keeps sampling is
        # not hung: the watchdog looks at progress, not total time
        doc, p, secs = run("--tests", "pio_user", "--samples", "8000",
                           "--warmup", "0", "--timeout", str(timeout))
        r = result(doc, "pio_user")
        if r["status"] != "ok":
            fail(f"slow but progressing test ended: {r['status']}: {r.get('reason')}")
        print(f"a {secs:.1f} s test with a {timeout} s no-progress deadline: ok")
    elif CASE == "hung-hypercall":
        doc, p, _ = run("--tests", "hang_hypercall,nop", "--samples", "10",
                        "--warmup", "0", "--timeout", "1")
        r = result(doc, "hang_hypercall")
        if doc["kvm"]["flavor"] != "pvm":
            print(f"SKIP: VMCALL only hangs on pvm (here {doc['kvm']['flavor']}: {r['status']})")
            sys.exit(77)
        if r["status"] != "timeout":
            fail(f"hang_hypercall: {r['status']}: {r.get('reason')}")
        if result(doc, "nop")["status"] != "ok":
            fail("no recovery after a VMCALL hang")
        if doc["vms_created"] < 2:
            fail("the VM was not recreated after the hang")
    elif CASE == "bad-exit":
        doc, p, _ = run("--tests", "bad_port,bad_mmio,nop", "--samples", "10",
                        "--warmup", "0", status=1)
        for t, needle in (("bad_port", "unexpected port 0xeb0f"),
                          ("bad_mmio", "unexpected MMIO address 0xc0001000")):
            r = result(doc, t)
            if r["status"] != "failed" or needle not in r["reason"]:
                fail(f"{t}: {r['status']}: {r.get('reason')}")
        if result(doc, "nop")["status"] != "ok":
            fail("no recovery after a bad exit")
    elif CASE == "exit-check":
        # the exit counter check is not vacuous: an instruction that exits
        # every time, declared pass-through, must be flagged
        doc, p, _ = run("--tests", "exits_none_bad,wr_kernel_gs_base",
                        "--samples", "100", "--warmup", "10")
        r = result(doc, "exits_none_bad")
        if r["status"] != "ok" or r.get("kvm_exits") is None:
            print(f"SKIP: no exit counter here ({r['status']}: {r.get('reason')})")
            sys.exit(77)
        if r["kvm_exits_expected"] != "none" or "pass this instruction through" not in r.get("warning", ""):
            fail(f"exits_none_bad: {r['kvm_exits']} exits, no warning: {r}")
        g = result(doc, "wr_kernel_gs_base")
        if g["status"] != "ok" or g.get("warning"):
            fail(f"wr_kernel_gs_base: {g['status']}: {g.get('reason')} {g.get('warning')}")
        print(f"flagged: {r['warning']}")
    elif CASE == "batch-raw":
        doc, p, _ = run("--tests", "pio_user,cpuid", "--samples", "50",
                        "--warmup", "5", "--batch", "4", "--raw", status=0)
        for t in ("pio_user", "cpuid"):
            r = result(doc, t)
            if r["status"] != "ok":
                fail(f"{t}: {r.get('reason')}")
            check_stats(r, 50)
            if len(r["raw"]) != 50 * len(r["runs"]):
                fail(f"{t}: {len(r['raw'])} raw samples")
            if abs(min(r["raw"]) / 4 - r["cycles"]["min"]) > 1e-6:
                fail(f"{t}: cycles are not per exit (raw/batch)")
        ow = result(doc, "pio_user")["oneway"]
        if "batch" not in ow.get("unavailable", ""):
            fail(f"one-way with batch 4 must be unavailable: {ow}")
    elif CASE == "oneway":
        doc, p, _ = run("--tests", "pio_user,mmio_user", "--samples", "200",
                        "--warmup", "20", status=0)
        for t in ("pio_user", "mmio_user"):
            r = result(doc, t)
            ow = r["oneway"]
            if "unavailable" in ow:
                if not ow["unavailable"]:
                    fail("unavailable without a reason")
                print(f"{t}: one-way unavailable: {ow['unavailable']}")
                continue
            for k in ("exit", "entry"):
                if ow[k]["n"] != 200 or ow[k]["min"] < 0:
                    fail(f"{t} {k}: {ow[k]}")
                if ow[k]["median"] >= r["cycles"]["median"]:
                    fail(f"{t}: {k} median not below the round trip")
            if ow["exit"]["min"] + ow["entry"]["min"] > r["cycles"]["max"]:
                fail(f"{t}: exit + entry exceed the round trip")
    else:
        fail(f"unknown case {CASE}")
    print("ok")


main()
