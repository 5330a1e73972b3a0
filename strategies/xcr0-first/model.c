// SPDX-License-Identifier: GPL-2.0-only
/*
 * xcr0-first: Andrew Cooper's third option, "save/restore XCR0 as the first
 * action" (thread 2026-03-12).
 *
 * On APX hosts the XCR0 switch moves from kvm_load_xfeatures() into the
 * world-switch assembly, so every C instruction runs with the host's XCR0
 * (APX on); hosts without APX keep upstream's switch (alternatives).
 * Entry: load R16-R31 from regs[] unconditionally while the host XCR0 is
 * still loaded, then XSETBV(guest XCR0) if it differs, then VMRESUME/VMRUN.
 * Exit: XSETBV(host XCR0) as the very first thing, unconditionally, then
 * store R16-R31 and clear them, as the legacy GPRs are cleared.  The only
 * window with the guest's XCR0 in the host is a few instructions around
 * VMRESUME/VMRUN: closed to NMIs on
 * SVM (GIF=0), open on VMX (Sean, 2026-04-03: "an NMI that arrives after
 * VM-Exit").
 */
#include "../model/model.h"

/*
 * kvm_load_xfeatures(): unchanged on hosts without APX (alternative), where
 * no EGPR exists and the switch can stay outside the fastpath loop.
 */
static const struct step xfeat_load[] = {
	STEP_C("if (!cpu_feature_enabled(APX) && xcr0 != kvm_host.xcr0) xsetbv(XCR0, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, NOT(C_HOST_APX), C_GUEST_NE_HOST),
	STEP_END
};

/* __{vmx,svm}_vcpu_run(): last thing before VMRESUME/VMRUN */
static const struct step asm_entry[] = {
	STEP_ASM("ALTERNATIVE(APX): EGPR_LOAD_ALL regs[] -> %r16..%r31 (host XCR0 still loaded)",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_ALWAYS),
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_differs; je 1f; xsetbv(vcpu->arch.xcr0)",
		 OP_XSETBV, X_GUEST, C_HOST_APX, C_GUEST_NE_HOST),
	STEP_END
};

/*
 * __{vmx,svm}_vcpu_run(): VM-exit.  As Andrew described it (issue 15 item
 * 2, kernel-patches/v6.12/xcr0-first 0008): XSETBV(host XCR0) first,
 * unconditionally (VMX: after RAX is pushed; SVM: right after VMRUN, GIF
 * still 0), then R16-R31 saved and cleared, then the GPRs and the host
 * SPEC_CTRL: no branch runs before speculative safety is regained (the
 * variant neg-spec-branch puts a test there).
 */
static const struct step asm_exit[] = {
	STEP_ASM("ALTERNATIVE(APX): xsetbv(kvm_host.xcr0), first thing after VM-exit",
		 OP_XSETBV, X_HOST, C_HOST_APX, C_ALWAYS),
	STEP_ASM("ALTERNATIVE(APX): EGPR_STORE_ALL %r16..%r31 -> regs[]; EGPR_CLEAR_ALL",
		 OP_EGPR_SAVE, SAVE_CLEAR, C_HOST_APX, C_ALWAYS),
	STEP_ASM("save guest GPRs; restore host SPEC_CTRL; LFENCE", OP_SPEC_CTRL, 0, C_ALWAYS, C_ALWAYS),
	STEP_END
};

static const struct step xfeat_put[] = {
	STEP_C("if (!cpu_feature_enabled(APX) && xcr0 != kvm_host.xcr0) xsetbv(XCR0, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, NOT(C_HOST_APX), C_GUEST_NE_HOST),
	STEP_END
};

const struct strategy strategy_xcr0_first = {
	.name = "xcr0-first",
	.summary = "asm: XSETBV(host) first after VM-exit, then unconditional EGPR save",
	.source = "Andrew Cooper 2026-03-12; kernel-patches/v6.12/xcr0-first",
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = xfeat_load,
	.asm_entry = asm_entry,
	.asm_exit = asm_exit,
	.xfeat_put = xfeat_put,
	/* VMX + -mapxf: NMIs between VM-exit and the XSETBV (hardware gap). */
	.expect = {
		[VMX] = { PASS, PASS, VIO_UD_NMI },
		[SVM] = { PASS, PASS, PASS },
	},
};
