// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative: xcr0-first taken literally, "save/restore XCR0 as the first
 * action" after VM-exit, with a test of whether XCR0 differs before the host
 * SPEC_CTRL is restored.  Andrew Cooper (2026-03-12) names the problem
 * himself: "or you need a branch prior to regaining speculative safety";
 * Sean (2026-04-06) answers that the branch is fine once SPEC_CTRL is
 * restored in assembly, which is where xcr0-first/model.c puts it.
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (!cpu_feature_enabled(APX) && xcr0 != kvm_host.xcr0) xsetbv(XCR0, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, NOT(C_HOST_APX), C_GUEST_NE_HOST),
	STEP_END
};

static const struct step asm_entry[] = {
	STEP_ASM("ALTERNATIVE(APX): EGPR_LOAD_ALL regs[] -> %r16..%r31",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_ALWAYS),
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_differs; je 1f; xsetbv(vcpu->arch.xcr0)",
		 OP_XSETBV, X_GUEST, C_HOST_APX, C_GUEST_NE_HOST),
	STEP_END
};

static const struct step asm_exit[] = {
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_differs; je 1f; xsetbv(kvm_host.xcr0)   /* first */",
		 OP_XSETBV, X_HOST, C_HOST_APX, C_GUEST_NE_HOST),
	STEP_ASM("ALTERNATIVE(APX): EGPR_STORE_ALL %r16..%r31 -> regs[]",
		 OP_EGPR_SAVE, 0, C_HOST_APX, C_ALWAYS),
	STEP_ASM("save guest GPRs; restore host SPEC_CTRL; LFENCE", OP_SPEC_CTRL, 0, C_ALWAYS, C_ALWAYS),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (!cpu_feature_enabled(APX) && xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, NOT(C_HOST_APX), C_GUEST_NE_HOST),
	STEP_END
};

const struct strategy variant_spec_branch = {
	.name = "neg-spec-branch",
	.summary = "XSETBV test as the very first action after VM-exit, before SPEC_CTRL",
	.why = "Andrew Cooper 2026-03-12: a branch prior to regaining speculative safety",
	.negative = true,
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.asm_entry = asm_entry,
	.asm_exit = asm_exit,
	.xfeat_put = xfeat_put,
	.expect = {
		[VMX] = { PASS, VIO_SPEC_BRANCH },
		[SVM] = { PASS, VIO_SPEC_BRANCH },
	},
};
