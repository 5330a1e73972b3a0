#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""exitbench run --apx standin on this machine's /dev/kvm, with the
kernel's stand-in parameter faked through $EXITBENCH_APX_STANDIN_PARAM
(no kernel here has CONFIG_KVM_APX_STANDIN).

usage: test_standin_kvm.py EXITBENCH CASE
CASE is one of
  refuse  parameter absent, "off" or malformed: --apx standin exits 2
          with one line, writes nothing
  fake    "avx 0x4" (and "avx512 0xe0" where the host has AVX-512): every
          test runs with the stand-in off and on; KVM_GET_XCRS shows the
          stand-in bits cleared/set as requested; at CPL0 (outside QEMU
          TCG) the vCPU starts from the other mode's XCR0, so what KVM
          holds afterwards is the guest's own XSETBV; the legacy-GPR check
          ran on every exit of both modes
  auto    --apx auto and --apx off take the stand-in when the kernel has
          one and real APX is absent; --xcr0 reduced with it exits 2
  marks   KVM's counters read at the guest's marks around the timed loop
          (hidden --debug-marks, as with a kernel that has the apx_*
          statistics): the window holds every iteration's exit plus the
          closing mark's, the one-way split and the register check still
          work, and show prints the counts
  analysis  compare/gate/plot refuse to match a stand-in run with one
          without it (one line, non-zero), and match them, stand-in rows
          as APX rows, with --standin-as-apx
