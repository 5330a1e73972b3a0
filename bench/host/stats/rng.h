// SPDX-License-Identifier: GPL-2.0-only
/*
 * Small seeded pseudo-random generator (xoshiro256** seeded through
 * splitmix64) for the bootstrap and for synthetic test data.  Not for
 * anything security related: its only job is to be fast and reproducible
 * from one 64-bit seed on every host.
 */
#ifndef EXITBENCH_RNG_H
#define EXITBENCH_RNG_H

#include <stdint.h>

struct eb_rng {
	uint64_t s[4];
};

void eb_rng_seed(struct eb_rng *rng, uint64_t seed);
uint64_t eb_rng_next(struct eb_rng *rng);
/* Uniform in the open interval (0, 1): never 0, so log() is always safe. */
double eb_rng_uniform(struct eb_rng *rng);
/* Uniform integer in [0, bound), bound > 0 (Lemire's multiply-shift). */
uint64_t eb_rng_below(struct eb_rng *rng, uint64_t bound);
/* Standard normal N(0, 1) (Marsaglia polar method). */
double eb_rng_normal(struct eb_rng *rng);
/* Gamma(shape, 1), shape >= 1 (Marsaglia-Tsang). */
double eb_rng_gamma(struct eb_rng *rng, double shape);
/* Beta(a, b), a >= 1, b >= 1. */
double eb_rng_beta(struct eb_rng *rng, double a, double b);

#endif /* EXITBENCH_RNG_H */
