// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every EGPR macro of bench/guest/egpr.h, assembled by GNU as (which cannot
 * assemble APX itself) and linked, so that check_egpr_sites.py can decode
 * each site with llvm-objdump-19 and re-encode it with llvm-mc-19.  Never
 * executed.  Covers all sixteen EGPRs in both directions, every base
 * register (rsp/r12 need a SIB byte, rbp/r13 a disp8 even for 0), the
 * disp8 extremes, XOR-clear, and PUSH2/POP2 over EGPR pairs.
 */
#include "egpr.h"

	.text
	.globl _start
_start:
/* mov %rN, disp(%base): base cycles through all sixteen legacy GPRs */
	EB_EGPR_STORE(EB_R16, EB_RAX, 0)
	EB_EGPR_STORE(EB_R17, EB_RCX, 8)
	EB_EGPR_STORE(EB_R18, EB_RDX, -8)
	EB_EGPR_STORE(EB_R19, EB_RBX, 127)
	EB_EGPR_STORE(EB_R20, EB_RSP, -128)
	EB_EGPR_STORE(EB_R21, EB_RBP, 16)
	EB_EGPR_STORE(EB_R22, EB_RSI, 24)
	EB_EGPR_STORE(EB_R23, EB_RDI, 120)
	EB_EGPR_STORE(EB_R24, EB_R8, -1)
	EB_EGPR_STORE(EB_R25, EB_R9, 1)
	EB_EGPR_STORE(EB_R26, EB_R10, 64)
	EB_EGPR_STORE(EB_R27, EB_R11, -64)
	EB_EGPR_STORE(EB_R28, EB_R12, 32)
	EB_EGPR_STORE(EB_R29, EB_R13, 40)
	EB_EGPR_STORE(EB_R30, EB_R14, 48)
	EB_EGPR_STORE(EB_R31, EB_R15, 56)
/* mov disp(%base), %rN: bases in the other order */
	EB_EGPR_LOAD(EB_R16, EB_R15, 16)
	EB_EGPR_LOAD(EB_R17, EB_R14, 24)
	EB_EGPR_LOAD(EB_R18, EB_R13, 120)
	EB_EGPR_LOAD(EB_R19, EB_R12, -1)
	EB_EGPR_LOAD(EB_R20, EB_R11, 1)
	EB_EGPR_LOAD(EB_R21, EB_R10, 64)
	EB_EGPR_LOAD(EB_R22, EB_R9, -64)
	EB_EGPR_LOAD(EB_R23, EB_R8, 32)
	EB_EGPR_LOAD(EB_R24, EB_RDI, 40)
	EB_EGPR_LOAD(EB_R25, EB_RSI, 48)
	EB_EGPR_LOAD(EB_R26, EB_RBP, 56)
	EB_EGPR_LOAD(EB_R27, EB_RSP, 0)
	EB_EGPR_LOAD(EB_R28, EB_RBX, 8)
	EB_EGPR_LOAD(EB_R29, EB_RDX, -8)
	EB_EGPR_LOAD(EB_R30, EB_RCX, 127)
	EB_EGPR_LOAD(EB_R31, EB_RAX, -128)
/* the block forms the guest uses */
	EB_EGPR_STORE_ALL(EB_RDI)
	EB_EGPR_LOAD_ALL(EB_RSI)
/* xor %rNd, %rNd */
	EB_EGPR_ZERO(EB_R16)
	EB_EGPR_ZERO(EB_R17)
	EB_EGPR_ZERO(EB_R18)
	EB_EGPR_ZERO(EB_R19)
	EB_EGPR_ZERO(EB_R20)
	EB_EGPR_ZERO(EB_R21)
	EB_EGPR_ZERO(EB_R22)
	EB_EGPR_ZERO(EB_R23)
	EB_EGPR_ZERO(EB_R24)
	EB_EGPR_ZERO(EB_R25)
	EB_EGPR_ZERO(EB_R26)
	EB_EGPR_ZERO(EB_R27)
	EB_EGPR_ZERO(EB_R28)
	EB_EGPR_ZERO(EB_R29)
	EB_EGPR_ZERO(EB_R30)
	EB_EGPR_ZERO(EB_R31)
/* push2/pop2 over pairs, and across the R16-R23/R24-R31 halves */
	EB_PUSH2(EB_R16, EB_R17)
	EB_PUSH2(EB_R18, EB_R19)
	EB_PUSH2(EB_R20, EB_R21)
	EB_PUSH2(EB_R22, EB_R23)
	EB_PUSH2(EB_R24, EB_R25)
	EB_PUSH2(EB_R26, EB_R27)
	EB_PUSH2(EB_R28, EB_R29)
	EB_PUSH2(EB_R30, EB_R31)
	EB_POP2(EB_R31, EB_R30)
	EB_POP2(EB_R29, EB_R28)
	EB_POP2(EB_R27, EB_R26)
	EB_POP2(EB_R25, EB_R24)
	EB_POP2(EB_R23, EB_R22)
	EB_POP2(EB_R21, EB_R20)
	EB_POP2(EB_R19, EB_R18)
	EB_POP2(EB_R17, EB_R16)
	EB_PUSH2(EB_R31, EB_R16)
	EB_POP2(EB_R16, EB_R31)
	EB_PUSH2(EB_R23, EB_R24)
	EB_POP2(EB_R24, EB_R23)
	ret
	.section .note.GNU-stack, "", @progbits
