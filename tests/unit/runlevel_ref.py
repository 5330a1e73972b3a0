#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The run-level estimator against scipy: Welch's t interval and p-value
on run medians (scipy.stats.ttest_ind, equal_var=False), seeded sides of
2 to 12 runs with unequal spreads.  Usage: runlevel_ref.py TEST-RUNLEVEL"""
import subprocess
import sys

import numpy as np
from scipy import stats

exe = sys.argv[1]
rng = np.random.default_rng(7)
bad = 0
for trial in range(60):
    na, nb = rng.integers(2, 13, size=2)
    a = 1000 + rng.normal(0, rng.uniform(1, 40), na)
    b = 1000 + rng.uniform(-30, 30) + rng.normal(0, rng.uniform(1, 40), nb)
    out = subprocess.run([exe, "--dump", *map(repr, a), "--", *map(repr, b)],
                         capture_output=True, text=True, check=True).stdout
    d, lo, hi, p = map(float, out.split())
    res = stats.ttest_ind(b, a, equal_var=False)
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    df = (va + vb) ** 2 / (va ** 2 / (na - 1) + vb ** 2 / (nb - 1))
    q = stats.t.ppf(0.975, df) * np.sqrt(va + vb)
    want = (b.mean() - a.mean(), b.mean() - a.mean() - q,
            b.mean() - a.mean() + q, res.pvalue)
    for got, w, what in zip((d, lo, hi, p), want, ("delta", "lo", "hi", "p")):
        if abs(got - w) > 1e-6 * max(1, abs(w)):
            print(f"trial {trial}: {what} {got!r}, scipy {w!r}")
            bad += 1
print("runlevel vs scipy:", "ok" if not bad else f"{bad} mismatches")
sys.exit(1 if bad else 0)
