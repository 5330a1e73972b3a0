// SPDX-License-Identifier: GPL-2.0-only
/*
 * compare-dump: read "NX NY" then NX baseline and NY candidate values from
 * stdin; print Mann-Whitney U/p, the Hodges-Lehmann shift and CI and
 * Welch's t test as JSON, for tests/unit/compare_ref.py to check against
 * scipy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

int main(void)
{
	double *x, *y, u, p, est, lo, hi;
	size_t nx, ny, i;
	int ret;

	if (scanf("%zu %zu", &nx, &ny) != 2)
		return 2;
	x = malloc((nx + 1) * sizeof(*x));
	y = malloc((ny + 1) * sizeof(*y));
	if (!x || !y)
		return 2;
	for (i = 0; i < nx; i++)
		if (scanf("%lf", &x[i]) != 1)
			return 2;
	for (i = 0; i < ny; i++)
		if (scanf("%lf", &y[i]) != 1)
			return 2;
	ret = eb_mann_whitney(x, nx, y, ny, &u, &p);
	if (!ret)
		ret = eb_hodges_lehmann(x, nx, y, ny, EB_CMP_ALPHA, &est, &lo, &hi);
	if (ret) {
		fprintf(stderr, "compare-dump: %s\n", strerror(-ret));
		return 1;
	}
	printf("{\"u\": %.17g, \"p\": %.17g, \"hl\": %.17g, \"lo\": %.17g, \"hi\": %.17g",
	       u, p, est, lo, hi);
	/* Welch on the same data, as if each value were one run's median. */
	if (nx >= 2 && ny >= 2 &&
	    !eb_welch(x, nx, y, ny, EB_CMP_ALPHA, &est, &lo, &hi, &p))
		printf(", \"welch_diff\": %.17g, \"welch_lo\": %.17g, \"welch_hi\": %.17g, "
		       "\"welch_p\": %.17g", est, lo, hi, p);
	printf("}\n");
	free(x);
	free(y);
	return 0;
}
