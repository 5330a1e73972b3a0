// SPDX-License-Identifier: GPL-2.0-only
/*
 * baseline: upstream KVM before APX, the reference row of every table.
 *
 * Guests never see APX (no APX_F in their CPUID, XCR0.APX not in the
 * supported mask), so nothing switches R16-R31.  What remains is the XCR0
 * switch that upstream does outside the fastpath loop since 6.19 and that
 * the prep series brings to v6.12 (arch/x86/kvm/x86.c,
 * kvm_load_xfeatures()).  Other strategies reuse these two step lists
 * where they leave the XCR0 switch unchanged.
 */
#include "../model/model.h"

/* vcpu_enter_guest() -> kvm_load_xfeatures(vcpu, true), IRQs off */
const struct step upstream_xfeat_load[] = {
	STEP_C("if (vcpu->arch.xcr0 != kvm_host.xcr0) xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->arch.xcr0)",
	       OP_XSETBV, X_GUEST, C_GUEST_NE_HOST, C_ALWAYS),
	STEP_END
};

/* vcpu_enter_guest() -> kvm_load_xfeatures(vcpu, false), after the loop */
const struct step upstream_xfeat_put[] = {
	STEP_C("if (vcpu->arch.xcr0 != kvm_host.xcr0) xsetbv(XCR_XFEATURE_ENABLED_MASK, kvm_host.xcr0)",
	       OP_XSETBV, X_HOST, C_GUEST_NE_HOST, C_ALWAYS),
	STEP_END
};

const struct strategy strategy_baseline = {
	.name = "baseline",
	.summary = "upstream before APX: guests never get APX",
	.source = "upstream arch/x86/kvm/x86.c kvm_load_xfeatures()",
	.exposes_apx = false,
	.fpstate_apx = false,
	.home = HOME_REGS,
	.xfeat_load = upstream_xfeat_load,
	.xfeat_put = upstream_xfeat_put,
	/*
	 * A -mapxf host kernel breaks even upstream: an APX-less guest XCR0
	 * stays loaded through the fastpath loop, where C code and NMIs run.
	 */
	.expect = {
		[VMX] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI },
		[SVM] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI },
	},
};
