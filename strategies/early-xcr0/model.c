// SPDX-License-Identifier: GPL-2.0-only
/*
 * early-xcr0: Paolo Bonzini's "early XCR0" (thread 2026-04-04, reviewed by
 * Sean 2026-04-06), kernel-patches/v6.12/early-xcr0/.
 *
 * Outside the fastpath loop KVM loads an early XCR0 = guest XCR0 | APX, so
 * every C function in the loop (fastpath handlers included) runs with
 * XCR0.APX=1.  Right around the vendor *_vcpu_enter_exit() call, in C:
 *   entry: if the guest has APX, load R16-R31 from regs[]; then, if the
 *          early XCR0 is not the guest's, XSETBV(guest XCR0)   [Sean's order]
 *   exit:  the reverse: XSETBV(early XCR0) first, then store R16-R31 and
 *          clear them.
 * The moves are gated on the guest's XCR0.APX and the XSETBV on its absence,
 * so they never both run on one entry; variants/ checks the other orders.
 */
#include "../model/model.h"

/*
 * kvm_load_xfeatures(vcpu, true): the early XCR0 instead of the guest's; it
 * also sets vcpu->arch.early_xcr0_switch = (early XCR0 != guest XCR0).
 */
static const struct step xfeat_load[] = {
	STEP_C("xcr0 = kvm_early_xcr0(vcpu) /* guest | APX */; if (xcr0 != kvm_host.xcr0) xsetbv(XCR0, xcr0)",
	       OP_XSETBV, X_EARLY, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

/* {vmx,svm}_vcpu_run(): kvm_early_xcr0_enter(), right before *_vcpu_enter_exit() */
static const struct step pre_entry[] = {
	STEP_C("kvm_early_xcr0_enter(): if (cpu_feature_enabled(APX) && kvm_guest_xcr0_apx(vcpu))"
	       " EGPR_LOAD_ALL regs[] -> %r16..%r31",
	       OP_EGPR_LOAD, 0, C_HOST_APX, C_APX_FLAG),
	STEP_C("kvm_early_xcr0_enter(): if (vcpu->arch.early_xcr0_switch) xsetbv(XCR0, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_END
};

/*
 * {vmx,svm}_vcpu_run(): kvm_early_xcr0_exit(), right after
 * *_vcpu_enter_exit() and before the fastpath handlers.
 */
static const struct step post_exit[] = {
	STEP_C("kvm_early_xcr0_exit(): if (vcpu->arch.early_xcr0_switch) xsetbv(XCR0, xcr0 | APX)",
	       OP_XSETBV, X_EARLY, C_HOST_APX, C_EARLY_NE_GUEST),
	STEP_C("kvm_early_xcr0_exit(): if (kvm_guest_xcr0_apx(vcpu)) { EGPR_STORE_ALL %r16..%r31 -> regs[];"
	       " EGPR_CLEAR_ALL; }",
	       OP_EGPR_SAVE, SAVE_CLEAR, C_HOST_APX, C_APX_FLAG),
	STEP_END
};

/* kvm_load_xfeatures(vcpu, false) */
static const struct step xfeat_put[] = {
	STEP_C("if (kvm_early_xcr0(vcpu) != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_EARLY_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy strategy_early_xcr0 = {
	.name = "early-xcr0",
	.summary = "C: early XCR0 with APX, EGPR moves and real XCR0 around the world switch",
	.source = "Paolo Bonzini 2026-04-04 (+ Sean's order, 2026-04-06); kernel-patches/v6.12/early-xcr0",
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.pre_entry = pre_entry,
	.post_exit = post_exit,
	.xfeat_put = xfeat_put,
	/* -mapxf: the moves and the inner XSETBV are C (Paolo 2026-04-03). */
	/*
	 * The C around the world switch runs with the guest's XCR0 (APX-off
	 * guests: #UD) and with guest values live, which the compiler may
	 * clobber before the store; on SVM GIF=0 keeps NMIs out of that window.
	 */
	.expect = {
		[VMX] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI | VIO_HOST_TO_GUEST | VIO_GUEST_TO_HOST |
			  VIO_KVM_READ | VIO_UABI },
		[SVM] = { PASS, PASS, VIO_UD_HOST_C | VIO_HOST_TO_GUEST | VIO_GUEST_TO_HOST |
			  VIO_KVM_READ | VIO_UABI },
	},
};
