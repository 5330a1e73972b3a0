// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX dimension of one `exitbench run` (see apx_run.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "apx_run.h"

/* Why a guest XCR0 differs from the host's, in every result where it does. */
#define XCR0_APX_NOTE \
	"guest XCR0 differs from the host's in the APX bit only: KVM switches " \
	"XCR0 around every exit, as it does for any APX-off guest on an " \
	"APX-enabled host"
#define XCR0_PROXY_NOTE \
	"guest XCR0 differs from the host's, so KVM switches XCR0 (XSETBV) " \
	"around every exit: the proxy for the XSETBV cost that early-xcr0 and " \
	"xcr0-first add to every exit of an APX-off guest on an APX host"

#define STANDIN_ON_NOTE \
	"APX stand-in on: the guest XCR0 has the stand-in's bits, which the " \
	"stand-in kernel takes for XCR0.APX (no R16-R31 exist on this host)"
#define STANDIN_OFF_NOTE \
	"APX stand-in off: the stand-in's bits are clear in the guest XCR0, " \
	"as XCR0.APX is for an APX-off guest on an APX host"

int apx_parse_corrupt(const char *s, int *reg, bool *at_uabi)
{
	*at_uabi = !strncmp(s, "uabi:", 5);
	if (*at_uabi)
		s += 5;
	for (unsigned int i = 0; i < 16; i++) {
		if (i != EB_GPR_RSP && !strcmp(s, regcheck_reg_name(i))) {
			*reg = (int)i;
			return 0;
		}
	}
	return -EINVAL;
}

void apx_run_init(struct apx_run *ar)
{
	memset(ar, 0, sizeof(*ar));
	ar->request = APX_REQ_AUTO;
	ar->xcr0_mode = APX_XCR0_HOST;
	ar->check_egprs = -1;
}

int apx_run_prepare(struct apx_run *ar, int kvm_fd, bool pvm, char *err,
		    size_t len)
{
	bool on[2];
	unsigned int n;
	int r;

	ar->pvm = pvm;
	r = apx_probe(kvm_fd, NULL, &ar->info);
	if (r) {
		snprintf(err, len, "cannot read CPUID on this CPU");
		return r;
	}
	apx_standin_probe(&ar->info, &ar->standin);
	apx_plan_make(&ar->info, &ar->standin, ar->request, &ar->plan);
	if (ar->force_on) {
		/* real APX asked for, whatever stand-in the kernel has */
		ar->plan.standin = false;
		ar->plan.run_off = false;
		ar->plan.run_on = true;
		ar->plan.refuse = false;
		return 0;
	}
	if (ar->plan.refuse && ar->request == APX_REQ_STANDIN) {
		snprintf(err, len, "--apx standin: %s", ar->plan.on_skipped);
		return -EPERM;
	}
	if (ar->plan.refuse) {
		snprintf(err, len, "--apx %s: no APX guest possible here: %s",
			 apx_request_name(ar->request), ar->plan.on_skipped);
		return -EPERM;
	}
	if (ar->plan.standin) {
		/* Its off mode already is a reduced XCR0 (the stand-in's bits). */
		if (ar->xcr0_mode == APX_XCR0_REDUCED) {
			snprintf(err, len, "--xcr0 reduced: not with the APX stand-in %s %#llx, whose off mode already clears those XCR0 bits",
				 ar->plan.sd.name,
				 (unsigned long long)ar->plan.sd.mask);
			return -EOPNOTSUPP;
		}
		return 0;
	}
	n = apx_run_modes(ar, on);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t x;
		bool d;
		char why[160];

		r = apx_guest_xcr0(&ar->info, on[i], ar->xcr0_mode, &x, &d,
				   why, sizeof(why));
		if (r) {
			snprintf(err, len, "--xcr0 %s: %s",
				 apx_xcr0_mode_name(ar->xcr0_mode), why);
			return r;
		}
	}
	return 0;
}

unsigned int apx_run_modes(const struct apx_run *ar, bool on[2])
{
	unsigned int n = 0;

	if (ar->plan.run_off)
		on[n++] = false;
	if (ar->plan.run_on)
		on[n++] = true;
	return n;
}

