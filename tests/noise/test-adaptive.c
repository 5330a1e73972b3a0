// SPDX-License-Identifier: GPL-2.0-only
/*
 * Adaptive sampling on synthetic sources with a simulated clock (one
 * second per round), so that the stop reason, not the machine's speed,
 * is what is tested.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "adaptive.h"

struct source {
	uint64_t state;
	int kind;		/* 0 quiet, 1 heavy-tailed, 2 drifting rounds */
	unsigned int rounds;
	double now;
};

static double uniform(struct source *s)
{
	/* xorshift64*: enough for test data. */
	s->state ^= s->state >> 12;
	s->state ^= s->state << 25;
	s->state ^= s->state >> 27;
	return ((s->state * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53 + 0x1.0p-54;
}

static double normal(struct source *s)
{
	return sqrt(-2 * log(uniform(s))) * cos(2 * M_PI * uniform(s));
}

static int sample(void *ctx, uint64_t *buf, size_t n)
{
	struct source *s = ctx;

	for (size_t i = 0; i < n; i++) {
		switch (s->kind) {
		case 0:	/* ~1000 cycles, a few cycles of jitter */
			buf[i] = 1000 + (uint64_t)(4 * uniform(s));
			break;
		case 1:	/* lognormal, sigma 2: hopelessly noisy */
			buf[i] = (uint64_t)(1000 * exp(2 * normal(s)));
			break;
		default:	/* quiet within a round, rounds 0.7% apart */
			buf[i] = 1000 + 7 * (s->rounds % 5) + (uint64_t)(4 * uniform(s));
			break;
		}
	}
	s->rounds++;
	s->now += 1.0;
	return 0;
}

static double fake_clock(void *ctx)
{
	return ((struct source *)ctx)->now;
}

static int failing(void *ctx, uint64_t *buf, size_t n)
{
	return -EIO;
}

int main(void)
{
	struct source s = { .state = 88172645463325252ULL };
	struct eb_adaptive_cfg cfg = {
		.precision = 0.002, .max_time = 10, .round_samples = 2000,
		.max_samples = 200000, .clock = fake_clock, .clock_ctx = &s,
	};
	struct eb_adaptive_result r;
	json_t *j;
	double lo, hi;
	uint64_t x[101];

	for (int i = 0; i < 101; i++)
		x[i] = i;
	eb_median_ci_sorted(x, 101, &lo, &hi);
	/* ranks 50.5 -+ 9.85 -> 40 and 61 (1-based), i.e. values 39 and 60 */
	CHECK(lo == 39 && hi == 60, "order-statistic CI of 0..100 is [39, 60] (got [%g, %g])",
	      lo, hi);

	CHECK(eb_adaptive_run(&cfg, sample, &s, &r) == 0, "quiet source runs");
	CHECK(r.stop == EB_STOP_PRECISION, "quiet source stops on precision (%s)",
	      eb_stop_name(r.stop));
	CHECK(r.rounds == 3 && r.n == 6000, "after the minimum 3 rounds (%zu rounds, %zu samples)",
	      r.rounds, r.n);
	CHECK(r.rel_hw <= 0.002 && r.median >= 1000 && r.median <= 1003,
	      "median %.1f known to %.4f%%", r.median, 100 * r.rel_hw);
	j = eb_adaptive_json(&cfg, &r);
	CHECK(j && !strcmp(json_string_value(json_object_get(j, "stopped_by")), "precision") &&
	      json_is_true(json_object_get(j, "goal_met")), "JSON says stopped_by precision");
	json_decref(j);
	free(r.samples);

	s.kind = 1;
	s.now = 0;
	CHECK(eb_adaptive_run(&cfg, sample, &s, &r) == 0, "noisy source runs");
	CHECK(r.stop == EB_STOP_MAX_TIME, "noisy source stops on max-time (%s)",
	      eb_stop_name(r.stop));
	CHECK(r.rounds == 10 && r.rel_hw > 0.002,
	      "after 10 simulated seconds, precision only %.3f%%", 100 * r.rel_hw);
	free(r.samples);

	/* Rounds that disagree must not pass on their pooled CI alone. */
	s.kind = 2;
	s.now = 0;
	s.rounds = 0;
	CHECK(eb_adaptive_run(&cfg, sample, &s, &r) == 0, "drifting source runs");
	CHECK(r.stop == EB_STOP_MAX_TIME && r.within_hw / r.median <= 0.002 &&
	      r.between_hw / r.median > 0.002,
	      "drifting rounds stop on max-time although pooled CI is tight: between %.1f, within %.1f cycles",
	      r.between_hw, r.within_hw);
	free(r.samples);

	cfg.max_time = 0;
	cfg.max_samples = 8000;
	s.kind = 1;
	CHECK(eb_adaptive_run(&cfg, sample, &s, &r) == 0 && r.stop == EB_STOP_MAX_SAMPLES &&
	      r.n == 8000, "without a time limit the sample cap stops it (%s, %zu)",
	      eb_stop_name(r.stop), r.n);
	free(r.samples);

	cfg.precision = 0;
	CHECK(eb_adaptive_run(&cfg, sample, &s, &r) == 0 && r.stop == EB_STOP_ONE_ROUND &&
	      r.n == 2000, "precision 0 is one fixed round");
	free(r.samples);

	CHECK(eb_adaptive_run(&cfg, failing, &s, &r) == -EIO && !r.samples,
	      "a sampling error is returned, nothing leaked");
	cfg.round_samples = 0;
	CHECK(eb_adaptive_run(&cfg, sample, &s, &r) == -EINVAL, "zero-sample rounds refused");
	return check_done();
}
