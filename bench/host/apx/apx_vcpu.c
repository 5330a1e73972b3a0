// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX dimension around one command on a vCPU (see apx_vcpu.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/kvm.h>

#include "apx_vcpu.h"

void apx_vcpu_prepare(int vcpu_fd, void *area_hva, const struct apx_cmd *cmd,
		      struct apx_outcome *out)
{
	struct eb_apx_area *a = area_hva;
	uint64_t preset = cmd->preset_xcr0 ? cmd->preset_xcr0 : cmd->want_xcr0;
	struct kvm_xcrs xcrs;

	memset(a, 0, sizeof(*a));
	a->mode = cmd->on ? EB_APX_ON : cmd->standin ? EB_APX_STANDIN : EB_APX_OFF;
	a->standin_mask = cmd->standin_mask;
	a->regcheck = cmd->regcheck;
	a->flags = (cmd->xgetbv ? EB_APXF_XGETBV : 0) |
		   (cmd->uabi ? EB_APXF_UABI : 0);
	if (!cmd->want_xcr0)
		return;
	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = preset;
	if (ioctl(vcpu_fd, KVM_SET_XCRS, &xcrs) < 0)
		snprintf(out->xcrs_err, sizeof(out->xcrs_err),
			 "KVM_SET_XCRS(XCR0 = %#llx): %s",
			 (unsigned long long)preset, strerror(errno));
}

/*
 * Test-only: change one guest GPR behind the guest's back, as a buggy
 * strategy would, so that the checker has something to catch.  The value
 * is the register's own with its low byte inverted: close to right, so
 * that only an exact comparison notices.
 */
static void corrupt(int vcpu_fd, int reg, struct apx_outcome *out)
{
	struct kvm_regs regs;
	uint64_t gprs[16];

	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0)
		return;
	regcheck_regs_to_array(&regs, gprs);
	gprs[reg] ^= 0xff;
	regs.rax = gprs[0]; regs.rcx = gprs[1]; regs.rdx = gprs[2];
	regs.rbx = gprs[3]; regs.rbp = gprs[5]; regs.rsi = gprs[6];
	regs.rdi = gprs[7]; regs.r8 = gprs[8]; regs.r9 = gprs[9];
	regs.r10 = gprs[10]; regs.r11 = gprs[11]; regs.r12 = gprs[12];
	regs.r13 = gprs[13]; regs.r14 = gprs[14]; regs.r15 = gprs[15];
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) == 0)
		out->corrupted = true;
}

/* The guest sits at its OUT with the uABI pattern in every spare GPR. */
static void uabi_check(int vcpu_fd, const struct apx_cmd *cmd,
		       unsigned int test_id, struct apx_outcome *out)
{
	/* RAX/RDX carry the OUT's operands; RSP is the guest's stack */
	const uint64_t legacy = 0xffffull & ~((1ull << 0) | (1ull << 2) |
					      (1ull << EB_GPR_RSP));
	unsigned long long vals[EB_NR_GPRS] = { 0 };
	uint64_t gprs[16], have = legacy;
	struct kvm_regs regs;

	out->uabi_done = true;
	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0) {
		snprintf(out->uabi_err, sizeof(out->uabi_err), "KVM_GET_REGS: %s",
			 strerror(errno));
		return;
	}
	regcheck_regs_to_array(&regs, gprs);
	for (int i = 0; i < 16; i++)
		vals[i] = gprs[i];
	regcheck_compare_values(test_id, EB_REGCHECK_ITER_UABI, have, vals,
				"KVM_GET_REGS", out->mis, APX_MAX_MISMATCHES,
				&out->nmis);
	if (!cmd->on)
		return;
	if (cmd->xsave2_size <= 0 || !cmd->apx_offset) {
		snprintf(out->uabi_err, sizeof(out->uabi_err),
			 "no KVM_GET_XSAVE2 or no APX XSAVE offset: EGPRs not read");
		return;
	}
	{
		struct kvm_xsave *x = calloc(1, cmd->xsave2_size);
		uint64_t egprs[16];

		if (!x || ioctl(vcpu_fd, KVM_GET_XSAVE2, x) < 0 ||
		    regcheck_xsave_egprs(x, cmd->xsave2_size, cmd->apx_offset,
					 egprs)) {
			snprintf(out->uabi_err, sizeof(out->uabi_err),
				 "KVM_GET_XSAVE2: %s", x ? strerror(errno) : "no memory");
			free(x);
			return;
		}
		for (int i = 0; i < 16; i++)
			vals[16 + i] = egprs[i];
		regcheck_compare_values(test_id, EB_REGCHECK_ITER_UABI,
					0xffffull << 16, vals, "KVM_GET_XSAVE2",
					out->mis, APX_MAX_MISMATCHES, &out->nmis);
		free(x);
	}
}

