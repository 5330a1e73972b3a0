#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""bzImage -> PVH vmlinux extraction (scripts/lib/vmtest-vmlinux.py) on
synthetic images: the payload is found through the boot header (not by
magic scanning: a decoy xz stream sits before it), xz and gzip payloads come
back byte for byte, a kernel without the PVH note gets exit 3 ("boot the
bzImage"), and a non-bzImage is refused with one line.

usage: vmlinux_test.py REPO_TOP
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys
import tempfile

TOOL = os.path.join(sys.argv[1], "scripts", "lib", "vmtest-vmlinux.py")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def elf_with_notes(notes):
    """A minimal ELF64 executable: header, one PT_NOTE program header,
    the notes, and some filler standing in for the kernel text."""
    blob = b""
    for name, ntype, desc in notes:
        n = name + b"\0"
        blob += struct.pack("<III", len(n), len(desc), ntype)
        blob += n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
    phoff, notes_off = 64, 64 + 56
    ehdr = (b"\x7fELF\x02\x01\x01" + b"\0" * 9 +
            struct.pack("<HHIQQQIHHHHHH", 2, 0x3e, 1, 0x1000000, phoff, 0, 0,
                        64, 56, 1, 64, 0, 0))
    phdr = struct.pack("<IIQQQQQQ", 4, 4, notes_off, 0, 0, len(blob),
                       len(blob), 4)
    return ehdr + phdr + blob + bytes(range(256)) * 64


def bzimage(payload, setup_sects=3):
    """A bzImage shell: boot header (protocol 2.15) + decoy + payload."""
    setup = bytearray((setup_sects + 1) * 512)
    setup[0x1f1] = setup_sects
    setup[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", setup, 0x206, 0x20f)
    decoy = lzma.compress(b"not the kernel")   # a magic scanner would pick this
    struct.pack_into("<II", setup, 0x248, len(decoy), len(payload))
    return bytes(setup) + decoy + payload + struct.pack("<I", 12345)


def run(*args):
    return subprocess.run([sys.executable, TOOL, *args], capture_output=True,
                          text=True, check=False)


pvh = elf_with_notes([(b"Xen", 6, b"linux\0"),
                      (b"Xen", 18, struct.pack("<Q", 0x1000850))])
nopvh = elf_with_notes([(b"Xen", 6, b"linux\0"), (b"GNU", 3, b"\1" * 20)])

with tempfile.TemporaryDirectory() as work:
    for fmt, comp in (("xz", lambda d: lzma.compress(d, lzma.FORMAT_XZ)),
                      ("gzip", gzip.compress)):
        src = os.path.join(work, f"bz-{fmt}")
        out = os.path.join(work, f"vmlinux-{fmt}")
        with open(src, "wb") as f:
            f.write(bzimage(comp(pvh)))
        p = run(src, out)
        got = open(out, "rb").read() if os.path.exists(out) else None
        check(p.returncode == 0 and got == pvh,
              f"{fmt} payload comes back byte for byte ({p.stderr.strip()})")
        check(run("--check", out).returncode == 0,
              f"--check finds the PVH note in the {fmt} result")

    src = os.path.join(work, "bz-nopvh")
    out = os.path.join(work, "vmlinux-nopvh")
    with open(src, "wb") as f:
        f.write(bzimage(lzma.compress(nopvh)))
    p = run(src, out)
    check(p.returncode == 3 and not os.path.exists(out),
          "kernel without PVH entry: exit 3, nothing written")

    p = run(__file__, out)
    check(p.returncode == 1 and "not an x86 bzImage" in p.stderr
          and len(p.stderr.strip().splitlines()) == 1,
          f"non-bzImage refused with one line ({p.stderr.strip()})")

sys.exit(1 if failures else 0)
