// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of bench/host/stats/compare.c: hand-computed U and
 * Hodges-Lehmann values, selection of pairwise differences against brute
 * force, and the statistical promises of the verdict on seeded synthetic data:
 *   A/A          same >= 95% of 200 trials at the default 1% threshold,
 *                and false alarms near alpha with no threshold at all;
 *   A/A+delta    a 3% shift is `slower` in >= 95% of trials and the CI
 *                covers the true shift in >= 90%.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "compare.h"
#include "rng.h"
#include "stats.h"

#define TRIALS 200

static void test_hand(void)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 }, c[] = { 2, 4, 7 };
	double u, p, est, lo, hi;
	struct eb_threshold t;

	/* x entirely below y: U_x = 0; exact P(U <= 0) = 1 / C(6,3) = 1/20. */
	CHECK(eb_mann_whitney(a, 3, b, 3, &u, &p) == 0);
	CHECK_NEAR(u, 0, 0);
	CHECK_NEAR(p, 0.1, 1e-12);
	CHECK(eb_mann_whitney(b, 3, a, 3, &u, &p) == 0);
	CHECK_NEAR(u, 9, 0);
	CHECK_NEAR(p, 0.1, 1e-12);
	/* Identical sets: U = mn/2 and p = 1. */
	CHECK(eb_mann_whitney(a, 3, a, 3, &u, &p) == 0);
	CHECK_NEAR(u, 4.5, 0);
	CHECK_NEAR(p, 1, 1e-12);

	/* c - a: 1 0 -1 / 3 2 1 / 6 5 4 -> sorted median (5th of 9) = 2. */
	CHECK(eb_hodges_lehmann(a, 3, c, 3, 0.05, &est, &lo, &hi) == 0);
	CHECK_NEAR(est, 2, 0);
	/* Tiny n: the interval is the full range of differences. */
	CHECK_NEAR(lo, -1, 0);
	CHECK_NEAR(hi, 6, 0);
	/* Shifting y by 10 shifts everything by 10. */
	{
		double c10[] = { 12, 14, 17 };

		CHECK(eb_hodges_lehmann(a, 3, c10, 3, 0.05, &est, &lo, &hi) == 0);
		CHECK_NEAR(est, 12, 0);
	}
	CHECK(eb_mann_whitney(a, 0, b, 3, &u, &p) == -EINVAL);
	CHECK(eb_hodges_lehmann(a, 3, b, 0, 0.05, &est, &lo, &hi) == -EINVAL);

	CHECK(eb_threshold_parse("1%", &t) == 0 && t.percent && t.value == 1);
	CHECK(eb_threshold_parse("0.5%", &t) == 0 && t.percent && t.value == 0.5);
	CHECK(eb_threshold_parse("12", &t) == 0 && !t.percent && t.value == 12);
	CHECK(eb_threshold_parse("12cyc", &t) == 0 && !t.percent);
	CHECK(eb_threshold_parse("-1%", &t) == -EINVAL);
	CHECK(eb_threshold_parse("1%%", &t) == -EINVAL);
	CHECK(eb_threshold_parse("abc", &t) == -EINVAL);
	CHECK(eb_threshold_parse("", &t) == -EINVAL);

	CHECK_NEAR(eb_norm_quantile(0.975), 1.959963984540054, 1e-12);
	CHECK_NEAR(eb_norm_quantile(0.5), 0, 1e-12);
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* Median of differences by forming them all, on small random tied sets. */
static void test_hl_bruteforce(void)
{
	struct eb_rng rng;
	int t;

	eb_rng_seed(&rng, 99);
	for (t = 0; t < 50; t++) {
		size_t nx = 1 + eb_rng_below(&rng, 40), ny = 1 + eb_rng_below(&rng, 40);
		double x[40], y[40], d[1600], est, lo, hi, want;
		size_t i, j, nd = 0;

		for (i = 0; i < nx; i++)
			x[i] = (double)eb_rng_below(&rng, 12);
		for (j = 0; j < ny; j++)
			y[j] = (double)eb_rng_below(&rng, 12) + (t % 3) * 0.25;
		for (i = 0; i < nx; i++)
			for (j = 0; j < ny; j++)
				d[nd++] = y[j] - x[i];
		qsort(d, nd, sizeof(*d), cmp_d);
		want = nd % 2 ? d[nd / 2] : (d[nd / 2 - 1] + d[nd / 2]) / 2;
		CHECK(eb_hodges_lehmann(x, nx, y, ny, 0.05, &est, &lo, &hi) == 0);
		CHECK_NEAR(est, want, 0);
		CHECK(lo <= est && est <= hi);
		CHECK(lo >= d[0] && hi <= d[nd - 1]);
	}
}

/*
 * TSC-like per-exit cycles: skewed, with rare interrupt spikes; integer
 * (batch 1, heavily tied) unless @continuous.
 */
static bool continuous;

