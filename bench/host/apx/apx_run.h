// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX dimension of one `exitbench run`: options, the plan of guest
 * modes, each command's APX part, and each result's APX verdict.  The run
 * loop (bench/host/vmm/measure.c, builtin-run.c) calls these; everything
 * APX specific stays here.
 */
#ifndef EXITBENCH_HOST_APX_RUN_H
#define EXITBENCH_HOST_APX_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "apx.h"
#include "apx_vcpu.h"

struct apx_run {
	/* configuration (command line) */
	enum apx_request request;	/* --apx, default auto */
	enum apx_xcr0_mode xcr0_mode;	/* --xcr0, default host */
	int check_egprs;		/* --[no-]check-egprs; -1: on iff APX on */
	bool corrupt;			/* hidden --debug-corrupt-reg (tests) */
	bool corrupt_uabi;		/* ... at the uABI exit instead */
	int corrupt_reg;
	/*
	 * Hidden --debug-force-apx-on (tests): ask the guest for APX on
	 * even where the host has none, to show that the guest refuses
	 * before any EGPR instruction (no number comes out of it).
	 */
	bool force_on;

	/* state */
	struct apx_info info;
	struct apx_plan plan;
	bool pvm;			/* XGETBV at guest CPL0 fails there */
	bool tcg;			/* QEMU TCG: guest XSETBV never exits */
	struct apx_standin standin;	/* what the kernel reports */
};

/*
 * Hidden --debug-corrupt-reg [uabi:]REG: REG a legacy GPR but RSP.
 * Returns 0, or -EINVAL.
 */
int apx_parse_corrupt(const char *s, int *reg, bool *at_uabi);

/* Defaults for the configuration part. */
void apx_run_init(struct apx_run *ar);

/*
 * Probe and plan.  Returns 0; -EPERM when the request cannot be honoured
 * here (--apx on/both without APX) and -EOPNOTSUPP when --xcr0 reduced has
 * nothing to reduce: @err then holds the one-line message for the CLI,
 * which exits 2 without running anything.
 */
int apx_run_prepare(struct apx_run *ar, int kvm_fd, bool pvm, char *err,
		    size_t len);

/* A result's "apx" key for mode @on (off/on or standin-off/standin). */
static inline const char *apx_run_mode_name(const struct apx_run *ar, bool on)
{
	return apx_mode_name(&ar->plan, on);
}

/* The guest modes to run, in order: off first, then on. */
unsigned int apx_run_modes(const struct apx_run *ar, bool on[2]);

/*
 * The APX part of one command.  @cpl: the guest's CPL; @vmm_exits_timed:
 * how many exits to the VMM the timed loop makes (pio_user, mmio_user),
 * so that the test-only corruption lands in the checked pass after it.
 */
void apx_run_cmd(const struct apx_run *ar, bool on, int cpl,
		 uint64_t vmm_exits_timed, struct apx_cmd *c);

/*
 * Add the APX part of a result to @e ("guest_apx", "xcr0_detail",
 * "regcheck") and judge it: returns NULL, or why the result must be marked
 * failed (register mismatch, XCR0 not as requested, guest refused APX).
 */
const char *apx_run_result(const struct apx_run *ar, const struct apx_cmd *c,
			   const struct apx_outcome *o, const char *test,
			   json_t *e, char *buf, size_t len);

/* The top-level "apx" object of the results file. */
json_t *apx_run_json(const struct apx_run *ar);

#endif /* EXITBENCH_HOST_APX_RUN_H */
