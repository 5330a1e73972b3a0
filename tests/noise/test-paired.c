// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sign test and median-difference CI against values worked out by hand
 * from the binomial(n, 1/2) distribution.
 */
#include <errno.h>
#include <math.h>

#include "check.h"
#include "paired.h"

int main(void)
{
	/* 12 pairs, 2 negative (one huge: a regime switch) */
	const double a[] = { 20, 21, 37, -90, 18, 16, 33, 25, -3, 19, 22, 30 };
	const double b[] = { 5, 6, 7, 8, 9, 10 };
	const double c[] = { 0.3, -1.2, 0.8, -0.1, 0.5, -0.7, 1.1, -0.4, 0.9, -0.6 };
	const double z[] = { 0, 0 };
	struct eb_paired r;

	/* P(X <= 2 | 12) = (1 + 12 + 66) / 4096; p = 2 * 79 / 4096 */
	CHECK(eb_sign_test(a, 12, 0.05, &r) == 0 && r.n == 12 && r.positive == 10 &&
	      fabs(r.p - 158.0 / 4096) < 1e-12, "12 pairs, 2 negative: p %.6f (want 0.038574)",
	      r.p);
	/* P(X <= 2) = 0.0193 <= 0.025 < P(X <= 3) = 0.0730: j = 3, CI [x(3), x(10)] */
	CHECK(r.est == 20.5 && r.lo == 16 && r.hi == 30,
	      "median 20.5, 95%% CI [%g, %g] (want [16, 30]): the outlier does not move it",
	      r.lo, r.hi);
	CHECK(eb_sign_test(b, 6, 0.05, &r) == 0 && fabs(r.p - 2.0 / 64) < 1e-12 &&
	      r.lo == 5 && r.hi == 10, "6 positive of 6: p = 2/64, CI = range");
	CHECK(eb_sign_test(b, 5, 0.05, &r) == 0 && isinf(r.lo) && isinf(r.hi) &&
	      fabs(r.p - 2.0 / 32) < 1e-12, "5 pairs: no 95%% CI exists, p = 2/32");
	CHECK(eb_sign_test(c, 10, 0.05, &r) == 0 && r.p == 1 && r.lo < 0 && r.hi > 0,
	      "5 of 10 positive: p 1, CI [%g, %g] holds 0", r.lo, r.hi);
	CHECK(eb_sign_test(z, 2, 0.05, &r) == -EINVAL, "all-zero differences refused");
	return check_done();
}