static void synth(struct eb_rng *rng, double *v, size_t n, double shift)
{
	size_t i;

	for (i = 0; i < n; i++) {
		v[i] = 1000 + 15 * exp(0.6 * eb_rng_normal(rng)) + shift;
		if (!continuous)
			v[i] = floor(v[i]);
		if (eb_rng_below(rng, 200) == 0)
			v[i] += 20000;
	}
}

struct trial_counts {
	int same, slower, faster, covered, rejected;
};

static struct trial_counts run_trials(uint64_t seed, size_t n, double shift,
				      const char *threshold)
{
	struct trial_counts tc = { 0 };
	double *b = malloc(n * sizeof(*b)), *c = malloc(n * sizeof(*c));
	struct eb_threshold thr;
	struct eb_rng rng;
	int t;

	CHECK(eb_threshold_parse(threshold, &thr) == 0);
	eb_rng_seed(&rng, seed);
	for (t = 0; t < TRIALS; t++) {
		struct eb_cmp r;

		synth(&rng, b, n, 0);
		synth(&rng, c, n, shift);
		CHECK(eb_compare_raw(b, n, c, n, &thr, &r) == 0);
		tc.same += r.verdict == EB_SAME;
		tc.slower += r.verdict == EB_SLOWER;
		tc.faster += r.verdict == EB_FASTER;
		tc.covered += r.shift_lo <= shift && shift <= r.shift_hi;
		tc.rejected += r.p < EB_CMP_ALPHA;
	}
	free(b);
	free(c);
	fprintf(stderr, "%s shift %+g threshold %s: same %d slower %d faster %d, "
		"p < alpha %d, CI covers shift %d/%d\n",
		continuous ? "continuous" : "integer", shift, threshold, tc.same,
		tc.slower, tc.faster, tc.rejected, tc.covered, TRIALS);
	return tc;
}

static void test_aa(void)
{
	struct trial_counts tc;

	continuous = false;
	tc = run_trials(1, 2000, 0, "1%");
	CHECK(tc.same >= TRIALS * 95 / 100);
	CHECK(tc.covered >= TRIALS * 90 / 100);
	CHECK(tc.rejected <= 20);
	/*
	 * Untied data and no threshold: the U test and the interval must be
	 * calibrated, not just conservative.  Expected 10 of 200 false alarms
	 * (alpha); outside 2..20 has probability < 0.3%.
	 */
	continuous = true;
	tc = run_trials(2, 1000, 0, "0");
	CHECK(tc.rejected >= 2 && tc.rejected <= 20);
	CHECK(tc.same >= TRIALS - 20);
	CHECK(tc.covered >= TRIALS * 90 / 100 && tc.covered <= TRIALS - 1);
	continuous = false;
}

static void test_aa_delta(void)
{
	struct trial_counts tc;

	/* +30 cycles is ~2.9% of the ~1015-cycle median: beyond 1%. */
	tc = run_trials(3, 2000, 30, "1%");
	CHECK(tc.slower >= TRIALS * 95 / 100);
	CHECK(tc.covered >= TRIALS * 90 / 100);
	tc = run_trials(4, 2000, -30, "1%");
	CHECK(tc.faster >= TRIALS * 95 / 100);
	CHECK(tc.covered >= TRIALS * 90 / 100);
	/* +3 cycles (0.3%) is real but below the threshold: `same`. */
	tc = run_trials(5, 2000, 3, "1%");
	CHECK(tc.same >= TRIALS * 95 / 100);
	/* ... and detected when the threshold is in cycles and below it. */
	tc = run_trials(6, 2000, 3, "2");
	CHECK(tc.slower >= TRIALS * 80 / 100);
	/* Untied: the interval's coverage of a real shift is ~95%. */
	continuous = true;
	tc = run_trials(7, 1000, 2.5, "1%");
	CHECK(tc.same >= TRIALS * 95 / 100);
	CHECK(tc.covered >= TRIALS * 90 / 100 && tc.covered <= TRIALS - 1);
	tc = run_trials(9, 1000, 12, "1%");
	CHECK(tc.slower >= TRIALS * 95 / 100);
	CHECK(tc.covered >= TRIALS * 90 / 100);
	continuous = false;
}

/* Without raw samples: medians and their bootstrap CIs only. */
static void test_summary_fallback(void)
{
	double b[2000], c[2000];
	struct eb_threshold thr = { 1, true };
	struct eb_rng rng;
	int t, slower = 0, same_aa = 0;

	eb_rng_seed(&rng, 8);
	for (t = 0; t < TRIALS; t++) {
		struct eb_stats sb, sc;
		struct eb_cmp r;

		synth(&rng, b, 2000, 0);
		synth(&rng, c, 2000, 30);
		CHECK(eb_stats_compute_d(b, 2000, 0, 1, &sb) == 0);
		CHECK(eb_stats_compute_d(c, 2000, 0, 2, &sc) == 0);
		eb_compare_stats(&sb, &sc, &thr, &r);
		CHECK(!r.raw && isnan(r.p));
		slower += r.verdict == EB_SLOWER;
		synth(&rng, c, 2000, 0);
		CHECK(eb_stats_compute_d(c, 2000, 0, 3, &sc) == 0);
		eb_compare_stats(&sb, &sc, &thr, &r);
		same_aa += r.verdict == EB_SAME;
	}
	fprintf(stderr, "summaries: +30 slower %d/%d, A/A same %d/%d\n",
		slower, TRIALS, same_aa, TRIALS);
	CHECK(slower >= TRIALS * 95 / 100);
	CHECK(same_aa >= TRIALS * 95 / 100);
}

