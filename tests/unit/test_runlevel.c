// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run-level estimator (stats/runlevel.h): reference values, and its
 * error rates on synthetic runs built the way real ones behave: every
 * run's samples come from one skewed distribution plus a per-run offset
 * (placement, frequency, load), so the run medians scatter by more than
 * any one run's sampling noise.
 *   - A/A: both sides from the same distribution, 200 seeded trials of
 *     5 runs per side: at most 5% (+ binomial slack) say slower/faster.
 *   - a known shift added to one side: the 95% CI covers it in >= 90%.
 *   - one run per side: unresolved, never faster/slower.
 *   - the TSC tick: found as the gcd, robust to a stray sample; a delta
 *     within one tick is never a shift.
 * Reference values of Welch's test against scipy: runlevel_ref.py.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "runlevel.h"
#include "stats.h"

#define RUNS	5
#define SAMPLES	2000

/* One run's median: samples = 1000 + offset + skewed noise, in 26-cycle ticks. */
static double run_median(struct eb_rng *rng, double shift)
{
	static double v[SAMPLES];
	double off = 30 * eb_rng_normal(rng);

	for (int i = 0; i < SAMPLES; i++) {
		double x = 1000 + shift + off + 15 * exp(0.6 * eb_rng_normal(rng));

		v[i] = 26 * floor(x / 26);
	}
	return eb_median_d(v, SAMPLES);
}

static void test_error_rates(void)
{
	const struct eb_threshold thr = { .value = 0, .percent = false };
	unsigned int alarms = 0, covered = 0, detected = 0, trials = 200;
	struct eb_rng rng;

	eb_rng_seed(&rng, 20261202);
	for (unsigned int t = 0; t < trials; t++) {
		double a[RUNS], b[RUNS], c[RUNS];
		struct eb_cmp aa, sh;

		for (int k = 0; k < RUNS; k++) {
			a[k] = run_median(&rng, 0);
			b[k] = run_median(&rng, 0);
			c[k] = run_median(&rng, 104);
		}
		CHECK(!eb_runlevel_compare(a, RUNS, b, RUNS, 26, &thr, &aa));
		CHECK(!eb_runlevel_compare(a, RUNS, c, RUNS, 26, &thr, &sh));
		alarms += aa.verdict == EB_SLOWER || aa.verdict == EB_FASTER;
		/* One estimator: the point estimate inside its own CI. */
		CHECK(aa.shift_lo <= aa.delta && aa.delta <= aa.shift_hi);
		covered += sh.shift_lo <= 104 && 104 <= sh.shift_hi;
		detected += sh.verdict == EB_SLOWER;
	}
	fprintf(stderr, "A/A: %u/%u alarms; shift 104: covered %u/%u, detected %u/%u\n",
		alarms, trials, covered, trials, detected, trials);
	/* 5% of 200 is 10; P(X >= 17 | 200, 5%) < 1%: a real excess. */
	CHECK(alarms <= 16);
	CHECK(covered >= trials * 9 / 10);
}

static void test_unresolved(void)
{
	const struct eb_threshold thr = { .value = 1, .percent = true };
	double a[] = { 1000 }, b[] = { 1500 }, b3[] = { 1500, 1510, 1490 };
	struct eb_cmp c;

	CHECK(!eb_runlevel_compare(a, 1, b, 1, 0, &thr, &c));
	CHECK(c.verdict == EB_UNRESOLVED);
	CHECK(!strcmp(c.why, "1 run per side: between-run spread unknown"));
	CHECK(c.delta == 500 && isnan(c.p));
	CHECK(!eb_runlevel_compare(a, 1, b3, 3, 0, &thr, &c));
	CHECK(c.verdict == EB_UNRESOLVED && strstr(c.why, "need 2 per side"));
	CHECK(eb_runlevel_compare(a, 0, b, 1, 0, &thr, &c) == -EINVAL);
}

static void test_tick(void)
{
	const struct eb_threshold thr = { .value = 0, .percent = false };
	double a[] = { 52, 52, 52 }, b[] = { 104, 104, 104 }, c[] = { 52, 52, 78 };
	uint64_t x[1000];
	size_t exc;
	struct eb_cmp m;

	for (int i = 0; i < 1000; i++)
		x[i] = 26 * (40 + i % 17);
	CHECK(eb_tsc_tick(x, 1000, &exc) == 26 && exc == 0);
	x[500] = 26 * 45 + 1;		/* one sample across an offset change */
	CHECK(eb_tsc_tick(x, 1000, &exc) == 26 && exc == 1);
	for (int i = 0; i < 1000; i++)
		x[i] = 44;		/* one value: the step cannot be told */
	CHECK(eb_tsc_tick(x, 1000, &exc) == 44);
	CHECK(eb_tsc_tick(x, 0, &exc) == 0);
	/* Zero spread, two ticks apart: the CI widened to +-1 tick excludes 0. */
	CHECK(!eb_runlevel_compare(a, 3, b, 3, 26, &thr, &m));
	CHECK(m.verdict == EB_SLOWER && m.shift_lo == 52 && m.shift_hi == 52);
	/* Within a tick: never a shift, however narrow the CI. */
	CHECK(!eb_runlevel_compare(a, 3, c, 3, 26, &thr, &m));
	CHECK(m.verdict == EB_SAME);
	CHECK(!eb_runlevel_compare(a, 3, a, 3, 26, &thr, &m));
	CHECK(m.verdict == EB_SAME && m.p == 1);
}

static void test_summary(void)
{
	double x[] = { 10, 12, 14 };
	struct eb_runs_summary s;

	CHECK(!eb_runs_summarize(x, 3, 0.05, &s));
	CHECK_NEAR(s.mean, 12, 1e-12);
	CHECK_NEAR(s.sd, 2, 1e-12);
	/* scipy.stats.t.interval(0.95, 2, loc=12, scale=2/sqrt(3)) */
	CHECK_NEAR(s.lo, 7.031724576, 1e-8);
	CHECK_NEAR(s.hi, 16.96827542, 1e-8);
	CHECK(!eb_runs_summarize(x, 1, 0.05, &s) && isnan(s.lo));
}

int main(int argc, char **argv)
{
	/* runlevel_ref.py: print delta lo hi p for two sides given on argv */
	if (argc > 2 && !strcmp(argv[1], "--dump")) {
		double v[2][64];
		size_t n[2] = { 0, 0 }, side = 0;
		const struct eb_threshold thr = { .value = 0, .percent = false };
		struct eb_cmp c;

		for (int i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--")) {
				side = 1;
				continue;
			}
			if (n[side] < 64)
				v[side][n[side]++] = atof(argv[i]);
		}
		if (eb_runlevel_compare(v[0], n[0], v[1], n[1], 0, &thr, &c))
			return 2;
		printf("%.12g %.12g %.12g %.12g\n", c.delta, c.shift_lo, c.shift_hi, c.p);
		return 0;
	}
	test_error_rates();
	test_unresolved();
	test_tick();
	test_summary();
	return check_failures ? 1 : 0;
}
