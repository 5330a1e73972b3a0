#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn an x86 bzImage into the ELF vmlinux it carries, for a PVH boot.

Why: under QEMU TCG every instruction of the bzImage's own decompressor is
emulated, which roughly doubles the boot time (measured here: ~7 s with
-kernel bzImage vs ~3.5 s with the ELF).  QEMU boots an ELF vmlinux directly
through its PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY, CONFIG_PVH=y), so we
decompress the payload once on the host and cache the result.

The payload is located with the boot protocol header (Documentation/arch/
x86/boot.rst: setup_sects at 0x1f1, version at 0x206, payload_offset and
payload_length at 0x248/0x24c, protocol >= 2.08), not by scanning for magic.

usage: vmtest-vmlinux.py BZIMAGE OUT      write OUT (atomically), exit 0
       vmtest-vmlinux.py --check ELF      exit 0 iff ELF has a PVH entry note
Exit 3 means "valid kernel, but no PVH entry": boot the bzImage instead.
"""
import bz2
import gzip
import io
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile

XEN_ELFNOTE_PHYS32_ENTRY = 18
NO_PVH = 3


class Error(Exception):
    pass


def payload(image):
    """Return the compressed payload of a bzImage and its format name."""
    if len(image) < 0x250 or image[0x202:0x206] != b"HdrS":
        raise Error("not an x86 bzImage (no 'HdrS' boot header)")
    version = struct.unpack_from("<H", image, 0x206)[0]
    if version < 0x208:
        raise Error(f"boot protocol {version >> 8}.{version & 0xff} "
                    "too old (no payload_offset)")
    setup_sects = image[0x1f1] or 4
    offset, length = struct.unpack_from("<II", image, 0x248)
    start = (setup_sects + 1) * 512 + offset
    data = image[start:start + length]
    if len(data) != length:
        raise Error("payload runs past the end of the file (truncated?)")
    magics = [
        (b"\xfd7zXZ\x00", "xz"), (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"),
        (b"\x5d\x00\x00", "lzma"), (b"\x28\xb5\x2f\xfd", "zstd"),
        (b"\x02\x21\x4c\x18", "lz4"), (b"\x89LZO", "lzo"),
    ]
    for magic, name in magics:
        if data.startswith(magic):
            return data, name
    if data.startswith(b"\x7fELF"):
        return data, "none"
    raise Error("unknown payload compression (magic "
                f"{data[:4].hex()})")


def decompress(data, fmt):
    # The payload is followed by the decompressed size (4 bytes), so use
    # stream decoders that stop at the end of the first stream.
    if fmt == "none":
        return data
    if fmt == "xz":
        return lzma.LZMADecompressor(lzma.FORMAT_XZ).decompress(data)
    if fmt == "lzma":
        return lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(data)
    if fmt == "gzip":
        return gzip.GzipFile(fileobj=io.BytesIO(data)).read()
    if fmt == "bzip2":
        return bz2.BZ2Decompressor().decompress(data)
    tool = {"zstd": ["zstd", "-dc"], "lz4": ["lz4", "-dc"],
            "lzo": ["lzop", "-dc"]}[fmt]
    if shutil.which(tool[0]) is None:
        raise Error(f"payload is {fmt}-compressed and '{tool[0]}' "
                    "is not installed")
    p = subprocess.run(tool, input=data, capture_output=True, check=False)
    # Trailing size bytes make some tools complain after a good stream.
    if not p.stdout.startswith(b"\x7fELF"):
        raise Error(f"{tool[0]} failed: {p.stderr.decode().strip()}")
    return p.stdout


def has_pvh_note(elf):
    """True iff the ELF64 image has a Xen PHYS32_ENTRY note (PVH entry)."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise Error("decompressed payload is not an ELF64 image")
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        ptype, = struct.unpack_from("<I", elf, phoff + i * phentsize)
        if ptype != 4:  # PT_NOTE
            continue
        off, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 8)
        size, = struct.unpack_from("<Q", elf, phoff + i * phentsize + 32)
        pos, end = off, off + size
        while pos + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", elf, pos)
            name = elf[pos + 12:pos + 12 + namesz].rstrip(b"\0")
            if name == b"Xen" and ntype == XEN_ELFNOTE_PHYS32_ENTRY:
                return True
            pos += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    return False


def main(argv):
    if len(argv) == 3 and argv[1] == "--check":
        with open(argv[2], "rb") as f:
            return 0 if has_pvh_note(f.read()) else NO_PVH
    if len(argv) != 3 or argv[1].startswith("-"):
        print(__doc__.split("\n\n")[-2], file=sys.stderr)
        return 2
    src, out = argv[1], argv[2]
    with open(src, "rb") as f:
        image = f.read()
    elf = decompress(*payload(image))
    if not has_pvh_note(elf):
        return NO_PVH
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(out)),
                               prefix=".vmlinux.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(elf)
        os.rename(tmp, out)
    except BaseException:
        os.unlink(tmp)
        raise
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (Error, OSError, lzma.LZMAError, EOFError) as e:
        print(f"vmtest-vmlinux: {sys.argv[-2] if len(sys.argv) > 2 else ''}: "
              f"{e}", file=sys.stderr)
        sys.exit(1)
