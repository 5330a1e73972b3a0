#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Noise control through the CLI: placement, counters, adaptive sampling
and the known-effect self-test.  The 'cli' cases need no KVM; the others
run on this machine's /dev/kvm and skip (77) without it.

usage: noise_test.py EXITBENCH TOPOLOGY_XML CASE
"""
import ctypes
import json
import os
import subprocess
import sys
import tempfile

EXE, XML, CASE = sys.argv[1:4]


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def need_kvm():
    dev = os.environ.get("EXITBENCH_KVM_DEV", "/dev/kvm")
    if not os.access(dev, os.R_OK | os.W_OK):
        print(f"SKIP: {dev} is not usable here")
        sys.exit(77)


def exitbench(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([EXE, *args], capture_output=True, text=True,
                          env=e, timeout=600)


def one_line_error(p, status, *needles):
    lines = p.stderr.strip().splitlines()
    if p.returncode != status or len(lines) != 1 or \
            not lines[0].startswith("exitbench: error: "):
        fail(f"want one error line and status {status}: {p.returncode} {lines!r}")
    for n in needles:
        if n not in lines[0]:
            fail(f"{n!r} not in {lines[0]!r}")


def run_json(sub, *args):
    """exitbench SUB ARGS --out FILE; returns (doc, proc)."""
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        p = exitbench(sub, "--out", out, *args)
        sys.stdout.write(p.stdout)
        sys.stderr.write(p.stderr)
        if p.returncode != 0:
            fail(f"exitbench {sub} exited {p.returncode}")
        with open(out) as f:
            return json.load(f), p


def result(doc, test):
    for r in doc["results"]:
        if r["test"] == test:
            return r
    fail(f"no result for {test}")


def online_cpus():
    return sorted(os.sched_getaffinity(0))


def cycles_open_errno():
    """errno of perf_event_open(PERF_COUNT_HW_CPU_CYCLES) here, 0 if it opens."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = bytearray(128)               # struct perf_event_attr, VER7 size
    attr[4:8] = (128).to_bytes(4, "little")     # .size; .type/.config = 0
    attr[40] = 1                        # .disabled
    buf = (ctypes.c_char * 128).from_buffer(attr)
    fd = libc.syscall(298, buf, 0, -1, -1, 0)    # __NR_perf_event_open
    if fd >= 0:
        os.close(fd)
        return 0
    return ctypes.get_errno()


def case_cli():
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "r.json")
        for args, status, needles in (
                (["--cpu", "100000"], 2, ["--cpu 100000: no such CPU (online CPUs: "]),
                (["--cpu", "x1"], 2, ["--cpu", "'auto'"]),
                (["--events", "cycles,bogus_ev"], 2,
                 ["--events: unknown event 'bogus_ev'"]),
                (["--events", "cycles,,x"], 2, ["--events: empty event name"]),
                (["--precision", "5"], 2, ["--precision"]),
                (["--max-time", "0"], 2, ["--max-time"])):
            one_line_error(exitbench("run", "--out", out, *args), status, *needles)
        # An offline CPU, from a topology where CPU 7 is offline.
        one_line_error(exitbench("run", "--out", out, "--cpu", "7",
                                 env={"HWLOC_XMLFILE": XML}),
                       2, "--cpu 7: CPU 7 is offline (online CPUs: 0-6)")
        for args, needle in ((["--tests", "nop"], "nop"),
                             (["--deltas", "5,1"], "--deltas"),
                             (["--blocks", "5"], "--blocks"),
                             (["--cpu", "100000"], "no such CPU")):
            one_line_error(exitbench("selftest", "--out", out, *args), 2, needle)
        if os.listdir(d):
            fail(f"files left behind: {os.listdir(d)}")
    p = exitbench("selftest", "--help")
    if p.returncode != 0 or not p.stdout.startswith("usage: exitbench selftest") or \
            max(len(x) for x in p.stdout.splitlines()) > 80:
        fail(f"selftest --help: {p.returncode} {p.stdout[:80]!r}")


def case_placement():
    need_kvm()
    cpu = online_cpus()[-1]
    doc, _ = run_json("run", "--cpu", str(cpu), "--tests", "pio_kernel",
                      "--samples", "300")
    pl = doc["noise"]["placement"]
    if pl["cpu"] != cpu or pl["requested"] != "explicit":
        fail(f"--cpu {cpu} not honoured: {pl}")
    if doc["config"]["cpu"] != cpu:
        fail(f"config.cpu {doc['config']['cpu']} != {cpu}")
    topo = doc["noise"]["topology"]
    if topo["pus"] < 1 or topo["source"] != "this host" or str(cpu) not in topo["online"] \
            and "-" not in topo["online"]:
        fail(f"topology summary: {topo}")
    if result(doc, "pio_kernel")["vcpu_cpu"] != [cpu, cpu]:
        fail(f"vCPU thread ran on {result(doc, 'pio_kernel')['vcpu_cpu']}, not {cpu}")
    sw = result(doc, "pio_kernel")["counters"]["software"]
    if sw["cpu-migrations"] != 0:
        fail(f"pinned vCPU thread migrated: {sw}")
    if sw["task-clock"] <= 0:
        fail(f"task-clock not counted: {sw}")
    for key in ("loadavg_before", "loadavg_after", "mitigations", "cpufreq",
                "isolation", "smt", "other_vms"):
        if key not in doc["noise"]["host"]:
            fail(f"host conditions lack {key}")
    # auto weighs load before anything else, so what it picks depends on
    # what else runs here (another process keeping CPU 1 busy rightly
    # sends it to CPU 0).  Make the load known instead: a spinner of our
    # own on CPU 0 makes CPU 0 the busiest CPU whatever else runs, so
    # auto must leave it, be the other CPUs idle or busy.
    spinner = None
    if len(online_cpus()) > 1 and 0 in online_cpus():
        spinner = subprocess.Popen([sys.executable, "-c",
                                    "import os\nos.sched_setaffinity(0, {0})\n"
                                    "print(flush=True)\nwhile True: pass"],
                                   stdout=subprocess.PIPE)
        spinner.stdout.readline()       # pinned and spinning from here
    try:
        doc, _ = run_json("run", "--cpu", "auto", "--tests", "pio_kernel",
                          "--samples", "100")
    finally:
        if spinner:
            spinner.kill()
            spinner.wait()
    pl = doc["noise"]["placement"]
    if pl["requested"] != "auto" or pl["cpu"] not in online_cpus() or \
            not pl["why"].startswith("auto: "):
        fail(f"--cpu auto: {pl}")
    # Unless a concurrent test's exitbench held the others (cpulock.h).
    if spinner and pl["cpu"] == 0 and \
            "in use by another exitbench" not in pl["why"]:
        fail(f"--cpu auto chose CPU 0 while a spinner kept it busy: {pl}")
    print(f"placement ok: --cpu {cpu}; auto chose {pl['cpu']} ({pl['why']})")


