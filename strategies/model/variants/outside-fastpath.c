// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative: Paolo's first proposal (2026-04-03): save/restore R16-R31 next
 * to kvm_load_xfeatures(), i.e. outside the fastpath loop.  Chang S. Bae
 * (2026-04-03): fastpath handlers for the new RDMSR/WRMSR with immediate
 * (MSR_IMM) can name R16-R31, "Because of this, the EGPR saving/restoring
 * needs to happen earlier."  The handler reads a stale regs[] (WRMSR), or
 * writes regs[] that the re-entry never loads (RDMSR).
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_C("if (static_cpu_has(APX) && (xcr0 & APX)) kvm_apx_restore(): regs[] -> %r16..%r31",
	       OP_EGPR_LOAD, 0, C_HOST_APX, C_GUEST_APX),
	STEP_C("if (early_xcr0 != xcr0) xsetbv(XCR0, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (early_xcr0 != xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_C("if (static_cpu_has(APX) && (xcr0 & APX)) kvm_apx_save(): %r16..%r31 -> regs[]",
	       OP_EGPR_SAVE, 0, C_HOST_APX, C_GUEST_APX),
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy variant_outside_fastpath = {
	.name = "neg-outside-fastpath",
	.summary = "EGPR save/restore outside the fastpath loop; MSR_IMM handlers see stale regs[]",
	.why = "Chang S. Bae 2026-04-03: fastpath handlers may access EGPRs",
	.negative = true,
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.xfeat_put = xfeat_put,
	.expect = {
		/* RDMSR's value, never loaded, is then also lost to KVM_GET_XSAVE */
		[VMX] = { [LVL_APX] = VIO_KVM_READ | VIO_GUEST_LOST | VIO_UABI },
		[SVM] = { [LVL_APX] = VIO_KVM_READ | VIO_GUEST_LOST | VIO_UABI },
	},
};