void apx_run_cmd(const struct apx_run *ar, bool on, int cpl,
		 uint64_t vmm_exits_timed, struct apx_cmd *c)
{
	bool differs;

	memset(c, 0, sizeof(*c));
	/* XGETBV at CPL0 fails with KVM_EXIT_INTERNAL_ERROR on PVM */
	c->xgetbv = !ar->pvm || cpl == 3;
	c->corrupt = ar->corrupt;
	c->corrupt_uabi = ar->corrupt_uabi;
	c->corrupt_reg = ar->corrupt_reg;
	/* the third exit of the checked pass, which follows the timed loop */
	c->corrupt_at = vmm_exits_timed + 2;
	if (ar->plan.standin) {
		/*
		 * The stand-in kernel runs its APX code for both modes: check
		 * the legacy GPRs across every exit of both by default.
		 */
		c->standin = on;
		c->standin_mask = ar->plan.sd.mask;
		c->regcheck = ar->check_egprs < 0 ? true : ar->check_egprs;
		c->uabi = c->regcheck;
		apx_standin_xcr0(&ar->info, &ar->plan.sd, on, &c->want_xcr0);
		/*
		 * At CPL0 the guest's own XSETBV loads it: start the vCPU
		 * from the other mode's XCR0 so that KVM_GET_XCRS afterwards
		 * shows the guest's write.  Not under QEMU TCG, whose SVM
		 * does not intercept XSETBV (KVM would never see it).
		 */
		if (cpl == 0 && !ar->tcg)
			apx_standin_xcr0(&ar->info, &ar->plan.sd, !on,
					 &c->preset_xcr0);
		return;
	}
	c->on = on;
	c->regcheck = ar->check_egprs < 0 ? on : ar->check_egprs;
	c->uabi = c->regcheck;
	/* only --debug-force-apx-on gets here without APX: keep XCR0 valid */
	if (apx_guest_xcr0(&ar->info, on, ar->xcr0_mode, &c->want_xcr0,
			   &differs, NULL, 0) &&
	    apx_guest_xcr0(&ar->info, false, ar->xcr0_mode, &c->want_xcr0,
			   &differs, NULL, 0))
		c->want_xcr0 = 0;
	c->apx_offset = ar->info.kvm_apx_offset ? ar->info.kvm_apx_offset :
			ar->info.host_apx_offset;
	c->xsave2_size = ar->info.kvm_xsave2_size;
}

static json_t *hex64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

static const char *guest_status_name(unsigned int s)
{
	switch (s) {
	case EB_APX_GUEST_NOT_ASKED: return "not_asked";
	case EB_APX_GUEST_ENABLED: return "enabled";
	case EB_APX_GUEST_NO_CPUID: return "refused_no_cpuid";
	case EB_APX_GUEST_NO_XCR0: return "refused_no_xcr0_bit";
	case EB_APX_GUEST_XCR0_OFF: return "refused_xcr0_off";
	case EB_APX_GUEST_STANDIN_OFF: return "refused_standin_off";
	}
	return "unknown";
}

static const char *regcheck_status(const struct apx_cmd *c,
				   const struct apx_outcome *o)
{
	if (!c->regcheck)
		return "off";
	switch (o->area.regcheck_status) {
	case EB_RC_DONE:
		return o->area.bad_exits ? "failed" : "ok";
	case EB_RC_UNSUPPORTED:
		return "unsupported";
	}
	return "not_run";
}

