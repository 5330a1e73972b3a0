// SPDX-License-Identifier: GPL-2.0-only
/*
 * Negative control for check_egpr_sites.py: each block below is wrong in
 * one way the checker must report: 1 twice (decode and
 * re-encode), 2 and 3 once each, so it runs with --expect-failures 4.
 */
#include "egpr.h"

	.text
	.globl _start
_start:
	/* 1. recorded as "mov %r17, 8(%rdi)" but the bytes store %r16 */
6601:	.byte 0xd5, 0x48, 0x89, 0x47, 0x08
6602:	__EB_EGPR_SITE(EB_EGPR_K_STORE, EB_R17, EB_RDI, 8)
	/*
	 * 2. push2 %r16, %r17 with EVEX.R4 left clear (0xec, not 0xfc): decodes
	 * the same, but is not what llvm-mc encodes
	 */
6601:	.byte 0x62, 0xec, 0x74, 0x10, 0xff, 0xf0
6602:	__EB_EGPR_SITE(EB_EGPR_K_PUSH2, EB_R16, EB_R17, 0)
	/* 3. an EGPR instruction that no macro recorded: mov 8(%rdi), %r18 */
	.byte 0xd5, 0x48, 0x8b, 0x57, 0x08
	/* correct, must not be reported */
	EB_EGPR_LOAD(EB_R31, EB_RSP, 0)
	ret
	.section .note.GNU-stack, "", @progbits
