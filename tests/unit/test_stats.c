// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of bench/host/stats/stats.c against hand-computed values, plus
 * statistical checks of the bootstrap: it must agree with a brute-force
 * resampling bootstrap and cover the true median about 95% of the time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "rng.h"
#include "stats.h"

static void test_small_even(void)
{
	const uint64_t x[] = { 4, 1, 3, 2 };
	struct eb_stats s;

	CHECK(eb_stats_compute(x, 4, 0, 1, &s) == 0);
	CHECK(s.n == 4);
	CHECK_NEAR(s.min, 1, 0);
	CHECK_NEAR(s.max, 4, 0);
	/* type 7: h = 3 * 0.25 = 0.75 -> 1 + 0.75 * (2 - 1) */
	CHECK_NEAR(s.p25, 1.75, 1e-12);
	CHECK_NEAR(s.median, 2.5, 1e-12);
	CHECK_NEAR(s.p75, 3.25, 1e-12);
	/* h = 3 * 0.01 = 0.03 */
	CHECK_NEAR(s.p1, 1.03, 1e-12);
	CHECK_NEAR(s.p99, 3.97, 1e-12);
	CHECK_NEAR(s.mean, 2.5, 1e-12);
	/* sum of squares 2.25+0.25+0.25+2.25 = 5, / 3 */
	CHECK_NEAR(s.stddev, sqrt(5.0 / 3.0), 1e-12);
	/* |x - 2.5| = 1.5 .5 .5 1.5 -> median 1 */
	CHECK_NEAR(s.mad, 1.0, 1e-12);
	CHECK(s.outliers_low == 0 && s.outliers_high == 0);
	CHECK(s.median_ci_lo >= 1 && s.median_ci_hi <= 4);
	CHECK(s.median_ci_lo <= s.median && s.median <= s.median_ci_hi);
}

static void test_small_outlier(void)
{
	const uint64_t x[] = { 100, 3, 1, 4, 2 };
	struct eb_stats s;

	CHECK(eb_stats_compute(x, 5, 0, 1, &s) == 0);
	CHECK_NEAR(s.median, 3, 0);
	CHECK_NEAR(s.p25, 2, 0);
	CHECK_NEAR(s.p75, 4, 0);
	CHECK_NEAR(s.mean, 22, 1e-12);
	/* deviations 2 1 0 1 97 -> 1 */
	CHECK_NEAR(s.mad, 1, 0);
	/* IQR 2: fences -1 and 7; only 100 is beyond. */
	CHECK(s.outliers_low == 0);
	CHECK(s.outliers_high == 1);
	/* h = 4 * 0.95 = 3.8 -> 4 + 0.8 * 96 */
	CHECK_NEAR(s.p95, 80.8, 1e-12);
}

static void test_low_outliers_and_doubles(void)
{
	const double x[] = { -50, 10, 10.5, 11, 11.5, 12, 13, -40 };
	struct eb_stats s;

	CHECK(eb_stats_compute_d(x, 8, 0, 1, &s) == 0);
	/* sorted: -50 -40 10 10.5 11 11.5 12 13; p25 h=1.75 -> -40+.75*50 */
	CHECK_NEAR(s.p25, -2.5, 1e-12);
	CHECK_NEAR(s.median, 10.75, 1e-12);
	CHECK_NEAR(s.p75, 11.625, 1e-12);
	/* IQR 14.125: fences -23.6875 and 32.8125 */
	CHECK(s.outliers_low == 2);
	CHECK(s.outliers_high == 0);
}

static void test_degenerate(void)
{
	const uint64_t one = 1234, same[] = { 7, 7, 7, 7, 7, 7 };
	const double bad[] = { 1, NAN, 3 };
	struct eb_stats s;

	CHECK(eb_stats_compute(&one, 1, 0, 9, &s) == 0);
	CHECK(s.min == 1234 && s.max == 1234 && s.median == 1234);
	CHECK(s.stddev == 0 && s.mad == 0);
	CHECK(s.median_ci_lo == 1234 && s.median_ci_hi == 1234);

	CHECK(eb_stats_compute(same, 6, 0, 9, &s) == 0);
	CHECK(s.median_ci_lo == 7 && s.median_ci_hi == 7);
	CHECK(s.outliers_low == 0 && s.outliers_high == 0);

	CHECK(eb_stats_compute(same, 0, 0, 9, &s) == -EINVAL);
	CHECK(eb_stats_compute_d(bad, 3, 0, 9, &s) == -EINVAL);
	CHECK(isnan(eb_percentile_sorted(NULL, 0, 50)));
}

static double median_by_sort(const double *a, size_t n)
{
	double *c = malloc(n * sizeof(*c)), m;
	size_t i, j;

	/* Insertion sort: obviously right, fine for the sizes used here. */
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && c[j - 1] > a[i]; j--)
			c[j] = c[j - 1];
		c[j] = a[i];
	}
	m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	free(c);
	return m;
}

