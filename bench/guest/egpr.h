// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instructions on APX's extended GPRs R16-R31, emitted as bytes.
 *
 * The guest is built with gcc 12 and GNU as 2.40, neither of which knows
 * APX, so every EGPR instruction is spelled out here as a `.byte` sequence.
 * The same macros serve .S files (the preprocessor expands them in place)
 * and C inline asm (wrap them in EB_ASM(), which turns the expansion into
 * a string):
 *
 *	.S:	EB_EGPR_STORE(EB_R16, EB_RDI, 8)
 *	C:	asm volatile(EB_ASM(EB_EGPR_STORE(EB_R16, EB_RDI, 8))
 *			     : : "D" (buf) : "memory");
 *
 * Every instruction leaves a record in the non-allocated ELF section
 * .egpr_sites (address, kind, operands, length; struct eb_egpr_site).  The
 * section is not part of the flat guest image, but it survives in the
 * linked ELF, where tests/apx disassembles each recorded site with
 * llvm-objdump-19 and checks that it decodes to exactly the intended
 * instruction and registers, and that no EGPR instruction exists anywhere
 * that is not recorded.
 *
 * Executing any of these raises #UD unless CPUID.(7,1):EDX[21] (APX_F) is
 * set and XCR0[19] is enabled: callers check both first (apx_guest.c).
 *
 * Encodings (Intel APX Architecture Specification, rev. 6+):
 *  - REX2 is 0xD5 followed by one payload byte
 *	[7] M0  [6] R4  [5] X4  [4] B4  [3] W  [2] R3  [1] X3  [0] B3
 *    and then a legacy map-0/1 opcode; R4:R3:ModRM.reg selects one of 32
 *    GPRs, B4:B3:ModRM.rm likewise.
 *  - PUSH2/POP2 are EVEX map 4 (FF /6 and 8F /0) with EVEX.ND=1; the
 *    second register is in EVEX.V4:vvvv (inverted), the first in B4:B3:rm.
 */
#ifndef EXITBENCH_GUEST_EGPR_H
#define EXITBENCH_GUEST_EGPR_H

/* GPR numbers as the encodings use them. */
#define EB_RAX	0
#define EB_RCX	1
#define EB_RDX	2
#define EB_RBX	3
#define EB_RSP	4
#define EB_RBP	5
#define EB_RSI	6
#define EB_RDI	7
#define EB_R8	8
#define EB_R9	9
#define EB_R10	10
#define EB_R11	11
#define EB_R12	12
#define EB_R13	13
#define EB_R14	14
#define EB_R15	15
#define EB_R16	16
#define EB_R17	17
#define EB_R18	18
#define EB_R19	19
#define EB_R20	20
#define EB_R21	21
#define EB_R22	22
#define EB_R23	23
#define EB_R24	24
#define EB_R25	25
#define EB_R26	26
#define EB_R27	27
#define EB_R28	28
#define EB_R29	29
#define EB_R30	30
#define EB_R31	31

/* Kinds recorded in .egpr_sites. */
#define EB_EGPR_K_STORE		1	/* mov %reg, disp8(%base) */
#define EB_EGPR_K_LOAD		2	/* mov disp8(%base), %reg */
#define EB_EGPR_K_PUSH2		3	/* push2 %reg, %reg2 (AT&T order) */
#define EB_EGPR_K_POP2		4	/* pop2 %reg, %reg2 */
#define EB_EGPR_K_ZERO		5	/* xor %regd, %regd */

#ifndef __ASSEMBLER__
/* One .egpr_sites record, 16 bytes; written by the macros below. */
struct eb_egpr_site {
	unsigned long long addr;	/* first byte of the instruction */
	unsigned char kind;		/* EB_EGPR_K_* */
	unsigned char reg;		/* the EGPR (or first PUSH2/POP2 reg) */
	unsigned char other;		/* base register, or second reg */
	signed char disp;		/* disp8 of STORE/LOAD */
	unsigned char len;		/* instruction length in bytes */
	unsigned char pad[3];
};
#endif

#define __EB_STR(...)	#__VA_ARGS__
/* Turn a macro expansion below into an inline-asm string. */
#define EB_ASM(...)	__EB_STR(__VA_ARGS__)

/* Register number -> encoding bit. */
#define __EB_B3(r)	(((r) >> 3) & 1)
#define __EB_B4(r)	(((r) >> 4) & 1)

/* REX2 payload: W=w, reg field r, rm/base field b (no index). */
#define __EB_REX2(w, r, b)						\
	((__EB_B4(r) << 6) | (__EB_B4(b) << 4) | ((w) << 3) |		\
	 (__EB_B3(r) << 2) | __EB_B3(b))

/*
 * Record a site: labels 6601/6602 bracket the instruction.  The section is
 * not allocated, so it never reaches the flat image.
 */
#define __EB_EGPR_SITE(kind, reg, other, disp)				\
	.pushsection .egpr_sites, "", @progbits;			\
	.balign 8;							\
	.quad 6601b;							\
	.byte (kind), (reg), (other), ((disp) & 0xff), 6602b - 6601b;	\
	.byte 0, 0, 0;							\
	.popsection

/*
 * mov{load,store} with a disp8 memory operand, encoded as an assembler
 * would: ModRM mod=00 for disp 0 except over rbp/r13 (where mod=00 means
 * RIP-relative/disp32), mod=01 + disp8 otherwise; a base whose low bits
 * are 100 (rsp, r12) needs a SIB byte with no index (0x24).
 */
#define __EB_EGPR_CHECK(reg, lo, hi)					\
	.if (reg) < (lo) || (reg) > (hi);				\
	.error "egpr.h: register number out of range"; .endif

