// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsave-live: Chang S. Bae's v2.  Guest R16-R31 are XSAVE state like AVX
 * registers: they stay live in hardware while the vCPU thread is in
 * KVM_RUN, are loaded/saved with the rest of the guest FPU by
 * kvm_load_guest_fpu()/kvm_put_guest_fpu() (XRSTOR/XSAVE of component 19),
 * and KVM_GET/SET_XSAVE copy them from/to the guest FPU buffer.  KVM's own
 * accesses (fastpath MSR_IMM handlers, the emulator) read and write the live
 * registers through switch statements of "mov %r16, %rax"-style accessors.
 *
 * VM-entry/VM-exit are untouched, so the only hooks are upstream's XCR0
 * switch.  Correct exactly as long as no host kernel code touches R16-R31:
 * with a -mapxf host kernel, C code between VM-exits clobbers the guest's
 * values and runs with guest values live (the thread: "If the host kernel
 * ever starts using EGPRs, the state would need to be switched in the entry
 * code", Chang, 2026-03-12).
 */
#include "../model/model.h"

const struct strategy strategy_xsave_live = {
	.name = "xsave-live",
	.summary = "guest R16-R31 live in hardware, XSAVEd with the guest FPU",
	.source = "Chang S. Bae, APX v2 (thread 2026-03-12); no asm change",
	.exposes_apx = true,
	.fpstate_apx = true,	/* component 19 in the guest fpstate */
	.home = HOME_LIVE,	/* emulator/fastpath: switch on the register */
	.xfeat_load = upstream_xfeat_load,
	.xfeat_put = upstream_xfeat_put,
	/*
	 * -mapxf: C code clobbers the live guest values (so the guest, the
	 * MSR_IMM handlers and KVM_GET_XSAVE see host scratch) and runs with
	 * them live, and with the guest's XCR0 after kvm_load_xfeatures().
	 */
	.expect = {
		[VMX] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI | VIO_HOST_TO_GUEST | VIO_GUEST_TO_HOST |
			  VIO_KVM_READ | VIO_UABI },
		[SVM] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI | VIO_HOST_TO_GUEST | VIO_GUEST_TO_HOST |
			  VIO_KVM_READ | VIO_UABI },
	},
};