/* Quickselect median on inputs with many ties, sorted and reversed runs. */
static void test_median_select(void)
{
	struct eb_rng rng;
	double a[301], b[301];
	size_t n, i;
	int shape;

	eb_rng_seed(&rng, 42);
	for (shape = 0; shape < 4; shape++) {
		for (n = 1; n <= 301; n += 7) {
			for (i = 0; i < n; i++) {
				switch (shape) {
				case 0: a[i] = (double)eb_rng_below(&rng, 5); break;
				case 1: a[i] = (double)i; break;
				case 2: a[i] = (double)(n - i); break;
				default: a[i] = eb_rng_normal(&rng); break;
				}
			}
			memcpy(b, a, n * sizeof(*a));
			CHECK_NEAR(eb_median_d(b, n), median_by_sort(a, n), 0);
		}
	}
}

static int cmp_d(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* The classic bootstrap: materialise every resample and take its median. */
static void brute_bootstrap(const double *x, size_t n, unsigned int b,
			    uint64_t seed, double *lo, double *hi)
{
	double *res = malloc(n * sizeof(*res)), *med = malloc(b * sizeof(*med));
	struct eb_rng rng;
	unsigned int k;
	size_t i;

	eb_rng_seed(&rng, seed);
	for (k = 0; k < b; k++) {
		for (i = 0; i < n; i++)
			res[i] = x[eb_rng_below(&rng, n)];
		med[k] = eb_median_d(res, n);
	}
	qsort(med, b, sizeof(*med), cmp_d);
	*lo = eb_percentile_sorted(med, b, 2.5);
	*hi = eb_percentile_sorted(med, b, 97.5);
	free(res);
	free(med);
}

/*
 * The order-statistic shortcut must give the same interval as resampling,
 * up to Monte Carlo error (both use 4000 resamples here).
 */
static void test_bootstrap_matches_bruteforce(void)
{
	size_t sizes[] = { 101, 100, 1000, 999 }, k, i;
	struct eb_rng rng;

	eb_rng_seed(&rng, 7);
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		double *x = malloc(n * sizeof(*x)), lo, hi, width;
		struct eb_stats s;

		/* Skewed, integer-valued like TSC deltas: many ties. */
		for (i = 0; i < n; i++)
			x[i] = floor(1000 + 40 * exp(eb_rng_normal(&rng)));
		CHECK(eb_stats_compute_d(x, n, 4000, 11, &s) == 0);
		brute_bootstrap(x, n, 4000, 12, &lo, &hi);
		width = hi - lo;
		CHECK(width > 0);
		CHECK_NEAR(s.median_ci_lo, lo, 0.2 * width / (lo > 1 ? lo : 1));
		CHECK_NEAR(s.median_ci_hi, hi, 0.2 * width / (hi > 1 ? hi : 1));
		free(x);
	}
}

/* Nominal 95%: over 300 normal samples of n = 151 expect ~285 covers. */
static void test_bootstrap_coverage(void)
{
	struct eb_rng rng;
	double x[151];
	int t, covered = 0;
	size_t i;

	eb_rng_seed(&rng, 2024);
	for (t = 0; t < 300; t++) {
		struct eb_stats s;

		for (i = 0; i < 151; i++)
			x[i] = 500 + 10 * eb_rng_normal(&rng);
		CHECK(eb_stats_compute_d(x, 151, 1000, (uint64_t)t, &s) == 0);
		covered += s.median_ci_lo <= 500 && 500 <= s.median_ci_hi;
	}
	/* Binomial(300, 0.95) is below 270 with probability < 1e-4. */
	fprintf(stderr, "bootstrap coverage: %d/300\n", covered);
	CHECK(covered >= 270);
	CHECK(covered <= 298);
}

static void test_reproducible(void)
{
	struct eb_rng rng;
	uint64_t x[2001];
	struct eb_stats a, b, c;
	size_t i;

	eb_rng_seed(&rng, 5);
	for (i = 0; i < 2001; i++)
		x[i] = 1000 + eb_rng_below(&rng, 200);
	CHECK(eb_stats_compute(x, 2001, 1000, 77, &a) == 0);
	CHECK(eb_stats_compute(x, 2001, 1000, 77, &b) == 0);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	CHECK(eb_stats_compute(x, 2001, 1000, 78, &c) == 0);
	CHECK(a.median == c.median);
	CHECK(a.min <= a.p1 && a.p1 <= a.p5 && a.p5 <= a.p25);
	CHECK(a.p25 <= a.median && a.median <= a.p75 && a.p75 <= a.p95);
	CHECK(a.p95 <= a.p99 && a.p99 <= a.max);
}

int main(void)
{
	test_small_even();
	test_small_outlier();
	test_low_outliers_and_doubles();
	test_degenerate();
	test_median_select();
	test_bootstrap_matches_bruteforce();
	test_bootstrap_coverage();
	test_reproducible();
	CHECK_DONE();
}
