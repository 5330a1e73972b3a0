// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cost per exit kind, counted by running the same steps the checker
 * explores, without NMIs, from a steady state:
 *   fastpath re-entry  VM-exit (TSC deadline WRMSR) .. next VM-entry
 *   full exit          VM-exit (PIO) .. userspace .. KVM_RUN .. VM-entry
 *   XSETBV exit        the guest's XSETBV that switches XCR0.APX to the
 *                      row's setting (hosts without APX: the XSETBV that
 *                      makes its other bits equal to the host's), from
 *                      that VM-exit to the next VM-entry
 * Only what the strategy's steps execute is counted (the common run loop
 * is the same for all), so baseline shows the XCR0 switch alone.
 */
#include <errno.h>
#include <string.h>

#include "model.h"

/*
 * machine_next() for counting: a violation stops the count, except under
 * the stand-in, where no R16-R31 exist to be lost or leaked (e.g. baseline
 * never loads them for a guest that turned the stand-in on).
 */
static int next(const struct machine *m, const struct mstate *s, enum event ev,
		struct mstate *o, struct cost *c)
{
	struct verdict v;
	struct note note;
	int r = machine_next(m, s, ev, o, c, &v, &note);

	if (r == 1 && m->set.standin && !v.fatal)
		return 0;
	return r;
}

/* Runs host steps until the vCPU is back in the guest or in userspace. */
static int run_host(const struct machine *m, struct mstate *s, struct cost *c)
{
	for (int i = 0; s->where == AT_HOST; i++) {
		struct mstate o;

		if (i > 1000 || next(m, s, EV_STEP, &o, c) != 0)
			return -EPROTO;
		*s = o;
	}
	return 0;
}

static int event(const struct machine *m, struct mstate *s, enum event ev, struct cost *c)
{
	struct mstate o;

	if (next(m, s, ev, &o, c) != 0)
		return -EPROTO;
	*s = o;
	return run_host(m, s, c);
}

static bool apx_toggle(const struct machine *m)
{
	return m->set.host_apx && (m->st->exposes_apx || m->set.standin);
}

/* One exit of kind ek and what follows until the guest runs again. */
static int round_trip(const struct machine *m, struct mstate *s, enum exit_kind ek,
		      struct cost *c)
{
	int ret;

	switch (ek) {
	case EK_FAST:
		return event(m, s, EV_G_FAST, c);
	case EK_FULL:
		ret = event(m, s, EV_G_USER, c);
		return ret ? ret : event(m, s, EV_U_RUN, c);
	case EK_XSETBV:
		return event(m, s, apx_toggle(m) ? EV_G_XSETBV_APX : EV_G_XSETBV_AVX, c);
	default:
		return -EINVAL;
	}
}

int cost_of(const struct strategy *st, struct setting set, bool guest_apx,
	    enum exit_kind ek, struct cost *c)
{
	return cost_of_xcr0(st, set, guest_apx, false, ek, c);
}

int cost_of_xcr0(const struct strategy *st, struct setting set, bool guest_apx,
		 bool other_differs, enum exit_kind ek, struct cost *c)
{
	struct machine m;
	struct mstate s;
	struct cost scratch = { 0 };
	bool xsetbv = ek == EK_XSETBV;
	bool apx_before = xsetbv ? !guest_apx : guest_apx;
	int ret;

	if (guest_apx && !(set.host_apx && (st->exposes_apx || set.standin)))
		return -ENOENT;
	ret = machine_init(&m, st, set);
	if (ret)
		return ret;
	machine_reset(&m, &s);
	ret = event(&m, &s, EV_U_RUN, &scratch);
	/*
	 * Steady state: the guest's XCR0 equals the host's but for APX
	 * (unless @other_differs: then "AVX" stays the one the host has and
	 * the guest lacks).
	 */
	if (!ret && !other_differs && !(xsetbv && !apx_toggle(&m)))
		ret = event(&m, &s, EV_G_XSETBV_AVX, &scratch);
	if (!ret && apx_before && apx_toggle(&m))
		ret = event(&m, &s, EV_G_XSETBV_APX, &scratch);
	/* Warm up with one round trip of the same kind (caches, flags). */
	if (!ret && !xsetbv)
		ret = round_trip(&m, &s, ek, &scratch);
	if (ret)
		return ret;
	memset(c, 0, sizeof(*c));
	return round_trip(&m, &s, ek, c);
}
