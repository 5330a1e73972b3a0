// SPDX-License-Identifier: GPL-2.0-only
/*
 * How long a test samples: one command of --samples, or, with --precision,
 * rounds of --samples (each with its own fresh warm-up) until the median
 * is known to that precision or --max-time runs out (adaptive.h).  The
 * counters (counters.h) bracket every vCPU thread and add up over rounds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "runner.h"

/* Per-test time budget when --precision is given without --max-time. */
#define DEFAULT_MAX_TIME_S	10.0
/* Pool at most this many samples (three u64 copies while sampling). */
#define MAX_POOLED_SAMPLES	4000000ull

static void hook_begin(void *arg)
{
	eb_noise_vcpu_begin(arg);
}

static void hook_end(void *arg)
{
	eb_noise_vcpu_end(arg);
}

struct rounds {
	struct eb_run_state *st;
	const struct eb_cmd *cmd;
	struct eb_outcome last;	/* the last round's outcome */
	bool have_last;
	struct eb_counts sum;
};

static int one_round(void *ctx, uint64_t *buf, size_t n)
{
	struct rounds *r = ctx;
	struct eb_outcome o;
	int ret;

	ret = vm_run_cmd(&r->st->vm, r->cmd, &o);
	if (ret)
		return ret;
	if (r->have_last)
		eb_outcome_free(&r->last);
	r->last = o;
	r->have_last = true;
	/* A failed round ends the test; the caller reports r->last. */
	if (o.status != EB_OUT_OK || o.n != n)
		return -EIO;
	memcpy(buf, o.samples, n * sizeof(*buf));
	eb_counts_add(&r->sum, &r->st->noise.last);
	return 0;
}

static void add_counters(struct eb_run_state *st, json_t *e,
			 const struct eb_counts *v, uint64_t exits)
{
	json_object_set_new(e, "vcpu_cpu", json_pack("[i, i]", st->noise.vcpu_cpu[0],
						     st->noise.vcpu_cpu[1]));
	if (st->noise.counters)
		json_object_set_new(e, "counters",
				    eb_counts_json(st->noise.counters, v, exits));
}

int run_sampled(struct eb_run_state *st, const struct eb_test *t,
		struct eb_cmd *c, struct eb_outcome *o, json_t *e)
{
	const struct eb_noise_opts *no = &st->noise.opts;
	uint64_t per_cmd = (c->warmup + c->samples) * c->batch;
	struct eb_adaptive_cfg acfg = { 0 };
	struct eb_adaptive_result res;
	struct rounds r = { .st = st, .cmd = c };
	uint64_t rounds;
	int ret;

	c->vcpu_begin = hook_begin;
	c->vcpu_end = hook_end;
	c->hook_arg = &st->noise;
	if (no->precision <= 0) {
		ret = vm_run_cmd(&st->vm, c, o);
		if (!ret && o->status == EB_OUT_OK)
			add_counters(st, e, &st->noise.last, per_cmd);
		return ret;
	}

	rounds = MAX_POOLED_SAMPLES / c->samples;
	acfg.precision = no->precision;
	acfg.max_time = no->max_time > 0 ? no->max_time : DEFAULT_MAX_TIME_S;
	acfg.round_samples = c->samples;
	acfg.max_samples = c->samples * (rounds ? (rounds < 100 ? rounds : 100) : 1);
	ret = eb_adaptive_run(&acfg, one_round, &r, &res);
	if (ret && !(ret == -EIO && r.have_last)) {
		if (r.have_last)
			eb_outcome_free(&r.last);
		return ret;
	}
	*o = r.last;
	if (ret)
		return 0;	/* the failed round's outcome says why */
	/*
	 * Hand the pooled samples to the statistics.  The one-way split stays
	 * per command: with more than one round it reports itself unavailable.
	 */
	free(o->samples);
	o->samples = res.samples;
	o->n = res.n;
	json_object_set_new(e, "sampling", eb_adaptive_json(&acfg, &res));
	json_object_set_new(e, "samples", json_integer((json_int_t)res.n));
	add_counters(st, e, &r.sum, per_cmd * res.rounds);
	eb_noise_note_precision(&st->noise, t->name, &acfg, &res);
	return 0;
}
