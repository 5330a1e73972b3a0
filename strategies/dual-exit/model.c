// SPDX-License-Identifier: GPL-2.0-only
/*
 * dual-exit: Andrew Cooper's "two VMExit handlers, one APX and one non-APX"
 * (thread 2026-03-12), kernel-patches/v6.12/dual-exit/.
 *
 * VMX: VM-exit lands on HOST_RIP; vmx_vmexit_apx stores and clears R16-R31
 * first and joins vmx_vmexit.  vmx_vcpu_run() points HOST_RIP at the one matching
 * xcr0_apx before entry (VMWRITE only when it changes).  Entry loads stay
 * gated by the xcr0_apx byte.
 * SVM: two run functions from one macro; __svm_vcpu_run_apx loads before
 * VMRUN and stores right after it, unconditionally; svm_vcpu_enter_exit()
 * picks one by xcr0_apx.
 * Either way the exit itself has no branch.
 */
#include "../model/model.h"

/* vmx_vcpu_run(): vmx_dual_exit_host_rip(), next to the HOST_CR3/CR4 checks */
static const struct step vmx_pre_entry[] = {
	STEP_C_BR("vmx_dual_exit_host_rip(): if (cpu_feature_enabled(APX)) { rip = xcr0_apx ?"
		  " vmx_vmexit_apx : vmx_vmexit; if (rip != host_state.rip) vmcs_writel(HOST_RIP, rip); }",
		  OP_SET_EXIT_PATH, 0, C_HOST_APX, C_ALWAYS, 1),
	STEP_END
};

static const struct step vmx_asm_entry[] = {
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_apx; je 1f; EGPR_LOAD_ALL regs[] -> %r16..%r31",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_APX_FLAG),
	STEP_END
};

/* VM-exit: hardware jumps to HOST_RIP, no branch */
static const struct step vmx_asm_exit[] = {
	STEP_ASM("vmx_vmexit_apx (if HOST_RIP points here): EGPR_STORE_ALL %r16..%r31 -> regs[];"
		 " EGPR_CLEAR_ALL; jmp vmx_vmexit",
		 OP_EGPR_SAVE, SAVE_CLEAR, C_HOST_APX, C_EXIT_PATH_SAVE),
	STEP_ASM("vmx_vmexit: save guest GPRs; restore host SPEC_CTRL; LFENCE", OP_SPEC_CTRL, 0, C_ALWAYS, C_ALWAYS),
	STEP_END
};

/* svm_vcpu_enter_exit() */
static const struct step svm_pre_entry[] = {
	STEP_C_BR("svm_vcpu_enter_exit(): svm_dual_exit_apx(vcpu) ? __svm_vcpu_run_apx() : __svm_vcpu_run()",
		  OP_SET_EXIT_PATH, 0, C_HOST_APX, C_ALWAYS, 1),
	STEP_END
};

static const struct step svm_asm_entry[] = {
	STEP_ASM("__svm_vcpu_run_apx only: EGPR_LOAD_ALL regs[] -> %r16..%r31",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_EXIT_PATH_SAVE),
	STEP_END
};

static const struct step svm_asm_exit[] = {
	STEP_ASM("__svm_vcpu_run_apx only: EGPR_STORE_ALL %r16..%r31 -> regs[] right after VMRUN;"
		 " EGPR_CLEAR_ALL",
		 OP_EGPR_SAVE, SAVE_CLEAR, C_HOST_APX, C_EXIT_PATH_SAVE),
	STEP_ASM("save guest GPRs; RESTORE_HOST_SPEC_CTRL; UNTRAIN_RET_VM", OP_SPEC_CTRL, 0, C_ALWAYS, C_ALWAYS),
	STEP_END
};

const struct strategy strategy_dual_exit = {
	.name = "dual-exit",
	.summary = "two VM-exit paths (VMX HOST_RIP / SVM run functions), no exit branch",
	.source = "Andrew Cooper 2026-03-12; kernel-patches/v6.12/dual-exit",
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = upstream_xfeat_load,
	.pre_entry = vmx_pre_entry,
	.asm_entry = vmx_asm_entry,
	.asm_exit = vmx_asm_exit,
	.svm_pre_entry = svm_pre_entry,
	.svm_asm_entry = svm_asm_entry,
	.svm_asm_exit = svm_asm_exit,
	.xfeat_put = upstream_xfeat_put,
	.expect = {
		/* -mapxf: as cond-swap (the clear follows the store) */
		[VMX] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI },
		[SVM] = { PASS, PASS, VIO_UD_HOST_C | VIO_UD_NMI },
	},
};
