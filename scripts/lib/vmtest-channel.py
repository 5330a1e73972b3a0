#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Decode a vmtest results channel log (host side of vmtest-channel.sh).

usage: vmtest-channel.py LOG OUTDIR

Writes every complete, verified file of the log to OUTDIR/<name>
(atomically) and prints the events in order, one per line:
    INIT <release> <uptime>     /init started
    KVM <module> <uptime>       /dev/kvm is there
    FILE <name> <bytes>         a file arrived intact
    FAIL <reason>               the guest gave up, with why
    EXIT <rc> <uptime>          exitbench returned rc
Exits 1 with a one-line message if a file arrived truncated or corrupted
(size or SHA-256 mismatch, bad base64): a garbled result is never written.
"""
import base64
import binascii
import hashlib
import os
import re
import sys
import tempfile

TAG = "EXITBENCH-VMTEST"
NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")


class ChannelError(Exception):
    pass


def write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".",
                               prefix=".vmtest.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), 0o644)
        os.rename(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def decode(lines, outdir):
    """Yield event lines; write files to outdir."""
    current = None  # (name, size, sha256, [base64 chunks])
    for raw in lines:
        line = raw.rstrip("\r\n")
        if current is not None:
            if line == f"{TAG} END {current[0]}":
                name, size, digest, chunks = current
                current = None
                try:
                    data = base64.b64decode("".join(chunks), validate=True)
                except binascii.Error as e:
                    raise ChannelError(f"file '{name}': bad base64 ({e})")
                if len(data) != size:
                    raise ChannelError(f"file '{name}': {len(data)} bytes "
                                       f"arrived, {size} were sent")
                if hashlib.sha256(data).hexdigest() != digest:
                    raise ChannelError(f"file '{name}': SHA-256 mismatch "
                                       "(corrupted in transfer)")
                write_atomic(os.path.join(outdir, name), data)
                yield f"FILE {name} {size}"
            elif line.startswith(TAG + " "):
                raise ChannelError(f"file '{current[0]}': truncated "
                                   f"(next event before its END)")
            else:
                current[3].append(line.strip())
            continue
        if not line.startswith(TAG + " "):
            continue  # not ours (nothing else should write here)
        event = line[len(TAG) + 1:]
        words = event.split(" ")
        if words[0] == "FILE":
            if (len(words) != 4 or not NAME.match(words[1])
                    or not words[2].isdigit()
                    or not re.fullmatch(r"[0-9a-f]{64}", words[3])):
                raise ChannelError(f"malformed file header: {event!r}")
            current = (words[1], int(words[2]), words[3], [])
        elif words[0] in ("INIT", "KVM", "FAIL", "EXIT"):
            yield event
        else:
            raise ChannelError(f"unknown event: {event!r}")
    if current is not None:
        raise ChannelError(f"file '{current[0]}': truncated (log ended "
                           "before its END)")


def main(argv):
    if len(argv) != 3:
        print("usage: vmtest-channel.py LOG OUTDIR", file=sys.stderr)
        return 2
    with open(argv[1], encoding="ascii", errors="replace") as f:
        for event in decode(f, argv[2]):
            print(event, flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (ChannelError, OSError) as e:
        # The events decoded so far are already on stdout.
        print(f"results channel: {e}", file=sys.stderr)
        sys.exit(1)
