// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interleaved strategy comparisons within one boot (exitbench run
 * --strategies): the round schedule and the paired statistics over
 * rounds.  Pure functions, no I/O.
 */
#ifndef EB_HOST_ROUNDS_H
#define EB_HOST_ROUNDS_H

#include <stddef.h>

#define EB_MAX_STRATEGIES	8
#define EB_MAX_ROUNDS		1000

/*
 * The order in which @nstrat strategies run over @rounds rounds:
 * order[r * nstrat + k] is the strategy index at position k of round r.
 * Even rounds run the strategies in the given order, odd rounds reversed
 * (A B | B A | A B | B A ...), so over every pair of rounds each strategy
 * has the same mean position: a drift linear in time adds the same amount
 * to every strategy.  -EINVAL unless 1 <= nstrat <= EB_MAX_STRATEGIES and
 * @rounds is even, 2 <= rounds <= EB_MAX_ROUNDS.
 */
int eb_rounds_schedule(unsigned int nstrat, unsigned int rounds,
		       unsigned int *order);

struct eb_paired {
	size_t n;			/* rounds paired */
	double mean, median;		/* of the per-round differences cand - base */
	double sd;			/* sample standard deviation of the differences */
	double lo, hi;			/* 1 - alpha CI of the mean difference (Student t) */
	double p;			/* two-sided paired t test; 1 when sd == 0 and mean == 0 */
	double base_mean;		/* mean of base[] (for percentages) */
};

/*
 * Paired comparison over rounds: d[r] = cand[r] - base[r] (each a
 * per-round statistic such as the median of that round's samples, both
 * measured in the same boot, close in time).  The CI is the paired
 * Student t interval with n - 1 degrees of freedom, so it reflects the
 * round-to-round noise within the boot.  -EINVAL with fewer than 2 rounds
 * or @alpha outside (0, 1).
 */
int eb_paired_rounds(const double *base, const double *cand, size_t n,
		     double alpha, struct eb_paired *out);

#endif /* EB_HOST_ROUNDS_H */
