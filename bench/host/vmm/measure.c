// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run one test and turn its samples into a results entry: statistics per
 * exit (sample / batch) in TSC cycles and ns, the loop overhead measured
 * at the same CPL and batch beside it, the one-way split of exits to the
 * VMM, and the checks that make a number trustworthy (sample count,
 * interrupts taken, hypercall return value).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "runner.h"
#include "results.h"

#define MSR_IA32_CR_PAT		0x277
#define KVM_ENOSYS		1000	/* include/uapi/linux/kvm_para.h */
#define EB_HYPERCALL_UNKNOWN	0xeb0000ull	/* no KVM hypercall has it */

int run_ensure_vm(struct eb_run_state *st)
{
	int r;

	if (st->vm_live)
		return 0;
	r = vm_create(&st->vm, st->cfg->kvm_dev);
	if (r)
		return r;
	st->vm_live = true;
	st->vms_created++;
	eb_noise_bind_guest_memory(&st->noise, st->vm.ram, EB_GUEST_RAM_SIZE);
	hostinfo_probe_vm(&st->host, &st->vm);
	return 0;
}

static void retire_vm(struct eb_run_state *st, const struct eb_outcome *o)
{
	if (!o->vm_dead)
		return;
	/* A wedged vCPU thread still uses the mappings: leak them. */
	if (!o->vm_wedged)
		vm_destroy(&st->vm);
	st->vm_live = false;
}

/* An XCR0 that differs from @xcr0 in one removable group of state bits. */
static uint64_t xcr0_toggled(uint64_t xcr0)
{
	if (xcr0 & 0xe0)		/* AVX-512: opmask, ZMM_Hi256, Hi16_ZMM */
		return xcr0 & ~0xe0ull;
	if (xcr0 & 0x4)			/* AVX */
		return xcr0 & ~0x4ull;
	return xcr0;
}

static void make_cmd(struct eb_run_state *st, enum eb_test_id id, int cpl,
		     bool x2apic, bool oneway, struct eb_cmd *c)
{
	const struct eb_run_config *cfg = st->cfg;

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->cpl = cpl;
	c->x2apic = x2apic;
	c->samples = cfg->samples;
	c->warmup = cfg->warmup;
	c->batch = cfg->batch;
	c->cpu = cfg->cpu;
	c->timeout_s = cfg->timeout_s;
	c->oneway = oneway;
	c->msr = MSR_IA32_CR_PAT;
	c->hypercall_nr = EB_HYPERCALL_UNKNOWN;
	c->xcr0 = st->vm.xcr0;
	/* APX mode and guest XCR0: the xsetbv tests rewrite that XCR0 */
	apx_run_cmd(&st->apx, st->apx_on, cpl,
		    oneway ? (cfg->warmup + cfg->samples) * cfg->batch : 0,
		    &c->apx);
	if (c->apx.want_xcr0) {
		c->xcr0 = c->set_xcr0 = c->apx.want_xcr0;
		if (cpl == 0)
			c->flags |= EB_F_SET_XCR0;
	}
	c->xcr0_alt = xcr0_toggled(c->xcr0);
	/* The strategies' counters, read around exactly the timed loop. */
	if (st->vm.napx_stats || cfg->debug_marks)
		c->flags |= EB_F_MARKS;
	if (!strcmp(st->host.cpu_vendor, "AuthenticAMD") ||
	    !strcmp(st->host.cpu_vendor, "HygonGenuine"))
		c->flags |= EB_F_VMMCALL;
}

/* Per-exit cycles of each sample. */
static double *per_exit(const struct eb_outcome *o, uint64_t batch)
{
	double *d = malloc((o->n ? o->n : 1) * sizeof(*d));

	if (d)
		for (uint64_t i = 0; i < o->n; i++)
			d[i] = (double)o->samples[i] / batch;
	return d;
}

static int stats_of(struct eb_run_state *st, const struct eb_outcome *o,
		    struct eb_stats *s)
{
	double *d = per_exit(o, st->cfg->batch);
	int r;

