// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative for VMX, positive for SVM: the two-step early XCR0 that Paolo
 * sketched for a -mapxf host kernel (2026-04-03: "one in
 * kvm_load_xfeatures() and one (finalizing the APX bit) right around the
 * assembly code for world switching"), with the inner step in assembly so no
 * C code runs with XCR0.APX=0.  Sean (2026-04-03): "one nasty wrinkle ... is
 * an NMI that arrives after VM-Exit on Intel CPUs": between VM-exit and the
 * XSETBV back to the early XCR0, an NMI runs the -mapxf kernel's entry code
 * with the guest's XCR0.APX=0.  On SVM, GIF=0 holds NMIs off until STGI.
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

static const struct step asm_entry[] = {
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_apx; je 1f; EGPR_LOAD_ALL",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_APX_FLAG),
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, need_xsetbv; je 1f; xsetbv(vcpu->arch.xcr0)",
		 OP_XSETBV, X_GUEST, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_END
};

static const struct step asm_exit[] = {
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, need_xsetbv; je 1f; xsetbv(early_xcr0)",
		 OP_XSETBV, X_EARLY, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_apx; je 1f; EGPR_STORE_ALL",
		 OP_EGPR_SAVE, 0, C_HOST_APX, C_APX_FLAG),
	STEP_ASM("-mapxf: xor %r16..%r31", OP_EGPR_CLEAR, 0, C_KERNEL_APX, C_ALWAYS),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy variant_nmi_after_exit = {
	.name = "neg-nmi-after-exit",
	.summary = "two-step early XCR0 in asm; NMI after VM-exit with guest XCR0 on VMX",
	.why = "Sean 2026-04-03: NMI after VM-Exit with XCR0.APX=0",
	.negative = true,
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.asm_entry = asm_entry,
	.asm_exit = asm_exit,
	.xfeat_put = xfeat_put,
	.expect = {
		[VMX] = { PASS, PASS, VIO_UD_NMI },
		[SVM] = { PASS, PASS, PASS },
	},
};
