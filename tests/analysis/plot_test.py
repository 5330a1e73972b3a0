#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Tests of `exitbench plot`: renders PNG and SVG per test and an overview,
keeps the .gp/.dat beside them, and fails clearly without gnuplot.

Usage: plot_test.py EXITBENCH MKRESULTS [RESULTS.json...]
With results files given (e.g. results/reference), plots those too.
Exit 0 pass, 1 fail, 77 skip (gnuplot not installed).
"""
import json
import os
import shutil
import statistics
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


def pct(v, q):
    v = sorted(v)
    k = (len(v) - 1) * q / 100
    f = int(k)
    c = min(f + 1, len(v) - 1)
    return v[f] + (v[c] - v[f]) * (k - f)


def stats(v):
    """The per-exit statistics the loader checks against raw samples."""
    m = pct(v, 50)
    return {"n": len(v), "min": min(v), "p1": pct(v, 1), "p5": pct(v, 5),
            "p25": pct(v, 25), "median": m, "p75": pct(v, 75),
            "p95": pct(v, 95), "p99": pct(v, 99), "max": max(v),
            "mean": statistics.fmean(v), "stddev": statistics.stdev(v),
            "mad": statistics.median([abs(x - m) for x in v]),
            "median_ci": [m, m], "outliers_low": 0, "outliers_high": 0}


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

        # What a reader must see at a glance (issue 17): provenance in
        # the caption and in the .gp/.dat headers, emulated rows marked
        # in title and legend, the overview's numbers those of compare.
        mk("emu.json", "--seed", "4", "--emulated", "hlt", "--runs", "4")
        mk("emu2.json", "--seed", "5", "--strategy", "cond-swap", "--runs", "4",
           "--emulated", "hlt", "--shift", "pio-user=30000")
        p = run("plot", "--out", "marks", "emu.json", "emu2.json", cwd=d)
        check(p.returncode == 0, f"plot emu: {p.stderr}")
        marks = os.path.join(d, "marks")
        gp = open(os.path.join(marks, "hlt.gp")).read()
        dat = open(os.path.join(marks, "hlt.dat")).read()
        for text, what in ((gp, "hlt.gp"), (dat, "hlt.dat")):
            check("host testhost" in text and "ucode 0x2b000181" in text and
                  "exitbench 0.1.0 (synthetic)" in text and "2026-11-21" in
                  text and "KVM pvm" in text and "strategy cond-swap" in text,
                  f"{what}: provenance (host, ucode, kernel, flavor, "
                  f"strategy, version, date)")
        title = [l for l in gp.splitlines() if l.startswith("set title")]
        check(title and "EMULATED" in title[0], f"hlt title marks emulation:"
              f" {title}")
        legend = [l for l in gp.splitlines() if "title \"" in l and "dat" in l]
        check(legend and all("[EMULATED]" in l for l in legend),
              f"every hlt legend entry marks emulation: {legend}")
        check(any(l.startswith("set label 10") and "host testhost" in l and
                  "at screen" in l for l in gp.splitlines()),
              "the provenance is a caption of the figure")
        cg = open(os.path.join(marks, "cpuid.gp")).read()
        check("EMULATED" not in cg, "a native test is not marked emulated")
        ov = open(os.path.join(marks, "overview.gp")).read()
        check("[EMU]" in open(os.path.join(marks, "overview.dat")).read()
              and "EMULATED" in ov, "overview marks emulated rows")
        check("host testhost" in ov and "at screen" in ov,
              "overview caption has the provenance")
        # One outlier (+47% pio-user) must not flatten the rest.
        check("y axis cut" in ov and "(off scale)" in ov,
              "overview cuts the y axis for one outlier, and says so")
        # Bars and whiskers are compare's delta and CI.
        cj = json.loads(run("compare", "-f", "json", "emu.json", "emu2.json",
                            cwd=d).stdout)
        rows = [l for l in open(os.path.join(marks, "overview.dat"))
                if l.startswith('"cpuid')]
        cell = [r for r in cj["rows"] if r["test"] == "cpuid"][0]["cells"][0]
        v = [float(x) for x in rows[0].rsplit('"', 1)[1].split()]
        want = [cell["delta_pct"], 100 * cell["shift_ci"][0] / cell["base_median"],
                100 * cell["shift_ci"][1] / cell["base_median"]]
        check(all(abs(a - b) < 1e-3 for a, b in zip(v, want)) and
              v[1] <= v[0] <= v[2], f"overview bar {v} = compare {want}, "
              f"whisker brackets bar")
        # Degenerate: every sample in two ticks.
        src = json.load(open(os.path.join(d, "emu.json")))
        for r in src["results"]:
            if r["test"] == "cpuid" and r["apx"] == "off":
                raw = [52 if i % 50 else 54 for i in range(len(r["raw"]))]
                r["raw"], r["cycles"] = raw, stats(raw)
                for run_ in r["runs"]:
                    a, k = run_["raw_range"]
                    run_["cycles"] = stats(raw[a:a + k])
        src["results"] = [r for r in src["results"]
                          if r["test"] != "cpuid" or r["apx"] == "off"]
        json.dump(src, open(os.path.join(d, "degen.json"), "w"))
        p = run("plot", "--out", "degen", "degen.json", cwd=d)
        g = open(os.path.join(d, "degen", "cpuid.gp")).read()
        check(p.returncode == 0 and "all samples in 2 ticks (tick 2), 52..54" in g
              and "[only 52..54, tick 2]" in g and "set xrange [48.6:57.4]" in g,
              f"degenerate cpuid drawn over its ticks, tick stated: {p.stderr}")
        # A series with nothing to draw is a visible note, never silent.
        src = json.load(open(os.path.join(d, "emu.json")))
        for r in src["results"]:
            if r["test"] == "hlt":
                r["status"], r["reason"] = "skipped", "not on this host"
                for k in ("cycles", "raw", "runs"):
                    r.pop(k, None)
        json.dump(src, open(os.path.join(d, "nohlt.json"), "w"))
        p = run("plot", "--out", "drop", "emu2.json", "nohlt.json", cwd=d)
        g = open(os.path.join(d, "drop", "hlt.gp")).read()
        check(p.returncode == 0 and "not drawn: baseline skipped (not on this "
              "host)" in g, f"the skipped series is named in the figure: "
              f"{p.stderr}")

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