Exit 0 pass, 1 fail, 77 skip (reason printed first).
"""
import json
import os
import subprocess
import sys
import tempfile

FAST = ["--samples", "30", "--warmup", "3", "--timeout", "60"]
AVX, AVX512 = 0x4, 0xe0


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def need(cond, why):
    if not cond:
        fail(why)


def run(exe, param_text, *args):
    """Run with a faked parameter (None: a path that does not exist)."""
    with tempfile.TemporaryDirectory() as tmp:
        param = os.path.join(tmp, "apx_standin")
        if param_text is not None:
            with open(param, "w") as f:
                f.write(param_text)
        out = os.path.join(tmp, "r.json")
        env = dict(os.environ, EXITBENCH_APX_STANDIN_PARAM=param)
        p = subprocess.run([exe, "run", "--out", out] + list(args), env=env,
                           capture_output=True, text=True, timeout=600)
        doc = json.load(open(out)) if os.path.exists(out) else None
    return p, doc


def real_apx(exe):
    p, doc = run(exe, None, "--apx", "off", "--tests", "nop", *FAST)
    need(p.returncode == 0 and doc, "plain run failed: " + p.stderr)
    return doc["apx"]["guest_apx_possible"], doc


def case_refuse(exe):
    for text, what in ((None, "No such file"), ("off\n", '"off"'),
                       ("avx512 e0\n", "not")):
        p, doc = run(exe, text, "--apx", "standin", "--tests", "nop", *FAST)
        lines = p.stderr.strip().splitlines()
        need(p.returncode == 2, "%r: exit %d, want 2" % (text, p.returncode))
        need(len(lines) == 1 and lines[0].startswith("exitbench: error:")
             and "stand-in" in lines[0] and what in lines[0],
             "%r: want one line naming the stand-in, got %r" % (text, p.stderr))
        need(doc is None, "%r: a results file was written" % text)
        print("ok refused (%r): %s" % (text, lines[0]))


def base_xcr0(doc):
    apx = doc["apx"]
    allowed = int(apx["kvm"]["supported_xcr0"], 16) if apx["kvm"]["available"] \
        else int(apx["host"]["xcr0"], 16)
    return (int(apx["host"]["xcr0"], 16) & allowed & ~(1 << 19)) | 1


def check_fake(exe, name, mask, base, tcg):
    tests = "cpuid,pio_user,mmio_user,rdmsr"
    p, doc = run(exe, "%s %#x\n" % (name, mask), "--apx", "standin",
                 "--tests", tests, *FAST)
    need(p.returncode == 0, "%s: exit %d: %s" % (name, p.returncode, p.stderr))
    need(doc["config"]["apx"] == "standin", "config.apx %r" % doc["config"]["apx"])
    sd = doc["apx"]["standin"]
    need(sd["used"] and sd["name"] == name and int(sd["mask"], 16) == mask,
         "apx.standin %r" % sd)
    need(doc["apx"]["modes"] == ["standin-off", "standin"],
         "modes %r" % doc["apx"]["modes"])
    off = base & ~mask & ~(AVX512 if mask & AVX else 0)
    want = {"standin-off": off, "standin": base | mask}
    guest_xsetbv = 0
    for r in doc["results"]:
        if r["status"] == "skipped":
            continue
        tag = "%s %s/%s" % (name, r["test"], r["apx"])
        need(r["status"] == "ok", "%s: %s %s" % (tag, r["status"], r.get("reason")))
        need(r["apx"] in want, "%s: apx key %r" % (tag, r["apx"]))
        x = r["xcr0_detail"]
        need(int(x["requested"], 16) == want[r["apx"]],
             "%s: requested %s, want %#x" % (tag, x["requested"], want[r["apx"]]))
        need(x["kvm_vcpu"] == x["requested"],
             "%s: KVM_GET_XCRS %s, requested %s" % (tag, x["kvm_vcpu"], x["requested"]))
        other = want["standin" if r["apx"] == "standin-off" else "standin-off"]
        if r["cpl"] == 0 and not tcg:
            need(int(x.get("preset", "0"), 16) == other,
                 "%s: vCPU not started from the other mode's XCR0: %r" % (tag, x))
            guest_xsetbv += 1
        else:
            need("preset" not in x, "%s: preset where the guest cannot XSETBV" % tag)
        g = r["guest_apx"]["status"]
        need(g == ("enabled" if r["apx"] == "standin" else "not_asked"),
             "%s: guest status %s" % (tag, g))
        rc = r["regcheck"]
        need(rc["status"] == "ok" and rc["checked_exits"] == 33 and rc["bad_exits"] == 0,
             "%s: register check %r" % (tag, rc))
    print("ok %s %#x: off XCR0 %#x, on %#x; %d results loaded by the guest's own XSETBV"
          % (name, mask, off, base | mask, guest_xsetbv))


def case_fake(exe):
    possible, doc = real_apx(exe)
    base = base_xcr0(doc)
    tcg = doc["kvm"].get("emulated") == "tcg"
    if not base & AVX:
        skip("the guest XCR0 %#x has no AVX state to stand in" % base)
    check_fake(exe, "avx", AVX, base, tcg)
    if base & AVX512 == AVX512:
        check_fake(exe, "avx512", AVX512, base, tcg)
    else:
        print("# no AVX-512 state in %#x: avx512 not faked" % base)


def case_auto(exe):
    possible, doc = real_apx(exe)
    if possible:
        skip("real APX here: auto takes it, not the stand-in")
    if not base_xcr0(doc) & AVX:
        skip("no AVX state to stand in")
    for req, modes in (("auto", ["standin-off", "standin"]), ("off", ["standin-off"])):
        p, doc = run(exe, "avx 0x4\n", "--apx", req, "--tests", "pio_user", *FAST)
        need(p.returncode == 0, "--apx %s: %s" % (req, p.stderr))
        need(doc["apx"]["modes"] == modes, "--apx %s: modes %r" % (req, doc["apx"]["modes"]))
        need([r["apx"] for r in doc["results"]] == modes, "--apx %s: result keys" % req)
        print("ok --apx %s with a stand-in kernel: %s" % (req, modes))
    p, doc = run(exe, "avx 0x4\n", "--xcr0", "reduced", "--tests", "nop", *FAST)
    lines = p.stderr.strip().splitlines()
    need(p.returncode == 2 and len(lines) == 1 and "stand-in" in lines[0] and doc is None,
         "--xcr0 reduced with the stand-in: exit %d, %r" % (p.returncode, p.stderr))
    print("ok refused: " + lines[0])


def case_marks(exe):
    p, doc = run(exe, "avx 0x4\n", "--apx", "standin", "--debug-marks",
                 "--tests", "pio_user,mmio_user,pio_kernel", *FAST)
    need(p.returncode == 0, "run: %s" % p.stderr)
    for r in doc["results"]:
        tag = "%s/%s" % (r["test"], r["apx"])
        c = r.get("apx_counts")
        need(c and "unavailable" not in c, "%s: counts %r" % (tag, c))
        need(c["iterations"] == 33, "%s: iterations %r" % (tag, c["iterations"]))
        # host interrupts may add a few exits; the loop's own must all be there
        need(34 <= c["exits"] <= r["kvm_exits"] - 33,
             "%s: %d exits in the window, %d in the command" % (tag, c["exits"], r["kvm_exits"]))
        need(r["regcheck"]["status"] == "ok", "%s: regcheck %r" % (tag, r["regcheck"]))
        if r["test"] == "pio_user":
            need("exit" in r["oneway"], "%s: one-way split lost: %r" % (tag, r["oneway"]))
    print("ok marks: %s" % ", ".join("%s %d" % (r["test"], r["apx_counts"]["exits"])
                                     for r in doc["results"]))


def case_analysis(exe):
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, text in (("plain", None), ("standin", "avx 0x4\n")):
            files[name] = os.path.join(tmp, name + ".json")
            p, doc = run(exe, text, "--tests", "nop,pio_user", "--raw", *FAST)
            need(p.returncode == 0, "%s run: %s" % (name, p.stderr))
            with open(files[name], "w") as f:
                json.dump(doc, f)
        if doc["apx"]["guest_apx_possible"]:
            skip("real APX here: auto does not take the stand-in")
        a, b = files["plain"], files["standin"]
        cmds = {"compare": [a, b], "gate": ["-b", a, "-c", b],
                "plot": ["--no-render", "--out", os.path.join(tmp, "plots"), a, b]}
        for cmd, args in cmds.items():
            p = subprocess.run([exe, cmd] + args, capture_output=True, text=True)
            lines = p.stderr.strip().splitlines()
            need(p.returncode != 0 and len(lines) == 1 and "stand-in" in lines[0]
                 and "--standin-as-apx" in lines[0],
                 "%s: exit %d, %r" % (cmd, p.returncode, p.stderr))
            p = subprocess.run([exe, cmd, "--standin-as-apx"] + args,
                               capture_output=True, text=True)
            need("stand-in" not in p.stderr, "%s --standin-as-apx: %r" % (cmd, p.stderr))
            need(cmd == "gate" or p.returncode == 0,
                 "%s --standin-as-apx: exit %d %s" % (cmd, p.returncode, p.stderr))
            print("ok %s: refused without --standin-as-apx, matched with it" % cmd)
        p = subprocess.run([exe, "compare", "--standin-as-apx", a, b],
                           capture_output=True, text=True)
        need("2 compared" in p.stdout, "stand-in-off rows not matched as off: %s" % p.stdout)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    exe, case = sys.argv[1], sys.argv[2]
    dev = os.environ.get("EXITBENCH_KVM_DEV", "/dev/kvm")
    if not os.access(dev, os.R_OK | os.W_OK):
        skip("%s is not usable here" % dev)
    globals()["case_" + case](exe)
    return 0


if __name__ == "__main__":
    sys.exit(main())