	if (!d)
		return -ENOMEM;
	r = eb_stats_compute_d(d, o->n, EB_STATS_BOOTSTRAP_DEFAULT,
			       st->cfg->seed, s);
	free(d);
	return r;
}

void run_scale_stats(struct eb_stats *s, double k)
{
	double *v[] = { &s->min, &s->p1, &s->p5, &s->p25, &s->median, &s->p75,
			&s->p95, &s->p99, &s->max, &s->mean, &s->stddev,
			&s->mad, &s->median_ci_lo, &s->median_ci_hi };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		*v[i] *= k;
}

/* The empty loop's median cost per iteration at @cpl, measured once. */
static double loop_overhead(struct eb_run_state *st, int cpl)
{
	struct eb_outcome o;
	struct eb_stats s;
	struct eb_cmd c;

	if (st->nop_cycles[cpl] >= 0 || st->nop_reason[cpl][0])
		return st->nop_cycles[cpl];
	if (run_ensure_vm(st)) {
		snprintf(st->nop_reason[cpl], sizeof(st->nop_reason[cpl]),
			 "%s", st->vm.err);
		return -1;
	}
	make_cmd(st, EB_T_NOP, cpl, false, false, &c);
	if (vm_run_cmd(&st->vm, &c, &o) || o.status != EB_OUT_OK ||
	    stats_of(st, &o, &s)) {
		snprintf(st->nop_reason[cpl], sizeof(st->nop_reason[cpl]),
			 "nop loop at CPL%d failed: %s", cpl, o.reason);
	} else {
		st->nop_cycles[cpl] = s.median;
	}
	retire_vm(st, &o);
	eb_outcome_free(&o);
	return st->nop_cycles[cpl];
}

/*
 * One-way split of exits to the VMM.  For sample i (one exit, batch 1):
 *   exit  = host TSC right after KVM_RUN returned - guest start TSC
 *   entry = guest end TSC - host TSC right before KVM_RUN
 * Valid only if guest and host read the same TSC; checked on every
 * sample by the ordering guest start <= host exit <= host entry <= end.
 */
static json_t *oneway_json(struct eb_run_state *st, const struct eb_outcome *o)
{
	const uint64_t w = st->cfg->warmup;
	double *ex = NULL, *en = NULL;
	struct eb_stats sx, sn;
	const char *why = NULL;
	json_t *j = NULL;

	if (st->cfg->batch != 1)
		why = "needs --batch 1 (one exit per sample)";
	/* the APX checked pass exits to the VMM after the timed loop */
	else if (o->n_vmm_exits - o->apx.area.checked_exits != w + o->n)
		why = "VMM exit count does not match the sample count";
	if (why)
		return json_pack("{s:s}", "unavailable", why);

	ex = malloc(o->n * sizeof(*ex));
	en = malloc(o->n * sizeof(*en));
	if (!ex || !en)
		goto out;
	for (uint64_t i = 0; i < o->n; i++) {
		uint64_t g0 = o->stamps[i], g1 = g0 + o->samples[i];
		uint64_t h0 = o->host_exit[w + i], h1 = o->host_entry[w + i];

		if (!(g0 <= h0 && h0 <= h1 && h1 <= g1)) {
			j = json_pack("{s:s}", "unavailable", st->vm.tsc_offset_zeroed ?
				"guest and host TSC readings are not ordered although the TSC offset was set to 0" :
				"guest TSC differs from the host's (KVM_VCPU_TSC_OFFSET not settable here)");
			goto out;
		}
		ex[i] = h0 - g0;
		en[i] = g1 - h1;
	}
	if (eb_stats_compute_d(ex, o->n, EB_STATS_BOOTSTRAP_DEFAULT,
			       st->cfg->seed, &sx) ||
	    eb_stats_compute_d(en, o->n, EB_STATS_BOOTSTRAP_DEFAULT,
			       st->cfg->seed, &sn))
		goto out;
	j = json_pack("{s:o, s:o}", "exit", results_stats_json(&sx),
		      "entry", results_stats_json(&sn));
out:
	free(ex);
	free(en);
	return j ? j : json_pack("{s:s}", "unavailable", "out of memory");
}

