// SPDX-License-Identifier: GPL-2.0-only
/*
 * Paired comparison: the sign test and the median of differences
 * d_i = b_i - a_i of measurements taken in adjacent pairs, with the
 * distribution-free (binomial order-statistic) confidence interval.
 *
 * Why paired: on hosts whose state switches between regimes on the scale
 * of a second (this PVM host's block medians jump by ~40% between two
 * levels), two blocks run back to back share the regime, so their
 * difference cancels it, while an unpaired rank test drowns in it.
 * Why the sign test rather than the signed-rank test: a pair that
 * straddles a regime switch has the largest |d| of all, which the
 * signed-rank test weighs most; the sign test counts it once, so 12 pairs
 * still give a verdict with two such pairs against the effect.
 */
#ifndef EXITBENCH_PAIRED_H
#define EXITBENCH_PAIRED_H

#include <stddef.h>

struct eb_paired {
	size_t n;		/* non-zero differences used */
	size_t positive;	/* how many of them are > 0 */
	double p;		/* exact two-sided p-value */
	double est, lo, hi;	/* median difference and its CI */
};

/*
 * Zero differences are dropped (they carry no sign).  The CI, over all
 * differences, has level >= 1 - @alpha; it is (-inf, inf) when n is too
 * small for that level.  Returns 0, -EINVAL (no non-zero difference),
 * -ENOMEM.
 */
int eb_sign_test(const double *d, size_t n, double alpha, struct eb_paired *out);

#endif /* EXITBENCH_PAIRED_H */
