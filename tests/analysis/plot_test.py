#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tests of `exitbench plot`: renders PNG and SVG per test and an overview,
keeps the .gp/.dat beside them, and fails clearly without gnuplot.

Usage: plot_test.py EXITBENCH MKRESULTS [RESULTS.json...]
With results files given (e.g. results/reference), plots those too.
Exit 0 pass, 1 fail, 77 skip (gnuplot not installed).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from checks import check, finish

EXITBENCH, MKRESULTS = map(os.path.abspath, sys.argv[1:3])
EXTRA = [os.path.abspath(p) for p in sys.argv[3:]]


def run(*args, cwd, env=None):
    return subprocess.run([EXITBENCH, *args], cwd=cwd, text=True,
                          capture_output=True, env=env)


def valid_figures(d, stem):
    png = os.path.join(d, stem + ".png")
    svg = os.path.join(d, stem + ".svg")
    with open(png, "rb") as f:
        check(f.read(8) == b"\x89PNG\r\n\x1a\n", f"{stem}.png is a PNG")
    check(os.path.getsize(png) > 5000, f"{stem}.png is not empty")
    try:
        root = ET.parse(svg).getroot()
        check(root.tag.endswith("svg"), f"{stem}.svg root is <svg>")
        check(sum(1 for _ in root.iter()) > 50, f"{stem}.svg has content")
    except ET.ParseError as e:
        check(False, f"{stem}.svg parses as XML: {e}")
    for ext in ("gp", "dat"):
        check(os.path.getsize(os.path.join(d, f"{stem}.{ext}")) > 0,
              f"{stem}.{ext} kept beside the images")


def main():
    if not shutil.which("gnuplot"):
        print("SKIP: gnuplot not installed (scripts/test installs gnuplot-nox)")
        return 77
    d = tempfile.mkdtemp(prefix="eb-plot-")
    try:
        mk = lambda *a: subprocess.run([MKRESULTS, *a], cwd=d, check=True)
        mk("base.json", "--seed", "1")
        mk("cand.json", "--seed", "2", "--strategy", "cond-swap",
           "--shift", "cpuid=30")
        mk("nr.json", "--seed", "3", "--strategy", "dual-exit", "--no-raw",
           "--skip", "hlt")

        p = run("plot", "--out", "figs", "base.json", "cand.json", "nr.json",
                cwd=d)
        check(p.returncode == 0, f"plot exit {p.returncode}: {p.stderr}")
        figs = os.path.join(d, "figs")
        for stem in ("cpuid", "pio-user", "mmio-kernel", "hlt", "overview"):
            valid_figures(figs, stem)
        # The script re-renders on its own, as the help promises.
        os.remove(os.path.join(figs, "cpuid.png"))
        r = subprocess.run(["gnuplot", "cpuid.gp"], cwd=figs)
        check(r.returncode == 0 and os.path.exists(
            os.path.join(figs, "cpuid.png")), "gnuplot cpuid.gp re-renders")
        # Three files x three cpuid modes = nine ECDF blocks plus medians.
        with open(os.path.join(figs, "cpuid.dat")) as f:
            blocks = f.read().strip().split("\n\n\n")
        check(len(blocks) == 10, f"cpuid.dat: 9 ECDFs + medians, got "
              f"{len(blocks)}")

        p = run("plot", "--out", "one", "base.json", cwd=d)
        check(p.returncode == 0, "plot of a single file")
        check(not os.path.exists(os.path.join(d, "one", "overview.gp")),
              "no overview for a single file")

        env = dict(os.environ, EXITBENCH_GNUPLOT="/nonexistent/gnuplot")
        p = run("plot", "--out", "nognu", "base.json", cwd=d, env=env)
        check(p.returncode == 1 and "gnuplot not found" in p.stderr and
              len(p.stderr.strip().splitlines()) == 1,
              f"missing gnuplot: one-line error, got {p.stderr!r}")
        check(not os.path.exists(os.path.join(d, "nognu")),
              "missing gnuplot: nothing written")
        p = run("plot", "--no-render", "--out", "nognu", "base.json",
                "cand.json", cwd=d, env=env)
        check(p.returncode == 0 and os.path.exists(
            os.path.join(d, "nognu", "overview.gp")),
            "--no-render works without gnuplot")
        p = run("plot", "--out", "x", cwd=d)
        check(p.returncode == 2, "plot without files is a usage error")

        if EXTRA:
            p = run("plot", "--out", "ref", *EXTRA, cwd=d)
            check(p.returncode == 0, f"plot of reference results: {p.stderr}")
            check(os.path.exists(os.path.join(d, "ref", "overview.png")) or
                  len(EXTRA) == 1, "reference overview")
    finally:
        shutil.rmtree(d)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
