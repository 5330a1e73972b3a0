// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative: cond-swap whose VM-exit path saves R16-R31 unconditionally
 * (8 PUSH2, "only 8 more instructions on each side", Sean 2026-03-12).
 * Andrew Cooper, same day: "You can't unconditionally use PUSH2/POP2 in the
 * VMExit, because at that point in time it's the guest's XCR0 in context.
 * If the guest has APX disabled, PUSH2 in the VMExit path will #UD."
 */
#include "../model.h"

static const struct step asm_entry[] = {
	STEP_ASM("ALTERNATIVE(APX): cmpb $0, xcr0_apx; je 1f; POP2 x8 -> %r16..%r31",
		 OP_EGPR_LOAD, 0, C_HOST_APX, C_APX_FLAG),
	STEP_END
};

static const struct step asm_exit[] = {
	STEP_ASM("ALTERNATIVE(APX): PUSH2 %r16..%r31 x8   /* unconditional */",
		 OP_EGPR_SAVE, 0, C_HOST_APX, C_ALWAYS),
	STEP_END
};

const struct strategy variant_unconditional_push2 = {
	.name = "neg-unconditional-push2",
	.summary = "PUSH2 of R16-R31 right after VM-exit with the guest's XCR0 loaded",
	.why = "Andrew Cooper 2026-03-12: PUSH2 in the VMExit path will #UD",
	.negative = true,
	.exposes_apx = true,
	.home = HOME_REGS,
	.xfeat_load = upstream_xfeat_load,
	.asm_entry = asm_entry,
	.asm_exit = asm_exit,
	.xfeat_put = upstream_xfeat_put,
	.expect = {
		[VMX] = { [LVL_APX] = VIO_UD_EGPR },
		[SVM] = { [LVL_APX] = VIO_UD_EGPR },
	},
};
