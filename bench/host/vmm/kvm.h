// SPDX-License-Identifier: GPL-2.0-only
/*
 * A tiny VMM on raw KVM ioctls: one VM, one vCPU, guest RAM in one memslot,
 * in-kernel irqchip, 64-bit long mode entered directly.  kvm_* act on the
 * system, vm_* on a VM, vcpu_* on its vCPU.  Functions return 0 or -errno;
 * on failure vm->err says which ioctl and why (the CLI prints it).
 */
#ifndef EB_HOST_KVM_H
#define EB_HOST_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kvm.h>

#include "exitbench_abi.h"

/* Typed addresses: guest-physical, guest-virtual, host-virtual. */
typedef uint64_t gpa_t;
typedef uint64_t gva_t;
typedef void *hva_t;

#define EB_DEFAULT_KVM_DEV	"/dev/kvm"
#define EB_KVM_DEV_ENV		"EXITBENCH_KVM_DEV"

/* Per-vCPU "apx_*" statistics read (kernel-patches/README.md). */
#define EB_MAX_APX_STATS	12

/* KVM's counters at one point: "exits" and every apx_* statistic. */
struct eb_vcpu_counts {
	uint64_t exits;
	uint64_t apx[EB_MAX_APX_STATS];
};

struct eb_vm {
	/* configuration */
	const char *kvm_dev;

	/* state */
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	hva_t ram;
	size_t ram_size;
	struct kvm_cpuid2 *cpuid;	/* what the guest was given */
	uint64_t xcr0_default;		/* XCR0 loaded by vcpu_reset (0: none) */
	uint64_t xcr0;			/* guest XCR0 after reset (0: no XSAVE) */
	bool has_irqchip;
	bool tsc_offset_zeroed;		/* KVM_VCPU_TSC_OFFSET set to 0 */
	char cpuid_fixups[160];		/* what was added to the CPUID, why */
	int stats_fd;			/* KVM_GET_STATS_FD, -1 if none */
	off_t stats_exits_off;		/* where the "exits" counter is */
	int evfd_pio, evfd_mmio;	/* KVM_IOEVENTFD eventfds, -1 if none */
	char ioeventfd_err[128];	/* why they are missing */
	/* the APX strategies' event counters ("apx_*"), if the kernel has them */
	unsigned int napx_stats;
	char apx_stat_names[EB_MAX_APX_STATS][32];
	off_t apx_stat_off[EB_MAX_APX_STATS];
	char err[256];
};

/* The device to open: --kvm-dev, else $EXITBENCH_KVM_DEV, else /dev/kvm. */
const char *kvm_dev_path(const char *opt);

/* Open @dev and check the API version; -errno and @err filled on failure. */
int kvm_open(const char *dev, char *err, size_t errlen);
/* KVM_GET_SUPPORTED_CPUID into a malloc'd kvm_cpuid2. */
int kvm_get_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out);
const struct kvm_cpuid_entry2 *kvm_cpuid_find(const struct kvm_cpuid2 *c,
					      uint32_t fn, uint32_t index);

/* Create the VM, its memory, irqchip, vCPU, page tables, descriptor tables. */
int vm_create(struct eb_vm *vm, const char *kvm_dev);
void vm_destroy(struct eb_vm *vm);

static inline hva_t vm_gpa_to_hva(struct eb_vm *vm, gpa_t gpa)
{
	return (char *)vm->ram + gpa;
}

static inline struct eb_mailbox *vm_mailbox(struct eb_vm *vm)
{
	return vm_gpa_to_hva(vm, EB_GPA_MAILBOX);
}

/* Copy the embedded guest image in; checks its header. */
int vm_load_guest(struct eb_vm *vm);
const struct eb_image_header *vm_image_header(struct eb_vm *vm);

/*
 * Reset the vCPU for a new command: registers, segments for @cpl (0 or 3),
 * APIC mode.  Called before every test so that a test never inherits a
 * broken state from the one before.
 */
int vcpu_reset(struct eb_vm *vm, int cpl, bool x2apic);

int vcpu_get_tsc_khz(struct eb_vm *vm);	/* > 0 kHz, or -errno */

/* The vCPU's "exits" statistic (vcpu_stats.c); -ENOENT if unavailable. */
int vcpu_stats_open(struct eb_vm *vm);
int vcpu_stats_exits(struct eb_vm *vm, uint64_t *exits);
/* "exits" and the apx_* statistics; -ENOENT/-EIO like vcpu_stats_exits(). */
int vcpu_stats_counts(struct eb_vm *vm, struct eb_vcpu_counts *c);

/*
 * KVM_IOEVENTFD on EB_PORT_EVENTFD and EB_GPA_MMIO_EVENTFD (ioeventfd.c):
 * set up at VM creation (best effort: vm->ioeventfd_err says why not).
 * _take reads and resets the counter of @id's eventfd.
 */
int vm_ioeventfd_setup(struct eb_vm *vm);
void vm_ioeventfd_close(struct eb_vm *vm);
int vm_ioeventfd_take(struct eb_vm *vm, enum eb_test_id id, uint64_t *count);

#endif /* EB_HOST_KVM_H */
