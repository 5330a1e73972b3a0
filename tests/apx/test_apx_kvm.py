#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The APX dimension end to end on this machine's /dev/kvm.

usage: test_apx_kvm.py EXITBENCH CASE
CASE is one of
  refuse    --apx on/both exit 2 with one line where no APX guest is possible
  auto      --apx auto runs 'off' and records why 'on' was skipped
  reduced   --xcr0 reduced: KVM_GET_XCRS shows the requested XCR0 (which
            differs from the host's), --xcr0 host shows the host's
  regcheck  --check-egprs on legacy GPRs: every checked exit clean, uABI done
  corrupt   a guest GPR changed through KVM_SET_REGS at one exit (hidden
            --debug-corrupt-reg) is reported with register, iteration,
            expected and actual value, and fails the run
  uabi      the same at the uABI exit: KVM_GET_REGS shows the change
  force-on  APX on forced on a host without APX (hidden --debug-force-apx-on):
            the guest refuses before any EGPR instruction (no #UD), no number
Exit 0 pass, 1 fail, 77 skip (reason printed first).
"""
import json
import os
import subprocess
import sys
import tempfile

FAST = ["--samples", "40", "--warmup", "4", "--timeout", "60"]


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def run(exe, *args):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.json")
        p = subprocess.run([exe, "run", "--out", out] + list(args),
                           capture_output=True, text=True, timeout=600)
        doc = json.load(open(out)) if os.path.exists(out) else None
    return p, doc


def results(doc, test=None):
    return [r for r in doc["results"] if test is None or r["test"] == test]


def need(cond, why):
    if not cond:
        fail(why)


def apx_possible(exe):
    """Whether this host could run an APX guest (then 'refuse' cannot be shown)."""
    p, doc = run(exe, "--apx", "off", "--tests", "nop", *FAST)
    if doc is None:
        skip("exitbench cannot run here: " + p.stderr.strip())
    return doc["apx"]["guest_apx_possible"], doc


def case_refuse(exe):
    possible, _ = apx_possible(exe)
    if possible:
        skip("this host can run APX guests: --apx on is not refused here")
    for mode in ("on", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "r.json")
            p = subprocess.run([exe, "run", "--apx", mode, "--tests", "nop",
                                "--out", out], capture_output=True, text=True)
            need(p.returncode == 2, "--apx %s: exit %d, want 2" % (mode, p.returncode))
            lines = p.stderr.strip().splitlines()
            need(len(lines) == 1 and "APX" in lines[0],
                 "--apx %s: want one line naming APX, got %r" % (mode, p.stderr))
            need(not os.path.exists(out), "--apx %s wrote a results file" % mode)
            print("ok --apx %s refused: %s" % (mode, lines[0]))


def case_auto(exe):
    p, doc = run(exe, "--tests", "nop,pio_user", *FAST)   # default is auto
    need(p.returncode == 0, "run failed: " + p.stderr)
    apx = doc["apx"]
    need(apx["request"] == "auto", "request %r" % apx["request"])
    for key in ("host", "kvm", "guest_apx_possible", "guest_apx_reason"):
        need(key in apx, "results lack apx.%s" % key)
    if apx["guest_apx_possible"]:
        need(apx["modes"] == ["off", "on"], "APX host: modes %r" % apx["modes"])
    else:
        need(apx["modes"] == ["off"], "modes %r, want ['off']" % apx["modes"])
        need(apx["on_skipped"] == apx["guest_apx_reason"] and apx["on_skipped"],
             "on_skipped %r does not give the reason" % apx.get("on_skipped"))
        need(all(r["apx"] == "off" for r in results(doc)), "an 'on' result without APX")
    for r in results(doc):
        need(r["guest_apx"]["status"] in ("not_asked", "enabled"),
             "guest APX status %r" % r["guest_apx"]["status"])
    print("ok auto: modes %s; on skipped: %s" % (apx["modes"], apx.get("on_skipped")))


def case_reduced(exe):
    seen = {}
    for mode in ("host", "reduced"):
        p, doc = run(exe, "--xcr0", mode, "--apx", "off",
                     "--tests", "nop,pio_user,cpuid", *FAST)
        need(p.returncode == 0, "--xcr0 %s failed: %s" % (mode, p.stderr))
        host = doc["apx"]["host"]["xcr0"]
        # --xcr0 host: the host's XCR0 as far as KVM lets a guest have it
        # (a host with AMX state KVM does not offer keeps those bits)
        kvm = doc["apx"]["kvm"]
        allowed = int(kvm["supported_xcr0"], 16) if kvm["available"] else int(host, 16)
        like_host = hex(int(host, 16) & allowed | 1)
        for r in results(doc):
            need(r["status"] == "ok", "%s: %s %s" % (r["test"], r["status"], r.get("reason")))
            x = r["xcr0_detail"]
            need(r["xcr0"] == mode and x["mode"] == mode, "mode not recorded")
            need(x["kvm_vcpu"] == x["requested"],
                 "%s: KVM_GET_XCRS %s, requested %s" % (r["test"], x["kvm_vcpu"], x["requested"]))
            need(x["host"] == host, "host XCR0 not recorded")
            if mode == "host":
                need(x["requested"] == like_host and
                     x["differs_from_host"] == (like_host != host),
                     "--xcr0 host asked %s on a %s host (KVM allows %#x)"
                     % (x["requested"], host, allowed))
                need(like_host == host or "even with --xcr0 host" in x.get("note", ""),
                     "no note that KVM switches XCR0 with --xcr0 host: %r" % x.get("note"))
            else:
                need(x["requested"] != host and x["differs_from_host"] and "proxy" in x["note"],
                     "--xcr0 reduced asked %s on a %s host" % (x["requested"], host))
                need(int(x["requested"], 16) & ~int(host, 16) == 0,
                     "reduced XCR0 %s not a subset of %s" % (x["requested"], host))
            seen[(mode, r["test"])] = x["kvm_vcpu"]
    print("ok xcr0: " + ", ".join("%s/%s=%s" % (m, t, v) for (m, t), v in sorted(seen.items())))


def case_regcheck(exe):
    tests = "nop,cpuid,pio_user,mmio_user,pio_kernel,rdmsr"
    p, doc = run(exe, "--check-egprs", "--apx", "off", "--tests", tests, *FAST)
    need(p.returncode == 0, "run failed: " + p.stderr + p.stdout)
    n = 0
    for r in results(doc):
        if r["status"] == "skipped":
            continue
        rc = r["regcheck"]
        need(rc["status"] == "ok" and rc["bad_exits"] == 0 and rc["mismatches_total"] == 0,
             "%s: regcheck %r" % (r["test"], rc))
        need(rc["checked_exits"] == 44, "%s: %d exits checked, want 44" % (r["test"], rc["checked_exits"]))
        need(rc["uabi"] == "done", "%s: uABI check %r" % (r["test"], rc["uabi"]))
        n += 1
    need(n >= 3, "only %d tests ran" % n)
    print("ok regcheck: %d tests, every checked exit intact" % n)


def case_corrupt(exe):
    for reg in ("rbx", "r12"):
        p, doc = run(exe, "--check-egprs", "--apx", "off", "--tests", "pio_user",
                     "--debug-corrupt-reg", reg, *FAST)
        need(p.returncode == 1, "corrupted %s: exit %d, want 1" % (reg, p.returncode))
        need(doc and doc["status"] == "failed", "results not marked failed")
        r = results(doc, "pio_user")[0]
        need(r["status"] == "failed" and "register integrity" in r["reason"],
             "result %s: %s" % (r["status"], r.get("reason")))
        rc = r["regcheck"]
        need(rc["debug_corrupted"] == reg, "corruption not done: %r" % rc.get("debug_corrupted"))
        need(rc["bad_exits"] == 1 and rc["mismatches_total"] == 1, "regcheck %r" % rc)
        m = rc["mismatches"][0]
        exp, act = int(m["expected"], 16), int(m["actual"], 16)
        # the third checked exit; the VMM inverted the low byte
        need(m["register"] == reg and m["iteration"] == 2 and m["where"] == "guest",
             "mismatch %r" % m)
        need(act == exp ^ 0xff, "actual %#x is not expected %#x with its low byte inverted"
             % (act, exp))
        need(exp >> 56 == 0xeb, "expected value %#x is not a check pattern" % exp)
        print("ok corrupt %s caught: %s" % (reg, r["reason"]))


def case_uabi(exe):
    p, doc = run(exe, "--check-egprs", "--apx", "off", "--tests", "pio_user",
                 "--debug-corrupt-reg", "uabi:rsi", *FAST)
    need(p.returncode == 1, "exit %d, want 1" % p.returncode)
    r = results(doc, "pio_user")[0]
    rc = r["regcheck"]
    need(rc["bad_exits"] == 0, "the checked pass saw the uABI corruption: %r" % rc)
    need(rc["mismatches_total"] == 1, "regcheck %r" % rc)
    m = rc["mismatches"][0]
    need(m["register"] == "rsi" and m["iteration"] == "uabi" and m["where"] == "KVM_GET_REGS",
         "mismatch %r" % m)
    need(int(m["actual"], 16) == int(m["expected"], 16) ^ 0xff, "values %r" % m)
    print("ok uABI corruption caught: " + r["reason"])


def case_force_on(exe):
    possible, _ = apx_possible(exe)
    if possible:
        skip("this host can run APX guests: nothing to refuse")
    p, doc = run(exe, "--debug-force-apx-on", "--tests", "nop,cpuid", *FAST)
    need(p.returncode == 1, "exit %d, want 1" % p.returncode)
    need(doc["apx"]["modes"] == ["on"], "modes %r" % doc["apx"]["modes"])
    for r in results(doc):
        if r["status"] == "skipped":
            continue
        need(r["apx"] == "on" and r["status"] == "failed", "%s: %s" % (r["test"], r["status"]))
        need("refused by the guest" in r["reason"] and "exception" not in r,
             "%s: %s" % (r["test"], r["reason"]))
        need(r["guest_apx"]["status"] == "refused_no_cpuid", "guest %r" % r["guest_apx"])
        need("cycles" not in r, "%s: a number came out of a refused APX guest" % r["test"])
    print("ok forced APX on refused by the guest, no EGPR executed, no number")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    exe, case = sys.argv[1], sys.argv[2]
    dev = os.environ.get("EXITBENCH_KVM_DEV", "/dev/kvm")
    if not os.access(dev, os.R_OK | os.W_OK):
        skip("%s is not usable here" % dev)
    globals()["case_" + case.replace("-", "_")](exe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
