// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two-sample comparison: Mann-Whitney U, Hodges-Lehmann shift with its
 * confidence interval, and the faster/slower/same verdict.  See compare.h.
 *
 * Exit latencies are skewed, heavy-tailed (interrupts, SMIs) and integer
 * valued with many ties, so everything here is rank based: no normality
 * assumption, and robust to the odd 100x sample.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

const char *eb_verdict_name(enum eb_verdict v)
{
	switch (v) {
	case EB_FASTER: return "faster";
	case EB_SLOWER: return "slower";
	case EB_UNRESOLVED: return "unresolved";
	default: return "same";
	}
}

int eb_threshold_parse(const char *s, struct eb_threshold *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v) || v < 0)
		return -EINVAL;
	if (!strcmp(end, "%")) {
		out->percent = true;
	} else if (!*end || !strcmp(end, "cyc") || !strcmp(end, "cycles")) {
		out->percent = false;
	} else {
		return -EINVAL;
	}
	out->value = v;
	return 0;
}

double eb_norm_quantile(double q)
{
	double lo = -40, hi = 40;
	int i;

	if (!(q > 0 && q < 1))
		return NAN;
	/* Bisection on the CDF: ~60 steps reach double precision; called rarely. */
	for (i = 0; i < 200 && hi - lo > 1e-15; i++) {
		double mid = (lo + hi) / 2;

		if (0.5 * erfc(-mid / M_SQRT2) < q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double *sorted_copy(const double *v, size_t n)
{
	double *c = malloc(n * sizeof(*c));

	if (!c)
		return NULL;
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	return c;
}

/*
 * Walk both sorted sets in merge order.  Each run of equal values gets the
 * average of the ranks it spans; returns the rank sum of x and accumulates
 * sum(t^3 - t) over tie runs for the variance correction.
 */
static double rank_sum_x(const double *x, size_t nx, const double *y, size_t ny,
			 double *tie_term)
{
	size_t i = 0, j = 0, rank = 0;
	double rx = 0, tt = 0;

	while (i < nx || j < ny) {
		double v = (j >= ny || (i < nx && x[i] <= y[j])) ? x[i] : y[j];
		size_t cx = 0, cy = 0, t;

		while (i < nx && x[i] == v) {
			i++;
			cx++;
		}
		while (j < ny && y[j] == v) {
			j++;
			cy++;
		}
		t = cx + cy;
		/* Ranks rank+1 .. rank+t, average (2 rank + t + 1) / 2. */
		rx += (double)cx * ((double)(2 * rank + t + 1) / 2.0);
		tt += (double)t * (double)t * (double)t - (double)t;
		rank += t;
	}
	*tie_term = tt;
	return rx;
}

double eb_mann_whitney_exact_p(double u, size_t m, size_t n)
{
	size_t umax = m * n, i, k, ucrit;
	double *f, total = 0, tail = 0, p;

	f = calloc(umax + 1, sizeof(*f));
	if (!f)
		return NAN;
	/*
	 * The number of arrangements with U = k is the coefficient of q^k in
	 * the Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i))
	 * / (1 - q^i).  Multiply by the numerator factor, then divide by
	 * (1 - q^i), which is a running sum with stride i.
	 */
	f[0] = 1;
	for (i = 1; i <= m; i++) {
		size_t s = n + i;

		for (k = umax; k >= s; k--)
			f[k] -= f[k - s];
		for (k = i; k <= umax; k++)
			f[k] += f[k - i];
	}
	/* Two-sided: 2 P(U >= max(u, mn - u)) = 2 P(U <= mn - max(...)). */
	if (u < (double)umax - u)
		u = (double)umax - u;
	ucrit = (size_t)((double)umax - u);
	for (k = 0; k <= umax; k++) {
		total += f[k];
		if (k <= ucrit)
			tail += f[k];
	}
	free(f);
	p = 2 * tail / total;
	return p > 1 ? 1 : p;
}

static int mann_whitney_sorted(const double *x, size_t nx, const double *y,
			       size_t ny, double *u, double *p)
{
	double tie_term, n = (double)(nx + ny), mu, s, umax, z;

	*u = rank_sum_x(x, nx, y, ny, &tie_term) - (double)nx * (double)(nx + 1) / 2;
	if (tie_term == 0 && nx + ny <= 100) {
		*p = eb_mann_whitney_exact_p(*u, nx, ny);
		return isnan(*p) ? -ENOMEM : 0;
	}
	mu = (double)nx * (double)ny / 2;
	s = sqrt((double)nx * (double)ny / 12 *
		 ((n + 1) - tie_term / (n * (n - 1))));
	if (!(s > 0)) {
		/* Every sample is the same value: no evidence of a difference. */
		*p = 1;
		return 0;
	}
	umax = *u > (double)nx * (double)ny - *u ? *u : (double)nx * (double)ny - *u;
	z = (umax - mu - 0.5) / s;	/* continuity correction */
	*p = erfc(z / M_SQRT2);		/* 2 * (1 - Phi(z)) */
	if (*p > 1)
		*p = 1;
	return 0;
}

int eb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
		    double *u, double *p)
{
	double *sx, *sy;
	int ret = -ENOMEM;

	if (!nx || !ny)
		return -EINVAL;
	sx = sorted_copy(x, nx);
	sy = sorted_copy(y, ny);
	if (sx && sy)
		ret = mann_whitney_sorted(sx, nx, sy, ny, u, p);
	free(sx);
	free(sy);
	return ret;
}

/* Number of pairs with y_j - x_i <= t; both sorted.  O(nx + ny). */
static uint64_t count_le(const double *x, size_t nx, const double *y, size_t ny,
			 double t)
{
	uint64_t count = 0;
	size_t i, j = 0;

	/* As x_i grows, the first j with y_j - x_i > t can only move right. */
	for (i = 0; i < nx; i++) {
		while (j < ny && y[j] - x[i] <= t)
			j++;
		count += j;
	}
	return count;
}

/* Smallest difference y_j - x_i strictly above t (INFINITY if none). */
static double next_above(const double *x, size_t nx, const double *y, size_t ny,
			 double t)
{
	double best = INFINITY;
	size_t i, j = 0;

	for (i = 0; i < nx; i++) {
		while (j < ny && y[j] - x[i] <= t)
			j++;
		if (j < ny && y[j] - x[i] < best)
			best = y[j] - x[i];
	}
	return best;
}

/*
 * The k-th smallest (1-based) of the nx * ny pairwise differences without
 * forming them: bisect on the value, counting pairs at or below it, until
 * the first difference above the lower bound is the answer.  With integer
 * cycle counts this takes about log2(range) rounds.
 */
static double kth_difference(const double *x, size_t nx, const double *y,
			     size_t ny, uint64_t k)
{
	double lo = y[0] - x[nx - 1], hi = y[ny - 1] - x[0];
	int round;

	/* Invariant: count_le(lo) < k <= count_le(hi). */
	lo -= 1 + fabs(lo);
	for (round = 0; round < 2000; round++) {
		double cand = next_above(x, nx, y, ny, lo), mid;

		if (count_le(x, nx, y, ny, cand) >= k)
			return cand;
		mid = lo + (hi - lo) / 2;
		if (mid <= lo || mid >= hi)
			break;
		if (count_le(x, nx, y, ny, mid) >= k)
			hi = mid;
		else
			lo = mid;
	}
	return hi;	/* unreachable for finite input: the loop converges */
}

static void hodges_lehmann_sorted(const double *x, size_t nx, const double *y,
				  size_t ny, double alpha, double tie_term,
				  double *est, double *lo, double *hi)
{
	uint64_t pairs = (uint64_t)nx * ny, k;
	double n = (double)(nx + ny), sigma, c;

	if (pairs % 2)
		*est = kth_difference(x, nx, y, ny, pairs / 2 + 1);
	else
		*est = (kth_difference(x, nx, y, ny, pairs / 2) +
			kth_difference(x, nx, y, ny, pairs / 2 + 1)) / 2;

	/*
	 * The CI is [d_(k), d_(N+1-k)] where k is the lower alpha/2 critical
	 * value of U (Lehmann, "Nonparametrics", 1975, ch. 2), from the normal
	 * approximation with the same tie correction as the U test.
	 */
	sigma = sqrt((double)nx * (double)ny / 12 *
		     ((n + 1) - (n > 1 ? tie_term / (n * (n - 1)) : 0)));
	c = (double)pairs / 2 - eb_norm_quantile(1 - alpha / 2) * sigma;
	k = c < 1 ? 1 : (uint64_t)floor(c);
	if (k > (pairs + 1) / 2)
		k = (pairs + 1) / 2;
	*lo = kth_difference(x, nx, y, ny, k);
	*hi = kth_difference(x, nx, y, ny, pairs + 1 - k);
}

int eb_hodges_lehmann(const double *x, size_t nx, const double *y, size_t ny,
		      double alpha, double *est, double *lo, double *hi)
{
	double *sx, *sy, tie_term;

	if (!nx || !ny || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	sx = sorted_copy(x, nx);
	sy = sorted_copy(y, ny);
	if (!sx || !sy) {
		free(sx);
		free(sy);
		return -ENOMEM;
	}
	rank_sum_x(sx, nx, sy, ny, &tie_term);
	hodges_lehmann_sorted(sx, nx, sy, ny, alpha, tie_term, est, lo, hi);
	free(sx);
	free(sy);
	return 0;
}

double eb_threshold_cycles(const struct eb_threshold *thr, double base)
{
	return thr->percent ? thr->value / 100.0 * fabs(base) : thr->value;
}

enum eb_verdict eb_compare_decide(const struct eb_cmp *c, double est)
{
	bool significant = c->shift_lo > 0 || c->shift_hi < 0;

	/* Where a test was run (raw samples, repeated runs), it must agree. */
	if (!isnan(c->p) && !(c->p < EB_CMP_ALPHA))
		significant = false;
	if (!significant || est == 0 || fabs(est) < c->threshold_cycles)
		return EB_SAME;
	return est > 0 ? EB_SLOWER : EB_FASTER;
}

int eb_compare_raw(const double *base, size_t nb, const double *cand, size_t nc,
		   const struct eb_threshold *thr, struct eb_cmp *out)
{
	double *sb, *sc, tie_term, u_base;
	struct eb_cmp c;
	int ret = -ENOMEM;

	if (!nb || !nc)
		return -EINVAL;
	sb = sorted_copy(base, nb);
	sc = sorted_copy(cand, nc);
	if (!sb || !sc)
		goto err_free;

	memset(&c, 0, sizeof(c));
	c.raw = true;
	c.n_base = nb;
	c.n_cand = nc;
	c.base_median = eb_percentile_sorted(sb, nb, 50);
	c.cand_median = eb_percentile_sorted(sc, nc, 50);
	c.delta = c.cand_median - c.base_median;
	c.delta_pct = c.base_median ? 100 * c.delta / c.base_median : NAN;

	ret = mann_whitney_sorted(sb, nb, sc, nc, &u_base, &c.p);
	if (ret)
		goto err_free;
	c.u = (double)nb * (double)nc - u_base;	/* U of the candidate */
	rank_sum_x(sb, nb, sc, nc, &tie_term);
	hodges_lehmann_sorted(sb, nb, sc, nc, EB_CMP_ALPHA, tie_term,
			      &c.shift, &c.shift_lo, &c.shift_hi);
	c.threshold_cycles = eb_threshold_cycles(thr, c.base_median);
	c.verdict = eb_compare_decide(&c, c.shift);
	*out = c;
	ret = 0;
err_free:
	free(sb);
	free(sc);
	return ret;
}

void eb_compare_stats(const struct eb_stats *base, const struct eb_stats *cand,
		      const struct eb_threshold *thr, struct eb_cmp *out)
{
	struct eb_cmp c;
	double hb, hc, h;

	memset(&c, 0, sizeof(c));
	c.n_base = base->n;
	c.n_cand = cand->n;
	c.base_median = base->median;
	c.cand_median = cand->median;
	c.delta = c.cand_median - c.base_median;
	c.delta_pct = c.base_median ? 100 * c.delta / c.base_median : NAN;
	/*
	 * Independent estimates: the difference's CI half-width is about the
	 * root sum of squares of the two half-widths (exact for normal
	 * sampling distributions; the median's is asymptotically normal).
	 */
	hb = (base->median_ci_hi - base->median_ci_lo) / 2;
	hc = (cand->median_ci_hi - cand->median_ci_lo) / 2;
	h = sqrt(hb * hb + hc * hc);
	c.shift = c.delta;
	c.shift_lo = c.delta - h;
	c.shift_hi = c.delta + h;
	c.u = NAN;
	c.p = NAN;
	c.threshold_cycles = eb_threshold_cycles(thr, c.base_median);
	c.verdict = eb_compare_decide(&c, c.shift);
	*out = c;
}