def case_events():
    need_kvm()
    doc, _ = run_json("run", "--cpu", "auto", "--events", "cycles,instructions",
                      "--tests", "pio_kernel", "--samples", "200")
    e = cycles_open_errno()
    hw = doc["noise"]["counters"]["hardware"]
    per_test = result(doc, "pio_kernel")["counters"]
    if e:
        want = f"unavailable (perf_event_open cycles: {os.strerror(e)})"
        if hw != want or per_test["hardware"] != want:
            fail(f"hardware counters: {hw!r}, want {want!r}")
        if per_test["events"]:
            fail(f"events recorded although unavailable: {per_test['events']}")
    else:
        ev = per_test["events"].get("cycles")
        if hw != "available" or not ev:
            fail(f"cycles opened here but not recorded: {hw} {per_test}")
    if result(doc, "pio_kernel")["status"] != "ok":
        fail("the run did not continue without hardware counters")
    print(f"events ok: {hw}")


def case_precision():
    need_kvm()
    doc, _ = run_json("run", "--cpu", "auto", "--tests", "pio_kernel", "--repeat", "1",
                      "--samples", "300", "--precision", "50%", "--max-time", "20")
    s = result(doc, "pio_kernel")["sampling"]
    if s["stopped_by"] != "precision" or s["rounds"] < 3 or \
            result(doc, "pio_kernel")["cycles"]["n"] != s["samples"]:
        fail(f"a loose precision did not stop on precision: {s}")
    doc, p = run_json("run", "--cpu", "auto", "--tests", "pio_kernel",
                      "--samples", "300", "--precision", "0.0001%",
                      "--max-time", "1")
    s = result(doc, "pio_kernel")["sampling"]
    # The property: an unreachable goal ends on a budget, never on
    # "precision".  Which budget runs out first depends on the host's
    # speed (a fast host does its 100 rounds within the second:
    # max-samples), so either is right, each checked against its bound.
    if s["goal_met"] or s["stopped_by"] not in ("max-time", "max-samples"):
        fail(f"an impossible precision did not stop on a budget: {s}")
    if s["stopped_by"] == "max-time" and s["elapsed_s"] < 1:
        fail(f"stopped on max-time before the 1 s budget: {s}")
    if s["stopped_by"] == "max-samples" and s["samples"] != 100 * 300:
        fail(f"stopped on max-samples short of 100 rounds of 300: {s}")
    if s["samples"] != s["rounds"] * 300:
        fail(f"samples {s['samples']} != rounds {s['rounds']} x 300")
    if "too noisy for that precision" not in p.stderr or \
            not any("too noisy" in w for w in doc["noise"]["warnings"]):
        fail("no warning that the host is too noisy for the asked precision")
    print("precision ok")


def case_selftest():
    need_kvm()
    # A 50% delay: pio_kernel's block medians on a PVM host jump between
    # two levels ~40% apart, so a 20% delay is caught in only 4/5 trials
    # at times (seen in CI); this test asks for a delay no sane host misses.
    doc, p = run_json("selftest", "--method", "blocks", "--cpu", "auto", "--tests", "pio_kernel",
                      "--deltas", "0,50", "--trials", "5", "--blocks", "16",
                      "--block-samples", "200")
    if doc["schema"] != "exitbench-selftest/1":
        fail(f"schema {doc['schema']}")
    st = doc["selftest"][0]
    if st["status"] != "ok":
        fail(f"selftest did not run: {st}")
    if st["aa"]["verdict"] != "same":
        fail(f"A/A did not say same: {st['aa']}")
    big = st["points"][1]
    if big["detect_rate"] != 1.0 or big["slower"] != 5:
        fail(f"a 50% delay was not detected in every trial: {big}")
    # The measured shift must be the injected delay, within 25%.
    if abs(big["shift_median_cycles"] - big["delta_cycles"]) > 0.25 * big["delta_cycles"]:
        fail(f"measured shift {big['shift_median_cycles']} vs injected {big['delta_cycles']}")
    if abs(st["mde"]["pct"] - 50) > 1:
        fail(f"MDE {st['mde']} (only 0 and 50% were tried)")
    if "MDE:" not in p.stdout:
        fail("no MDE line printed")
    print(f"selftest ok: {st['mde']}")


CASES = {"cli": case_cli, "placement": case_placement, "events": case_events,
         "precision": case_precision, "selftest": case_selftest}

if __name__ == "__main__":
    CASES[CASE]()
