#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""End-to-end tests of `exitbench compare` and `exitbench gate` on seeded
synthetic results files with known shifts (made by mkresults).

Usage: cli_test.py EXITBENCH MKRESULTS GOLDEN_DIR [--update]
Checks golden text/TAP output, the 72-column limit, verdicts against the
injected shifts, CSV/JSON/JUnit well-formedness, gate exit codes 0/1/2,
and one-line errors for truncated, foreign, newer and other-host files.
"""
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from checks import check, finish

# Absolute: the commands run inside a temporary directory.
EXITBENCH, MKRESULTS, GOLDEN = map(os.path.abspath, sys.argv[1:4])
UPDATE = "--update" in sys.argv[4:]


def run(*args, cwd):
    return subprocess.run([EXITBENCH, *args], cwd=cwd, text=True,
                          capture_output=True)


def golden(name, text):
    path = os.path.join(GOLDEN, name)
    if UPDATE:
        with open(path, "w") as f:
            f.write(text)
        return
    with open(path) as f:
        want = f.read()
    if text != want:
        print(f"--- golden {name}\n{want}--- got\n{text}---")
    check(text == want, f"output matches golden/{name}")


def one_line_error(p, what, code):
    check(p.returncode == code, f"{what}: exit {p.returncode}, want {code}")
    lines = p.stderr.strip().splitlines()
    check(len(lines) == 1 and "error:" in lines[0],
          f"{what}: one-line error, got {p.stderr!r}")
    check(p.stdout == "", f"{what}: nothing on stdout")
    return lines[0] if lines else ""


def make(d):
    # Four runs per file (run --repeat 4), each with its own offset: the
    # verdicts come from the spread between runs.
    mk = lambda name, *a: subprocess.run([MKRESULTS, name, "--runs", "4", *a],
                                         cwd=d, check=True)
    # hlt is "emulated" (as on PVM) in both, mmio-kernel only in emu.json.
    mk("base.json", "--seed", "1", "--emulated", "hlt")
    mk("cand.json", "--seed", "2", "--strategy", "cond-swap",
       "--shift", "cpuid=30", "--shift", "hlt=-700", "--emulated", "hlt")
    mk("emu.json", "--seed", "9", "--strategy", "cond-swap",
       "--emulated", "mmio-kernel", "--shift", "mmio-kernel=900")
    mk("c2.json", "--seed", "3", "--strategy", "xcr0-first",
       "--shift", "cpuid=60", "--skip", "hlt")
    mk("nr.json", "--seed", "4", "--strategy", "dual-exit", "--no-raw")
    mk("aa.json", "--seed", "5", "--strategy", "early-xcr0")
    mk("broken.json", "--seed", "6", "--strategy", "early-xcr0",
       "--fail", "mmio-kernel")
    mk("other.json", "--seed", "7", "--host", "elsewhere",
       "--tsc-khz", "2900000")
    mk("newer.json", "--seed", "8", "--schema", "exitbench-result/2")
    with open(os.path.join(d, "base.json"), "rb") as f:
        data = f.read()
    with open(os.path.join(d, "trunc.json"), "wb") as f:
        f.write(data[:len(data) // 2])
    with gzip.open(os.path.join(d, "base.json.gz"), "wb") as f:
        f.write(data)
    with open(os.path.join(d, "foreign.json"), "w") as f:
        json.dump({"schema": "fio-result/3", "jobs": []}, f)


def test_compare(d):
    p = run("compare", "base.json", "cand.json", cwd=d)
    check(p.returncode == 0, f"compare exit {p.returncode}: {p.stderr}")
    golden("compare-text.txt", p.stdout)
    long = [l for l in p.stdout.splitlines() if len(l) > 72]
    check(not long, f"text lines <= 72 columns: {long}")
    rows = {tuple(l.split()[:2]): l for l in p.stdout.splitlines()
            if l.startswith(("cpuid", "pio-user", "mmio-kernel", "hlt"))}
    # The injected effects, read back from the table.
    check(rows[("cpuid", "off")].endswith("slower"), "cpuid +30 is slower")
    check(rows[("cpuid", "on,r")].endswith("slower"), "cpuid/r +30 slower")
    check(rows[("hlt", "(e)")].endswith("faster"), "hlt -700 is faster")
    check(rows[("pio-user", "off")].endswith("same"), "pio-user same")
    check(rows[("hlt", "(e)")].split()[2] == "off",
          "emulated rows are marked (e)")
    check("(e): guest code software-emulated" in p.stdout,
          "the (e) mark is explained")

    # Emulated in one file only: no comparison, whatever the numbers.
    pe = run("compare", "base.json", "emu.json", cwd=d)
    line = [l for l in pe.stdout.splitlines() if l.startswith("mmio-kernel")]
    check(line and "not comparable: emulated in new only" in line[0],
          f"emulated vs native refused per row: {line}")
    pe = run("gate", "-b", "base.json", "-c", "emu.json", "--tap", cwd=d)
    check(pe.returncode == 0 and "# SKIP" in pe.stdout and
          "emulated in one file only" in pe.stdout,
          f"gate skips (not fails) an emulated-vs-native row: {pe.stdout}")

    pz = run("compare", "base.json.gz", "cand.json", cwd=d)
    check(pz.stdout.replace("base.json.gz", "base.json") == p.stdout,
          "gzip-compressed results give the same table")

    p = run("compare", "base.json", "cand.json", "c2.json", "nr.json",
            "aa.json", "broken.json", cwd=d)
    check(p.returncode == 0, f"multi compare exit {p.returncode}")
    golden("compare-multi.txt", p.stdout)
    long = [l for l in p.stdout.splitlines() if len(l) > 72]
    check(not long, f"multi-candidate text <= 72 columns: {long}")
    check(not [l for l in p.stdout.splitlines() if l != l.rstrip()],
          "no trailing blanks (mail clients and checkpatch dislike them)")

    p = run("compare", "--format", "csv", "base.json", "cand.json", "c2.json",
            cwd=d)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    check(len(rows) == 12, f"csv: 6 tests x 2 candidates rows, got {len(rows)}")
    byk = {(r["test"], r["apx"], r["xcr0"], r["candidate"]): r for r in rows}
    r = byk[("cpuid", "off", "host", "xcr0-first")]
    check(r["verdict"] == "slower" and abs(float(r["shift"]) - 60) <= 12,
          f"csv: xcr0-first cpuid shift ~60 slower, got {r}")
    check(float(r["shift_lo"]) <= 60 <= float(r["shift_hi"]),
          "csv: the CI covers the injected 60-cycle shift")
    check(float(r["shift_lo"]) <= float(r["shift"]) <= float(r["shift_hi"]),
          "csv: the delta lies inside its own CI")
    check(byk[("hlt", "off", "host", "xcr0-first")]["state"] == "no-candidate",
          "csv: skipped candidate row says so")

    p = run("compare", "-f", "json", "base.json", "nr.json", cwd=d)
    doc = json.loads(p.stdout)
    check(doc["schema"] == "exitbench-compare/1", "json schema")
    cell = doc["rows"][0]["cells"][0]
    check(cell["runs_base"] == 4 and cell["runs_cand"] == 4 and
          isinstance(cell["p"], float) and cell["tick"] is not None,
          f"json: without raw samples the runs still decide: {cell}")

    p = run("compare", "-f", "markdown", "base.json", "cand.json", cwd=d)
    golden("compare-text.md", p.stdout)
    table = [l for l in p.stdout.splitlines() if l.startswith("|")]
    check(len(table) == 2 + 6, "markdown: header, rule and 6 rows")
    check(all(l.count("|") == table[0].count("|") for l in table),
          "markdown: every row has the header's column count")

    out = os.path.join(d, "out", "cmp.txt")
    os.mkdir(os.path.dirname(out))
    p = run("compare", "-o", out, "base.json", "cand.json", cwd=d)
    check(p.returncode == 0 and p.stdout == "", "compare -o writes no stdout")
    check(os.listdir(os.path.dirname(out)) == ["cmp.txt"],
          "compare -o leaves only the final file")


def test_runs(d):
    mk = lambda name, *a: subprocess.run([MKRESULTS, name, *a], cwd=d,
                                         check=True)
    # Run-to-run drift of -20..+25 cycles on cpuid; the candidate is +10
    # (1%) on average: within the drift, so `same` over runs, although a
    # single pair of runs calls it a difference.
    for i, s in enumerate((0, 25, -20)):
        mk(f"rb{i}.json", "--seed", str(40 + i), "--shift", f"cpuid={s}")
    for i, s in enumerate((10, 30, -5)):
        mk(f"rc{i}.json", "--seed", str(50 + i), "--strategy", "cond-swap",
           "--shift", f"cpuid={s}")
    for i, s in enumerate((60, 80, 70)):
        mk(f"rs{i}.json", "--seed", str(60 + i), "--strategy", "xcr0-first",
           "--shift", f"cpuid={s}")
    base = ["rb0.json", "rb1.json", "rb2.json"]
    drift = ["rc0.json", "rc1.json", "rc2.json"]
    slow = ["rs0.json", "rs1.json", "rs2.json"]

    p = run("compare", "--runs", *base, *drift, cwd=d)
    check(p.returncode == 0, f"compare --runs: {p.stderr}")
    golden("compare-runs.txt", p.stdout)
    golden("compare-runs.md", run("compare", "--runs", "-f", "markdown", *base,
                                  *drift, *slow, cwd=d).stdout)
    golden("gate-runs.junit.xml", run(
        "gate", *sum((["-b", f] for f in base), []),
        *sum((["-c", f] for f in slow), []), "--junit", "-", cwd=d).stdout)
    cpuid = [l for l in p.stdout.splitlines() if l.startswith("cpuid ")]
    check(len(cpuid) == 3 and all(l.endswith("same") for l in cpuid),
          f"drift within runs is not a difference: {cpuid}")
    check("Welch t on run medians" in p.stdout, "runs: the method is named")
    check(all(len(l) <= 72 for l in p.stdout.splitlines()), "runs: 72 cols")
    single = run("compare", "-t", "0", "rb1.json", "rc2.json", cwd=d)
    verdicts = [l.split()[-1] for l in single.stdout.splitlines()
                 if l.startswith(("cpuid", "pio-user", "mmio-kernel", "hlt"))]
    check(verdicts and set(verdicts) == {"unresolved"} and
          "unresolved (1 run per side: between-run spread unknown)" in
          single.stdout, f"one run per side claims nothing: {single.stdout}")
    p = run("gate", "-b", "rb1.json", "-c", "rc2.json", "-t", "0", cwd=d)
    check(p.returncode == 2 and "unresolved (1 run per side: between-run "
          "spread unknown)" in p.stderr, f"gate on one run per side: exit 2 "
          f"with the reason, got {p.returncode} {p.stderr!r}")
    # A/A over repeated runs with one strategy: sides joined by commas.
    p = run("compare", ",".join(base), ",".join(drift[:2]), cwd=d)
    check(p.returncode == 0 and "3 " in p.stdout and "unresolved" not in
          p.stdout.split("compared:")[1].split("\n")[0].replace("0 unresolved", ""),
          f"sides as groups of files: {p.stdout}")

    p = run("compare", "--runs", "-f", "csv", *base, *drift, *slow, cwd=d)
    rows = {(r["test"], r["apx"], r["xcr0"], r["candidate"]): r
            for r in csv.DictReader(io.StringIO(p.stdout))}
    r = rows[("cpuid", "off", "host", "xcr0-first")]
    check(r["verdict"] == "slower" and r["runs_base"] == "3" and
          r["runs_cand"] == "3", f"runs: +70 over drift is slower: {r}")

    p = run("compare", "--runs", "-f", "json", *base, *drift, cwd=d)
    doc = json.loads(p.stdout)
    check([f["label"] for f in doc["runs"]] == ["baseline"] * 3 +
          ["cond-swap"] * 3, "json over runs lists every run and its group")

    p = run("gate", *sum((["-b", f] for f in base), []),
            *sum((["-c", f] for f in drift), []), cwd=d)
    check(p.returncode == 0, f"gate over runs, drift only: {p.stdout}")
    p = run("gate", *sum((["-b", f] for f in base), []),
            *sum((["-c", f] for f in slow), []), "-t", "2%", cwd=d)
    check(p.returncode == 1 and "Welch" in p.stdout,
          f"gate over runs, +6.5%: {p.stdout}")
    p = run("gate", "-b", "rb0.json", "-b", "rb1.json", "-c", "rc0.json",
            cwd=d)
    check(p.returncode == 2 and "need 2 per side" in p.stderr,
          f"gate: 2 vs 1 runs is unresolved: {p.stderr!r}")
    one_line_error(run("compare", "--runs", *base, cwd=d),
                   "--runs with one strategy", 2)
    p = run("compare", "--runs", *base, "rc0.json", cwd=d)
    check(p.returncode == 0 and "U" in p.stdout.split("\n\n")[1] or
          "unresolved" in p.stdout, "--runs with a single-run side: unresolved")


def test_by(d):
    """compare --by: one mode against another, the same test."""
    p = run("compare", "--by", "xcr0", "base.json", cwd=d)
    check(p.returncode == 0, f"--by xcr0: exit {p.returncode} {p.stderr}")
    golden("compare-by-xcr0.txt", p.stdout)
    check(all(len(l) <= 72 for l in p.stdout.splitlines()), "--by: 72 cols")
    j = run("compare", "--by", "xcr0", "-f", "json", "base.json", "aa.json",
            cwd=d)
    j = run("compare", "--by", "xcr0", "-f", "json", "base.json", cwd=d)
    doc = json.loads(j.stdout)
    cells = [(r["test"], r["apx"], c) for r in doc["rows"] for c in r["cells"]
             if c["state"] == "compared"]
    check(len(cells) == 1 and cells[0][:2] == ("cpuid", "on"),
          f"--by xcr0 pairs cpuid apx=on host with reduced: {cells}")
    c = cells[0][2]
    # mkresults: cpuid on/host 1010, on/reduced 1100 cycles.
    check(c["verdict"] == "slower" and c["shift_ci"][0] <= 90 <= c["shift_ci"][1]
          + 15, f"host -> reduced: +90 cycles, got {c}")
    p = run("compare", "--by", "apx", "-f", "csv", "base.json", cwd=d)
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    comp = [r for r in rows if r["state"] == "compared"]
    check(p.returncode == 0 and len(comp) == 1 and comp[0]["test"] == "cpuid"
          and comp[0]["base"] == "apx=off" and comp[0]["candidate"] == "apx=on",
          f"--by apx: cpuid off vs on: {comp}")
    subprocess.run([MKRESULTS, "nored.json", "--runs", "4", "--seed", "11",
                    "--skip", "cpuid"], cwd=d, check=True)
    line = one_line_error(run("compare", "--by", "xcr0", "nored.json", cwd=d),
                          "--by xcr0 without reduced rows", 2)
    check("0 compared" in line, f"names why: {line}")
    line = one_line_error(run("compare", "base.json", "base.json",
                              "--by", "xcr0", "--runs", cwd=d),
                          "--by with --runs", 2)
    one_line_error(run("compare", "--by", "cpl", "base.json", cwd=d),
                   "--by cpl", 2)
    line = one_line_error(run("compare", "--by", "xcr0", "base.json",
                              "cand.json", cwd=d), "--by across kernels", 2)
    check("one kernel" in line, line)


def test_errors(d):
    line = one_line_error(run("compare", "base.json", "trunc.json", cwd=d),
                          "truncated file", 2)
    check("trunc.json" in line and "truncated" in line, f"names it: {line}")
    line = one_line_error(run("compare", "base.json", "foreign.json", cwd=d),
                          "foreign file", 2)
    check("foreign schema" in line, line)
    line = one_line_error(run("compare", "base.json", "newer.json", cwd=d),
                          "newer schema", 2)
    check("newer" in line, line)
    line = one_line_error(run("compare", "base.json", "other.json", cwd=d),
                          "other host", 2)
    check("elsewhere" in line and "TSC" in line and "--force" in line, line)
    p = run("compare", "--force", "base.json", "other.json", cwd=d)
    check(p.returncode == 0 and "warning" in p.stderr, "--force compares")
    # Usage errors exit 2, like every exitbench subcommand.
    one_line_error(run("compare", "base.json", cwd=d), "one file only", 2)
    one_line_error(run("compare", "-t", "abc", "base.json", "cand.json",
                       cwd=d), "bad threshold", 2)
    one_line_error(run("compare", "-f", "xml", "base.json", "cand.json",
                       cwd=d), "bad format", 2)
    ro = os.path.join(d, "nonexistent-dir", "x.txt")
    one_line_error(run("compare", "-o", ro, "base.json", "cand.json", cwd=d),
                   "unwritable output", 2)


def test_gate(d):
    p = run("gate", "--baseline", "base.json", "--candidate", "cand.json",
            "--junit", "junit.xml", cwd=d)
    check(p.returncode == 1, f"gate on +3% cpuid: exit 1, got {p.returncode}")
    regs = [l for l in p.stdout.splitlines() if l.startswith("REGRESSION")]
    check(len(regs) == 3 and all("cpuid" in l for l in regs),
          f"gate lists the 3 cpuid regressions: {regs}")
    suite = ET.parse(os.path.join(d, "junit.xml")).getroot().find("testsuite")
    check(suite.get("tests") == "6" and suite.get("failures") == "3",
          "junit: 6 tests, 3 failures")
    failed = [tc.get("name") for tc in suite.iter("testcase")
              if tc.find("failure") is not None]
    check(all(n.startswith("cpuid") for n in failed), f"junit: {failed}")

    p = run("gate", "-b", "base.json", "-c", "cand.json", "--junit", "-",
            cwd=d)
    check(p.returncode == 1 and p.stdout.startswith("<?xml") and
          "REGRESSION" in p.stderr and not os.path.exists(os.path.join(d, "-")),
          "--junit -: the XML on stdout, the summary on stderr, no file '-'")
    golden("gate-cand.junit.xml", p.stdout)
    p = run("gate", "-b", "base.json", "-c", "cand.json", "--tap", cwd=d)
    golden("gate-cand.tap", p.stdout)
    check(p.stdout.count("\nnot ok ") == 3, "tap: 3 not ok")

    # Selecting what is gated (CI: leave out what a runner cannot time).
    p = run("gate", "-b", "base.json", "-c", "cand.json", "--tap",
            "--exclude", "cpuid", cwd=d)
    check(p.returncode == 0 and "1..3" in p.stdout and "cpuid" not in p.stdout,
          f"--exclude cpuid: the other 3 rows pass: {p.stdout}")
    p = run("gate", "-b", "base.json", "-c", "cand.json", "--tap",
            "--tests", "cpuid,hlt", "--skip-emulated", cwd=d)
    check(p.returncode == 1 and "1..3" in p.stdout and "hlt" not in p.stdout,
          f"--tests cpuid,hlt --skip-emulated: the 3 cpuid rows: {p.stdout}")
    p = run("gate", "-b", "base.json", "-c", "cand.json", "--skip-emulated",
            cwd=d)
    check("1 of 6 rows left out" in p.stdout, f"the summary says what was "
          f"left out: {p.stdout}")
    line = one_line_error(run("gate", "-b", "base.json", "-c", "cand.json",
                              "--tests", "cpuid,nosuch", cwd=d),
                          "gate --tests with an unknown test", 2)
    check("'nosuch'" in line, f"names the unknown test: {line}")
    one_line_error(run("gate", "-b", "base.json", "-c", "cand.json",
                       "--exclude", "cpuid,", cwd=d), "gate --exclude 'a,'", 2)
    line = one_line_error(run("gate", "-b", "base.json", "-c", "cand.json",
                              "--tests", "hlt", "--skip-emulated", cwd=d),
                          "gate: everything left out", 2)
    check("left out" in line, f"says why nothing is compared: {line}")
    # One default threshold for compare and gate, in both --help texts.
    for cmd in ("compare", "gate"):
        h = run(cmd, "--help", cwd=d).stdout
        check("default 1%" in h and "Exit status" in h or "Exit 0" in h,
              f"{cmd} --help: default 1% and the exit codes")

    # Threshold above the 3% cpuid effect: no regression.
    p = run("gate", "-b", "base.json", "-c", "cand.json", "-t", "5%", cwd=d)
    check(p.returncode == 0, f"gate at 5%: exit 0, got {p.returncode}")
    p = run("gate", "-b", "base.json", "-c", "aa.json", cwd=d)
    check(p.returncode == 0, f"gate A/A: exit 0, got {p.returncode}")
    p = run("gate", "-b", "base.json", "-c", "nr.json", "--tap", cwd=d)
    check(p.returncode == 0 and "1..6" in p.stdout, "gate without raw: 0")
    p = run("gate", "-b", "base.json", "-c", "broken.json", "--junit",
            "b.xml", cwd=d)
    check(p.returncode == 1 and "timeout" in p.stdout,
          f"gate: candidate timeout is a failure: {p.stdout}")
    suite = ET.parse(os.path.join(d, "b.xml")).getroot().find("testsuite")
    check(suite.get("failures") == "1", "junit: the timeout is a failure")
    # Improvements are not regressions.
    p = run("gate", "-b", "cand.json", "-c", "base.json", "-t", "1%", cwd=d)
    check(p.returncode == 1 and "hlt" in p.stdout,
          "reversed: hlt +700 regresses")

    for args, what in ((["-b", "base.json", "-c", "trunc.json"], "truncated"),
                       (["-b", "base.json", "-c", "foreign.json"], "foreign"),
                       (["-b", "newer.json", "-c", "base.json"], "newer"),
                       (["-b", "base.json", "-c", "other.json"], "other host"),
                       (["-b", "base.json"], "no candidate"),
                       (["-b", "base.json", "-c", "missing.json"], "missing"),
                       (["-b", "base.json", "-c", "cand.json", "-t", "x"],
                        "bad threshold")):
        one_line_error(run("gate", *args, cwd=d), f"gate {what}", 2)
    check(not os.path.exists(os.path.join(d, "j2.xml")), "no junit on error")
    p = run("gate", "-b", "base.json", "-c", "other.json", "--force", cwd=d)
    check(p.returncode == 0, "gate --force across hosts")


def main():
    d = tempfile.mkdtemp(prefix="eb-analysis-")
    try:
        make(d)
        test_compare(d)
        test_errors(d)
        test_by(d)
        test_runs(d)
        test_gate(d)
    finally:
        shutil.rmtree(d)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