/* Student's t against scipy.stats.t (values in the comments' calls). */
static void test_t_distribution(void)
{
	CHECK_NEAR(eb_t_cdf(2.0, 5), 0.9490302605850709, 1e-12);	/* t.cdf(2, 5) */
	CHECK_NEAR(eb_t_cdf(-1.5, 2.5), 0.12391822654314802, 1e-12);
	CHECK_NEAR(eb_t_cdf(30, 3), 0.9999593235978642, 1e-12);
	CHECK_NEAR(eb_t_cdf(0, 4), 0.5, 1e-15);
	CHECK_NEAR(eb_t_quantile(0.975, 1), 12.706204736432095, 1e-9);	/* t.ppf */
	CHECK_NEAR(eb_t_quantile(0.975, 7.3), 2.345066736150929, 1e-9);
}

/*
 * Repeated runs whose medians drift from run to run (sd 10 cycles, as a
 * reboot or another placement does), 5 runs per variant, 400 samples per
 * run.  Single-run comparisons call drift a difference; the run-level
 * Welch comparison must not, and must still see a real +30.
 */
static void test_runs_with_drift(void)
{
	const struct eb_threshold none = { 0, false };
	struct eb_rng rng;
	int t, single_alarm = 0, runs_alarm = 0, detected = 0, covered = 0;

	eb_rng_seed(&rng, 31);
	for (t = 0; t < TRIALS; t++) {
		double b[5], c[5], cs[5], x[400], y[400], drift;
		struct eb_cmp r;
		size_t k;

		for (k = 0; k < 5; k++) {
			drift = 10 * eb_rng_normal(&rng);
			synth(&rng, x, 400, drift);
			b[k] = eb_median_d(x, 400);
			drift = 10 * eb_rng_normal(&rng);
			synth(&rng, y, 400, drift);
			c[k] = eb_median_d(y, 400);
			cs[k] = c[k] + 30;
			if (k == 0) {
				CHECK(eb_compare_raw(x, 400, y, 400, &none, &r) == 0);
				single_alarm += r.verdict != EB_SAME;
			}
		}
		CHECK(eb_compare_runs(b, 5, c, 5, &none, &r) == 0);
		runs_alarm += r.verdict != EB_SAME;
		CHECK(r.runs_base == 5 && r.runs_cand == 5 && !isnan(r.p));
		CHECK(eb_compare_runs(b, 5, cs, 5, &none, &r) == 0);
		detected += r.verdict == EB_SLOWER;
		covered += r.shift_lo <= 30 && 30 <= r.shift_hi;
	}
	fprintf(stderr, "drifting runs: single-run false alarms %d/%d, run-level "
		"%d/%d; +30 detected %d/%d, CI covers %d/%d\n", single_alarm, TRIALS,
		runs_alarm, TRIALS, detected, TRIALS, covered, TRIALS);
	/* Two runs differ by N(0, 14) cycles: far beyond one run's CI. */
	CHECK(single_alarm >= TRIALS / 2);
	CHECK(runs_alarm <= 20);
	CHECK(detected >= TRIALS * 90 / 100);
	CHECK(covered >= TRIALS * 90 / 100);
}

/* Not a timed assertion: prints how long 10^5 x 10^5 takes, checks sanity. */
static void test_large(void)
{
	size_t n = 100000;
	double *b = malloc(n * sizeof(*b)), *c = malloc(n * sizeof(*c));
	struct eb_threshold thr = { 1, true };
	struct eb_rng rng;
	struct timespec t0, t1;
	struct eb_cmp r;

	eb_rng_seed(&rng, 10);
	synth(&rng, b, n, 0);
	synth(&rng, c, n, 12);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(eb_compare_raw(b, n, c, n, &thr, &r) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "1e5 x 1e5: HL %g [%g, %g] p %.3g in %.3f s\n",
		r.shift, r.shift_lo, r.shift_hi, r.p,
		(double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9);
	CHECK(r.shift_lo <= 12 && 12 <= r.shift_hi);
	CHECK(r.verdict == EB_SLOWER);
	free(b);
	free(c);
}

int main(void)
{
	test_hand();
	test_hl_bruteforce();
	test_aa();
	test_aa_delta();
	test_summary_fallback();
	test_t_distribution();
	test_runs_with_drift();
	test_large();
	CHECK_DONE();
}
