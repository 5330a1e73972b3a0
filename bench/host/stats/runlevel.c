// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-level statistics: TSC tick, one side's runs, and the comparison of
 * two sides' run medians.  See runlevel.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runlevel.h"

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* How many of @x[0..n-1] @d does not divide. */
static size_t not_divided(const uint64_t *x, size_t n, uint64_t d)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += x[i] % d != 0;
	return k;
}

uint64_t eb_tsc_tick(const uint64_t *x, size_t n, size_t *exceptions)
{
	uint64_t *s, mode = 0, best = 0, g = 0;
	size_t i, run = 0, best_run = 0, allow = n / 100;

	if (exceptions)
		*exceptions = 0;
	if (!n)
		return 0;
	s = malloc(n * sizeof(*s));
	if (!s) {
		for (i = 0; i < n; i++)
			g = gcd(g, x[i]);
		return g;
	}
	memcpy(s, x, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++) {
		run = i && s[i] == s[i - 1] ? run + 1 : 1;
		if (run > best_run) {
			best_run = run;
			mode = s[i];
		}
	}
	free(s);
	/*
	 * The tick divides the most frequent value; of its divisors, the
	 * largest that divides all but 1% of the samples.
	 */
	for (uint64_t d = 1; mode && d * d <= mode; d++) {
		if (mode % d)
			continue;
		if (mode / d > best && not_divided(x, n, mode / d) <= allow) {
			best = mode / d;
			break;	/* mode / d only shrinks from here */
		}
		if (d > best && not_divided(x, n, d) <= allow)
			best = d;
	}
	if (best && exceptions)
		*exceptions = not_divided(x, n, best);
	return best;
}

int eb_runs_summarize(const double *x, size_t n, double alpha,
		      struct eb_runs_summary *out)
{
	double s = 0, ss = 0, q;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->lo = out->hi = NAN;
	if (!n || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	for (i = 0; i < n; i++)
		s += x[i];
	out->n = n;
	out->mean = s / (double)n;
	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		ss += (x[i] - out->mean) * (x[i] - out->mean);
	out->sd = sqrt(ss / (double)(n - 1));
	q = eb_t_quantile(1 - alpha / 2, (double)(n - 1));
	out->lo = out->mean - q * out->sd / sqrt((double)n);
	out->hi = out->mean + q * out->sd / sqrt((double)n);
	return 0;
}

static double mean(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

int eb_runlevel_compare(const double *base, size_t nb, const double *cand,
			size_t nc, double tick, const struct eb_threshold *thr,
			struct eb_cmp *out)
{
	struct eb_cmp c;
	double hw, d;
	int ret;

	if (!nb || !nc)
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.runs_base = c.n_base = nb;
	c.runs_cand = c.n_cand = nc;
	c.base_median = mean(base, nb);
	c.cand_median = mean(cand, nc);
	c.delta = c.shift = c.cand_median - c.base_median;
	c.delta_pct = c.base_median ? 100 * c.delta / c.base_median : NAN;
	c.u = NAN;
	c.tick = tick > 0 ? tick : 0;
	c.threshold_cycles = eb_threshold_cycles(thr, c.base_median);
	if (nb < EB_RUNLEVEL_MIN_RUNS || nc < EB_RUNLEVEL_MIN_RUNS) {
		c.shift_lo = c.shift_hi = c.p = NAN;
		c.verdict = EB_UNRESOLVED;
		if (nb == 1 && nc == 1)
			snprintf(c.why, sizeof(c.why),
				 "1 run per side: between-run spread unknown");
		else
			snprintf(c.why, sizeof(c.why),
				 "%zu run%s of old, %zu of new: need %d per side",
				 nb, nb == 1 ? "" : "s", nc, EB_RUNLEVEL_MIN_RUNS);
		*out = c;
		return 0;
	}
	ret = eb_welch(base, nb, cand, nc, EB_CMP_ALPHA, &d, &c.shift_lo,
		       &c.shift_hi, &c.p);
	if (ret)
		return ret;
	/*
	 * Medians of samples that are multiples of a tick move in steps: a
	 * CI narrower than one tick is an artefact of quantisation, so the
	 * decision uses the CI widened to at least +-tick.
	 */
	hw = fmax((c.shift_hi - c.shift_lo) / 2, c.tick);
	c.verdict = EB_SAME;
	if (c.p < EB_CMP_ALPHA && fabs(c.delta) > hw &&
	    fabs(c.delta) >= c.threshold_cycles && fabs(c.delta) >= c.tick &&
	    c.delta != 0)
		c.verdict = c.delta > 0 ? EB_SLOWER : EB_FASTER;
	*out = c;
	return 0;
}