/* Test-specific checks on what the guest reported; NULL if all is well. */
static const char *check_outcome(struct eb_run_state *st,
				 const struct eb_test *t,
				 const struct eb_outcome *o, char *buf,
				 size_t len)
{
	uint64_t iters = (st->cfg->warmup + st->cfg->samples) * st->cfg->batch;

	switch (t->id) {
	case EB_T_HYPERCALL:
		if (o->last_value != (uint64_t)-KVM_ENOSYS) {
			snprintf(buf, len, "hypercall returned %#llx, expected -KVM_ENOSYS",
				 (unsigned long long)o->last_value);
			return buf;
		}
		break;
	case EB_T_HLT:
	case EB_T_SELF_IPI:
	case EB_T_TSCDEADLINE_FIRE:
		if (o->irqs != iters) {
			snprintf(buf, len, "guest took %llu interrupts, expected %llu",
				 (unsigned long long)o->irqs,
				 (unsigned long long)iters);
			return buf;
		}
		break;
	case EB_T_PIO_USER_IOEVENTFD:
	case EB_T_MMIO_USER_IOEVENTFD:
		/* every write, warm-up included, went to the eventfd */
		if (!o->ioeventfd_valid || o->ioeventfd_signals != iters) {
			snprintf(buf, len, "the eventfd counted %llu signals, expected %llu",
				 (unsigned long long)o->ioeventfd_signals,
				 (unsigned long long)iters);
			return buf;
		}
		break;
	default:
		break;
	}
	if (o->warmup_done != st->cfg->warmup) {
		snprintf(buf, len, "guest ran %llu warm-up samples, expected %llu",
			 (unsigned long long)o->warmup_done,
			 (unsigned long long)st->cfg->warmup);
		return buf;
	}
	return NULL;
}

static json_t *raw_json(const struct eb_outcome *o)
{
	json_t *a = json_array();

	for (uint64_t i = 0; i < o->n; i++)
		json_array_append_new(a, json_integer((json_int_t)o->samples[i]));
	return a;
}

static void set_status(struct eb_run_state *st, json_t *e, const char *status,
		       const char *reason)
{
	json_object_set_new(e, "status", json_string(status));
	if (reason)
		json_object_set_new(e, "reason", json_string(reason));
	if (strcmp(status, "ok") && strcmp(status, "skipped"))
		st->failed = true;
}

/*
 * Did the instruction exit as the test table says (m->exits)?  KVM's
 * per-vCPU "exits" statistic must have grown by at least one per timed
 * iteration ("every"), or by less than one per two iterations ("none":
 * an instruction KVM passes through; the slack covers the command's own
 * exits, such as the final OUT and host interrupts).  "every" catches
 * an exit that silently stopped happening (QEMU TCG's SVM does not
 * intercept XSETBV, for one) but not extra exits.  Not for emulated code
 * (PVM's CPL0): KVM emulates those instructions without counting exits.
 */
static void exit_check(struct eb_run_state *st, const struct eb_test *t,
		       const struct eb_flavor_mode *m, json_t *e,
		       const struct eb_outcome *o)
{
	uint64_t iters = (st->cfg->warmup + st->cfg->samples) * st->cfg->batch;
	enum eb_exits want = t->id == EB_T_NOP || m->emulated ?
			     EB_EXITS_UNCHECKED : m->exits;
	char buf[200];

	json_object_set_new(e, "kvm_exits_expected",
			    json_string(eb_exits_name(want)));
	if (!o->kvm_exits_valid) {
		json_object_set_new(e, "kvm_exits", json_null());
		return;
	}
	json_object_set_new(e, "kvm_exits", json_integer((json_int_t)o->kvm_exits));
	if (want == EB_EXITS_EVERY && o->kvm_exits < iters)
		snprintf(buf, sizeof(buf),
			 "KVM counted %llu exits for %llu iterations: the instruction did not exit every time",
			 (unsigned long long)o->kvm_exits, (unsigned long long)iters);
	else if (want == EB_EXITS_NONE && 2 * o->kvm_exits >= iters)
		snprintf(buf, sizeof(buf),
			 "KVM counted %llu exits for %llu iterations: expected none, KVM should pass this instruction through",
			 (unsigned long long)o->kvm_exits, (unsigned long long)iters);
	else
		return;
	json_object_set_new(e, "warning", json_string(buf));
}

