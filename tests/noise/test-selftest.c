// SPDX-License-Identifier: GPL-2.0-only
/*
 * Known-effect self-test logic on synthetic hosts: a steady one (A/A says
 * same, 20% is always detected, the MDE lands where its noise says), one
 * whose blocks scatter by 20% independently (no MDE can be claimed), and
 * one that switches between two regimes 30% apart (the pairing resolves
 * what the unpaired test cannot).
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "check.h"
#include "selftest.h"

struct host {
	uint64_t state;
	double block_sd;	/* block-to-block drift, cycles */
	double sample_sd;	/* within-block noise, cycles */
	double cpi;		/* true cost of one delay iteration */
	double regime;		/* two states this far apart, switching rarely */
	int level;
};

static double uniform(struct host *h)
{
	h->state ^= h->state >> 12;
	h->state ^= h->state << 25;
	h->state ^= h->state >> 27;
	return ((h->state * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53 + 0x1.0p-54;
}

static double normal(struct host *h)
{
	return sqrt(-2 * log(uniform(h))) * cos(2 * M_PI * uniform(h));
}

static int sample(void *ctx, enum eb_st_what what, uint64_t iters,
		  uint64_t *buf, size_t n)
{
	struct host *h = ctx;
	double base = what == EB_ST_EXIT ? 10000 : 50;
	double offset = h->block_sd * normal(h);

	/* Like this PVM host: a slow two-level regime shared by neighbours. */
	if (h->regime && uniform(h) < 0.03)
		h->level ^= 1;
	offset += h->level * h->regime;

	for (size_t i = 0; i < n; i++)
		buf[i] = (uint64_t)fmax(0, base + offset + iters * h->cpi +
					h->sample_sd * normal(h));
	return 0;
}

int main(void)
{
	struct host steady = { .state = 0x9e3779b97f4a7c15ULL, .block_sd = 20,
			       .sample_sd = 200, .cpi = 1.3 };
	struct host drifting = steady;
	struct eb_selftest_cfg cfg;
	struct eb_selftest_result r;
	json_t *j;
	int ret;

	CHECK(fabs(eb_binom_tail(0, 20, 0.05) - 1) < 1e-9 &&
	      fabs(eb_binom_tail(1, 20, 0.05) - (1 - pow(0.95, 20))) < 1e-9 &&
	      fabs(eb_binom_tail(3, 5, 0.05) - 0.001158125) < 1e-9,
	      "binomial tail probabilities");

	eb_selftest_defaults(&cfg);
	ret = eb_selftest_run(&cfg, sample, &steady, NULL, &r);
	CHECK(ret == 0, "steady host: selftest runs (%d)", ret);
	CHECK(fabs(r.cycles_per_iter - 1.3) < 0.05,
	      "delay calibrated at %.3f cycles/iteration (true 1.3)", r.cycles_per_iter);
	CHECK(fabs(r.median - 10000) < 80, "median %.0f", r.median);
	CHECK(r.has_aa && r.aa_ok && r.pt[0].iters == 0,
	      "A/A says same: %u/%u alarms (p %.3f)", r.aa_alarms, cfg.trials, r.aa_p);
	CHECK(r.pt[r.npoints - 1].detect_rate == 1.0 &&
	      fabs(r.pt[r.npoints - 1].shift_median - 2000) < 60,
	      "20%% delay detected in every trial, measured shift %.0f cycles",
	      r.pt[r.npoints - 1].shift_median);
	CHECK(r.mde >= 1 && r.pt[r.mde].delta_pct >= 0.25 && r.pt[r.mde].delta_pct <= 2,
	      "MDE %.2f%% (%.0f cycles) for ~0.23%% block noise",
	      r.mde >= 0 ? r.pt[r.mde].delta_pct : -1,
	      r.mde >= 0 ? r.pt[r.mde].delta_cycles : -1);
	j = eb_selftest_json(&cfg, &r);
	CHECK(j && json_real_value(json_object_get(json_object_get(j, "mde"), "cycles")) > 0 &&
	      !strcmp(json_string_value(json_object_get(json_object_get(j, "aa"), "verdict")),
		      "same"), "JSON carries MDE and A/A verdict");
	json_decref(j);

	drifting.block_sd = 2000;	/* 20% between blocks */
	cfg.trials = 10;
	ret = eb_selftest_run(&cfg, sample, &drifting, NULL, &r);
	CHECK(ret == 0 && r.mde == -1,
	      "drifting host: no MDE claimed (20%% detected in %.0f%% of trials)",
	      100 * r.pt[r.npoints - 1].detect_rate);
	j = eb_selftest_json(&cfg, &r);
	CHECK(j && json_object_get(json_object_get(j, "mde"), "unresolved"),
	      "JSON says unresolved");
	json_decref(j);

	/* Regimes 30% apart: pairs see through them, unpaired ranks do not. */
	{
		struct host regime = steady;

		regime.regime = 3000;
		cfg.trials = 20;
		cfg.blocks = 12;
		ret = eb_selftest_run(&cfg, sample, &regime, NULL, &r);
		for (unsigned int i = 0; i < r.npoints; i++)
			printf("# regime host: D %.2f%%: slower %u/20, unpaired %u/20\n",
			       r.pt[i].delta_pct, r.pt[i].slower, r.pt[i].unpaired_slower);
		CHECK(ret == 0 && r.aa_ok && r.mde >= 0 && r.pt[r.mde].delta_pct <= 5,
		      "regime host: paired A/A same, MDE %.2f%%",
		      r.mde >= 0 ? r.pt[r.mde].delta_pct : -1);
		{
			unsigned int paired = 0, unpaired = 0;

			for (unsigned int i = 1; i < r.npoints; i++) {
				paired += r.pt[i].slower;
				unpaired += r.pt[i].unpaired_slower;
			}
			CHECK(paired > unpaired,
			      "pairing detects more than the unpaired test on the same blocks (%u vs %u trials)",
			      paired, unpaired);
		}
	}

	cfg.blocks = 2;
	CHECK(eb_selftest_run(&cfg, sample, &steady, NULL, &r) == -EINVAL,
	      "fewer than 6 block pairs refused");
	return check_done();
}
