// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench run --repeat N: the run, not the sample, is the unit of
 * replication (DESIGN.md section 3).  Every test runs N times, each run
 * in a fresh VM with its own warm-up; with several guest configurations
 * (--apx off,on, --xcr0 host,reduced) the configurations of one run
 * follow each other in ABBA order over the runs (A B | B A | A B ...),
 * so a drift linear in time adds the same to each.  One results entry per
 * (test, apx, xcr0) keeps every run: its statistics ("runs"), the spread
 * of the run medians ("between_runs"), the TSC tick, and the pooled
 * statistics in "cycles" as before (results/README.md).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "run.h"
#include "runlevel.h"
#include "stats.h"

/* Keys of an entry that describe one run; moved into its "runs" item. */
static const char *const per_run_keys[] = {
	"status", "reason", "cycles", "warmup_discarded", "kvm_exits",
	"warning", "vcpu_cpu", "counters", "sampling", "guest_cpl",
	"exception", "inject_delay",
};

struct acc {
	json_t *base;		/* the first run's entry: the merged entry */
	json_t *runs;		/* "runs" array */
	uint64_t *samples;	/* every ok run's samples, in run order */
	size_t n, cap;
	double medians[EB_MAX_ROUNDS];
	unsigned int nruns, nok;
	bool failed;
};

static size_t raw_take(json_t *e, uint64_t **buf, size_t *n, size_t *cap)
{
	json_t *raw = json_object_get(e, "raw"), *v;
	size_t i, len = json_array_size(raw);

	if (*n + len > *cap) {
		size_t ncap = (*n + len) * 2;
		uint64_t *nb = realloc(*buf, ncap * sizeof(*nb));

		if (!nb)
			return (size_t)-1;
		*buf = nb;
		*cap = ncap;
	}
	json_array_foreach(raw, i, v)
		(*buf)[(*n)++] = (uint64_t)json_integer_value(v);
	json_object_del(e, "raw");
	return len;
}

static json_t *tick_json(const uint64_t *x, size_t n, uint64_t batch)
{
	size_t exc;
	uint64_t g = eb_tsc_tick(x, n, &exc);

	return json_pack("{s:I, s:f, s:I, s:s}", "sample_cycles", (json_int_t)g,
			 "per_exit", (double)g / (double)batch,
			 "exceptions", (json_int_t)exc,
			 "method", "gcd of the raw samples between p1 and p99");
}

/* Add one run's entry @e (taken over) to @a. */
static int acc_add(struct eb_run_state *st, struct acc *a, json_t *e,
		   unsigned int seq)
{
	const char *status = json_string_value(json_object_get(e, "status"));
	json_t *run = json_pack("{s:I, s:I}", "run", (json_int_t)a->nruns,
				"seq", (json_int_t)seq);
	size_t off = a->n, len;

	for (size_t i = 0; i < sizeof(per_run_keys) / sizeof(per_run_keys[0]); i++) {
		json_t *v = json_object_get(e, per_run_keys[i]);

		if (v)
			json_object_set(run, per_run_keys[i], v);
	}
	if (status && !strcmp(status, "ok")) {
		len = raw_take(e, &a->samples, &a->n, &a->cap);
		if (len == (size_t)-1) {
			json_decref(run);
			json_decref(e);
			return -ENOMEM;
		}
		json_object_set_new(run, "tsc_tick",
				    tick_json(a->samples + off, len, st->cfg->batch));
		if (st->cfg->raw)
			json_object_set_new(run, "raw_range",
					    json_pack("[I, I]", (json_int_t)off,
						      (json_int_t)len));
		a->medians[a->nok++] = json_number_value(json_object_get(
			json_object_get(e, "cycles"), "median"));
	} else {
		json_object_del(e, "raw");
		/* The first run that did not end ok speaks for the entry. */
		if (!a->failed && a->base) {
			json_object_set(a->base, "status", json_object_get(e, "status"));
			if (json_object_get(e, "reason"))
				json_object_set(a->base, "reason",
						json_object_get(e, "reason"));
		}
		a->failed = true;
	}
	json_array_append_new(a->runs, run);
	a->nruns++;
	if (!a->base) {
		a->base = e;
		a->failed = status && strcmp(status, "ok");
	} else {
		/* A warning of any run is the entry's. */
		if (json_object_get(e, "warning") && !json_object_get(a->base, "warning"))
			json_object_set(a->base, "warning", json_object_get(e, "warning"));
		json_decref(e);
	}
	return 0;
}

static json_t *between_json(const struct acc *a)
{
	struct eb_runs_summary s;

	if (eb_runs_summarize(a->medians, a->nok, EB_CMP_ALPHA, &s))
		return json_null();
	if (s.n < 2)
		return json_pack("{s:I, s:f, s:n, s:n, s:s}", "runs", (json_int_t)s.n,
				 "mean_of_medians", s.mean, "sd_of_medians", "ci",
				 "method", "one run: the between-run spread is unknown");
	return json_pack("{s:I, s:f, s:f, s:f, s:[f, f], s:f, s:s}",
			 "runs", (json_int_t)s.n, "mean_of_medians", s.mean,
			 "sd_of_medians", s.sd, "cv", s.mean ? s.sd / s.mean : 0.0,
			 "ci", s.lo, s.hi, "half_width", (s.hi - s.lo) / 2,
			 "method", "Student t (n-1 df) over the run medians, 95%");
}

