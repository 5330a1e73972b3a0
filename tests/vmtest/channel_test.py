#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Results channel round trip without booting a VM.

The guest half (scripts/lib/vmtest-channel.sh) runs in busybox sh, exactly as
/init runs it, writing to a plain file instead of ttyS1; the host half
(scripts/lib/vmtest-channel.py) decodes it.  Checks: every byte comes back
(binary, empty, multi-line JSON), events keep their order, and a corrupted,
truncated or resized transfer is refused without writing the file.

usage: channel_test.py REPO_TOP
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

TOP = sys.argv[1]
LIB = os.path.join(TOP, "scripts", "lib")
DECODER = os.path.join(LIB, "vmtest-channel.py")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def guest_send(work, files):
    """Run the guest half; return the channel log's text."""
    log = os.path.join(work, "channel.log")
    script = ". {}/vmtest-channel.sh\nvmc_say INIT 6.1.0-test 2.31\n".format(LIB)
    for name, path in files:
        script += f"vmc_send {name} {path}\n"
    script += "vmc_say FAIL some reason with spaces\nvmc_say EXIT 0 9.5\n"
    env = dict(os.environ, VMC_DEV=log)
    subprocess.run([BUSYBOX, "sh", "-c", script], env=env, check=True)
    with open(log) as f:
        return f.read()


def decode(work, text):
    log = os.path.join(work, "in.log")
    out = os.path.join(work, "out")
    shutil.rmtree(out, ignore_errors=True)
    os.mkdir(out)
    with open(log, "w") as f:
        f.write(text)
    p = subprocess.run([sys.executable, DECODER, log, out],
                       capture_output=True, text=True, check=False)
    return p, out


BUSYBOX = shutil.which("busybox")
if BUSYBOX is None:
    print("SKIP: busybox not installed (Debian package busybox-static)")
    sys.exit(77)

with tempfile.TemporaryDirectory() as work:
    rng = random.Random(8)
    blobs = {
        "results": b'{\n  "kvm": {"flavor": "svm", "emulated": "tcg"}\n}\n',
        "binary": bytes(rng.randrange(256) for _ in range(70001)),
        "empty": b"",
    }
    files = []
    for name, data in blobs.items():
        path = os.path.join(work, name + ".src")
        with open(path, "wb") as f:
            f.write(data)
        files.append((name, path))
    text = guest_send(work, files)

    p, out = decode(work, text)
    check(p.returncode == 0, f"clean log decodes (stderr: {p.stderr.strip()})")
    for name, data in blobs.items():
        path = os.path.join(out, name)
        got = open(path, "rb").read() if os.path.exists(path) else None
        check(got == data, f"file '{name}' ({len(data)} bytes) comes back intact")
    check(p.stdout.splitlines() == [
        "INIT 6.1.0-test 2.31", f"FILE results {len(blobs['results'])}", "FILE binary 70001",
        "FILE empty 0", "FAIL some reason with spaces", "EXIT 0 9.5"],
        "events in order: " + " | ".join(p.stdout.splitlines()))

    # Console noise and CRs around the frames must not matter.
    p, out = decode(work, "garbage line\r\n" + text.replace("\n", "\r\n"))
    check(p.returncode == 0 and
          open(os.path.join(out, "binary"), "rb").read() == blobs["binary"],
          "CRLF line ends and foreign lines are tolerated")

    lines = text.splitlines(keepends=True)
    first_data = next(i for i, l in enumerate(lines)
                      if l.startswith("EXITBENCH-VMTEST FILE binary")) + 1

    # One flipped base64 character: still valid base64, wrong SHA-256.
    bad = list(lines)
    c = bad[first_data][10]
    bad[first_data] = (bad[first_data][:10] + ("A" if c != "A" else "B")
                       + bad[first_data][11:])
    p, out = decode(work, "".join(bad))
    check(p.returncode == 1 and "SHA-256 mismatch" in p.stderr
          and not os.path.exists(os.path.join(out, "binary")),
          f"corrupted byte is refused ({p.stderr.strip()})")

    # A lost line: size mismatch.
    bad = lines[:first_data] + lines[first_data + 1:]
    p, out = decode(work, "".join(bad))
    check(p.returncode == 1 and "bytes arrived" in p.stderr
          and not os.path.exists(os.path.join(out, "binary")),
          f"lost line is refused ({p.stderr.strip()})")

    # The VM died mid-transfer: no END.
    p, out = decode(work, "".join(lines[:first_data + 3]))
    check(p.returncode == 1 and "truncated" in p.stderr
          and not os.path.exists(os.path.join(out, "binary"))
          and os.path.exists(os.path.join(out, "results")),
          f"truncated transfer is refused, earlier files kept ({p.stderr.strip()})")

    # A file name that would escape OUTDIR is refused.
    p, out = decode(work, "EXITBENCH-VMTEST FILE ../x 0 " + "0" * 64 + "\n")
    check(p.returncode == 1 and "malformed" in p.stderr,
          f"path-like file name is refused ({p.stderr.strip()})")

sys.exit(1 if failures else 0)
