// SPDX-License-Identifier: GPL-2.0-only
/*
 * A/B comparison of two sample sets of one exit test: is the candidate
 * faster, slower, or the same as the baseline, by how much, and how sure
 * are we.  Pure functions like stats.h; used by `exitbench compare`,
 * `exitbench gate` and the known-effect self-test.
 *
 * Sign convention everywhere: a shift is candidate minus baseline, so a
 * positive shift means the candidate takes more cycles (slower).
 */
#ifndef EXITBENCH_COMPARE_H
#define EXITBENCH_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"

/* Significance level of every test and 1 - confidence of every interval. */
#define EB_CMP_ALPHA 0.05

enum eb_verdict {
	EB_SAME,
	EB_FASTER,
	EB_SLOWER,
	EB_UNRESOLVED,	/* too few runs to know the between-run spread */
};

const char *eb_verdict_name(enum eb_verdict v);

/* A practical-significance threshold: cycles, or percent of the base median. */
struct eb_threshold {
	double value;
	bool percent;
};

/* Parses "1%", "0.5%", "12" (cycles), "12cyc"; -EINVAL on anything else. */
int eb_threshold_parse(const char *s, struct eb_threshold *out);

struct eb_cmp {
	size_t n_base, n_cand;
	double base_median, cand_median;
	double delta, delta_pct;	/* cand_median - base_median; % of base */
	/*
	 * With raw samples: the Hodges-Lehmann shift (median of all pairwise
	 * differences) and its distribution-free 95% CI.  Without: delta, with
	 * a CI combined from the two bootstrap CIs of the medians.
	 */
	double shift, shift_lo, shift_hi;
	bool raw;			/* computed from raw samples */
	size_t runs_base, runs_cand;	/* > 0: from repeated runs (eb_compare_runs) */
	double u, p;			/* Mann-Whitney U of cand, two-sided p; NAN without raw */
	double threshold_cycles;	/* the threshold, resolved against base_median */
	double tick;			/* TSC step per exit, cycles; 0 unknown */
	bool by_file;			/* units were files (processes), not runs */
	enum eb_verdict verdict;
	char why[96];			/* EB_UNRESOLVED: why */
};

/*
 * Two-sided Mann-Whitney U test.  @u is U of @x (pairs with x > y, ties
 * counting one half), as scipy.stats.mannwhitneyu reports it.  The p-value
 * is exact (no ties, nx + ny <= 100) or from the normal approximation with
 * tie and continuity correction, as scipy's method="auto" does for larger
 * samples.  Returns 0, -EINVAL (an empty set), -ENOMEM.
 */
int eb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    double *u, double *p);

/* Exact two-sided p-value of U = @u for sizes @m, @n (no ties). */
double eb_mann_whitney_exact_p(double u, size_t m, size_t n);

/*
 * Hodges-Lehmann estimate of the shift of @y relative to @x (median of the
 * nx * ny differences y_j - x_i), with the Moses/Lehmann confidence interval
 * at level 1 - @alpha (order statistics of the differences at the normal
 * quantile of the tie-corrected U distribution).  O((nx + ny) log) time and
 * O(nx + ny) memory: 10^5 x 10^5 samples are fine.
 */
int eb_hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny,
		      double alpha, double *est, double *lo, double *hi);

/*
 * Compare raw per-exit samples.  The verdict is `slower`/`faster` when the
 * U test rejects equality (p < EB_CMP_ALPHA), the shift's CI excludes zero,
 * and the Hodges-Lehmann shift is at least the threshold in magnitude;
 * `same` otherwise.  Deterministic: rank methods need no random draws.
 */
int eb_compare_raw(const double *base, size_t nb, const double *cand, size_t nc,
		   const struct eb_threshold *thr, struct eb_cmp *out);

/*
 * Compare two summaries when raw samples are absent: delta of the medians,
 * a CI of that delta from the two bootstrap CIs (half-widths added in
 * quadrature), no U test.  The verdict needs the CI to exclude zero and
 * |delta| >= threshold.
 */
void eb_compare_stats(const struct eb_stats *base, const struct eb_stats *cand,
		      const struct eb_threshold *thr, struct eb_cmp *out);

/*
 * Compare repeated runs: @base and @cand hold one median per run (>= 2
 * each).  The difference of the mean run medians, Welch's 95% CI and
 * two-sided p-value: the run-to-run spread (boot, placement, host load),
 * which a single run's sample-level CI cannot see, decides.  Medians in
 * @out are the means of the run medians.  -EINVAL with fewer than 2 runs.
 */
int eb_compare_runs(const double *base, size_t nb, const double *cand, size_t nc,
		    const struct eb_threshold *thr, struct eb_cmp *out);

/*
 * Welch's unequal-variance t test of mean(y) - mean(x): @diff, its
 * 1 - @alpha CI and the two-sided p-value.  nx, ny >= 2.
 */
int eb_welch(const double *x, size_t nx, const double *y, size_t ny, double alpha,
	     double *diff, double *lo, double *hi, double *p);

/* Student's t distribution: CDF and its inverse (df > 0). */
double eb_t_cdf(double t, double df);
double eb_t_quantile(double q, double df);

/* Helpers shared by the comparison files. */
double eb_threshold_cycles(const struct eb_threshold *thr, double base);
enum eb_verdict eb_compare_decide(const struct eb_cmp *c, double est);

/* Inverse of the standard normal CDF, for 0 < q < 1. */
double eb_norm_quantile(double q);

#endif /* EXITBENCH_COMPARE_H */
