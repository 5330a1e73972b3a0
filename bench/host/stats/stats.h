// SPDX-License-Identifier: GPL-2.0-only
/*
 * Descriptive and comparative statistics over TSC-cycle samples.
 * Pure functions: no I/O, no globals; every random choice comes from the
 * caller's seed so that results are reproducible.
 */
#ifndef EXITBENCH_STATS_H
#define EXITBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Bootstrap resamples used when the caller does not say otherwise. */
#define EB_STATS_BOOTSTRAP_DEFAULT 1000

struct eb_stats {
	size_t n;
	double min, p1, p5, p25, median, p75, p95, p99, max;
	double mean, stddev;	/* stddev: sample (n-1) standard deviation */
	double mad;		/* median absolute deviation, unscaled */
	double median_ci_lo, median_ci_hi;	/* bootstrap 95% CI of the median */
	size_t outliers_low, outliers_high;	/* beyond 1.5 IQR (Tukey fences) */
};

/*
 * Percentiles use linear interpolation between closest ranks (numpy's
 * default, "type 7").  The median CI is a percentile bootstrap with
 * @resamples resamples (0: EB_STATS_BOOTSTRAP_DEFAULT) drawn from a
 * generator seeded with @seed: the same input and seed give the same
 * interval.  For n == 1, stddev is 0.  @samples is not modified.
 * Returns 0, or -EINVAL (n == 0, or a non-finite double), -ENOMEM.
 */
int eb_stats_compute(const uint64_t *samples, size_t n, unsigned int resamples,
		     uint64_t seed, struct eb_stats *out);

/* Same, over doubles (used for derived per-exit values). */
int eb_stats_compute_d(const double *samples, size_t n, unsigned int resamples,
		       uint64_t seed, struct eb_stats *out);

/* Percentile p in [0,100] of an already sorted array, type-7 interpolation. */
double eb_percentile_sorted(const double *sorted, size_t n, double p);

/* Median (type 7) of @a, which is reordered (quickselect, O(n)); NAN if n == 0. */
double eb_median_d(double *a, size_t n);

#endif /* EXITBENCH_STATS_H */
