// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative: early-xcr0 that forgets the final XCR0 load: the early XCR0
 * (guest XCR0 | APX) stays loaded across VM-entry, so a guest that cleared
 * XCR0.APX runs with APX enabled, an XCR0 it never set (its XGETBV and
 * XSAVE would see APX, and REX2 would not #UD).
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

static const struct step pre_entry[] = {
	STEP_C("if (static_cpu_has(APX) && (xcr0 & APX)) mov regs[R16..R31] -> %r16..%r31",
	       OP_EGPR_LOAD, 0, C_HOST_APX, C_GUEST_APX),
	/* missing: if (early_xcr0 != xcr0) xsetbv(XCR0, vcpu->arch.xcr0) */
	STEP_END
};

static const struct step post_exit[] = {
	STEP_C("if (static_cpu_has(APX) && (xcr0 & APX)) mov %r16..%r31 -> regs[R16..R31]",
	       OP_EGPR_SAVE, 0, C_HOST_APX, C_GUEST_APX),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy variant_early_xcr0_no_final = {
	.name = "neg-early-xcr0-no-final",
	.summary = "early XCR0 never replaced by the guest's: guest runs with APX it never asked for",
	.why = "the second step of the two-step XCR0 switch (Paolo 2026-04-03) left out",
	.negative = true,
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.pre_entry = pre_entry,
	.post_exit = post_exit,
	.xfeat_put = xfeat_put,
	.expect = {
		[VMX] = { [LVL_APX] = VIO_GUEST_XCR0 },
		[SVM] = { [LVL_APX] = VIO_GUEST_XCR0 },
	},
};