#define __EB_EGPR_MOV(kind, opc, reg, base, disp)			\
	__EB_EGPR_CHECK(reg, 16, 31); __EB_EGPR_CHECK(base, 0, 15);	\
	.if (disp) < -128 || (disp) > 127;				\
	.error "egpr.h: displacement does not fit disp8"; .endif;	\
	6601: .byte 0xd5, __EB_REX2(1, reg, base), opc;		\
	.if (disp) == 0 && ((base) & 7) != 5;				\
	.byte (((reg) & 7) << 3) | ((base) & 7);			\
	.else;								\
	.byte 0x40 | (((reg) & 7) << 3) | ((base) & 7);		\
	.endif;								\
	.if ((base) & 7) == 4; .byte 0x24; .endif;			\
	.if (disp) != 0 || ((base) & 7) == 5; .byte (disp) & 0xff; .endif; \
	6602: __EB_EGPR_SITE(kind, reg, base, disp)

/* mov %reg, disp(%base): REX2.W 89 /r.  reg 16..31, base 0..15, disp8. */
#define EB_EGPR_STORE(reg, base, disp)					\
	__EB_EGPR_MOV(EB_EGPR_K_STORE, 0x89, reg, base, disp)

/* mov disp(%base), %reg: REX2.W 8B /r. */
#define EB_EGPR_LOAD(reg, base, disp)					\
	__EB_EGPR_MOV(EB_EGPR_K_LOAD, 0x8b, reg, base, disp)

/* xor %regd, %regd: REX2 31 /r; clears the whole 64-bit register. */
#define EB_EGPR_ZERO(reg)						\
	__EB_EGPR_CHECK(reg, 16, 31);					\
	6601: .byte 0xd5, __EB_REX2(0, reg, reg), 0x31,		\
		0xc0 | (((reg) & 7) << 3) | ((reg) & 7);		\
	6602: __EB_EGPR_SITE(EB_EGPR_K_ZERO, reg, reg, 0)

/*
 * EVEX map 4 with ND=1, ModRM.reg=/ext, rm=a, V4:vvvv=b, W=0, pp=00:
 *	P0 = ~R3 ~X3 ~B3 ~R4 B4 100	P1 = W ~vvvv ~X4 pp
 *	P2 = z L'L ND ~V4 aaa
 */
#define __EB_EVEX_M4_ND(opc, ext, a, b)					\
	__EB_EGPR_CHECK(a, 0, 31); __EB_EGPR_CHECK(b, 0, 31);		\
	6601: .byte 0x62,						\
		0xd4 | ((__EB_B3(a) ^ 1) << 5) | (__EB_B4(a) << 3),	\
		(((~(b)) & 0xf) << 3) | 0x04,				\
		0x10 | ((__EB_B4(b) ^ 1) << 3),				\
		opc, 0xc0 | ((ext) << 3) | ((a) & 7);			\
	6602:

/*
 * push2 %a, %b (AT&T order; Intel: PUSH2 b, a): pushes b, then a, so a
 * ends at the lower address.  RSP must be 16-byte aligned (else #GP).
 */
#define EB_PUSH2(a, b)							\
	__EB_EVEX_M4_ND(0xff, 6, a, b)					\
	__EB_EGPR_SITE(EB_EGPR_K_PUSH2, a, b, 0)

/* pop2 %a, %b (AT&T order): the inverse of EB_PUSH2(b, a). a != b. */
#define EB_POP2(a, b)							\
	__EB_EVEX_M4_ND(0x8f, 0, a, b)					\
	__EB_EGPR_SITE(EB_EGPR_K_POP2, a, b, 0)

/*
 * All sixteen EGPRs to/from a 16 x u64 block at disp 0..120 of @base
 * (block[i] <-> R(16+i)).
 */
#define EB_EGPR_STORE_ALL(base)						\
	EB_EGPR_STORE(16, base, 0);   EB_EGPR_STORE(17, base, 8);	\
	EB_EGPR_STORE(18, base, 16);  EB_EGPR_STORE(19, base, 24);	\
	EB_EGPR_STORE(20, base, 32);  EB_EGPR_STORE(21, base, 40);	\
	EB_EGPR_STORE(22, base, 48);  EB_EGPR_STORE(23, base, 56);	\
	EB_EGPR_STORE(24, base, 64);  EB_EGPR_STORE(25, base, 72);	\
	EB_EGPR_STORE(26, base, 80);  EB_EGPR_STORE(27, base, 88);	\
	EB_EGPR_STORE(28, base, 96);  EB_EGPR_STORE(29, base, 104);	\
	EB_EGPR_STORE(30, base, 112); EB_EGPR_STORE(31, base, 120)

#define EB_EGPR_LOAD_ALL(base)						\
	EB_EGPR_LOAD(16, base, 0);   EB_EGPR_LOAD(17, base, 8);		\
	EB_EGPR_LOAD(18, base, 16);  EB_EGPR_LOAD(19, base, 24);	\
	EB_EGPR_LOAD(20, base, 32);  EB_EGPR_LOAD(21, base, 40);	\
	EB_EGPR_LOAD(22, base, 48);  EB_EGPR_LOAD(23, base, 56);	\
	EB_EGPR_LOAD(24, base, 64);  EB_EGPR_LOAD(25, base, 72);	\
	EB_EGPR_LOAD(26, base, 80);  EB_EGPR_LOAD(27, base, 88);	\
	EB_EGPR_LOAD(28, base, 96);  EB_EGPR_LOAD(29, base, 104);	\
	EB_EGPR_LOAD(30, base, 112); EB_EGPR_LOAD(31, base, 120)

#endif /* EXITBENCH_GUEST_EGPR_H */
