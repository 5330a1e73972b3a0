// SPDX-License-Identifier: GPL-2.0-only
/* Round schedule (ABBA) and paired statistics over rounds: see rounds.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "rounds.h"
#include "stats.h"

int eb_rounds_schedule(unsigned int nstrat, unsigned int rounds,
		       unsigned int *order)
{
	if (!nstrat || nstrat > EB_MAX_STRATEGIES || rounds < 2 ||
	    rounds > EB_MAX_ROUNDS || rounds % 2)
		return -EINVAL;
	for (unsigned int r = 0; r < rounds; r++)
		for (unsigned int k = 0; k < nstrat; k++)
			order[r * nstrat + k] = r % 2 ? nstrat - 1 - k : k;
	return 0;
}

int eb_paired_rounds(const double *base, const double *cand, size_t n,
		     double alpha, struct eb_paired *out)
{
	double *d, sum = 0, bsum = 0, ss = 0, se, q, t;

	if (n < 2 || !(alpha > 0 && alpha < 1))
		return -EINVAL;
	d = malloc(n * sizeof(*d));
	if (!d)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		d[i] = cand[i] - base[i];
		sum += d[i];
		bsum += base[i];
	}
	memset(out, 0, sizeof(*out));
	out->n = n;
	out->mean = sum / n;
	out->base_mean = bsum / n;
	for (size_t i = 0; i < n; i++)
		ss += (d[i] - out->mean) * (d[i] - out->mean);
	out->sd = sqrt(ss / (n - 1));
	out->median = eb_median_d(d, n);
	free(d);
	se = out->sd / sqrt(n);
	q = eb_t_quantile(1 - alpha / 2, n - 1);
	out->lo = out->mean - q * se;
	out->hi = out->mean + q * se;
	if (se > 0) {
		t = fabs(out->mean) / se;
		out->p = 2 * (1 - eb_t_cdf(t, n - 1));
	} else {
		out->p = out->mean == 0 ? 1 : 0;
	}
	return 0;
}
