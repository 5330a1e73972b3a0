#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Compare exitbench's descriptive statistics with numpy on seeded data.

Usage: stats_ref.py STATS_DUMP_BINARY
Exit 0 all match, 1 a mismatch (printed), 77 numpy missing (skip).
"""
import json
import subprocess
import sys

try:
    import numpy as np
except ImportError:
    print("SKIP: python3-numpy is not installed (scripts/test installs it)")
    sys.exit(77)


def datasets():
    rng = np.random.default_rng(20261121)
    # TSC-like: integer cycles, skewed, many ties, a few huge interrupts.
    tsc = np.floor(1000 + 30 * rng.lognormal(0, 1, 20000))
    tsc[rng.integers(0, tsc.size, 40)] += 50000
    yield "tsc-like", tsc
    yield "normal", rng.normal(5000, 100, 9999)
    yield "uniform-ints", rng.integers(0, 10, 1000).astype(float)
    yield "tiny-2", np.array([3.0, 1.0])
    yield "tiny-3", np.array([10.0, -2.5, 7.25])
    yield "tiny-7", rng.normal(0, 1, 7)
    yield "constant", np.full(100, 42.0)
    low = rng.normal(100, 1, 500)
    low[:15] -= 60
    yield "low-outliers", low


def expected(x):
    q = {p: np.percentile(x, p) for p in (1, 5, 25, 50, 75, 95, 99)}
    iqr = q[75] - q[25]
    med = np.median(x)
    return {
        "n": x.size, "min": x.min(), "max": x.max(), "p1": q[1],
        "p5": q[5], "p25": q[25], "median": med, "p75": q[75],
        "p95": q[95], "p99": q[99], "mean": x.mean(),
        "stddev": x.std(ddof=1) if x.size > 1 else 0.0,
        "mad": np.median(np.abs(x - med)),
        "outliers_low": int(np.sum(x < q[25] - 1.5 * iqr)),
        "outliers_high": int(np.sum(x > q[75] + 1.5 * iqr)),
    }


def brute_bootstrap(x, rng, b=2000):
    idx = rng.integers(0, x.size, (b, x.size))
    meds = np.median(x[idx], axis=1)
    return np.percentile(meds, 2.5), np.percentile(meds, 97.5)


def main():
    tool = sys.argv[1]
    rng = np.random.default_rng(7)
    bad = 0
    for name, x in datasets():
        out = subprocess.run([tool, "2000", "3"], check=True, text=True,
                             capture_output=True,
                             input="\n".join(repr(float(v)) for v in x))
        got = json.loads(out.stdout)
        for key, want in expected(x).items():
            if not np.isclose(got[key], want, rtol=1e-9, atol=1e-9):
                print(f"{name}: {key} = {got[key]!r}, numpy says {want!r}")
                bad += 1
        if not got["ci_lo"] <= got["median"] <= got["ci_hi"]:
            print(f"{name}: median {got['median']} outside its CI "
                  f"[{got['ci_lo']}, {got['ci_hi']}]")
            bad += 1
        # Monte Carlo vs Monte Carlo: agree within a fraction of the width
        # (or of the data's spacing when the CI is a single value).
        if x.size >= 100:
            lo, hi = brute_bootstrap(x, rng)
            tol = 0.25 * (hi - lo) + 1e-9
            if abs(got["ci_lo"] - lo) > tol or abs(got["ci_hi"] - hi) > tol:
                print(f"{name}: CI [{got['ci_lo']}, {got['ci_hi']}], numpy "
                      f"bootstrap [{lo}, {hi}]")
                bad += 1
        print(f"{name}: n={x.size} median={got['median']:.6g} "
              f"CI=[{got['ci_lo']:.6g}, {got['ci_hi']:.6g}] checked")
    if bad:
        print(f"{bad} mismatch(es) with numpy")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
