#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check exitbench's Mann-Whitney U, Hodges-Lehmann and Welch t test
against scipy/numpy.

Usage: compare_ref.py COMPARE_DUMP_BINARY
U and p come from scipy.stats.mannwhitneyu (exact for small untied sets,
asymptotic otherwise); the Hodges-Lehmann estimate and its interval are
computed here by brute force over all pairwise differences.
Exit 0 all match, 1 a mismatch, 77 scipy missing (skip).
"""
import json
import subprocess
import sys

try:
    import numpy as np
    from scipy import stats
except ImportError:
    print("SKIP: python3-scipy is not installed (scripts/test installs it)")
    sys.exit(77)


def cases():
    rng = np.random.default_rng(6)
    # Small, untied: scipy uses the exact distribution.
    yield "exact-5x7", rng.normal(0, 1, 5), rng.normal(1, 1, 7), "exact"
    yield "exact-20x30", rng.normal(0, 1, 20), rng.normal(0.3, 1, 30), "exact"
    yield "exact-40x60", rng.normal(0, 1, 40), rng.normal(0, 1, 60), "exact"
    # Ties (integer cycles): normal approximation with tie correction.
    yield ("ties-300x200", rng.integers(990, 1010, 300).astype(float),
           rng.integers(992, 1012, 200).astype(float), "asymptotic")
    base = np.floor(1000 + 25 * rng.lognormal(0, 1, 2000))
    cand = np.floor(1004 + 25 * rng.lognormal(0, 1, 1500))
    yield "tsc-2000x1500", base, cand, "asymptotic"
    yield ("same-dist-1000", np.floor(rng.normal(1e4, 50, 1000)),
           np.floor(rng.normal(1e4, 50, 1000)), "asymptotic")
    # Untied but above our exact limit (nx + ny > 100).
    yield ("big-untied-80x90", rng.normal(0, 1, 80), rng.normal(0.2, 1, 90),
           "asymptotic")
    # Run medians: a handful per variant, unequal spreads (Welch).
    yield ("runs-3x3", np.array([1000.5, 1003.0, 998.25]),
           np.array([1010.0, 1021.5, 1004.0]), "exact")
    yield ("runs-2x5", np.array([63000.0, 64100.0]),
           rng.normal(63500, 900, 5), "exact")
    yield ("runs-8x6", rng.normal(1000, 2, 8), rng.normal(1004, 9, 6),
           "exact")


def hodges_lehmann(x, y, alpha=0.05):
    d = np.sort(np.subtract.outer(y, x).ravel())
    nx, ny = x.size, y.size
    n = nx + ny
    _, counts = np.unique(np.concatenate([x, y]), return_counts=True)
    tie = float(np.sum(counts.astype(float) ** 3 - counts))
    sigma = np.sqrt(nx * ny / 12 * ((n + 1) - tie / (n * (n - 1))))
    k = int(np.floor(d.size / 2 - stats.norm.ppf(1 - alpha / 2) * sigma))
    k = min(max(k, 1), (d.size + 1) // 2)
    return np.median(d), d[k - 1], d[d.size - k]


def main():
    tool = sys.argv[1]
    bad = 0
    for name, x, y, method in cases():
        text = f"{x.size} {y.size}\n" + "\n".join(
            repr(float(v)) for v in np.concatenate([x, y]))
        got = json.loads(subprocess.run([tool], input=text, text=True,
                                        capture_output=True,
                                        check=True).stdout)
        ref = stats.mannwhitneyu(x, y, alternative="two-sided",
                                 method=method)
        hl, lo, hi = hodges_lehmann(x, y)
        want = {"u": ref.statistic, "p": ref.pvalue, "hl": hl, "lo": lo,
                "hi": hi}
        if x.size >= 2 and y.size >= 2:
            t = stats.ttest_ind(y, x, equal_var=False)
            vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
            df = (vx + vy) ** 2 / (vx ** 2 / (x.size - 1) +
                                   vy ** 2 / (y.size - 1))
            half = stats.t.ppf(0.975, df) * np.sqrt(vx + vy)
            diff = y.mean() - x.mean()
            want.update(welch_diff=diff, welch_lo=diff - half,
                        welch_hi=diff + half, welch_p=t.pvalue)
        for key, w in want.items():
            if not np.isclose(got[key], w, rtol=1e-7, atol=1e-12):
                print(f"{name}: {key} = {got[key]!r}, reference {w!r}")
                bad += 1
        print(f"{name}: U={got['u']:g} p={got['p']:.4g} ({method}) "
              f"HL={got['hl']:g} [{got['lo']:g}, {got['hi']:g}] checked")
    if bad:
        print(f"{bad} mismatch(es)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
