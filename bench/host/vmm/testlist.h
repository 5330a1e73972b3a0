// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exit tests as a table: selecting, listing and skipping all read it.
 * Adding an exit type is one guest function (bench/guest/tests.c) plus one
 * row here.
 */
#ifndef EB_HOST_TESTLIST_H
#define EB_HOST_TESTLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "exitbench_abi.h"
#include "hostinfo.h"

/* What a test needs from the guest CPUID (struct eb_feature) or the host. */
enum eb_need {
	EB_NEED_X2APIC = 1u << 0,
	EB_NEED_TSC_DEADLINE = 1u << 1,
	EB_NEED_XSAVE = 1u << 2,
	EB_NEED_IRQCHIP = 1u << 3,
	EB_NEED_XSETBV_EXIT = 1u << 4,	/* a host CPU that intercepts XSETBV */
	EB_NEED_SPEC_CTRL = 1u << 5,	/* IA32_SPEC_CTRL in the guest CPUID */
	EB_NEED_PRED_CMD = 1u << 6,	/* IA32_PRED_CMD (IBPB) in the guest CPUID */
	EB_NEED_IOEVENTFD = 1u << 7,	/* KVM_IOEVENTFD assigned at VM creation */
};

/*
 * What KVM's per-vCPU exit counter must show for a test's timed loop,
 * checked after every run (measure.c): the instruction exits on every
 * iteration, on (almost) none because KVM passes it through, or either
 * (what KVM does depends on the kernel version; not checked).
 */
enum eb_exits {
	EB_EXITS_EVERY = 0,	/* >= 1 exit per iteration */
	EB_EXITS_NONE,		/* < 1 exit per 2 iterations */
	EB_EXITS_UNCHECKED,
};

/* How a test runs on one KVM flavor. */
struct eb_flavor_mode {
	bool supported;
	int cpl;		/* guest CPL the timed loop runs at */
	/*
	 * Why unsupported; or, when supported, a label for what the number
	 * means on this flavor (e.g. guest CPL0 is software-emulated).
	 */
	const char *note;
	bool emulated;		/* the timed code is software-emulated */
	enum eb_exits exits;	/* what KVM's exit counter must show */
};

struct eb_test {
	const char *name;
	enum eb_test_id id;
	unsigned int needs;	/* enum eb_need */
	bool x2apic;		/* run with the APIC in x2APIC mode */
	bool oneway;		/* one exit to the VMM per op: split it */
	bool hidden;		/* test-only: not listed, not in the default set */
	const char *desc;
	struct eb_flavor_mode mode[EB_FLAVOR_COUNT];
};

extern const struct eb_test eb_tests[];
extern const unsigned int eb_tests_count;

const struct eb_test *eb_test_find(const char *name);
/* Why @t cannot run here (NULL: it can); @buf holds composed reasons. */
const char *eb_test_skip_reason(const struct eb_test *t,
				const struct eb_host *host,
				char *buf, size_t len);

/* "every", "none", "unchecked": the results file's kvm_exits_expected. */
const char *eb_exits_name(enum eb_exits e);

#endif /* EB_HOST_TESTLIST_H */
