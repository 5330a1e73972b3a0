#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The results loader refuses corrupt files, the same way in every
subcommand (issue 16, items 2-4): one line naming the file and the member,
exit 2, never a verdict, never a crash or a hang.

Usage: loader_test.py EXITBENCH PVM_A PVM_B SWITCH
(results/reference/pvm-{a,b}.json.gz and tcg-switchable.json.gz.)
Each case corrupts a real reference file one way, then runs show and the
analysis commands on it.
"""
import copy
import gzip
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

from checks import check, finish

EXITBENCH, REF_A, REF_B, REF_SW = map(os.path.abspath, sys.argv[1:5])
TMP = tempfile.mkdtemp(prefix="eb-loader-")


def run(*args):
    try:
        return subprocess.run([EXITBENCH, *args], capture_output=True,
                              text=True, timeout=60, cwd=TMP)
    except subprocess.TimeoutExpired:
        return None


def refused(what, args, *needles):
    """@args must be refused: exit 2, one line naming the file and field."""
    p = run(*args)
    if p is None:
        check(False, f"{what}: {' '.join(args[:1])} hung (60 s)")
        return
    lines = p.stderr.strip().splitlines()
    ok = (p.returncode == 2 and len(lines) == 1 and
          lines[0].startswith("exitbench: error: ") and
          all(n in lines[0] for n in needles))
    check(ok, f"{what}: {args[0]}: exit {p.returncode}, want 2 and one "
          f"line with {needles}; got {p.stderr.strip()[:300]!r}")


def load(path):
    with gzip.open(path, "rt") as f:
        return json.load(f)


def write(name, doc):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def every_command(what, path, *needles, switch=False):
    refused(what, ["show", path], path, *needles)
    if switch:
        refused(what, ["compare", path], path, *needles)
        return
    refused(what, ["compare", path, REF_B], path, *needles)
    refused(what, ["compare", REF_B, path], path, *needles)
    refused(what, ["gate", "-b", REF_B, "-c", path], path, *needles)
    refused(what, ["plot", "--out", os.path.join(TMP, "plots"), REF_B, path],
            path, *needles)


def first_ok(doc):
    return next(i for i, r in enumerate(doc["results"]) if r["status"] == "ok"
                and "raw" in r)


# ---- item 2: compare FILE (--strategies files) ----
def switch_cases():
    base = load(REF_SW)
    cases = [
        ("non-string strategy", lambda d: d["switch"]["strategies"].__setitem__(1, 5),
         "switch.strategies[1]"),
        ("null strategy", lambda d: d["switch"]["strategies"].__setitem__(0, None),
         "switch.strategies[0]"),
        ("one strategy", lambda d: d["switch"].__setitem__("strategies", ["baseline"]),
         "switch.strategies"),
        ("strategy twice", lambda d: d["switch"]["strategies"].__setitem__(1, "baseline"),
         "switch.strategies"),
    ]
    for v in (100000, 1000000, -1, 0, 1, 3):
        cases.append((f"rounds {v}",
                      lambda d, v=v: d["switch"].__setitem__("rounds", v),
                      "switch.rounds"))
    for v in (1e5, 1e6, 1.5, "2", None, [2]):
        cases.append((f"rounds {v!r}",
                      lambda d, v=v: d["switch"].__setitem__("rounds", v),
                      "switch.rounds"))
    cases += [
        ("rounds missing", lambda d: d["switch"].pop("rounds"), "switch.rounds: missing"),
        ("empty results", lambda d: d.__setitem__("results", []), "results: empty"),
        ("a round missing", lambda d: d.__setitem__(
            "results", [r for r in d["results"] if r["round"] == 0]), "round 1"),
        ("one result missing", lambda d: d["results"].pop(5), "results"),
        ("round out of range", lambda d: d["results"][7].__setitem__("round", 2),
         "results[7].round"),
        ("round a string", lambda d: d["results"][7].__setitem__("round", "0"),
         "results[7].round"),
        ("unknown strategy", lambda d: d["results"][7].__setitem__("strategy", "x"),
         "results[7].strategy"),
        ("median missing", lambda d: d["results"][0]["cycles"].pop("median"),
         "results[0].cycles.median: missing"),
        ("median a string", lambda d: d["results"][0]["cycles"].__setitem__("median", "92"),
         "results[0].cycles.median"),
        ("cycles missing", lambda d: d["results"][0].pop("cycles"),
         "results[0].cycles: missing"),
    ]
    for what, mutate, needle in cases:
        d = copy.deepcopy(base)
        mutate(d)
        every_command(what, write("sw.json", d), needle, switch=True)


# ---- item 3: corrupted numbers ----
def number_cases():
    base = load(REF_A)
    i = first_ok(base)
    cy = f"results[{i}].cycles"

    def scale_raw(d, k):
        d["results"][i]["raw"] = [x * k for x in d["results"][i]["raw"]]

    def set_cy(key, v):
        return lambda d: d["results"][i]["cycles"].__setitem__(key, v)

    cases = [
        ("raw x3", lambda d: scale_raw(d, 3), cy + ".min"),
        ("raw [1.0], n 500", lambda d: (d["results"][i].__setitem__("raw", [1.0]),
                                        d["results"][i]["cycles"].__setitem__("n", 500)),
         f"results[{i}].raw"),
        ("raw [1], n 1", lambda d: (d["results"][i].__setitem__("raw", [1]),
                                    d["results"][i]["cycles"].__setitem__("n", 1)),
         f"results[{i}]"),
        ("raw one sample dropped", lambda d: d["results"][i]["raw"].pop(),
         f"results[{i}].raw"),
        ("negative raw sample",
         lambda d: d["results"][i]["raw"].__setitem__(3, -5), f"results[{i}].raw[3]"),
        ("real raw sample",
         lambda d: d["results"][i]["raw"].__setitem__(3, 48.5), f"results[{i}].raw[3]"),
        ("batch -1", lambda d: d["results"][i].__setitem__("batch", -1),
         f"results[{i}].batch"),
        ("batch 0", lambda d: d["results"][i].__setitem__("batch", 0),
         f"results[{i}].batch"),
        ("batch 2 (raw no longer matches)",
         lambda d: d["results"][i].__setitem__("batch", 2), cy),
        ("negative median", set_cy("median", -48.0), cy + ".median"),
        ("n 1e300", set_cy("n", 1e300), "cycles.n"),
        ("n 2^62", set_cy("n", 2 ** 62), "cycles.n"),
        ("n a string", set_cy("n", "5000"), "cycles.n"),
        ("median 1e300", set_cy("median", 1e300), cy + ".median"),
        ("median above p75", set_cy("median", 1e6), cy),
        ("cycles {}", lambda d: d["results"][i].__setitem__("cycles", {}),
         cy + ".n: missing"),
        ("median_ci reversed", set_cy("median_ci", [50.0, 46.0]), cy + ".median_ci"),
        ("stddev negative", set_cy("stddev", -1.0), cy + ".stddev"),
        ("outliers 1e9", set_cy("outliers_low", 10 ** 9), cy + ".outliers_low"),
        ("status unknown", lambda d: d["results"][i].__setitem__("status", "great"),
         f"results[{i}].status"),
        ("ok without cycles", lambda d: d["results"][i].pop("cycles"),
         f"results[{i}].cycles: missing"),
        ("failed, raw without cycles", lambda d: (
            d["results"][i].update(status="failed", reason="x"),
            d["results"][i].pop("cycles")), f"results[{i}].raw"),
        ("failed without a reason", lambda d: d["results"][i].update(
            status="failed"), f"results[{i}].reason: missing"),
        ("apx unknown", lambda d: d["results"][i].__setitem__("apx", "maybe"),
         f"results[{i}].apx"),
        ("ns inconsistent", lambda d: d["results"][i]["ns"].update(
            {k: v * 2 for k, v in d["results"][i]["ns"].items()
             if k not in ("n", "median_ci", "outliers_low", "outliers_high")}),
         f"results[{i}].ns.median"),
        ("net inconsistent", lambda d: d["results"][i].__setitem__(
            "net_median_cycles", 1234.0), f"results[{i}].net_median_cycles"),
        ("tsc_khz 1e300", lambda d: d["host"].__setitem__("tsc_khz", 1e300),
         "host.tsc_khz"),
        ("family 1e300", lambda d: d["host"]["cpu"].__setitem__("family", 1e300),
         "host.cpu.family"),
        ("flavor unknown", lambda d: d["kvm"].__setitem__("flavor", "xen"),
         "kvm.flavor"),
        ("duplicate row", lambda d: d["results"].append(copy.deepcopy(d["results"][i])),
         "appears twice"),
        ("date garbage", lambda d: d.__setitem__("date", "yesterday"), "date"),
        ("results not a list", lambda d: d.__setitem__("results", {}), "results"),
    ]
    for what, mutate, needle in cases:
        d = copy.deepcopy(base)
        mutate(d)
        every_command(what, write("num.json", d), needle)


# ---- item 4: loose parsing ----
def gzip_bytes(text):
    return gzip.compress(text.encode(), 6)


def parsing_cases():
    doc = load(REF_A)
    text = json.dumps(doc)
    gz = gzip_bytes(text)
    variants = [
        ("gzip without its ISIZE (4 bytes)", gz[:-4], "truncated"),
        ("gzip without its trailer (8 bytes)", gz[:-8], "truncated"),
        ("gzip cut in the middle", gz[:len(gz) // 2], "truncated"),
        ("gzip CRC wrong", gz[:-8] + bytes([gz[-8] ^ 1]) + gz[-7:], "data check"),
        ("gzip ISIZE wrong", gz[:-4] + struct.pack("<I", len(text) + 1), "length check"),
        ("gzip with trailing bytes", gz + b"\0\0", "after the end"),
        ("two gzip members", gz + gz, "after the end"),
        ("plain text cut", text[:len(text) // 3].encode(), "truncated"),
        ("empty file", b"", "truncated"),
        ("deep nesting", b"[" * 100 + b"]" * 100, "nested deeper"),
    ]
    for what, data, needle in variants:
        path = os.path.join(TMP, "p.json.gz")
        with open(path, "wb") as f:
            f.write(data)
        every_command(what, path, needle)
    for schema, needle in (("exitbench-result/+1", "malformed schema"),
                           ("exitbench-result/ 1", "malformed schema"),
                           ("exitbench-result/01", "malformed schema"),
                           ("exitbench-result/1 ", "malformed schema"),
                           ("exitbench-result/1.0", "malformed schema"),
                           ("exitbench-result/", "malformed schema"),
                           ("exitbench-result", "foreign schema"),
                           ("Exitbench-result/1", "foreign schema"),
                           ("exitbench-selftest/1", "self-test report"),
                           ("exitbench-result/2", "upgrade exitbench")):
        d = copy.deepcopy(doc)
        d["schema"] = schema
        every_command(f"schema {schema!r}", write("s.json", d), needle)
    d = copy.deepcopy(doc)
    d["schema"] = 1
    every_command("schema a number", write("s.json", d), "schema")
    refused("a directory", ["show", TMP], TMP)
    # A read error is an error, not the end of the file: reading
    # /proc/self/mem at offset 0 fails with EIO.
    if os.path.exists("/proc/self/mem"):
        refused("read error", ["show", "/proc/self/mem"], "read error")


def bomb_case():
    """37 KB of gzip holding 10 million raw samples, n says 500: refused
    before jansson sees it (the largest child stays small)."""
    doc = load(REF_A)
    i = first_ok(doc)
    doc["results"][i]["raw"] = "@RAW@"
    doc["results"][i]["cycles"]["n"] = 500
    head, tail = json.dumps(doc).split('"@RAW@"')
    path = os.path.join(TMP, "bomb.json.gz")
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    with open(path, "wb") as f:
        f.write(z.compress(head.encode() + b"["))
        chunk = b"48," * 100000
        for _ in range(100):
            f.write(z.compress(chunk))
        f.write(z.compress(b"48]" + tail.encode()))
        f.write(z.flush())
    size = os.path.getsize(path)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([EXITBENCH, "show", path], capture_output=True,
                       text=True, timeout=120)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"bomb: {size} bytes of gzip, 10000001 raw samples; exit "
          f"{p.returncode}: {p.stderr.strip()}; largest child so far "
          f"{rss // 1024} MiB (before: {before // 1024} MiB)")
    check(p.returncode == 2 and f"results[{i}].raw: more than 500" in p.stderr
          and "cycles.n is 500" in p.stderr, f"bomb refused naming raw: {p.stderr!r}")
    # ASan's shadow memory adds some; jansson would need ~400 MB here.
    check(rss < 150 * 1024, f"bomb refused without parsing it: {rss} KiB")
    every_command("bomb", path, "raw")


def main():
    # First, while no other child has run: the bomb's memory.
    bomb_case()
    for ref in (REF_A, REF_B, REF_SW):
        p = run("show", ref)
        check(p is not None and p.returncode == 0,
              f"reference {ref} loads: {p and p.stderr}")
    switch_cases()
    number_cases()
    parsing_cases()
    shutil.rmtree(TMP, ignore_errors=True)
    return finish()


sys.exit(main())
