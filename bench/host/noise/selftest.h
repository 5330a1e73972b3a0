// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known-effect self-test: how small a difference can this host resolve?
 *
 * The guest runs an exit test with a delay loop of a known instruction
 * inside the timed region.  The loop's cost per iteration is calibrated in
 * the same run, so D cycles can be injected on purpose.  For each D the
 * harness runs trials of A (delay 0) against A+D and counts how often the
 * comparison says "slower"; D = 0 is the A/A control, whose "different"
 * rate must stay near the test's 5% level.  The minimum detectable effect
 * (MDE) is the smallest D detected in >= 95% of trials (and every larger D
 * too), provided the A/A control holds.
 *
 * One trial = @blocks pairs of blocks, A and A+D back to back (the order
 * alternates from pair to pair and trial to trial, so a drift cancels),
 * each block a fresh command with its own warm-up.  The comparison works
 * on block medians, never raw samples: samples within a block are
 * correlated (the host's state drifts on millisecond scales), which makes
 * a raw-sample test reject A/A far more often than its nominal 5%.  The
 * verdict is the sign test and median of the pair differences, with their
 * binomial CI (paired.h): measured here, block medians jump between
 * regimes ~40% apart, which an unpaired test cannot see through; the
 * stats library's unpaired Mann-Whitney on the same blocks is reported
 * beside it.  Needs >= 6 pairs for a 95% CI; the default 12 tolerates a pair that
 * straddles a regime switch.
 * Pure logic: sampling is a callback, tests drive it with synthetic data.
 */
#ifndef EXITBENCH_SELFTEST_H
#define EXITBENCH_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define EB_SELFTEST_MAX_DELTAS 16

enum eb_st_what {
	EB_ST_EXIT,		/* the exit test with @iters delay iterations */
	EB_ST_CALIBRATE,	/* the delay loop alone (no exit), @iters iterations */
};

/* Fill @buf with @n per-exit TSC-cycle samples (after a fresh warm-up). */
typedef int (*eb_st_sample_fn)(void *ctx, enum eb_st_what what, uint64_t iters,
			       uint64_t *buf, size_t n);

struct eb_selftest_cfg {
	size_t block_samples;		/* samples per block */
	unsigned int blocks;		/* A/A+D block pairs per trial (>= 6) */
	unsigned int trials;		/* trials per D */
	unsigned int ndeltas;
	double deltas_pct[EB_SELFTEST_MAX_DELTAS];	/* % of the median; 0: A/A */
	uint64_t calib_iters;		/* calibration iterations, 0: auto */
};

struct eb_selftest_point;
/* Called after each delay's trials (progress output); may be NULL. */
typedef void (*eb_st_progress_fn)(void *ctx, const struct eb_selftest_point *pt,
				  unsigned int trials);

struct eb_selftest_point {
	double delta_pct;		/* asked, % of the exit's median */
	uint64_t iters;			/* delay iterations injected */
	double delta_cycles;		/* iters * cycles_per_iter: injected */
	unsigned int slower, faster, same;	/* verdicts over the trials */
	double shift_median;		/* median over trials of the measured shift */
	/* the stats library's unpaired Mann-Whitney on the same blocks */
	unsigned int unpaired_slower, unpaired_alarms;
	double detect_rate;		/* slower / trials */
};

struct eb_selftest_result {
	double median;			/* of the exit without delay, cycles */
	double cycles_per_iter;		/* calibrated delay cost */
	unsigned int npoints;
	struct eb_selftest_point pt[EB_SELFTEST_MAX_DELTAS];
	/* A/A control (the D = 0 point, if asked for) */
	bool has_aa;
	unsigned int aa_alarms;		/* trials not saying "same" */
	double aa_p;			/* P(>= aa_alarms | trials, 5%) */
	bool aa_ok;			/* aa_p >= 0.01: consistent with 5% */
	/* MDE: index into pt[], -1 when no tested D is detected reliably */
	int mde;
};

/* Defaults: 12 block pairs x 300 samples, 20 trials, D in 0..20% of median. */
void eb_selftest_defaults(struct eb_selftest_cfg *cfg);

/*
 * Calibrate, measure the median, then run every D.  Returns 0 or the
 * callback's -errno, -EINVAL (bad configuration, or the delay loop's cost
 * could not be measured).
 */
int eb_selftest_run(const struct eb_selftest_cfg *cfg, eb_st_sample_fn fn,
		    void *ctx, eb_st_progress_fn progress,
		    struct eb_selftest_result *res);

/* P(X >= k) for X ~ Binomial(n, p). */
double eb_binom_tail(unsigned int k, unsigned int n, double p);

/* One exit's selftest as JSON (cfg echoed, points, A/A, MDE). */
json_t *eb_selftest_json(const struct eb_selftest_cfg *cfg,
			 const struct eb_selftest_result *res);

#endif /* EXITBENCH_SELFTEST_H */
