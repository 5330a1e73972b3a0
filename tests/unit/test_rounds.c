// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interleaved-strategy method (run --strategies, compare FILE):
 * the ABBA round schedule and the paired comparison over rounds.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "rounds.h"

/* Every strategy runs once per round; mean positions all equal. */
static void test_schedule(void)
{
	unsigned int order[EB_MAX_STRATEGIES * 64];

	for (unsigned int ns = 1; ns <= EB_MAX_STRATEGIES; ns++) {
		for (unsigned int rounds = 2; rounds <= 64; rounds += 2) {
			double possum[EB_MAX_STRATEGIES] = { 0 };
			double timesum[EB_MAX_STRATEGIES] = { 0 };

			CHECK(eb_rounds_schedule(ns, rounds, order) == 0);
			for (unsigned int r = 0; r < rounds; r++) {
				unsigned int seen = 0;

				for (unsigned int k = 0; k < ns; k++) {
					unsigned int s = order[r * ns + k];

					CHECK(s < ns);
					seen |= 1u << s;
					possum[s] += k;
					/* global slot: a linear drift in time */
					timesum[s] += r * ns + k;
				}
				CHECK(seen == (1u << ns) - 1);
			}
			for (unsigned int s = 0; s < ns; s++) {
				CHECK_NEAR(possum[s] / rounds, (ns - 1) / 2.0, 1e-12);
				CHECK_NEAR(timesum[s], timesum[0], 1e-12);
			}
		}
	}
	/* A B | B A | A B | B A for two strategies. */
	CHECK(eb_rounds_schedule(2, 4, order) == 0);
	{
		const unsigned int want[] = { 0, 1, 1, 0, 0, 1, 1, 0 };

		CHECK(!memcmp(order, want, sizeof(want)));
	}
	/* An odd number of rounds cannot balance positions: refused. */
	CHECK(eb_rounds_schedule(2, 3, order) == -EINVAL);
	CHECK(eb_rounds_schedule(2, 0, order) == -EINVAL);
	CHECK(eb_rounds_schedule(0, 2, order) == -EINVAL);
	CHECK(eb_rounds_schedule(EB_MAX_STRATEGIES + 1, 2, order) == -EINVAL);
}

/* xorshift64* and Box-Muller: reproducible normal noise. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static double uniform(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((rng * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
}

static double normal(void)
{
	double u = uniform(), v = uniform();

	return sqrt(-2 * log(u + 1e-300)) * cos(2 * M_PI * v);
}

/*
 * Synthetic within-boot data: per-round medians of a baseline near 1000
 * cycles with a drift shared by both strategies in a round (the boot
 * state moves between rounds, much more than within one), plus a small
 * independent noise, and an injected difference @delta.  The paired
 * comparison must recover @delta's sign and cover it; an unpaired
 * comparison of the same numbers would drown in the drift.
 */
static void trial(double delta, unsigned int rounds, unsigned int *covered,
		  unsigned int *sign_ok, unsigned int *excl0)
{
	double base[64], cand[64], drift = 0;
	struct eb_paired p;

	for (unsigned int r = 0; r < rounds; r++) {
		drift += 10 * normal();		/* random walk: 10 cycles/round */
		base[r] = 1000 + drift + normal();
		cand[r] = 1000 + delta + drift + normal();
	}
	CHECK(eb_paired_rounds(base, cand, rounds, 0.05, &p) == 0);
	CHECK(p.n == rounds);
	*covered += p.lo <= delta && delta <= p.hi;
	*sign_ok += delta ? (p.mean > 0) == (delta > 0) : 1;
	*excl0 += p.lo > 0 || p.hi < 0;
}

static void test_paired(void)
{
	const unsigned int trials = 400;
	unsigned int cov = 0, sign = 0, excl = 0;
	struct eb_paired p;

	/* +5 cycles (0.5%) under 10 cycles/round of drift, 8 rounds. */
	for (unsigned int i = 0; i < trials; i++)
		trial(5, 8, &cov, &sign, &excl);
	fprintf(stderr, "+5 cycles, 8 rounds: covered %u, sign %u, CI excludes 0 %u of %u\n",
		cov, sign, excl, trials);
	CHECK(cov >= trials * 90 / 100);	/* nominal 95% */
	CHECK(sign >= trials * 99 / 100);
	CHECK(excl >= trials * 95 / 100);

	/* -5: the sign flips with it. */
	cov = sign = excl = 0;
	for (unsigned int i = 0; i < trials; i++)
		trial(-5, 8, &cov, &sign, &excl);
	CHECK(cov >= trials * 90 / 100);
	CHECK(sign >= trials * 99 / 100);

	/* No difference: the CI excludes 0 about 5% of the time, not more. */
	cov = sign = excl = 0;
	for (unsigned int i = 0; i < trials; i++)
		trial(0, 8, &cov, &sign, &excl);
	fprintf(stderr, "A/A, 8 rounds: CI excludes 0 in %u of %u\n", excl, trials);
	CHECK(excl <= trials * 10 / 100);
	CHECK(cov >= trials * 90 / 100);

	/* Exact values on a small case: d = {1, 3}: mean 2, sd sqrt(2). */
	{
		const double b[] = { 10, 20 }, c[] = { 11, 23 };

		CHECK(eb_paired_rounds(b, c, 2, 0.05, &p) == 0);
		CHECK_NEAR(p.mean, 2, 1e-12);
		CHECK_NEAR(p.median, 2, 1e-12);
		CHECK_NEAR(p.sd, sqrt(2), 1e-12);
		/* t(0.975, 1) = 12.706: 2 +- 12.706 * sqrt(2) / sqrt(2) */
		CHECK_NEAR(p.lo, 2 - 12.7062047, 1e-6);
		CHECK_NEAR(p.hi, 2 + 12.7062047, 1e-6);
		CHECK_NEAR(p.base_mean, 15, 1e-12);
	}
	/* Fewer than two rounds: no CI. */
	{
		const double b[] = { 10 }, c[] = { 11 };

		CHECK(eb_paired_rounds(b, c, 1, 0.05, &p) == -EINVAL);
		CHECK(eb_paired_rounds(b, c, 1, 0, &p) == -EINVAL);
	}
}

int main(void)
{
	test_schedule();
	test_paired();
	CHECK_DONE();
}
