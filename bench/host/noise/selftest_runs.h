// SPDX-License-Identifier: GPL-2.0-only
/*
 * The self-test the way compare decides: how large a difference does a
 * comparison of R runs per side (each a fresh VM) detect on this host?
 *
 * A trial is R runs of A (the exit test with an empty delay) against R
 * runs of A+D (the same with a TSC spin of D cycles in the timed region),
 * the runs of the two sides alternating (A B B A ...), compared exactly as
 * `exitbench compare` compares two files: the run medians, Welch's t and
 * the tick rule (runlevel.h).  D = 0 is the A/A control.  The minimum
 * detectable effect (MDE) is found by bisection: from a start twice the
 * MDE that the A/A runs' spread predicts (doubled until detected), the
 * interval between an undetected and a detected D is halved @steps times;
 * "detected" = slower in >= @target of @trials trials.  Each rate comes
 * with its Clopper-Pearson 95% CI.  The sizing line: how many runs of
 * this many samples resolve @resolve_pct of the median, from the
 * measured spread of the run medians.
 * Pure logic: a run is a callback, tests drive it with synthetic runs.
 */
#ifndef EXITBENCH_SELFTEST_RUNS_H
#define EXITBENCH_SELFTEST_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define EB_STR_MAX_POINTS 16

/* One run (a fresh VM) with a delay of @delay cycles: its median, cycles. */
typedef int (*eb_str_run_fn)(void *ctx, double delay, double *median);

struct eb_str_cfg {
	unsigned int runs;		/* per side, >= 2 (run's --repeat) */
	unsigned int trials;		/* per delay */
	unsigned int steps;		/* bisection steps */
	double target;			/* detection rate that counts, e.g. 0.9 */
	double resolve_pct;		/* the sizing line's effect, % of median */
	double tick;			/* TSC tick per exit, 0 unknown */
	size_t run_samples;		/* samples per run (for the sizing line) */
};

struct eb_str_point {
	double delay;			/* cycles injected */
	unsigned int slower, trials;
	double lo, hi;			/* Clopper-Pearson 95% CI of slower/trials */
};

struct eb_str_result {
	double median;			/* mean of the A/A runs' medians */
	double sd;			/* SD of the run medians (A/A runs) */
	unsigned int aa_alarms, aa_trials;	/* A/A: slower or faster */
	double aa_lo, aa_hi;
	unsigned int npoints;
	struct eb_str_point pt[EB_STR_MAX_POINTS];
	bool found;
	double mde;			/* cycles; valid when found */
	double mde_rate, mde_lo, mde_hi;
	unsigned int size_runs;		/* runs per side for resolve_pct; 0: > 1000 */
};

void eb_str_defaults(struct eb_str_cfg *cfg);

/* Clopper-Pearson (exact binomial) 1 - alpha CI of k successes in n. */
void eb_clopper_pearson(unsigned int k, unsigned int n, double alpha,
			double *lo, double *hi);

/* Runs per side a Welch comparison needs to detect @effect with 90% power. */
unsigned int eb_str_runs_needed(double sd, double effect);

int eb_selftest_runs(const struct eb_str_cfg *cfg, eb_str_run_fn fn, void *ctx,
		     void (*progress)(void *ctx, const struct eb_str_point *pt),
		     struct eb_str_result *res);

json_t *eb_selftest_runs_json(const struct eb_str_cfg *cfg,
			      const struct eb_str_result *res);

#endif /* EXITBENCH_SELFTEST_RUNS_H */
