// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX part of the guest <-> host ABI: what the guest saw of APX, and
 * the register-integrity check ("no guest register is lost or leaked
 * across an exit").
 *
 * It lives in the second half of the mailbox page, so that
 * struct eb_mailbox keeps its layout.  The host zeroes it and fills the
 * command part before each entry; the guest writes the report part.
 *
 * Integrity check: before each checked exit the guest loads
 * eb_regcheck_pattern(test, iteration, reg) into every register it does
 * not need for the exit (R16-R31 with APX on, plus the spare legacy GPRs),
 * and after the exit reads them all back.  On a mismatch it stores the
 * values it read in a report; the host recomputes the expected values
 * (bench/host/apx/regcheck.c) and names register, expected and actual.
 *
 * Plain C, fixed-width types only: included by the freestanding guest and
 * by the host.  Covered by EB_ABI_VERSION.
 */
#ifndef EXITBENCH_APX_H
#define EXITBENCH_APX_H

/* struct eb_apx_area sits at EB_GPA_MAILBOX + EB_APX_MAILBOX_OFFSET. */
#define EB_APX_MAILBOX_OFFSET	0x800
#define EB_APX_BYTES		0x800

/* Architectural facts (Intel APX spec; SDM vol. 1 ch. 13). */
#define EB_APX_CPUID_LEAF	7	/* CPUID.(7,1):EDX[21] = APX_F */
#define EB_APX_CPUID_SUBLEAF	1
#define EB_APX_CPUID_EDX_BIT	21
#define EB_XFEATURE_APX		19	/* XCR0 bit, XSAVE component 19 */
#define EB_XCR0_APX		(1ull << EB_XFEATURE_APX)
#define EB_APX_XSAVE_SIZE	128	/* 16 x u64 */

/* GPR numbers: the encodings' order, 0 = RAX ... 15 = R15, 16..31 = R16..R31 */
#define EB_NR_GPRS		32
#define EB_GPR_RSP		4

/* mailbox.apx / eb_apx_area.mode */
#define EB_APX_OFF		0
#define EB_APX_ON		1	/* guest sets XCR0[19], R16-R31 live */
/*
 * The kernel's APX stand-in (kernel-patches/README.md): the guest's XCR0
 * has the stand-in's bits (area.standin_mask) set, which that kernel takes
 * for XCR0.APX; R16-R31 stay untouched (the host CPU has none).  Off is
 * EB_APX_OFF with those bits clear.
 */
#define EB_APX_STANDIN		2

/* eb_apx_area.guest_status: why the guest did (not) turn APX on */
#define EB_APX_GUEST_NOT_ASKED	0
#define EB_APX_GUEST_ENABLED	1	/* CPUID ok, XSETBV with bit 19 done */
#define EB_APX_GUEST_NO_CPUID	2	/* CPUID.(7,1):EDX[21] clear */
#define EB_APX_GUEST_NO_XCR0	3	/* CPUID.(0xD,0) does not offer bit 19 */
#define EB_APX_GUEST_XCR0_OFF	4	/* offered, but XCR0[19] is not loaded */
#define EB_APX_GUEST_STANDIN_OFF 5	/* stand-in: its bits not all in XCR0 */

/* area.flags */
#define EB_APXF_XGETBV		(1u << 0) /* XGETBV works at the guest's CPL */
#define EB_APXF_UABI		(1u << 1) /* end with one EB_PORT_APX_UABI exit */

/* area.regcheck_status */
#define EB_RC_NOT_RUN		0	/* not asked (or the guest never got there) */
#define EB_RC_DONE		1
#define EB_RC_UNSUPPORTED	2	/* no checked stub for this test */

/*
 * After the test the guest does one OUT to this port with the pattern of
 * EB_REGCHECK_ITER_UABI in every spare GPR (R16-R31 too with APX on): the
 * VMM compares KVM_GET_REGS and KVM_GET_XSAVE2 with it (the uABI path).
 * Sits next to the EB_PORT_* of exitbench_abi.h.
 */
#define EB_PORT_APX_UABI	0xeb02

/*
 * Pattern iteration numbers outside the per-exit range: the values R16-R31
 * hold live through the timed loop, and those of the uABI exit.
 */
#define EB_REGCHECK_ITER_LIVE	((1ull << 42) - 1)
#define EB_REGCHECK_ITER_UABI	((1ull << 42) - 2)

#define EB_REGCHECK_MAX_REPORTS	5

/* One checked exit whose registers did not come back as loaded. */
struct eb_regcheck_report {
	unsigned long long iteration;	/* of the checked pass, from 0 */
	unsigned int test_id;		/* enum eb_test_id */
	unsigned int pad;
	unsigned long long checked;	/* bit n: GPR n was loaded + compared */
	unsigned long long actual[EB_NR_GPRS];	/* read back after the exit */
};

struct eb_apx_area {
	/* command: host -> guest */
	unsigned int mode;		/* EB_APX_OFF / EB_APX_ON / EB_APX_STANDIN */
	unsigned int regcheck;		/* 1: checked pass after the timed loop */
	unsigned int flags;		/* EB_APXF_* */
	unsigned int pad0;
	unsigned long long standin_mask;	/* EB_APX_STANDIN: XCR0 bits */

	/* report: guest -> host, what the guest was given */
	unsigned int guest_status;	/* EB_APX_GUEST_* */
	unsigned int cpuid_7_1_edx;	/* as the guest's CPUID returned them */
	unsigned long long cpuid_d_0_xcr0;	/* CPUID.(0xD,0) EDX:EAX */
	unsigned int cpuid_d_19_eax;	/* APX component size */
	unsigned int cpuid_d_19_ebx;	/* APX component offset */
	unsigned long long xcr0;	/* XGETBV, else what the guest loaded */

	/* report: integrity check */
	unsigned int regcheck_status;	/* EB_RC_* */
	unsigned int live_bad;		/* R16-R31 changed during the timed loop */
	unsigned long long checked_exits;	/* exits whose registers were compared */
	unsigned long long bad_exits;		/* of which mismatched */
	unsigned long long nreports;		/* reports[] filled (<= MAX) */
	struct eb_regcheck_report reports[EB_REGCHECK_MAX_REPORTS];
};

/*
 * The value register @reg must hold across exit number @iteration of
 * test @test_id.  Distinct per register, iteration and test, so that a
 * value restored from another register, left over from the previous exit
 * or from another test never passes; the top byte 0xeb keeps it clear of
 * small counters and canonical pointers.
 *	[63:56] 0xeb  [55:50] reg  [49:42] test  [41:0] iteration
 */
static inline unsigned long long eb_regcheck_pattern(unsigned int test_id,
						     unsigned long long iteration,
						     unsigned int reg)
{
	return 0xeb00000000000000ull |
	       ((unsigned long long)(reg & 0x3f) << 50) |
	       ((unsigned long long)(test_id & 0xff) << 42) |
	       (iteration & ((1ull << 42) - 1));
}

#endif /* EXITBENCH_APX_H */