/*
 * The kernel's apx_* counters over the timed loop (warm-up included),
 * read at the guest's two marks: the window holds the loop's exits and
 * the closing mark's exit, plus the re-entry after the opening mark
 * (results/README.md, "APX event counts").
 */
static json_t *counts_json(struct eb_run_state *st, const struct eb_outcome *o)
{
	const struct eb_vm *vm = &st->vm;
	uint64_t iters = (st->cfg->warmup + st->cfg->samples) * st->cfg->batch;
	json_t *tot, *per, *j;
	uint64_t exits;

	if (o->nmarks != 2)
		return json_pack("{s:s}", "unavailable", o->nmarks > 2 ?
			"KVM's statistics could not be read at a mark" :
			"the guest did not reach both marks");
	exits = o->mark[1].exits - o->mark[0].exits;
	tot = json_object();
	per = json_object();
	for (unsigned int i = 0; i < vm->napx_stats; i++) {
		uint64_t d = o->mark[1].apx[i] - o->mark[0].apx[i];

		json_object_set_new(tot, vm->apx_stat_names[i], json_integer((json_int_t)d));
		json_object_set_new(per, vm->apx_stat_names[i],
				    exits ? json_real((double)d / exits) : json_null());
	}
	j = json_pack("{s:s, s:I, s:I, s:o, s:o}",
		      "window", "timed loop",
		      "iterations", (json_int_t)iters,
		      "exits", (json_int_t)exits,
		      "totals", tot, "per_exit", per);
	if (!vm->napx_stats)
		json_object_set_new(j, "note", json_string(
			"this kernel has no apx_* statistics (--debug-marks)"));
	return j;
}

static void add_results(struct eb_run_state *st, const struct eb_test *t,
			const struct eb_flavor_mode *m, json_t *e,
			const struct eb_outcome *o)
{
	struct eb_stats s;
	double ovh;

	if (stats_of(st, o, &s)) {
		set_status(st, e, "failed", "statistics could not be computed");
		return;
	}
	json_object_set_new(e, "cycles", results_stats_json(&s));
	if (st->host.tsc_khz) {
		struct eb_stats ns = s;

		run_scale_stats(&ns, 1e6 / st->host.tsc_khz);
		json_object_set_new(e, "ns", results_stats_json(&ns));
	} else {
		json_object_set_new(e, "ns", json_null());
	}
	ovh = t->id == EB_T_NOP ? s.median : loop_overhead(st, m->cpl);
	if (ovh >= 0) {
		json_object_set_new(e, "overhead_cycles", json_real(ovh));
		json_object_set_new(e, "overhead_cpl", json_integer(m->cpl));
		json_object_set_new(e, "net_median_cycles",
				    json_real(s.median - ovh));
	} else {
		json_object_set_new(e, "overhead_cycles", json_null());
		json_object_set_new(e, "net_median_cycles", json_null());
		json_object_set_new(e, "overhead_unavailable",
				    json_string(st->nop_reason[m->cpl]));
	}
	if (t->oneway)
		json_object_set_new(e, "oneway", oneway_json(st, o));
	exit_check(st, t, m, e, o);
	if (o->ioeventfd_valid)
		json_object_set_new(e, "ioeventfd_signals",
				    json_integer((json_int_t)o->ioeventfd_signals));
	if (st->vm.napx_stats || st->cfg->debug_marks)
		json_object_set_new(e, "apx_counts", counts_json(st, o));
	if (st->cfg->raw || st->want_raw)
		json_object_set_new(e, "raw", raw_json(o));
}

