// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adaptive sampling: run rounds of samples until the median is known to
 * the asked precision or the time budget is spent, and say which it was.
 *
 * The stop rule uses two 95% half-widths of the median and takes the larger:
 *  - within: the distribution-free order-statistic interval of the pooled
 *    samples (ranks n/2 -+ 1.96*sqrt(n)/2), which needs one merge per round
 *    instead of a bootstrap over millions of samples;
 *  - between: Student's t over the per-round medians (from 3 rounds on),
 *    because rounds differ by more than their own CIs admit on a real host
 *    (placement of the guest's pages, caches and frequency after a warm-up),
 *    and pooling alone would claim a precision the next run cannot repeat.
 * The reported CI of a test still comes from the stats library's bootstrap.
 * Pure logic: sampling and the clock are callbacks, so tests can drive it.
 */
#ifndef EXITBENCH_ADAPTIVE_H
#define EXITBENCH_ADAPTIVE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/*
 * Fill @buf with @n samples, preceded by a fresh warm-up of the caller's
 * choosing (every round starts from the same state).  0 or -errno.
 */
typedef int (*eb_round_fn)(void *ctx, uint64_t *buf, size_t n);
/* Seconds on a monotonic clock. */
typedef double (*eb_clock_fn)(void *ctx);

struct eb_adaptive_cfg {
	double precision;	/* relative 95% half-width goal; 0: one round */
	double max_time;	/* seconds; <= 0: no limit (then max_samples) */
	size_t round_samples;	/* samples per round, > 0 */
	size_t max_samples;	/* memory cap over all rounds, >= round_samples */
	unsigned int min_rounds;	/* 0: default 3 */
	eb_clock_fn clock;	/* NULL: CLOCK_MONOTONIC */
	void *clock_ctx;
};

enum eb_stop {
	EB_STOP_ONE_ROUND,	/* precision 0: fixed sample count */
	EB_STOP_PRECISION,
	EB_STOP_MAX_TIME,
	EB_STOP_MAX_SAMPLES,
};

struct eb_adaptive_result {
	uint64_t *samples;	/* all rounds, in order; caller frees */
	size_t n, rounds;
	enum eb_stop stop;
	double median;		/* of the pooled samples */
	double within_hw, between_hw;	/* absolute half-widths, cycles */
	double rel_hw;		/* max(within, between) / median */
	double elapsed;		/* seconds */
};

/* Returns 0 (see res->stop) or the callback's -errno, -EINVAL, -ENOMEM. */
int eb_adaptive_run(const struct eb_adaptive_cfg *cfg, eb_round_fn fn, void *ctx,
		    struct eb_adaptive_result *res);

/* "one-round", "precision", "max-time", "max-samples". */
const char *eb_stop_name(enum eb_stop stop);

/* {"stopped_by", "rounds", "samples", "precision_goal", "precision_reached", ...} */
json_t *eb_adaptive_json(const struct eb_adaptive_cfg *cfg,
			 const struct eb_adaptive_result *res);

/* Order-statistic 95% CI of the median of sorted @x[0..n-1]. */
void eb_median_ci_sorted(const uint64_t *x, size_t n, double *lo, double *hi);

#endif /* EXITBENCH_ADAPTIVE_H */
