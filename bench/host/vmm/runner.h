// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run one mailbox command on the VM's vCPU, in a thread pinned to a CPU,
 * under a watchdog; serve the exits it makes to the VMM.
 */
#ifndef EB_HOST_RUNNER_H
#define EB_HOST_RUNNER_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm.h"
#include "apx/apx_vcpu.h"

struct eb_cmd {
	enum eb_test_id id;
	int cpl;
	bool x2apic;
	uint32_t flags;			/* EB_F_* */
	uint64_t samples, warmup, batch;
	uint64_t msr, hypercall_nr, xcr0, xcr0_alt, set_xcr0;
	bool oneway;			/* stamp exits to the VMM on the host */
	double timeout_s;
	int cpu;			/* -1: not pinned */
	struct apx_cmd apx;		/* APX mode, integrity checks */
	/* EB_T_DELAYED (selftest): exit test @delay_test, delay inside */
	uint64_t delay_iters, delay_test;
	/*
	 * Optional, called on the vCPU thread itself right before its first
	 * KVM_RUN and right after its last (e.g. per-thread counters).
	 */
	void (*vcpu_begin)(void *arg);
	void (*vcpu_end)(void *arg);
	void *hook_arg;
};

enum eb_outcome_status {
	EB_OUT_OK,
	EB_OUT_EXCEPTION,	/* the guest reported out->exc */
	EB_OUT_TIMEOUT,
	EB_OUT_FAILED,		/* out->reason says why */
};

struct eb_outcome {
	enum eb_outcome_status status;
	char reason[256];
	uint64_t *samples;		/* malloc'd copy, n entries */
	uint64_t *stamps;		/* guest start TSC per sample (oneway) */
	uint64_t n;
	uint64_t *host_exit, *host_entry;	/* per VMM exit (oneway) */
	uint64_t n_vmm_exits;
	uint64_t warmup_done, irqs, last_value;
	int guest_cpl;
	struct eb_exception exc;
	/*
	 * EB_F_MARKS: KVM's counters at the guest's two EB_PORT_MARK exits
	 * around the timed loop (marks seen; a failed read leaves it short).
	 */
	unsigned int nmarks;
	struct eb_vcpu_counts mark[2];
	bool kvm_exits_valid;	/* the vCPU's "exits" statistic was read */
	uint64_t kvm_exits;	/* exits KVM counted during the command */
	bool ioeventfd_valid;	/* the test has an eventfd, read after it */
	uint64_t ioeventfd_signals;	/* writes KVM signalled to it */
	bool vm_dead;	/* recreate the VM before the next test */
	bool vm_wedged;	/* and do not unmap it: a thread is stuck in it */
	struct apx_outcome apx;
};

/* 0 with @out filled (any status), or -errno if nothing could be run. */
int vm_run_cmd(struct eb_vm *vm, const struct eb_cmd *cmd,
	       struct eb_outcome *out);
void eb_outcome_free(struct eb_outcome *out);

#endif /* EB_HOST_RUNNER_H */
