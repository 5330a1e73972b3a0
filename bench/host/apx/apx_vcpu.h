// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX dimension around one command on a vCPU: fill the APX area of the
 * mailbox page, serve the uABI exit (KVM_GET_REGS/KVM_GET_XSAVE2 against
 * the guest's pattern), optionally corrupt a guest register (test-only),
 * and afterwards collect the guest's report and the vCPU's XCR0 as KVM
 * holds it (KVM_GET_XCRS: XGETBV at CPL0 fails on PVM).
 *
 * The runner calls these with raw vCPU pieces, so this file does not
 * depend on the VMM's own structures.
 */
#ifndef EXITBENCH_HOST_APX_VCPU_H
#define EXITBENCH_HOST_APX_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exitbench_apx.h"
#include "regcheck.h"

struct kvm_run;

#define APX_MAX_MISMATCHES	16

/* APX part of a command (host -> guest), see struct eb_apx_area. */
struct apx_cmd {
	bool on;			/* guest mode: EB_APX_ON (real APX) */
	bool standin;			/* EB_APX_STANDIN: stand-in bits set */
	uint64_t standin_mask;		/* the stand-in's XCR0 bits, 0: none */
	bool regcheck;			/* checked pass after the timed loop */
	bool uabi;			/* uABI exit at the end */
	bool xgetbv;			/* XGETBV works at the guest's CPL */
	uint64_t want_xcr0;		/* XCR0 the guest is asked to load (0: none) */
	/*
	 * XCR0 KVM_SET_XCRS gives the vCPU before entry (0: want_xcr0).  The
	 * stand-in at CPL0 starts from the other mode's value, so that the
	 * guest's own XSETBV is what KVM_GET_XCRS sees afterwards.
	 */
	uint64_t preset_xcr0;
	uint32_t apx_offset;		/* CPUID.(0xD,19).EBX for KVM_GET_XSAVE2 */
	int xsave2_size;		/* KVM_CAP_XSAVE2 size, 0: no XSAVE2 */
	/* test-only (hidden --debug-corrupt-reg): KVM_SET_REGS at one exit */
	bool corrupt;
	bool corrupt_uabi;		/* at the uABI exit, not corrupt_at */
	int corrupt_reg;		/* 0..15 except RSP */
	uint64_t corrupt_at;		/* index of the VMM exit to corrupt at */
};

/* APX part of an outcome (guest + VMM -> host). */
struct apx_outcome {
	struct eb_apx_area area;	/* the guest's report, copied out */
	bool xcrs_read;
	uint64_t kvm_xcr0;		/* KVM_GET_XCRS after the command */
	char xcrs_err[96];		/* KVM_SET_XCRS/KVM_GET_XCRS failed */
	bool uabi_done;
	char uabi_err[96];		/* a failed ioctl, not a mismatch */
	bool corrupted;			/* the test-only corruption happened */
	struct regcheck_mismatch mis[APX_MAX_MISMATCHES];
	size_t nmis;			/* all found; > APX_MAX_MISMATCHES: some dropped */
	int guest_report_err;		/* -EINVAL: inconsistent guest report */
};

/*
 * Before entering the guest: write the command part of the area at
 * @area_hva (zeroing the report) and give the vCPU the requested XCR0
 * with KVM_SET_XCRS.  The guest at CPL0 also loads it with XSETBV (as a
 * real guest does); at CPL3, where XSETBV faults, KVM_SET_XCRS is what
 * sets it.  A failure is kept in out->xcrs_err and fails the test.
 */
void apx_vcpu_prepare(int vcpu_fd, void *area_hva, const struct apx_cmd *cmd,
		      struct apx_outcome *out);

/*
 * Called by the run loop for every exit to the VMM, before it judges the
 * exit, with the number of VMM exits served so far.  Returns true when
 * the exit was the uABI exit and is fully handled here; false otherwise
 * (after doing the test-only corruption, if this is its exit).
 */
bool apx_vcpu_exit(int vcpu_fd, struct kvm_run *run, const struct apx_cmd *cmd,
		   uint64_t n_vmm_exits, unsigned int test_id,
		   struct apx_outcome *out);

/* After the command: copy the area, check it, read KVM_GET_XCRS. */
void apx_collect(int vcpu_fd, const void *area_hva, const struct apx_cmd *cmd,
		 struct apx_outcome *out);

/* The guest's reason for refusing APX on (guest_status), or NULL. */
const char *apx_guest_refusal(const struct eb_apx_area *area);

#endif /* EXITBENCH_HOST_APX_VCPU_H */