const char *apx_run_result(const struct apx_run *ar, const struct apx_cmd *c,
			   const struct apx_outcome *o, const char *test,
			   json_t *e, char *buf, size_t len)
{
	const struct eb_apx_area *a = &o->area;
	const char *refusal = apx_guest_refusal(a);
	size_t shown = o->nmis < APX_MAX_MISMATCHES ? o->nmis : APX_MAX_MISMATCHES;
	json_t *rc, *mis, *x;

	json_object_set_new(e, "guest_apx", json_pack(
		"{s:s, s:b, s:o, s:i, s:i, s:o}",
		"status", guest_status_name(a->guest_status),
		"cpuid_apx_f", !!(a->cpuid_7_1_edx & (1u << EB_APX_CPUID_EDX_BIT)),
		"cpuid_xcr0", hex64(a->cpuid_d_0_xcr0),
		"cpuid_apx_size", (int)a->cpuid_d_19_eax,
		"cpuid_apx_offset", (int)a->cpuid_d_19_ebx,
		"xcr0", hex64(a->xcr0)));

	x = json_pack("{s:s, s:o, s:o, s:b}",
		      "mode", apx_xcr0_mode_name(ar->xcr0_mode),
		      "requested", hex64(c->want_xcr0),
		      "host", hex64(ar->info.host_xcr0),
		      "differs_from_host", c->want_xcr0 != ar->info.host_xcr0);
	json_object_set_new(x, "kvm_vcpu", o->xcrs_read ? hex64(o->kvm_xcr0) : json_null());
	if (o->xcrs_err[0])
		json_object_set_new(x, "error", json_string(o->xcrs_err));
	if (c->preset_xcr0)
		json_object_set_new(x, "preset", hex64(c->preset_xcr0));
	if (ar->plan.standin) {
		json_object_set_new(x, "note", json_string(c->standin ?
			STANDIN_ON_NOTE : STANDIN_OFF_NOTE));
	} else if (ar->xcr0_mode == APX_XCR0_HOST &&
		   ((c->want_xcr0 ^ ar->info.host_xcr0) & ~APX_XCR0_APX)) {
		char note[256];

		/* e.g. AMX on a KVM that offers guests no dynamic xstate */
		snprintf(note, sizeof(note),
			 "KVM offers guests XCR0 %#llx, not the host's %#llx "
			 "(KVM_GET_SUPPORTED_CPUID.(0xD,0)): KVM switches XCR0 "
			 "around every exit even with --xcr0 host",
			 (unsigned long long)ar->info.kvm_xcr0,
			 (unsigned long long)ar->info.host_xcr0);
		json_object_set_new(x, "note", json_string(note));
	} else if (c->want_xcr0 != ar->info.host_xcr0) {
		json_object_set_new(x, "note", json_string(
			(c->want_xcr0 ^ ar->info.host_xcr0) == APX_XCR0_APX ?
			XCR0_APX_NOTE : XCR0_PROXY_NOTE));
	}
	json_object_set_new(e, "xcr0_detail", x);

	mis = regcheck_to_json(o->mis, shown, test);
	rc = json_pack("{s:s, s:I, s:I, s:s, s:s, s:I, s:o}",
		       "status", regcheck_status(c, o),
		       "checked_exits", (json_int_t)a->checked_exits,
		       "bad_exits", (json_int_t)a->bad_exits,
		       "live_egprs", !c->on ? "n/a" : a->live_bad ? "changed" : "ok",
		       "uabi", !c->uabi ? "off" : o->uabi_err[0] ? o->uabi_err :
			       !o->uabi_done ? "not_reached" : "done",
		       "mismatches_total", (json_int_t)o->nmis,
		       "mismatches", mis ? mis : json_array());
	if (c->corrupt)
		json_object_set_new(rc, "debug_corrupted", json_string(o->corrupted ?
			regcheck_reg_name((unsigned int)c->corrupt_reg) : "not reached"));
	json_object_set_new(e, "regcheck", rc);

	if (refusal) {
		snprintf(buf, len, "APX on refused by the guest: %s", refusal);
		return buf;
	}
	if (o->nmis) {
		const struct regcheck_mismatch *m = &o->mis[0];

		char at[48];

		if (m->iteration == EB_REGCHECK_ITER_LIVE)
			snprintf(at, sizeof(at), "across the timed loop");
		else if (m->iteration == EB_REGCHECK_ITER_UABI)
			snprintf(at, sizeof(at), "at the uABI exit");
		else
			snprintf(at, sizeof(at), "at checked exit %llu",
				 (unsigned long long)m->iteration);
		snprintf(buf, len,
			 "register integrity: %zu mismatch%s; first %s %s (%s): expected %#llx, got %#llx",
			 o->nmis, o->nmis == 1 ? "" : "es",
			 regcheck_reg_name(m->reg), at, m->where,
			 (unsigned long long)m->expected,
			 (unsigned long long)m->actual);
		return buf;
	}
	if (o->guest_report_err || a->bad_exits || a->live_bad) {
		snprintf(buf, len, "register integrity: the guest reported %llu bad exits%s",
			 (unsigned long long)a->bad_exits,
			 o->guest_report_err ? " in an inconsistent report" : "");
		return buf;
	}
	if (o->xcrs_err[0]) {
		snprintf(buf, len, "%s", o->xcrs_err);
		return buf;
	}
	if (c->want_xcr0 && o->xcrs_read && o->kvm_xcr0 != c->want_xcr0) {
		snprintf(buf, len, "KVM_GET_XCRS: the vCPU's XCR0 is %#llx, %#llx was requested",
			 (unsigned long long)o->kvm_xcr0,
			 (unsigned long long)c->want_xcr0);
		return buf;
	}
	if (c->uabi && o->uabi_err[0]) {
		snprintf(buf, len, "uABI check: %s", o->uabi_err);
		return buf;
	}
	return NULL;
}

json_t *apx_run_json(const struct apx_run *ar)
{
	json_t *j = apx_info_to_json(&ar->info, &ar->plan);

	if (!j)
		return NULL;
	json_object_set_new(j, "xcr0_mode", json_string(apx_xcr0_mode_name(ar->xcr0_mode)));
	json_object_set_new(j, "check_egprs", json_string(
		ar->check_egprs < 0 ? "with apx on" : ar->check_egprs ? "on" : "off"));
	return j;
}
