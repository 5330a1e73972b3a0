#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tests of scripts/matrix on a directory of synthetic per-strategy results.

Usage: matrix_test.py MATRIX_SCRIPT EXITBENCH MKRESULTS
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from checks import check, finish

MATRIX, EXITBENCH, MKRESULTS = map(os.path.abspath, sys.argv[1:4])


def matrix(*args):
    env = dict(os.environ, EXITBENCH=EXITBENCH)
    return subprocess.run([MATRIX, *args], text=True, capture_output=True,
                          env=env)


def main():
    d = tempfile.mkdtemp(prefix="eb-matrix-")
    plots = [] if shutil.which("gnuplot") else ["--no-plots"]
    try:
        res = os.path.join(d, "results")
        os.mkdir(res)
        mk = lambda *a: subprocess.run([MKRESULTS, *a], cwd=res, check=True)
        # The baseline is not first by name: matrix must find it by strategy.
        mk("1-cond-swap.json", "--seed", "2", "--strategy", "cond-swap",
           "--shift", "cpuid=30")
        mk("2-baseline.json", "--seed", "1")
        mk("3-xcr0-first.json", "--seed", "3", "--strategy", "xcr0-first",
           "--shift", "cpuid=60")

        p = matrix(*plots, res)
        check(p.returncode == 0, f"matrix exit {p.returncode}: {p.stderr}")
        check("\nold  baseline " in p.stdout, "baseline picked by strategy")
        rep = os.path.join(res, "report")
        for name in ("compare.txt", "compare.md", "compare.csv",
                     "compare.json"):
            check(os.path.getsize(os.path.join(rep, name)) > 0, name)
        with open(os.path.join(rep, "compare.txt")) as f:
            check(f.read() == p.stdout, "printed table is compare.txt")
        with open(os.path.join(rep, "compare.json")) as f:
            doc = json.load(f)
        check([c["strategy"] for c in doc["candidates"]] ==
              ["cond-swap", "xcr0-first"], "candidates in name order")
        if not plots:
            check(os.path.exists(os.path.join(rep, "plots", "overview.png")),
                  "overview plot")

        p = matrix("--no-plots", "--baseline", "cond-swap", "--out",
                   os.path.join(d, "r2"), res)
        check(p.returncode == 0 and "\nold  cond-swap " in p.stdout,
              "--baseline by strategy name")
        p = matrix("--no-plots", "--baseline", "nonesuch", res)
        check(p.returncode == 1 and "nonesuch" in p.stderr,
              "unknown --baseline is an error")
        single = os.path.join(d, "single")
        os.mkdir(single)
        shutil.copy(os.path.join(res, "2-baseline.json"), single)
        p = matrix(single)
        check(p.returncode == 1 and "two or more" in p.stderr,
              "one file: clear error")
        # A corrupt file: the loader's one line, exit 2, no report.
        bad = os.path.join(d, "bad")
        os.mkdir(bad)
        shutil.copy(os.path.join(res, "2-baseline.json"), bad)
        with open(os.path.join(res, "1-cond-swap.json")) as f:
            doc = json.load(f)
        doc["results"][0]["cycles"]["median"] = "1000"
        with open(os.path.join(bad, "1-cond-swap.json"), "w") as f:
            json.dump(doc, f)
        p = matrix("--no-plots", bad)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 2 and len(lines) == 1 and
              "1-cond-swap.json: results[0].cycles.median" in lines[0] and
              not os.path.exists(os.path.join(bad, "report")),
              f"corrupt file refused by the loader: {p.returncode} {p.stderr!r}")
        p = matrix("--bogus", res)
        check(p.returncode == 2, "unknown option: usage error")
        p = matrix(res, "--baseline")
        check(p.returncode == 2 and "--baseline" in p.stderr,
              "option without its value: usage error")
        p = matrix(res, single)
        check(p.returncode == 2 and "one results directory" in p.stderr,
              "two directories: usage error")

        # Two runs of every strategy: the report compares runs.
        twice = os.path.join(d, "twice")
        os.mkdir(twice)
        mk2 = lambda *a: subprocess.run([MKRESULTS, *a], cwd=twice,
                                        check=True)
        mk2("b1.json", "--seed", "11")
        mk2("b2.json", "--seed", "12")
        mk2("c1.json", "--seed", "13", "--strategy", "cond-swap")
        mk2("c2.json", "--seed", "14", "--strategy", "cond-swap")
        p = matrix("--no-plots", twice)
        check(p.returncode == 0 and "Welch t on run medians" in p.stdout,
              f"repeated runs -> compare --runs: {p.stdout} {p.stderr}")
    finally:
        shutil.rmtree(d)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