json_t *run_test(struct eb_run_state *st, const struct eb_test *t)
{
	struct eb_flavor_mode mode;
	const struct eb_flavor_mode *m;
	struct eb_outcome o;
	struct eb_cmd c;
	const char *why;
	char buf[256];
	json_t *e;
	int r;

	e = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}",
		      "test", t->name, "apx", apx_run_mode_name(&st->apx, st->apx_on),
		      "xcr0", apx_xcr0_mode_name(st->apx.xcr0_mode),
		      "description", t->desc,
		      "samples", (json_int_t)st->cfg->samples,
		      "batch", (json_int_t)st->cfg->batch,
		      "warmup", (json_int_t)st->cfg->warmup);

	why = eb_test_skip_reason(t, &st->host, buf, sizeof(buf));
	if (why) {
		set_status(st, e, "skipped", why);
		return e;
	}
	mode = t->mode[st->host.flavor];
	m = &mode;
	if (st->cfg->cpl >= 0 && st->cfg->cpl != mode.cpl) {
		mode.cpl = st->cfg->cpl;
		mode.emulated = st->host.flavor == EB_FLAVOR_PVM &&
				mode.cpl == 0;
		mode.note = mode.emulated ?
			"emulated: guest CPL0 is software-emulated on PVM (--cpl 0)" :
			"CPL forced with --cpl";
	}
	json_object_set_new(e, "cpl", json_integer(m->cpl));
	json_object_set_new(e, "emulated", json_boolean(m->emulated));
	if (m->note)
		json_object_set_new(e, "note", json_string(m->note));

	r = run_ensure_vm(st);
	if (r) {
		set_status(st, e, "failed", st->vm.err);
		return e;
	}
	make_cmd(st, t->id, m->cpl, t->x2apic, t->oneway, &c);
	if (st->cfg->inject_delay > 0) {
		why = inject_prepare(st, &c);
		if (why) {
			set_status(st, e, "skipped", why);
			return e;
		}
		json_object_set_new(e, "inject_delay", json_pack("{s:I, s:f}",
			"spin_cycles", (json_int_t)c.delay_iters,
			"injected_cycles", inject_cycles(st, c.cpl)));
	}
	r = run_sampled(st, t, &c, &o, e);
	if (r) {
		snprintf(buf, sizeof(buf), "could not run: %s", strerror(-r));
		set_status(st, e, "failed", buf);
		return e;
	}
	json_object_set_new(e, "guest_cpl", json_integer(o.guest_cpl));
	switch (o.status) {
	case EB_OUT_OK:
		why = check_outcome(st, t, &o, buf, sizeof(buf));
		if (why) {
			set_status(st, e, "failed", why);
			break;
		}
		set_status(st, e, "ok", NULL);
		json_object_set_new(e, "warmup_discarded",
				    json_integer((json_int_t)o.warmup_done));
		add_results(st, t, m, e, &o);
		break;
	case EB_OUT_EXCEPTION:
		set_status(st, e, "failed", o.reason);
		json_object_set_new(e, "exception", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"vector", (json_int_t)o.exc.vector,
			"error_code", (json_int_t)o.exc.error_code,
			"rip", (json_int_t)o.exc.rip,
			"cs", (json_int_t)o.exc.cs,
			"rflags", (json_int_t)o.exc.rflags,
			"rsp", (json_int_t)o.exc.rsp,
			"cr2", (json_int_t)o.exc.cr2));
		break;
	case EB_OUT_TIMEOUT:
		set_status(st, e, "timeout", o.reason);
		break;
	case EB_OUT_FAILED:
		set_status(st, e, "failed", o.reason);
		break;
	}
	if (o.status == EB_OUT_OK || o.status == EB_OUT_FAILED) {
		why = apx_run_result(&st->apx, &c.apx, &o.apx, t->name, e,
				     buf, sizeof(buf));
		if (why)
			set_status(st, e, "failed", why);
	}
	retire_vm(st, &o);
	eb_outcome_free(&o);
	return e;
}
