// SPDX-License-Identifier: GPL-2.0-only
/*
 * xoshiro256** (Blackman and Vigna) seeded with splitmix64, as its authors
 * recommend, so that nearby seeds (0, 1, 2, ...) give unrelated streams.
 */
#include <math.h>

#include "rng.h"

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void eb_rng_seed(struct eb_rng *rng, uint64_t seed)
{
	int i;

	/* splitmix64 never yields four zero words, the one bad xoshiro state. */
	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&seed);
}

uint64_t eb_rng_next(struct eb_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double eb_rng_uniform(struct eb_rng *rng)
{
	/* 53 random bits, centred in their cell: (0.5 .. 2^53-0.5) / 2^53. */
	return ((double)(eb_rng_next(rng) >> 11) + 0.5) * 0x1p-53;
}

uint64_t eb_rng_below(struct eb_rng *rng, uint64_t bound)
{
	/*
	 * Multiply-shift with rejection of the short first cell keeps the
	 * result exactly uniform even when bound does not divide 2^64.
	 */
	unsigned __int128 m = (unsigned __int128)eb_rng_next(rng) * bound;
	uint64_t lo = (uint64_t)m;

	if (lo < bound) {
		uint64_t threshold = -bound % bound;

		while (lo < threshold) {
			m = (unsigned __int128)eb_rng_next(rng) * bound;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double eb_rng_normal(struct eb_rng *rng)
{
	double u, v, s;

	do {
		u = 2.0 * eb_rng_uniform(rng) - 1.0;
		v = 2.0 * eb_rng_uniform(rng) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	/* The second variate (v * ...) is dropped to keep the state simple. */
	return u * sqrt(-2.0 * log(s) / s);
}

double eb_rng_gamma(struct eb_rng *rng, double shape)
{
	/* Marsaglia and Tsang, "A simple method for generating gamma variables" (2000). */
	double d = shape - 1.0 / 3.0;
	double c = 1.0 / sqrt(9.0 * d);

	for (;;) {
		double x, v, u;

		do {
			x = eb_rng_normal(rng);
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = eb_rng_uniform(rng);
		if (u < 1.0 - 0.0331 * x * x * x * x)
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
			return d * v;
	}
}

double eb_rng_beta(struct eb_rng *rng, double a, double b)
{
	double x = eb_rng_gamma(rng, a);
	double y = eb_rng_gamma(rng, b);

	return x / (x + y);
}
