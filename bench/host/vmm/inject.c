// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench run --inject-delay CYCLES: a test aid.  Every timed exit of a
 * test that has a delayed variant (the guest's EB_T_DELAYED, the same
 * IMUL chain `selftest` uses) carries a delay of about CYCLES inside its
 * timed region, so that A against A+delta can be run end to end across
 * processes and compare/gate checked against a known effect.  The delay
 * loop's cost per iteration is calibrated once per guest CPL in the same
 * run (the loop alone, at two lengths: the difference of the medians
 * removes the timing overhead).  Results say the delay was used, and
 * compare/gate refuse to set such a file against a plain one unless told.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "runner.h"
#include "stats.h"

#define CAL_SAMPLES	2000
#define CAL_WARMUP	200
#define CAL_ITERS_MIN	1000

/* The tests with a delayed variant in the guest (bench/guest/tests.c). */
static bool has_delayed_variant(enum eb_test_id id)
{
	switch (id) {
	case EB_T_NOP:
	case EB_T_CPUID:
	case EB_T_RDMSR:
	case EB_T_PIO_KERNEL:
	case EB_T_PIO_USER:
	case EB_T_MMIO_KERNEL:
	case EB_T_MMIO_USER:
		return true;
	default:
		return false;
	}
}

/* Median cycles of the delay loop alone with @iters iterations. */
static int loop_median(struct eb_run_state *st, const struct eb_cmd *tmpl,
		       uint64_t iters, double *median)
{
	struct eb_outcome o;
	struct eb_cmd c = *tmpl;
	double *d;
	int r;

	c.id = EB_T_DELAYED;
	c.delay_test = EB_T_NOP;
	c.delay_iters = iters;
	c.samples = CAL_SAMPLES;
	c.warmup = CAL_WARMUP;
	c.batch = 1;
	c.oneway = false;
	c.vcpu_begin = c.vcpu_end = NULL;
	c.apx.regcheck = c.apx.uabi = c.apx.corrupt = false;
	r = vm_run_cmd(&st->vm, &c, &o);
	if (r)
		return r;
	r = o.status == EB_OUT_OK && o.n == CAL_SAMPLES ? 0 : -EIO;
	d = r ? NULL : malloc(o.n * sizeof(*d));
	if (!r && !d)
		r = -ENOMEM;
	if (!r) {
		for (uint64_t i = 0; i < o.n; i++)
			d[i] = (double)o.samples[i];
		*median = eb_median_d(d, o.n);
	}
	free(d);
	if (o.vm_dead) {
		if (!o.vm_wedged)
			vm_destroy(&st->vm);
		st->vm_live = false;
	}
	eb_outcome_free(&o);
	return r;
}

/*
 * Cycles per delay iteration at @c->cpl: first with CAL_ITERS_MIN
 * iterations, then with as many as the asked delay needs (a longer
 * loop makes the per-iteration cost more exact where it matters).
 */
static int calibrate(struct eb_run_state *st, const struct eb_cmd *c)
{
	const double want = st->cfg->inject_delay;
	double m0, m1, cpi;
	uint64_t k = CAL_ITERS_MIN;
	int cpl = c->cpl, r;

	for (int pass = 0; pass < 2; pass++) {
		r = loop_median(st, c, 0, &m0);
		if (!r)
			r = run_ensure_vm(st) ? -EIO : loop_median(st, c, k, &m1);
		if (r || !(m1 > m0)) {
			snprintf(st->inject_why[cpl], sizeof(st->inject_why[cpl]),
				 "--inject-delay: the delay loop could not be calibrated at CPL%d (%s)",
				 cpl, r ? strerror(-r) : "no measurable cost");
			return -EIO;
		}
		cpi = (m1 - m0) / (double)k;
		if (run_ensure_vm(st))
			return -EIO;
		if (want / cpi <= (double)k)
			break;
		k = (uint64_t)llround(want / cpi);
	}
	st->inject_cpi[cpl] = cpi;
	st->inject_iters[cpl] = (uint64_t)llround(want / cpi);
	if (!st->inject_iters[cpl])
		snprintf(st->inject_why[cpl], sizeof(st->inject_why[cpl]),
			 "--inject-delay %.0f: one delay iteration costs %.0f cycles at CPL%d here",
			 want, cpi, cpl);
	return 0;
}

const char *inject_prepare(struct eb_run_state *st, struct eb_cmd *c)
{
	int cpl = c->cpl;

	if (!has_delayed_variant(c->id))
		return "--inject-delay: this test has no delayed variant (nop, cpuid, rdmsr, pio_kernel, pio_user, mmio_kernel, mmio_user have)";
	if (!st->inject_cpi[cpl] && !st->inject_why[cpl][0])
		calibrate(st, c);
	if (st->inject_why[cpl][0])
		return st->inject_why[cpl];
	c->delay_test = c->id;
	c->id = EB_T_DELAYED;
	c->delay_iters = st->inject_iters[cpl];
	/* The checked pass knows the plain tests only. */
	c->apx.regcheck = c->apx.uabi = false;
	return NULL;
}

json_t *inject_json(const struct eb_run_state *st)
{
	json_t *cal;

	if (!(st->cfg->inject_delay > 0))
		return NULL;
	cal = json_array();
	for (int cpl = 0; cpl < 4; cpl++) {
		if (st->inject_cpi[cpl] > 0)
			json_array_append_new(cal, json_pack("{s:i, s:f, s:I, s:f}",
				"cpl", cpl, "cycles_per_iter", st->inject_cpi[cpl],
				"iters", (json_int_t)st->inject_iters[cpl],
				"injected_cycles",
				st->inject_iters[cpl] * st->inject_cpi[cpl]));
		else if (st->inject_why[cpl][0])
			json_array_append_new(cal, json_pack("{s:i, s:s}", "cpl", cpl,
				"unavailable", st->inject_why[cpl]));
	}
	return json_pack("{s:f, s:o, s:s}", "requested_cycles",
			 st->cfg->inject_delay, "calibration", cal, "note",
			 "test aid: a known delay was added to every timed exit; not a measurement of the plain exits");
}
