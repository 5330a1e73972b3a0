// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative: early-xcr0 with Paolo's order (XSETBV to the real guest XCR0
 * first) but EGPR moves that are not gated on the guest's XCR0.APX, e.g. to
 * keep host values in R16-R31.  Sean, 2026-04-06: "The 'real' xcr0 needs to
 * be loaded *after* accessing R16+."  An APX-off guest's XCR0 is loaded, then
 * R16-R31 are touched: #UD.
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

static const struct step pre_entry[] = {
	STEP_C("if (early_xcr0 != xcr0) xsetbv(XCR0, vcpu->arch.xcr0)   /* first */",
	       OP_XSETBV, X_GUEST, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_C("if (static_cpu_has(APX)) mov regs[R16..R31] -> %r16..%r31   /* ungated */",
	       OP_EGPR_LOAD, 0, C_HOST_APX, C_ALWAYS),
	STEP_END
};

static const struct step post_exit[] = {
	STEP_C("if (early_xcr0 != xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_C("if (static_cpu_has(APX)) mov %r16..%r31 -> regs[R16..R31]",
	       OP_EGPR_SAVE, 0, C_HOST_APX, C_ALWAYS),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy variant_xsetbv_then_egpr = {
	.name = "neg-xsetbv-then-egpr",
	.summary = "guest XCR0 (no APX) loaded, then R16-R31 touched anyway",
	.why = "Sean 2026-04-06: the real XCR0 must be loaded after accessing R16+",
	.negative = true,
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.pre_entry = pre_entry,
	.post_exit = post_exit,
	.xfeat_put = xfeat_put,
	.expect = {
		[VMX] = { [LVL_APX] = VIO_UD_EGPR },
		[SVM] = { [LVL_APX] = VIO_UD_EGPR },
	},
};
