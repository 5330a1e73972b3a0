// SPDX-License-Identifier: GPL-2.0-only
/*
 * cond-swap: Sean Christopherson (thread 2026-04-06; Chang's flag,
 * 2026-03-25), kernel-patches/v6.12/cond-swap/.
 *
 * __vmx_vcpu_run()/__svm_vcpu_run() load R16-R31 from regs[] right before
 * VM-entry and store them right after VM-exit (after the host SPEC_CTRL
 * restore, which prep moves into assembly on VMX), only when the byte
 * vcpu->arch.xcr0_apx says the guest's XCR0 has APX, and clear them after
 * the store, as Intel's APX tree does.  XCR0 handling is
 * upstream's: the guest's XCR0 stays loaded for the whole fastpath loop.
 * An APX-off guest runs with whatever the host left in R16-R31; it cannot
 * read them.
 */
#include "../model/model.h"

/* __{vmx,svm}_vcpu_run(): after the guest SPEC_CTRL load */
static const struct step asm_entry[] = {
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_apx; je 1f; EGPR_LOAD_ALL regs[] -> %r16..%r31",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_APX_FLAG),
	STEP_END
};

/* __{vmx,svm}_vcpu_run(): VM-exit */
static const struct step asm_exit[] = {
	STEP_ASM("save guest GPRs; restore host SPEC_CTRL; LFENCE (prep)", OP_SPEC_CTRL, 0, C_ALWAYS, C_ALWAYS),
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_apx; je 1f; EGPR_STORE_ALL %r16..%r31 -> regs[];"
		 " EGPR_CLEAR_ALL",
		 OP_EGPR_SAVE, SAVE_CLEAR, C_HOST_APX, C_APX_FLAG),
	STEP_END
};

const struct strategy strategy_cond_swap = {
	.name = "cond-swap",
	.summary = "asm: swap R16-R31 at entry/exit iff the guest's XCR0.APX flag",
	.source = "Sean Christopherson 2026-04-06, Chang S. Bae 2026-03-25; kernel-patches/v6.12/cond-swap",
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = upstream_xfeat_load,
	.asm_entry = asm_entry,
	.asm_exit = asm_exit,
	.xfeat_put = upstream_xfeat_put,
	/*
	 * -mapxf: C runs with the guest's XCR0 (Paolo/Sean 2026-04-07); the
	 * clear after the store leaves no guest value for that C to see.
	 */
	.expect = {
		[VMX] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI },
		[SVM] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI },
	},
};