/* Finish the merged entry: pooled statistics, runs, spread, tick. */
static json_t *acc_finish(struct eb_run_state *st, struct acc *a)
{
	json_t *e = a->base, *ovh;
	double *d = NULL;
	struct eb_stats s;
	size_t i;

	json_object_set_new(e, "runs", a->runs);
	if (a->failed || !a->nok) {
		json_object_del(e, "cycles");
		json_object_del(e, "ns");
		json_object_del(e, "net_median_cycles");
		goto out;
	}
	d = malloc(a->n * sizeof(*d));
	for (i = 0; d && i < a->n; i++)
		d[i] = (double)a->samples[i] / (double)st->cfg->batch;
	if (!d || eb_stats_compute_d(d, a->n, EB_STATS_BOOTSTRAP_DEFAULT,
				     st->cfg->seed, &s)) {
		json_object_set_new(e, "status", json_string("failed"));
		json_object_set_new(e, "reason", json_string("statistics could not be computed"));
		st->failed = true;
		goto out;
	}
	json_object_set_new(e, "cycles", results_stats_json(&s));
	if (st->host.tsc_khz) {
		struct eb_stats ns = s;

		run_scale_stats(&ns, 1e6 / st->host.tsc_khz);
		json_object_set_new(e, "ns", results_stats_json(&ns));
	}
	ovh = json_object_get(e, "overhead_cycles");
	if (json_is_number(ovh))
		json_object_set_new(e, "net_median_cycles",
				    json_real(s.median - json_number_value(ovh)));
	json_object_set_new(e, "between_runs", between_json(a));
	json_object_set_new(e, "tsc_tick", tick_json(a->samples, a->n, st->cfg->batch));
	if (st->cfg->raw) {
		json_t *raw = json_array();

		for (i = 0; i < a->n; i++)
			json_array_append_new(raw, json_integer((json_int_t)a->samples[i]));
		json_object_set_new(e, "raw", raw);
	}
out:
	free(d);
	free(a->samples);
	return e;
}

json_t *repeat_single(struct eb_run_state *st, json_t *e, unsigned int seq)
{
	struct acc a = { .runs = json_array() };

	if (acc_add(st, &a, e, seq)) {
		json_decref(a.runs);
		free(a.samples);
		return NULL;
	}
	return acc_finish(st, &a);
}

struct config {
	bool apx_on;
	enum apx_xcr0_mode xcr0;
};

int repeat_run(struct eb_run_state *st, json_t *results, char *err,
	       size_t errlen)
{
	const struct eb_run_config *cfg = st->cfg;
	struct config conf[4];
	unsigned int nconf = 0, nmodes, n = cfg->repeat ? cfg->repeat : 1;
	struct acc *acc;
	bool modes[2];
	int r = 0;

	nmodes = apx_run_modes(&st->apx, modes);
	for (unsigned int m = 0; m < nmodes; m++)
		for (unsigned int x = 0; x < cfg->nxcr0; x++)
			conf[nconf++] = (struct config){ modes[m], cfg->xcr0_modes[x] };
	acc = calloc((size_t)nconf * cfg->ntests, sizeof(*acc));
	if (!acc) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < (size_t)nconf * cfg->ntests; i++)
		acc[i].runs = json_array();

	for (unsigned int run = 0; run < n && !r; run++) {
		for (unsigned int pos = 0; pos < nconf && !r; pos++) {
			/* ABBA: even runs in the given order, odd runs reversed. */
			unsigned int k = run % 2 ? nconf - 1 - pos : pos;

			if (st->vm_live) {
				vm_destroy(&st->vm);
				st->vm_live = false;
			}
			st->apx_on = conf[k].apx_on;
			st->apx.xcr0_mode = conf[k].xcr0;
			/* --inject-delay: calibrate in every run, under its conditions */
			memset(st->inject_cpi, 0, sizeof(st->inject_cpi));
			memset(st->inject_why, 0, sizeof(st->inject_why));
			for (unsigned int i = 0; i < cfg->ntests && !r; i++) {
				json_t *e = run_test(st, cfg->tests[i]);

				r = acc_add(st, &acc[k * cfg->ntests + i], e,
					    run * nconf + pos);
			}
		}
	}
	for (size_t i = 0; i < (size_t)nconf * cfg->ntests; i++) {
		if (!r && acc[i].base) {
			json_array_append_new(results, acc_finish(st, &acc[i]));
			continue;
		}
		json_decref(acc[i].base);
		json_decref(acc[i].runs);
		free(acc[i].samples);
	}
	free(acc);
	if (r)
		snprintf(err, errlen, "out of memory");
	return r;
}

json_t *repeat_tick_json(json_t *results)
{
	uint64_t g = 0;
	size_t i, tests = 0;
	json_t *e;

	json_array_foreach(results, i, e) {
		json_t *t = json_object_get(json_object_get(e, "tsc_tick"), "sample_cycles");

		if (!json_is_integer(t) || !json_integer_value(t))
			continue;
		for (uint64_t a = g, b = (uint64_t)json_integer_value(t); ; ) {
			if (!b) {
				g = a;
				break;
			}
			uint64_t tmp = a % b;

			a = b;
			b = tmp;
		}
		tests++;
	}
	if (!tests)
		return json_pack("{s:n, s:s}", "cycles", "method",
				 "unknown: no test kept samples");
	return json_pack("{s:I, s:s}", "cycles", (json_int_t)g, "method",
			 "gcd of every result's tsc_tick.sample_cycles");
}
