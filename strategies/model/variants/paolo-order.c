// SPDX-License-Identifier: GPL-2.0-only
/*
 * Order study (not broken): early-xcr0 exactly as first posted by Paolo
 * (2026-04-04): entry XSETBV(real guest XCR0) first, then return early
 * unless the guest has APX, then load R16-R31.  Sean flagged the order;
 * Paolo answered (2026-04-06) that the moves only run when the real XCR0
 * has APX.  The model agrees: safe, because the gate makes the two
 * mutually exclusive.
 */
#include "../model.h"

static const struct step xfeat_load[] = {
	STEP_C("if (vcpu->arch.early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

/* __kvm_load_guest_apx() */
static const struct step pre_entry[] = {
	STEP_C("if (vcpu->arch.early_xcr0 != vcpu->arch.xcr0) xsetbv(XCR0, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, C_EARLY_NE_GUEST, C_ALWAYS),
	STEP_C("if (!(vcpu->arch.xcr0 & XFEATURE_MASK_APX)) return; mov regs[16..31] -> %r16..%r31",
	       OP_EGPR_LOAD, 0, C_GUEST_APX, C_ALWAYS),
	STEP_END
};

/* __kvm_save_guest_apx(): the reverse */
static const struct step post_exit[] = {
	STEP_C("if (vcpu->arch.xcr0 & XFEATURE_MASK_APX) mov %r16..%r31 -> regs[16..31]",
	       OP_EGPR_SAVE, 0, C_GUEST_APX, C_ALWAYS),
	STEP_C("if (vcpu->arch.early_xcr0 != vcpu->arch.xcr0) xsetbv(XCR0, early_xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_GUEST, C_ALWAYS),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (vcpu->arch.early_xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy variant_paolo_order = {
	.name = "order-paolo",
	.summary = "XSETBV(real XCR0) first, then EGPR moves gated on the guest's APX",
	.why = "Paolo 2026-04-06: the gate makes the order irrelevant",
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
