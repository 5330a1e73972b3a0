#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check every EGPR instruction site recorded in an ELF's .egpr_sites.

bench/guest/egpr.h emits APX instructions as raw bytes (GNU as 2.40 cannot
assemble them) and records each one in the non-allocated section
.egpr_sites.  For each record this script asserts, with LLVM 19's APX-aware
tools, that
  1. llvm-objdump-19 decodes the bytes at the recorded address to exactly
     the intended mnemonic, registers and displacement, with the recorded
     length;
  2. llvm-mc-19 --show-encoding assembles the intended instruction to the
     very same bytes;
and, over the whole disassembly, that no instruction naming R16-R31 exists
outside a recorded site and nothing fails to decode near one.
--require-all additionally demands loads and stores of all sixteen EGPRs.

usage: check_egpr_sites.py [--require-all] [--min-sites N]
                           [--expect-failures N] ELF...
Exit status 0 when every check holds, 1 with one line per failure.
"""
import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

OBJDUMP = os.environ.get("LLVM_OBJDUMP", "llvm-objdump-19")
OBJCOPY = os.environ.get("LLVM_OBJCOPY", "llvm-objcopy-19")
MC = os.environ.get("LLVM_MC", "llvm-mc-19")

LEGACY = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
          "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
K_STORE, K_LOAD, K_PUSH2, K_POP2, K_ZERO = 1, 2, 3, 4, 5
KIND_NAMES = {K_STORE: "store", K_LOAD: "load", K_PUSH2: "push2",
              K_POP2: "pop2", K_ZERO: "zero"}
EGPR_RE = re.compile(r"%r(1[6-9]|2[0-9]|3[01])[dwb]?\b")
INSN_RE = re.compile(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$")
MEM_RE = re.compile(r"^(-?(?:0x[0-9a-f]+|\d+))?\(%(\w+)\)$")


def reg(n):
    return "r%d" % n if n >= 16 else LEGACY[n]


def sites_of(elf):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "sites")
        r = subprocess.run([OBJCOPY, "--dump-section",
                            ".egpr_sites=" + raw, elf, os.path.join(tmp, "o")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit("%s: no .egpr_sites section (%s)" % (elf, r.stderr.strip()))
        data = open(raw, "rb").read()
    if len(data) % 16:
        sys.exit("%s: .egpr_sites is %d bytes, not a multiple of 16" % (elf, len(data)))
    out = []
    for off in range(0, len(data), 16):
        addr, kind, r1, r2, disp, ln = struct.unpack_from("<QBBBbB", data, off)
        out.append(dict(addr=addr, kind=kind, reg=r1, other=r2, disp=disp, len=ln))
    return out


def disassemble(elf):
    r = subprocess.run([OBJDUMP, "-d", "--no-print-imm-hex", elf],
                       capture_output=True, text=True, check=True)
    insns = {}
    for line in r.stdout.splitlines():
        m = INSN_RE.match(line)
        if m:
            insns[int(m.group(1), 16)] = (bytes.fromhex(m.group(2).replace(" ", "")),
                                          " ".join(m.group(3).split("#")[0].split()))
    return insns


def intended(s):
    """AT&T text of the instruction a record stands for, and its operands."""
    k, a, b, d = s["kind"], s["reg"], s["other"], s["disp"]
    if k == K_STORE:
        return "movq %%%s, %d(%%%s)" % (reg(a), d, reg(b)), ("movq", [reg(a), (d, reg(b))])
    if k == K_LOAD:
        return "movq %d(%%%s), %%%s" % (d, reg(b), reg(a)), ("movq", [(d, reg(b)), reg(a)])
    if k == K_ZERO:
        return "xorl %%%sd, %%%sd" % (reg(a), reg(a)), ("xorl", [reg(a) + "d", reg(a) + "d"])
    if k in (K_PUSH2, K_POP2):
        mn = KIND_NAMES[k]
        return "%s %%%s, %%%s" % (mn, reg(a), reg(b)), (mn, [reg(a), reg(b)])
    return None, None


def parse_operand(op):
    op = op.strip()
    if op.startswith("%"):
        return op[1:]
    m = MEM_RE.match(op)
    if not m:
        return op
    return (int(m.group(1), 0) if m.group(1) else 0, m.group(2))


def parse_text(text):
    parts = text.split(None, 1)
    ops = [parse_operand(o) for o in parts[1].split(",")] if len(parts) > 1 else []
    # memory operands here never carry an index, so a plain split on
    # commas is exact
    return parts[0], ops


def mc_encodings(texts):
    r = subprocess.run([MC, "-triple=x86_64", "--show-encoding"],
                       input="\n".join(texts) + "\n", capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.exit("llvm-mc-19 rejected the intended instructions: " + r.stderr.strip())
    encs = []
    for line in r.stdout.splitlines():
        m = re.search(r"encoding: \[([^\]]*)\]", line)
        if m:
            encs.append(bytes(int(x, 16) for x in m.group(1).split(",")))
    if len(encs) != len(texts):
        sys.exit("llvm-mc-19 returned %d encodings for %d instructions" % (len(encs), len(texts)))
    return encs


def check(elf, require_all, min_sites):
    errors = []
    sites = sites_of(elf)
    insns = disassemble(elf)
    texts = []
    for s in sites:
        text, want = intended(s)
        where = "%s: site %#x (%s r%d)" % (elf, s["addr"], KIND_NAMES.get(s["kind"], "?"), s["reg"])
        if text is None:
            errors.append("%s: unknown kind %d" % (where, s["kind"]))
            continue
        texts.append(text)
        got = insns.get(s["addr"])
        if got is None:
            errors.append("%s: no instruction starts there" % where)
            continue
        raw, dis = got
        if len(raw) != s["len"]:
            errors.append("%s: decodes as %d bytes (%s), recorded %d"
                          % (where, len(raw), dis, s["len"]))
        if parse_text(dis) != want:
            errors.append("%s: decodes as '%s', intended '%s'" % (where, dis, text))
    encs = mc_encodings(texts) if texts else []
    for s, text, enc in zip([s for s in sites if intended(s)[0]], texts, encs):
        raw = insns.get(s["addr"], (b"", ""))[0]
        if raw != enc:
            errors.append("%s: site %#x has %s, llvm-mc encodes '%s' as %s"
                          % (elf, s["addr"], raw.hex(" "), text, enc.hex(" ")))
    recorded = {s["addr"] for s in sites}
    for addr, (raw, dis) in sorted(insns.items()):
        if EGPR_RE.search(dis) and addr not in recorded:
            errors.append("%s: unrecorded EGPR instruction at %#x: %s" % (elf, addr, dis))
        if ("(bad)" in dis or "<unknown>" in dis) and any(
                abs(addr - a) < 16 for a in recorded):
            errors.append("%s: undecodable bytes at %#x next to an EGPR site" % (elf, addr))
    if len(sites) < min_sites:
        errors.append("%s: %d sites recorded, expected at least %d" % (elf, len(sites), min_sites))
    if require_all:
        for kind in (K_STORE, K_LOAD):
            have = {s["reg"] for s in sites if s["kind"] == kind}
            missing = sorted(set(range(16, 32)) - have)
            if missing:
                errors.append("%s: no %s of %s" % (elf, KIND_NAMES[kind],
                              ", ".join("r%d" % r for r in missing)))
    return errors, len(sites)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--require-all", action="store_true")
    ap.add_argument("--min-sites", type=int, default=1)
    ap.add_argument("--expect-failures", type=int, default=0,
                    help="negative control: succeed iff exactly N failures")
    ap.add_argument("elf", nargs="+")
    args = ap.parse_args()
    for tool in (OBJDUMP, OBJCOPY, MC):
        if not shutil.which(tool):
            # meson: 77 = skipped; say why first
            print("SKIP: %s not found (Debian llvm-19; scripts/test installs it)" % tool)
            return 77
    nerr = 0
    for elf in args.elf:
        errors, n = check(elf, args.require_all, args.min_sites)
        for e in errors:
            print("FAIL " + e)
        nerr += len(errors)
        if not errors:
            print("ok %s: %d EGPR sites decode and re-encode as intended" % (elf, n))
    if args.expect_failures:
        ok = nerr == args.expect_failures
        print("%s: %d failures found, %d expected" % ("ok" if ok else "FAIL", nerr,
                                                       args.expect_failures))
        return 0 if ok else 1
    return 1 if nerr else 0


if __name__ == "__main__":
    sys.exit(main())
