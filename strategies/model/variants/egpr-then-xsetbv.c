// SPDX-License-Identifier: GPL-2.0-only
/*
 * Order study (not broken): early-xcr0 with *ungated* EGPR moves in Sean's
 * order: load R16-R31 while the early XCR0 (with APX) is still loaded, then
 * XSETBV(guest XCR0); on exit XSETBV(early XCR0) first, then store.  Same
 * moves as neg-xsetbv-then-egpr, the other order: safe.  Together with
 * early-xcr0 itself (gated moves, where either order is safe, Paolo
 * 2026-04-06) this answers the thread's ordering question.
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

static const struct step pre_entry[] = {
	STEP_C("if (static_cpu_has(APX)) mov regs[R16..R31] -> %r16..%r31   /* ungated, first */",
	       OP_EGPR_LOAD, 0, C_HOST_APX, C_ALWAYS),
	STEP_C("if (early_xcr0 != xcr0) xsetbv(XCR0, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_END
};

static const struct step post_exit[] = {
	STEP_C("if (early_xcr0 != xcr0) xsetbv(XCR0, early_xcr0)   /* first */",
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

const struct strategy variant_egpr_then_xsetbv = {
	.name = "order-egpr-then-xsetbv",
	.summary = "ungated EGPR moves with the early XCR0 loaded, then the real XCR0",
	.why = "the safe order for ungated moves (Sean 2026-04-06)",
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.pre_entry = pre_entry,
	.post_exit = post_exit,
	.xfeat_put = xfeat_put,
	.expect = {
		[VMX] = { PASS, PASS },
		[SVM] = { PASS, PASS },
	},
};
