// SPDX-License-Identifier: GPL-2.0-only
/*
 * eb-model predict: the per-exit counts of what each strategy executes, as
 * the kernel's apx_* statistics count them (kernel-patches/README.md,
 * "Counters"), from the same steps the checker explores (cost.c).  One row
 * per (strategy, vendor, host, guest APX, other XCR0 bits, exit kind):
 *
 *   host     noapx    no APX and no stand-in: the strategies' APX code
 *                     never runs
 *            standin  the kernel's stand-in: legacy XCR0 bits play APX,
 *                     which a guest may set whatever the strategy
 *            apx      real APX
 *   other    0: the guest's XCR0 equals the host's except for APX (the
 *            model's steady state); 1: it also lacks other host bits
 *   kind     loop: an exit that leaves the fastpath loop (userspace PIO,
 *            CPUID, ...); fast: one handled inside it (TSC deadline)
 *
 * scripts/check-counts compares a results file's counts with these rows.
 * The switchable kernel's apx_dispatch (one per VM-entry) is not a step
 * of any strategy: check-counts adds it.
 */
#include <errno.h>
#include <string.h>

#include "model.h"
#include "predict.h"

static const char *const vendor_names[NR_VENDORS] = { "vmx", "svm" };
static const char *const host_names[] = { "noapx", "standin", "apx" };
static const struct {
	const char *name;
	enum exit_kind ek;
} kinds[] = { { "loop", EK_FULL }, { "fast", EK_FAST } };

static int row(FILE *f, bool json, bool *first, const struct strategy *st,
	       int v, int h, bool gapx, bool other, int k)
{
	struct setting set = { .vendor = v, .host_apx = h != 0, .standin = h == 1 };
	struct cost c;
	int ret = cost_of_xcr0(st, set, gapx, other, kinds[k].ek, &c);

	if (ret == -ENOENT)
		return 0;	/* no APX guest there */
	if (ret)
		return ret;
	if (json)
		fprintf(f, "%s\n {\"strategy\": \"%s\", \"vendor\": \"%s\", \"host\": \"%s\", "
			"\"guest_apx\": %s, \"other_differs\": %s, \"kind\": \"%s\", "
			"\"stores\": %u, \"loads\": %u, \"clears\": %u, \"xsetbv\": %u, "
			"\"path_switches\": %u}",
			*first ? "" : ",", st->name, vendor_names[v], host_names[h],
			gapx ? "true" : "false", other ? "true" : "false", kinds[k].name,
			c.stores, c.loads, c.clears, c.xsetbv, c.path_switches);
	else
		fprintf(f, "%-11s %-3s %-7s %-3s %-5s %-4s %6u %5u %6u %6u %8u\n",
			st->name, vendor_names[v], host_names[h], gapx ? "on" : "off",
			other ? "yes" : "no", kinds[k].name, c.stores, c.loads, c.clears,
			c.xsetbv, c.path_switches);
	*first = false;
	return 0;
}

int predict_write(FILE *f, bool json, const struct strategy *only, int vendor)
{
	bool first = true;
	int ret = 0;

	if (json)
		fprintf(f, "[");
	else
		fprintf(f, "%-11s %-3s %-7s %-3s %-5s %-4s %6s %5s %6s %6s %8s\n",
			"strategy", "vnd", "host", "apx", "other", "kind", "stores",
			"loads", "clears", "xsetbv", "switches");
	for (int i = 0; strategies[i] && !ret; i++) {
		if (only && only != strategies[i])
			continue;
		for (int v = 0; v < NR_VENDORS && !ret; v++) {
			if (vendor >= 0 && v != vendor)
				continue;
			for (int h = 0; h < 3 && !ret; h++)
				for (int g = 0; g < 2 && !ret; g++)
					for (int o = 0; o < 2 && !ret; o++)
						for (int k = 0; k < 2 && !ret; k++)
							ret = row(f, json, &first, strategies[i],
								  v, h, g, o, k);
		}
	}
	if (json)
		fprintf(f, "\n]\n");
	else
		fprintf(f, "per exit: one VM-exit and the VM-entry after it, in a steady loop\n");
	return ret ? ret : ferror(f) ? -EIO : 0;
}
