#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""scripts/bench-harness --aa: does `exitbench compare` keep its word on
this host?  Every side is its own `exitbench run` process with the default
--repeat, as a user would run them:

  pilot   4 runs of A: the between-run SD of each test's run medians gives
          the minimum detectable effect of a 5-vs-5 Welch comparison
          (two-sided 5%, 90% power: (t.975 + t.90) * SD * sqrt(2/R));
  A/A     PAIRS comparisons of two fresh A processes: how many rows say
          slower/faster (false alarms; nominal 5%: <= 2 of 20);
  A+d     PAIRS comparisons of A against A run with --inject-delay d,
          d = twice that MDE: how many rows say slower (>= 18 of 20).
The processes of one pair run back to back (A, A, A+d), so slow drift
hits both sides alike.  A benchmark: prints figures, asserts nothing.

usage: bench-aa.py EXITBENCH [--pairs N] [--tests a,b] [--samples N]
                   [--delta CYCLES] [--threshold T] [--cpu N|auto]
"""
import argparse
import csv
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time


def t_quantile(q, df):
    """Student t quantile by bisection on the regularized beta CDF
    (no scipy needed on the benchmark host)."""
    def cdf(t):
        x = df / (df + t * t)
        # I_x(df/2, 1/2) by a plain continued fraction (Lentz)
        a, b = df / 2, 0.5
        front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                         + a * math.log(x) + b * math.log1p(-x)) / a
        f, c, d = 1.0, 1.0, 0.0
        for i in range(200):
            m = i // 2
            if i == 0:
                num = 1.0
            elif i % 2 == 0:
                num = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            else:
                num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + num * d
            d = 1 / (d if abs(d) > 1e-300 else 1e-300)
            c = 1 + num / (c if abs(c) > 1e-300 else 1e-300)
            f *= c * d
        tail = 0.5 * front * (f - 1)
        return 1 - tail if t > 0 else tail
    lo, hi = 0.0, 100.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
    return (lo + hi) / 2


def main():
    ap = argparse.ArgumentParser(prog="bench-harness --aa")
    ap.add_argument("exitbench")
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--tests", default="pio_kernel")
    ap.add_argument("--samples", default=None)
    ap.add_argument("--delta", type=float, default=None)
    ap.add_argument("--threshold", default="0")
    ap.add_argument("--cpu", default="auto")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="eb-aa-")
    seq = [0]

    def run(*extra):
        out = os.path.join(tmp, f"r{seq[0]:03d}.json")
        seq[0] += 1
        cmd = [a.exitbench, "run", "--tests", a.tests, "--cpu", a.cpu,
               "--out", out, *extra]
        if a.samples:
            cmd += ["--samples", a.samples]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"bench-harness: error: {' '.join(cmd)}: {p.stderr.strip()}")
        return out

    def compare(x, y, *extra):
        p = subprocess.run([a.exitbench, "compare", "-f", "csv", "-t",
                            a.threshold, *extra, x, y],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"bench-harness: error: compare: {p.stderr.strip()}")
        return [r for r in csv.DictReader(io.StringIO(p.stdout))
                if r["state"] == "compared"]

    try:
        t0 = time.monotonic()
        load0 = os.getloadavg()
        pilot = [run() for _ in range(4)]
        meds = {}
        repeat = None
        for f in pilot:
            doc = json.load(open(f))
            repeat = doc["config"]["repeat"]
            for r in doc["results"]:
                if r["status"] == "ok":
                    meds.setdefault(r["test"], []).append(
                        [x["cycles"]["median"] for x in r["runs"]])
        mde = {}
        for t, per_file in meds.items():
            # pooled within-file SD of the run medians: the SD Welch sees
            ss = sum(sum((m - sum(v) / len(v)) ** 2 for m in v) for v in per_file)
            df = sum(len(v) - 1 for v in per_file)
            sd = math.sqrt(ss / df) if df else float("nan")
            dfw = 2 * repeat - 2
            mde[t] = (t_quantile(0.975, dfw) + t_quantile(0.90, dfw)) * sd * \
                math.sqrt(2 / repeat)
        delta = a.delta or 2 * max(mde.values())
        print(f"pilot: {repeat} runs per process; MDE (5%, 90% power, "
              f"{repeat} vs {repeat} runs): " +
              ", ".join(f"{t} {v:.0f} cycles" for t, v in sorted(mde.items())))
        print(f"delta injected: {delta:.0f} cycles"
              f"{'' if a.delta else ' (twice the largest MDE)'}")
        alarms = detections = cells = dcells = 0
        for i in range(a.pairs):
            x, y = run(), run()
            z = run("--inject-delay", str(round(delta)))
            aa = compare(x, y)
            ad = compare(x, z, "--allow-injected")
            cells += len(aa)
            dcells += len(ad)
            fa = sum(r["verdict"] in ("slower", "faster") for r in aa)
            dt = sum(r["verdict"] == "slower" for r in ad)
            alarms += fa
            detections += dt
            print(f"pair {i + 1:2d}: A/A {fa}/{len(aa)} alarm(s), "
                  f"A+d {dt}/{len(ad)} detected", flush=True)
        load1 = os.getloadavg()
        print(f"\nA/A: {alarms} false alarm(s) in {cells} comparisons "
              f"(target <= {cells // 10})")
        print(f"A+{delta:.0f} cycles: {detections} detected in {dcells} "
              f"(target >= {dcells * 9 // 10})")
        print(f"{seq[0]} processes, {time.monotonic() - t0:.0f} s; load "
              f"average {load0[0]:.1f} before, {load1[0]:.1f} after")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
