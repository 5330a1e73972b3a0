#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Seeded fuzzing of the results loader (issue 16), meant for the
sanitizer build (suite `sanitize`): mutations of the committed reference
files and of files mkresults makes, aimed at the loader's rules (numbers,
types, missing members, truncation, gzip trailers, raw scaling, schema
strings, the --strategies grid) plus random byte flips.

Usage: fuzz_loader.py EXITBENCH MKRESULTS SEED COUNT PVM_A PVM_B SWITCH

For every mutant, `show` and a verdict command (gate against the
unmodified file, or `compare FILE` for --strategies files) must not
crash (signal, sanitizer report), hang (30 s) or exit other than 0/1/2.
Whenever this script's own reading of the rules (broken(), a subset of
results/README.md "What the loader guarantees") finds a rule broken,
both must exit 2 with one line: no verdict from a corrupt file.
"""
import concurrent.futures
import copy
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zlib

from checks import check, finish

EXITBENCH, MKRESULTS = map(os.path.abspath, sys.argv[1:3])
SEED, COUNT = int(sys.argv[3]), int(sys.argv[4])
REF_A, REF_B, REF_SW = map(os.path.abspath, sys.argv[5:8])
TMP = tempfile.mkdtemp(prefix="eb-fuzz-")
SANITIZER = ("runtime error", "AddressSanitizer", "LeakSanitizer",
             "UndefinedBehaviorSanitizer")

STAT_ORDER = ("min", "p1", "p5", "p25", "median", "p75", "p95", "p99", "max")
STAT_NUMS = STAT_ORDER + ("mean", "stddev", "mad")


# ---- the oracle: a subset of the loader's rules, written independently ----
class Broken(Exception):
    pass


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def need(cond, why):
    if not cond:
        raise Broken(why)


def slack(a, b):
    return 1e-9 * max(abs(a), abs(b), 1)


def percentile(v, p):
    h = (len(v) - 1) * p / 100
    lo = int(h)
    if lo >= len(v) - 1:
        return v[-1]
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo])


def stats(s, where):
    need(isinstance(s, dict), f"{where} not an object")
    need(is_int(s.get("n")) and 1 <= s["n"] <= 1e9, f"{where}.n")
    for k in STAT_NUMS:
        need(is_num(s.get(k)) and 0 <= s[k] <= 1e15, f"{where}.{k}")
    for a, b in zip(STAT_ORDER, STAT_ORDER[1:]):
        need(s[b] >= s[a] - slack(s[a], s[b]), f"{where}.{b} < {a}")
    need(s["min"] - slack(s["min"], s["mean"]) <= s["mean"] <=
         s["max"] + slack(s["max"], s["mean"]), f"{where}.mean")
    ci = s.get("median_ci")
    need(isinstance(ci, list) and len(ci) == 2 and all(map(is_num, ci)) and
         ci[0] <= ci[1], f"{where}.median_ci")
    for k in ("outliers_low", "outliers_high"):
        need(is_int(s.get(k)) and 0 <= s[k] <= s["n"], f"{where}.{k}")


def result(r, i):
    w = f"results[{i}]"
    need(isinstance(r, dict), w)
    need(isinstance(r.get("test"), str) and r["test"], f"{w}.test")
    need(r.get("apx") in ("off", "on"), f"{w}.apx")
    need(r.get("xcr0") in ("host", "reduced"), f"{w}.xcr0")
    need(r.get("status") in ("ok", "skipped", "failed", "timeout"),
         f"{w}.status")
    batch = r.get("batch", 1)
    need(is_int(batch) and 1 <= batch <= 10 ** 6, f"{w}.batch")
    if r["status"] != "ok":
        need(isinstance(r.get("reason"), str), f"{w}.reason")
        if "cycles" not in r:
            need("raw" not in r, f"{w}.raw without cycles")
            return
    stats(r.get("cycles"), f"{w}.cycles")
    if "ns" in r and r["ns"] is not None:
        stats(r["ns"], f"{w}.ns")
    if "raw" in r:
        raw, c = r["raw"], r["cycles"]
        need(isinstance(raw, list) and len(raw) == c["n"], f"{w}.raw length")
        need(all(is_int(x) and 0 <= x <= 1e15 for x in raw), f"{w}.raw[]")
        v = sorted(x / batch for x in raw)
        tick = 1 / batch
        for k, p in zip(STAT_ORDER, (0, 1, 5, 25, 50, 75, 95, 99, 100)):
            want = percentile(v, p)
            need(abs(c[k] - want) <= tick + slack(c[k], want),
                 f"{w}.cycles.{k} vs raw")


def switch(doc):
    sw = doc["switch"]
    need(isinstance(sw, dict), "switch")
    names = sw.get("strategies")
    need(isinstance(names, list) and 2 <= len(names) <= 64 and
         all(isinstance(s, str) and s for s in names) and
         len(set(names)) == len(names), "switch.strategies")
    rounds = sw.get("rounds")
    need(is_int(rounds) and 2 <= rounds <= 10000 and rounds % 2 == 0,
         "switch.rounds")
    seen = {}
    for i, r in enumerate(doc["results"]):
        need(r.get("strategy") in names, f"results[{i}].strategy")
        need(is_int(r.get("round")) and 0 <= r["round"] < rounds,
             f"results[{i}].round")
        key = (r["test"], r["apx"], r["xcr0"])
        cell = (r["strategy"], r["round"])
        need(cell not in seen.setdefault(key, set()), f"results[{i}] twice")
        seen[key].add(cell)
    for key, cells in seen.items():
        need(len(cells) == len(names) * rounds, f"{key}: grid incomplete")


def no_dups(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise Broken("duplicate key")
    return dict(pairs)


def bad_constant(name):
    raise Broken(f"JSON constant {name}")


def broken(data):
    """Why the file breaks a rule, or None if this oracle sees none."""
    try:
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError, ValueError, zlib.error) as e:
                raise Broken(f"gzip: {e}")
        try:
            doc = json.loads(data, object_pairs_hook=no_dups,
                             parse_constant=bad_constant)
        except (ValueError, RecursionError) as e:
            raise Broken(f"JSON: {e}")
        need(isinstance(doc, dict), "top level")
        need(doc.get("schema") == "exitbench-result/1", "schema")
        res = doc.get("results")
        need(isinstance(res, list) and res, "results")
        for i, r in enumerate(res):
            result(r, i)
        if "switch" in doc:
            switch(doc)
        return None
    except Broken as e:
        return str(e)


# ---- mutations ----
def leaves(doc):
    """Paths of the members the rules cover (not raw elements)."""
    out = []

    def walk(v, path, depth):
        if depth > 4:
            return
        if isinstance(v, dict):
            for k, x in v.items():
                if k != "raw":
                    out.append(path + [k])
                    walk(x, path + [k], depth + 1)
        elif isinstance(v, list) and len(v) <= 64:
            for i, x in enumerate(v):
                out.append(path + [i])
                walk(x, path + [i], depth + 1)

    for k in ("schema", "host", "kvm", "config", "switch", "date", "status"):
        if k in doc:
            out.append([k])
            walk(doc[k], [k], 1)
    for i, r in enumerate(doc["results"]):
        out.append(["results", i])
        walk(r, ["results", i], 2)
    return out


def get(doc, path):
    for p in path[:-1]:
        doc = doc[p]
    return doc


BAD_VALUES = [-1, -1e300, 1e300, 2 ** 63 - 1, 1.5, 0, "12", None, True, [],
              {}, "", 10 ** 9 + 1, -0.0001]


def m_value(rng, doc):
    path = rng.choice(leaves(doc))
    get(doc, path)[path[-1]] = copy.deepcopy(rng.choice(BAD_VALUES))
    return f"set {path} "


def m_stat(rng, doc):
    ok = [r for r in doc["results"] if r.get("status") == "ok"]
    r = rng.choice(ok)
    k = rng.choice(STAT_NUMS + ("n", "median_ci", "outliers_low"))
    r["cycles"][k] = copy.deepcopy(rng.choice(BAD_VALUES + [
        r["cycles"]["max"] * 3, r["cycles"]["min"] / 3]))
    return f"cycles.{k}"


def m_delete(rng, doc):
    path = rng.choice(leaves(doc))
    parent = get(doc, path)
    if isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent.pop(path[-1])
    return f"delete {path}"


def m_raw(rng, doc):
    ok = [r for r in doc["results"] if "raw" in r]
    if not ok:
        return m_stat(rng, doc)
    r = rng.choice(ok)
    op = rng.randrange(6)
    if op == 0:
        k = rng.choice((2, 3, 10))
        r["raw"] = [x * k for x in r["raw"]]
    elif op == 1:
        r["raw"].pop(rng.randrange(len(r["raw"])))
    elif op == 2:
        r["raw"].append(r["raw"][0])
    elif op == 3:
        r["raw"][rng.randrange(len(r["raw"]))] = rng.choice(
            [-1, 1.5, "9", None, 10 ** 16])
    elif op == 4:
        r["raw"] = r["raw"] * 2000
    else:
        r["batch"] = rng.choice([-1, 0, 2, 1.0, "1"])
    return f"raw op {op}"


def m_schema(rng, doc):
    doc["schema"] = rng.choice([
        "exitbench-result/+1", "exitbench-result/ 1", "exitbench-result/01",
        "exitbench-result/1 ", " exitbench-result/1", "exitbench-result/1x",
        "exitbench-result/-1", "exitbench-result/", "exitbench-result/2",
        "exitbench-result/99999999999999999999", "exitbench-selftest/1",
        "EXITBENCH-RESULT/1", 1, None])
    return "schema"


def m_switch(rng, doc):
    if "switch" not in doc:
        return m_value(rng, doc)
    sw = doc["switch"]
    op = rng.randrange(5)
    if op == 0:
        sw["rounds"] = rng.choice([-1, 0, 1, 3, 1e5, 100000, 10 ** 6, "2",
                                   None, 10002])
    elif op == 1:
        sw["strategies"][rng.randrange(len(sw["strategies"]))] = \
            rng.choice([5, None, "", sw["strategies"][0], []])
    elif op == 2:
        doc["results"].pop(rng.randrange(len(doc["results"])))
    elif op == 3:
        r = rng.choice(doc["results"])
        r["round"] = rng.choice([sw["rounds"], -1, "0", None, 1.0])
    else:
        rng.choice(doc["results"])["strategy"] = rng.choice(["x", 1, None])
    return f"switch op {op}"


DOC_MUTATORS = [m_value, m_stat, m_delete, m_raw, m_raw, m_schema, m_switch]


def encode(rng, doc):
    text = json.dumps(doc).encode()
    return gzip.compress(text, 1) if rng.random() < 0.5 else text


def b_truncate(rng, data):
    return data[:rng.randrange(len(data))]


def b_trailer(rng, data):
    if data[:2] != b"\x1f\x8b":
        data = gzip.compress(data, 1)
    op = rng.randrange(4)
    if op == 0:
        return data[:-rng.randint(1, 8)]
    if op == 1:
        i = len(data) - rng.randint(1, 8)
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + \
            data[i + 1:]
    if op == 2:
        return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 9)))
    return data + data


def b_flip(rng, data):
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


BYTE_MUTATORS = [b_truncate, b_trailer, b_flip, b_flip]


# ---- running ----
def run(args):
    try:
        p = subprocess.run([EXITBENCH, *args], capture_output=True,
                           text=True, errors="replace", timeout=30, cwd=TMP)
        return p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        return "hang", ""


def one(job):
    n, base, pair, data, what = job
    path = os.path.join(TMP, f"m{n}.json")
    with open(path, "wb") as f:
        f.write(data)
    why = broken(data)
    cmds = [["show", path]]
    cmds.append(["compare", path] if base == "switch" else
                ["gate", "-b", pair, "-c", path])
    problems = []
    for args in cmds:
        rc, err = run(args)
        if rc == "hang" or rc not in (0, 1, 2) or \
                any(s in err for s in SANITIZER):
            problems.append(f"{args[0]}: {rc} {err.strip()[-400:]!r}")
        elif why and (rc != 2 or len(err.strip().splitlines()) != 1):
            problems.append(f"{args[0]}: exit {rc} on a file that breaks "
                            f"'{why}': {err.strip()[:200]!r}")
    if not problems:
        os.remove(path)
    return n, f"{base} {what}", why, problems


def main():
    rng = random.Random(SEED)
    # Small generated files: fast, and every shape mkresults knows.
    for name, args in (("mk-a.json", ["--seed", "1", "--samples", "200"]),
                       ("mk-b.json", ["--seed", "2", "--samples", "200",
                                      "--skip", "hlt"]),
                       ("mk-nr.json", ["--seed", "3", "--no-raw",
                                       "--fail", "cpuid"])):
        subprocess.run([MKRESULTS, os.path.join(TMP, name), *args],
                       check=True)
    bases = {}
    for key, path, pair in (("pvm-a", REF_A, REF_B), ("pvm-b", REF_B, REF_A),
                            ("switch", REF_SW, None),
                            ("mk-a", os.path.join(TMP, "mk-a.json"),
                             os.path.join(TMP, "mk-b.json")),
                            ("mk-b", os.path.join(TMP, "mk-b.json"),
                             os.path.join(TMP, "mk-a.json")),
                            ("mk-nr", os.path.join(TMP, "mk-nr.json"),
                             os.path.join(TMP, "mk-a.json"))):
        with open(path, "rb") as f:
            raw = f.read()
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        bases[key] = (json.loads(text), raw, pair)
        check(broken(raw) is None, f"oracle accepts the unmodified {key}: "
              f"{broken(raw)}")
    # Mostly the small files; the big references a third of the time.
    weights = {"pvm-a": 1, "pvm-b": 1, "switch": 2, "mk-a": 3, "mk-b": 2,
               "mk-nr": 1}
    names = [k for k, w in weights.items() for _ in range(w)]
    jobs = []
    for n in range(COUNT):
        base = rng.choice(names)
        doc, raw, pair = bases[base]
        if rng.random() < 0.65:
            d = copy.deepcopy(doc)
            what = rng.choice(DOC_MUTATORS)(rng, d)
            data = encode(rng, d)
        else:
            f = rng.choice(BYTE_MUTATORS)
            data, what = f(rng, raw), f.__name__
        jobs.append((n, base, pair, data, what))
    corrupt = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for n, what, why, problems in ex.map(one, jobs):
            corrupt += why is not None
            for p in problems:
                check(False, f"mutant {n} ({what}): {p}")
    print(f"{COUNT} mutants (seed {SEED}), {corrupt} breaking a rule the "
          f"oracle knows: each refused with exit 2 by show and "
          f"gate/compare; none crashed, hung or tripped a sanitizer")
    check(corrupt >= COUNT // 2, f"most mutants break a rule ({corrupt})")
    shutil.rmtree(TMP, ignore_errors=True)
    return finish()


sys.exit(main())
