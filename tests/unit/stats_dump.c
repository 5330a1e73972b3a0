// SPDX-License-Identifier: GPL-2.0-only
/*
 * stats-dump: read numbers (one per line) from stdin, print eb_stats as
 * JSON on stdout.  Lets tests/unit/stats_ref.py compare our statistics
 * with numpy's on the same data.  Usage: stats-dump [RESAMPLES [SEED]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

int main(int argc, char **argv)
{
	unsigned int resamples = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 0;
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 1;
	size_t n = 0, cap = 1024;
	double *v = malloc(cap * sizeof(*v));
	struct eb_stats s;
	int ret;

	if (!v)
		return 2;
	while (scanf("%lf", &v[n]) == 1) {
		if (++n == cap) {
			double *t = realloc(v, 2 * cap * sizeof(*v));

			if (!t)
				return 2;
			v = t;
			cap *= 2;
		}
	}
	ret = eb_stats_compute_d(v, n, resamples, seed, &s);
	if (ret) {
		fprintf(stderr, "stats-dump: %s\n", strerror(-ret));
		return 1;
	}
	printf("{\"n\": %zu, \"min\": %.17g, \"p1\": %.17g, \"p5\": %.17g, "
	       "\"p25\": %.17g, \"median\": %.17g, \"p75\": %.17g, "
	       "\"p95\": %.17g, \"p99\": %.17g, \"max\": %.17g, "
	       "\"mean\": %.17g, \"stddev\": %.17g, \"mad\": %.17g, "
	       "\"ci_lo\": %.17g, \"ci_hi\": %.17g, "
	       "\"outliers_low\": %zu, \"outliers_high\": %zu}\n",
	       s.n, s.min, s.p1, s.p5, s.p25, s.median, s.p75, s.p95, s.p99,
	       s.max, s.mean, s.stddev, s.mad, s.median_ci_lo, s.median_ci_hi,
	       s.outliers_low, s.outliers_high);
	free(v);
	return 0;
}
