// SPDX-License-Identifier: GPL-2.0-only
/*
 * What this host is: KVM flavor, CPU, kernel, TSC frequency, KVM module
 * parameters and the APX strategy the kernel reports.  Everything is read
 * from /proc, /sys and CPUID, and degrades to "unknown" (with the reason
 * in *_source) when a file is missing, e.g. in a minimal initramfs.
 */
#ifndef EB_HOST_HOSTINFO_H
#define EB_HOST_HOSTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eb_flavor {
	EB_FLAVOR_VMX,
	EB_FLAVOR_SVM,
	EB_FLAVOR_PVM,
	EB_FLAVOR_COUNT,
	EB_FLAVOR_UNKNOWN = EB_FLAVOR_COUNT,
};

#define EB_MAX_PARAMS 64

struct eb_param {
	char name[64];		/* "<module>.<param>" */
	char value[64];
};

struct eb_host {
	char hostname[256];
	char cpu_vendor[16];
	char cpu_model_name[128];
	unsigned int family, model, stepping;
	char microcode[32];
	char kernel_release[128], kernel_version[256];

	enum eb_flavor flavor;
	char kvm_module[16];	/* kvm_intel, kvm_amd, kvm_pvm or "" */
	const char *flavor_source;	/* "sysfs", "cpuid-vendor", "none" */
	char strategy[64];	/* kvm.apx_strategy, else "unknown" */
	char hypervisor[16];	/* CPUID 0x40000000 signature, "" on bare metal */
	const char *emulated;	/* "tcg" when the host CPU is QEMU's TCG, else NULL */

	struct eb_param params[EB_MAX_PARAMS];
	unsigned int nparams;

	/* From the VM (filled by hostinfo_probe_vm). */
	uint32_t tsc_khz;
	const char *tsc_khz_source;	/* NULL: unknown */
	bool guest_x2apic, guest_tsc_deadline, guest_xsave, irqchip;
	bool guest_spec_ctrl, guest_pred_cmd;	/* the mitigation MSRs */
	bool ioeventfd;			/* KVM_IOEVENTFD set up */
	char ioeventfd_err[128];	/* why not */
	bool tsc_offset_zeroed;
	uint64_t guest_xcr0;
	char cpuid_fixups[160];
};

struct eb_vm;

const char *eb_flavor_name(enum eb_flavor f);
/* Fill everything that does not need /dev/kvm. */
void hostinfo_probe(struct eb_host *h);
/* Fill what needs the VM: guest features, TSC frequency. */
void hostinfo_probe_vm(struct eb_host *h, struct eb_vm *vm);

#endif /* EB_HOST_HOSTINFO_H */
