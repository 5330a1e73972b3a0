// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal assertion helpers for the C unit tests: each failed check prints
 * expression, values, file and line; the test exits 1 if any failed.
 */
#ifndef EXITBENCH_TEST_CHECK_H
#define EXITBENCH_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
		check_failures++;					\
	}								\
} while (0)

/* |got - want| <= tol, or relative when want is large. */
#define CHECK_NEAR(got, want, tol) do {					\
	double g_ = (got), w_ = (want), t_ = (tol);			\
	if (!(fabs(g_ - w_) <= t_ * (fabs(w_) > 1 ? fabs(w_) : 1))) {	\
		fprintf(stderr, "%s:%d: %s = %.12g, want %.12g (tol %g)\n", \
			__FILE__, __LINE__, #got, g_, w_, t_);		\
		check_failures++;					\
	}								\
} while (0)

#define CHECK_DONE() do {						\
	if (check_failures)						\
		fprintf(stderr, "%d check(s) failed\n", check_failures); \
	return check_failures ? 1 : 0;					\
} while (0)

#endif /* EXITBENCH_TEST_CHECK_H */
