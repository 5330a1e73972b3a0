// SPDX-License-Identifier: GPL-2.0-only
/*
 * Comparison across repeated runs: one median per run and per variant,
 * Welch's t test on them.  A single run's sample-level statistics
 * (compare.c) only know the noise within that run; two runs of one
 * kernel on a real machine can differ by more than that (placement,
 * frequency, other load: results/reference/README.md), so when each
 * variant was run several times, the runs are the unit of evidence.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "compare.h"

/*
 * Continued fraction of the regularized incomplete beta function,
 * evaluated with the modified Lentz method (Lentz 1976; Thompson and
 * Barnett 1986): I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * 1/(1+ d1/(1+ d2/...)).
 */
static double beta_cf(double x, double a, double b)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 500; m++) {
		double m2 = 2.0 * m, num, delta;

		/* Even step: d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m)). */
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = fabs(c) < tiny ? tiny : c;
		h *= d * c;
		/* Odd step: d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)). */
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		c = 1 + num / c;
		d = fabs(d) < tiny ? 1 / tiny : 1 / d;
		c = fabs(c) < tiny ? tiny : c;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < eps)
			break;
	}
	return h;
}

/* Regularized incomplete beta I_x(a, b), 0 <= x <= 1. */
static double inc_beta(double x, double a, double b)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) +
		    a * log(x) + b * log1p(-x));
	/* The fraction converges fast only left of the mean; else use symmetry. */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(x, a, b) / a;
	return 1 - front * beta_cf(1 - x, b, a) / b;
}

double eb_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	/* P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2). */
	tail = 0.5 * inc_beta(df / (df + t * t), df / 2, 0.5);
	return t > 0 ? 1 - tail : tail;
}

double eb_t_quantile(double q, double df)
{
	double lo = -1e6, hi = 1e6;
	int i;

	if (!(q > 0 && q < 1) || !(df > 0))
		return NAN;
	for (i = 0; i < 300 && hi - lo > 1e-12 * fmax(1, fabs(lo)); i++) {
		double mid = (lo + hi) / 2;

		if (eb_t_cdf(mid, df) < q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
	double s = 0, ss = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += v[i];
	*mean = s / (double)n;
	for (i = 0; i < n; i++)
		ss += (v[i] - *mean) * (v[i] - *mean);
	*var = ss / (double)(n - 1);
}

int eb_welch(const double *x, size_t nx, const double *y, size_t ny, double alpha,
	     double *diff, double *lo, double *hi, double *p)
{
	double mx, my, vx, vy, se2, se, df, t, q;

	if (nx < 2 || ny < 2 || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	mean_var(x, nx, &mx, &vx);
	mean_var(y, ny, &my, &vy);
	*diff = my - mx;
	vx /= (double)nx;
	vy /= (double)ny;
	se2 = vx + vy;
	if (!(se2 > 0)) {
		/* Every run gave the same number: the difference is exact. */
		*lo = *hi = *diff;
		*p = *diff == 0 ? 1 : 0;
		return 0;
	}
	se = sqrt(se2);
	/* Welch-Satterthwaite degrees of freedom. */
	df = se2 * se2 / (vx * vx / (double)(nx - 1) + vy * vy / (double)(ny - 1));
	t = *diff / se;
	*p = inc_beta(df / (df + t * t), df / 2, 0.5);
	q = eb_t_quantile(1 - alpha / 2, df);
	*lo = *diff - q * se;
	*hi = *diff + q * se;
	return 0;
}

int eb_compare_runs(const double *base, size_t nb, const double *cand, size_t nc,
		    const struct eb_threshold *thr, struct eb_cmp *out)
{
	struct eb_cmp c;
	double vb, vc;
	int ret;

	memset(&c, 0, sizeof(c));
	ret = eb_welch(base, nb, cand, nc, EB_CMP_ALPHA, &c.shift, &c.shift_lo,
		       &c.shift_hi, &c.p);
	if (ret)
		return ret;
	c.runs_base = c.n_base = nb;
	c.runs_cand = c.n_cand = nc;
	mean_var(base, nb, &c.base_median, &vb);
	mean_var(cand, nc, &c.cand_median, &vc);
	c.delta = c.cand_median - c.base_median;
	c.delta_pct = c.base_median ? 100 * c.delta / c.base_median : NAN;
	c.u = NAN;
	c.threshold_cycles = eb_threshold_cycles(thr, c.base_median);
	c.verdict = eb_compare_decide(&c, c.shift);
	*out = c;
	return 0;
}
