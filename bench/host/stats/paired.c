// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sign test and median difference with its order-statistic CI; see
 * paired.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "paired.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* P(X <= k), X ~ Binomial(n, 1/2), summed in logs (n may be large). */
static double binom_half_cdf(size_t k, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i <= k && i <= n; i++)
		sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) -
			   n * M_LN2);
	return fmin(sum, 1.0);
}

int eb_sign_test(const double *d, size_t n, double alpha, struct eb_paired *out)
{
	size_t j = 0;
	double *x;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		out->n += d[i] != 0;
		out->positive += d[i] > 0;
	}
	if (!out->n)
		return -EINVAL;
	out->p = fmin(1, 2 * binom_half_cdf(out->positive < out->n - out->positive ?
					    out->positive : out->n - out->positive,
					    out->n));
	x = malloc(n * sizeof(*x));
	if (!x)
		return -ENOMEM;
	memcpy(x, d, n * sizeof(*x));
	qsort(x, n, sizeof(*x), cmp_double);
	out->est = n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
	/* j: the largest with P(X <= j - 1) <= alpha / 2; CI [x_(j), x_(n+1-j)]. */
	while (j < n / 2 && binom_half_cdf(j, n) <= alpha / 2)
		j++;
	if (j == 0) {
		out->lo = -INFINITY;
		out->hi = INFINITY;
	} else {
		out->lo = x[j - 1];
		out->hi = x[n - j];
	}
	free(x);
	return 0;
}