bool apx_vcpu_exit(int vcpu_fd, struct kvm_run *run, const struct apx_cmd *cmd,
		   uint64_t n_vmm_exits, unsigned int test_id,
		   struct apx_outcome *out)
{
	if (run->exit_reason == KVM_EXIT_IO && run->io.port == EB_PORT_APX_UABI &&
	    run->io.direction == KVM_EXIT_IO_OUT && cmd->uabi) {
		if (cmd->corrupt && cmd->corrupt_uabi)
			corrupt(vcpu_fd, cmd->corrupt_reg, out);
		uabi_check(vcpu_fd, cmd, test_id, out);
		return true;
	}
	if (cmd->corrupt && !cmd->corrupt_uabi &&
	    cmd->corrupt_reg >= 0 && cmd->corrupt_reg < 16 &&
	    cmd->corrupt_reg != EB_GPR_RSP && n_vmm_exits == cmd->corrupt_at)
		corrupt(vcpu_fd, cmd->corrupt_reg, out);
	return false;
}

void apx_collect(int vcpu_fd, const void *area_hva, const struct apx_cmd *cmd,
		 struct apx_outcome *out)
{
	struct kvm_xcrs xcrs;
	int r;

	memcpy(&out->area, area_hva, sizeof(out->area));
	r = regcheck_area(&out->area, out->mis, APX_MAX_MISMATCHES, &out->nmis);
	out->guest_report_err = r < 0 ? r : 0;

	if (!cmd->want_xcr0 || out->xcrs_err[0])
		return;
	memset(&xcrs, 0, sizeof(xcrs));
	if (ioctl(vcpu_fd, KVM_GET_XCRS, &xcrs) < 0) {
		snprintf(out->xcrs_err, sizeof(out->xcrs_err), "KVM_GET_XCRS: %s",
			 strerror(errno));
		return;
	}
	for (unsigned int i = 0; i < xcrs.nr_xcrs; i++) {
		if (xcrs.xcrs[i].xcr == 0) {
			out->kvm_xcr0 = xcrs.xcrs[i].value;
			out->xcrs_read = true;
		}
	}
	if (!out->xcrs_read)
		snprintf(out->xcrs_err, sizeof(out->xcrs_err),
			 "KVM_GET_XCRS returned no XCR0");
}

const char *apx_guest_refusal(const struct eb_apx_area *area)
{
	switch (area->guest_status) {
	case EB_APX_GUEST_NO_CPUID:
		return "the guest's CPUID.(7,1):EDX[21] (APX_F) is clear";
	case EB_APX_GUEST_NO_XCR0:
		return "the guest's CPUID.(0xD,0) does not offer XCR0 bit 19";
	case EB_APX_GUEST_XCR0_OFF:
		return "the guest's XCR0 does not have bit 19 set";
	case EB_APX_GUEST_STANDIN_OFF:
		return "the guest's XCR0 lacks the stand-in's bits after its XSETBV";
	}
	return NULL;
}
