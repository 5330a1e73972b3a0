// SPDX-License-Identifier: GPL-2.0-only
/*
 * Descriptive statistics of one sample set: order statistics, moments,
 * MAD, Tukey outlier counts and a bootstrap confidence interval of the
 * median.  See stats.h for the contract.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double eb_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, frac;
	size_t lo;

	if (n == 0)
		return NAN;
	if (p <= 0.0)
		return sorted[0];
	if (p >= 100.0)
		return sorted[n - 1];
	/* Type 7 (Hyndman and Fan): h = (n - 1) p, interpolate around it. */
	h = (double)(n - 1) * p / 100.0;
	lo = (size_t)h;
	if (lo >= n - 1)
		return sorted[n - 1];
	frac = h - (double)lo;
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/*
 * Quickselect: reorder a[] so that a[k] is the k-th smallest, everything
 * before it <= a[k] and everything after it >= a[k].  Median-of-three
 * pivots keep sorted and constant inputs (common for TSC deltas) linear.
 */
static void select_kth(double *a, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (hi > lo) {
		size_t mid = lo + (hi - lo) / 2, i, j;
		double pivot, t;

		/* Order a[lo], a[mid], a[hi]; the middle one becomes the pivot. */
		if (a[mid] < a[lo]) {
			t = a[mid]; a[mid] = a[lo]; a[lo] = t;
		}
		if (a[hi] < a[lo]) {
			t = a[hi]; a[hi] = a[lo]; a[lo] = t;
		}
		if (a[hi] < a[mid]) {
			t = a[hi]; a[hi] = a[mid]; a[mid] = t;
		}
		pivot = a[mid];
		i = lo;
		j = hi;
		/* Hoare partition: stops on equal keys, so ties split evenly. */
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				t = a[i]; a[i] = a[j]; a[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			return;	/* j < k < i: a[k] == pivot, in place. */
	}
}

/* Median (numpy's, i.e. type 7) of a[], which is reordered. */
static double median_inplace(double *a, size_t n)
{
	size_t k = (n - 1) / 2, i;
	double upper;

	select_kth(a, n, k);
	if (n % 2)
		return a[k];
	/* Even n: the other middle value is the smallest element above k. */
	upper = a[k + 1];
	for (i = k + 2; i < n; i++)
		if (a[i] < upper)
			upper = a[i];
	return (a[k] + upper) / 2.0;
}

/*
 * Percentile bootstrap of the median without materialising resamples.
 *
 * A classic resample draws n indices I_j = floor(n U_j) with U_j uniform
 * on (0,1) and takes the median of sorted[I_j].  Because sorted[] is
 * sorted and floor() is monotone, the r-th smallest resampled value is
 * sorted[floor(n U_(r))], where U_(r), the r-th order statistic of n
 * uniforms, is Beta(r+1, n-r) distributed.  For an even n the next order
 * statistic is U_(r) plus (1 - U_(r)) times the minimum of the n-r-1
 * uniforms above it, a Beta(1, n-r-1) variable.  Drawing those directly
 * gives exactly the distribution of the resampled median in O(1) per
 * resample instead of O(n), so 1000 resamples of 10^6 samples are free.
 * tests/unit checks this against a brute-force bootstrap.
 */
static int bootstrap_median_ci(const double *sorted, size_t n,
			       unsigned int resamples, uint64_t seed,
			       double *lo, double *hi)
{
	size_t r = (n - 1) / 2;
	struct eb_rng rng;
	double *med;
	unsigned int b;

	med = malloc(resamples * sizeof(*med));
	if (!med)
		return -ENOMEM;
	eb_rng_seed(&rng, seed);
	for (b = 0; b < resamples; b++) {
		double u = eb_rng_beta(&rng, (double)r + 1, (double)(n - r));
		size_t i = (size_t)(u * (double)n);

		if (i > n - 1)
			i = n - 1;
		med[b] = sorted[i];
		if (n % 2 == 0) {
			double m = (double)(n - r - 1);
			double next = 1.0 - pow(eb_rng_uniform(&rng), 1.0 / m);
			double u2 = u + (1.0 - u) * next;
			size_t i2 = (size_t)(u2 * (double)n);

			if (i2 > n - 1)
				i2 = n - 1;
			med[b] = (med[b] + sorted[i2]) / 2.0;
		}
	}
	qsort(med, resamples, sizeof(*med), cmp_double);
	*lo = eb_percentile_sorted(med, resamples, 2.5);
	*hi = eb_percentile_sorted(med, resamples, 97.5);
	free(med);
	return 0;
}

/* Takes ownership of @v (n finite values, unsorted); frees it. */
static int stats_from_owned(double *v, size_t n, unsigned int resamples,
			    uint64_t seed, struct eb_stats *out)
{
	double sum = 0.0, ss = 0.0, fence_lo, fence_hi, iqr;
	struct eb_stats s;
	size_t i;
	int ret;

	memset(&s, 0, sizeof(s));
	s.n = n;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.p1 = eb_percentile_sorted(v, n, 1);
	s.p5 = eb_percentile_sorted(v, n, 5);
	s.p25 = eb_percentile_sorted(v, n, 25);
	s.median = eb_percentile_sorted(v, n, 50);
	s.p75 = eb_percentile_sorted(v, n, 75);
	s.p95 = eb_percentile_sorted(v, n, 95);
	s.p99 = eb_percentile_sorted(v, n, 99);

	/* Two passes: the one-pass formula loses digits on ~1e5-cycle values. */
	for (i = 0; i < n; i++)
		sum += v[i];
	s.mean = sum / (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - s.mean) * (v[i] - s.mean);
	/* One sample has no spread estimate; 0 keeps JSON numeric. */
	s.stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;

	iqr = s.p75 - s.p25;
	fence_lo = s.p25 - 1.5 * iqr;
	fence_hi = s.p75 + 1.5 * iqr;
	for (i = 0; i < n && v[i] < fence_lo; i++)
		s.outliers_low++;
	for (i = n; i > 0 && v[i - 1] > fence_hi; i--)
		s.outliers_high++;

	if (resamples == 0)
		resamples = EB_STATS_BOOTSTRAP_DEFAULT;
	ret = bootstrap_median_ci(v, n, resamples, seed,
				  &s.median_ci_lo, &s.median_ci_hi);
	if (ret)
		goto err_free;

	/* Last, because it reorders v[]. */
	for (i = 0; i < n; i++)
		v[i] = fabs(v[i] - s.median);
	s.mad = median_inplace(v, n);

	*out = s;
	ret = 0;
err_free:
	free(v);
	return ret;
}

int eb_stats_compute(const uint64_t *samples, size_t n, unsigned int resamples,
		     uint64_t seed, struct eb_stats *out)
{
	double *v;
	size_t i;

	if (n == 0 || !samples || !out)
		return -EINVAL;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		v[i] = (double)samples[i];
	return stats_from_owned(v, n, resamples, seed, out);
}

int eb_stats_compute_d(const double *samples, size_t n, unsigned int resamples,
		       uint64_t seed, struct eb_stats *out)
{
	double *v;
	size_t i;

	if (n == 0 || !samples || !out)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(samples[i]))
			return -EINVAL;
	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	memcpy(v, samples, n * sizeof(*v));
	return stats_from_owned(v, n, resamples, seed, out);
}

double eb_median_d(double *a, size_t n)
{
	if (n == 0)
		return NAN;
	return median_inplace(a, n);
}
