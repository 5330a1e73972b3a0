// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench run --inject-delay CYCLES: a test aid.  Every timed exit of a
 * test that has a delayed variant (the guest's EB_T_DELAYED, the same
 * IMUL chain `selftest` uses) carries a delay of about CYCLES inside its
 * timed region, so that A against A+delta can be run end to end across
 * processes and compare/gate checked against a known effect.  The delay
 * is a spin on the TSC (EB_F_DELAY_TSC): the selftest's IMUL chain runs
 * at the core clock, which wanders against the TSC by a few percent here
 * (measured: 2.06 then 2.16 TSC cycles per IMUL a minute apart).  The
 * spin's overshoot is calibrated once per guest CPL in the same run.  Results say the delay was used, and
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
	c.flags |= EB_F_DELAY_TSC;
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
 * The spin's own cost at @c->cpl beside the cycles it waits (the last
 * TSC read overshoots, and entering and leaving the loop costs): the
 * median of the spin alone for the asked delay, less that of no spin,
 * less the delay.  Constant in TSC cycles, so subtracted once.
 */
static int calibrate(struct eb_run_state *st, const struct eb_cmd *c)
{
	const uint64_t want = (uint64_t)llround(st->cfg->inject_delay);
	double m0, m1;
	int cpl = c->cpl, r;

	r = loop_median(st, c, 0, &m0);
	if (!r)
		r = run_ensure_vm(st) ? -EIO : loop_median(st, c, want, &m1);
	if (r || run_ensure_vm(st)) {
		snprintf(st->inject_why[cpl], sizeof(st->inject_why[cpl]),
			 "--inject-delay: the delay could not be calibrated at CPL%d (%s)",
			 cpl, r ? strerror(-r) : "no VM");
		return -EIO;
	}
	st->inject_fixed[cpl] = m1 - m0 - (double)want;
	st->inject_cpi[cpl] = 1;
	if (st->inject_fixed[cpl] >= (double)want) {
		snprintf(st->inject_why[cpl], sizeof(st->inject_why[cpl]),
			 "--inject-delay %llu: the TSC spin alone overshoots by %.0f cycles at CPL%d here",
			 (unsigned long long)want, st->inject_fixed[cpl], cpl);
		return 0;
	}
	st->inject_iters[cpl] = (uint64_t)llround((double)want - fmax(st->inject_fixed[cpl], 0));
	if (st->inject_fixed[cpl] < 0)
		st->inject_fixed[cpl] = 0;
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
	c->flags |= EB_F_DELAY_TSC;
	/* The checked pass knows the plain tests only. */
	c->apx.regcheck = c->apx.uabi = false;
	return NULL;
}

double inject_cycles(const struct eb_run_state *st, int cpl)
{
	return st->inject_fixed[cpl] + st->inject_iters[cpl] * st->inject_cpi[cpl];
}

json_t *inject_json(const struct eb_run_state *st)
{
	json_t *cal;

	if (!(st->cfg->inject_delay > 0))
		return NULL;
	cal = json_array();
	for (int cpl = 0; cpl < 4; cpl++) {
		if (st->inject_cpi[cpl] > 0)
			json_array_append_new(cal, json_pack("{s:i, s:f, s:I, s:f, s:s}",
				"cpl", cpl, "spin_overshoot_cycles", st->inject_fixed[cpl],
				"spin_cycles", (json_int_t)st->inject_iters[cpl],
				"injected_cycles", inject_cycles(st, cpl),
				"method", "TSC spin in the timed region, its overshoot calibrated (spin alone vs none)"));
		else if (st->inject_why[cpl][0])
			json_array_append_new(cal, json_pack("{s:i, s:s}", "cpl", cpl,
				"unavailable", st->inject_why[cpl]));
	}
	return json_pack("{s:f, s:o, s:s}", "requested_cycles",
			 st->cfg->inject_delay, "calibration", cal, "note",
			 "test aid: a known delay was added to every timed exit; not a measurement of the plain exits");
}
