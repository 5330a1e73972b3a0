// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX dimension, guest side (command in struct eb_apx_area):
 *  - record what CPUID says about APX, and with APX on refuse to run
 *    unless CPUID and the loaded XCR0 both allow EGPR instructions
 *    (they raise #UD otherwise);
 *  - with APX on, keep R16-R31 live with distinct values through the timed
 *    loop, as a real APX guest would, and verify them afterwards (the
 *    compiler never touches them: gcc 12 does not know they exist);
 *  - the checked pass: the test's exit once more per iteration, with every
 *    spare GPR holding eb_regcheck_pattern() around it (regcheck.S);
 *  - the uABI exit: one OUT with the pattern in place, for the VMM to
 *    compare KVM_GET_REGS/KVM_GET_XSAVE2.
 * Nothing here runs inside a timed loop.
 */
#include <stdbool.h>

#include "exitbench_abi.h"
#include "exitbench_apx.h"
#include "egpr.h"
#include "processor.h"
#include "apx_guest.h"

struct eb_rc_frame {
	u64 in[EB_NR_GPRS];
	u64 out[EB_NR_GPRS];
};

typedef void eb_rc_fn(struct eb_rc_frame *f);

#define RC_DECL(name) eb_rc_fn name, name##_apx
RC_DECL(eb_rc_nop); RC_DECL(eb_rc_cpuid); RC_DECL(eb_rc_vmcall);
RC_DECL(eb_rc_vmmcall); RC_DECL(eb_rc_rdmsr); RC_DECL(eb_rc_wrmsr);
RC_DECL(eb_rc_xsetbv); RC_DECL(eb_rc_inb); RC_DECL(eb_rc_outb);
RC_DECL(eb_rc_readl); RC_DECL(eb_rc_writel);

#define R(n)		(1ull << (n))
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define EGPRS		(0xffffull << 16)
#define LEGACY		(0xffffull & ~R(EB_GPR_RSP))

/* One exit the checker can wrap: stub, operand registers and values. */
struct rc_exit {
	eb_rc_fn *fn, *fn_apx;
	u64 operands;			/* GPRs used by the exit: not checked */
	u64 val[4];			/* in[RAX..RBX] for operand registers */
};

static struct eb_apx_area *const area =
	(struct eb_apx_area *)(EB_GPA_MAILBOX + EB_APX_MAILBOX_OFFSET);
static struct eb_rc_frame frame;
static u64 live_egprs[16], live_back[16];

static inline u64 xgetbv(u32 xcr)
{
	u32 lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((u64)hi << 32) | lo;
}

/* Everything the guest is told about APX, before any decision. */
static void apx_probe(struct eb_mailbox *mb)
{
	u32 a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		if (a >= 1) {
			cpuid(7, 1, &a, &b, &c, &d);
			area->cpuid_7_1_edx = d;
		}
	}
	cpuid(0xd, 0, &a, &b, &c, &d);
	area->cpuid_d_0_xcr0 = ((u64)d << 32) | a;
	cpuid(0xd, EB_XFEATURE_APX, &a, &b, &c, &d);
	area->cpuid_d_19_eax = a;
	area->cpuid_d_19_ebx = b;
	/* XGETBV at CPL0 fails on PVM: the host says when it is safe. */
	if (area->flags & EB_APXF_XGETBV)
		area->xcr0 = xgetbv(0);
	else if (mb->flags & EB_F_SET_XCR0)
		area->xcr0 = mb->set_xcr0;
}

unsigned int eb_apx_before(struct eb_mailbox *mb)
{
	apx_probe(mb);
	if (area->mode == EB_APX_STANDIN) {
		/* Only XCR0 tells the stand-in kernel: no EGPR exists here. */
		const u64 m = area->standin_mask;

		area->guest_status = m && (area->xcr0 & m) == m ?
				     EB_APX_GUEST_ENABLED : EB_APX_GUEST_STANDIN_OFF;
		return area->guest_status == EB_APX_GUEST_ENABLED ?
		       EB_RES_OK : EB_RES_BAD_COMMAND;
	}
	if (area->mode != EB_APX_ON)
		return EB_RES_OK;
	if (!(area->cpuid_7_1_edx & (1u << EB_APX_CPUID_EDX_BIT)))
		area->guest_status = EB_APX_GUEST_NO_CPUID;
	else if (!(area->cpuid_d_0_xcr0 & EB_XCR0_APX))
		area->guest_status = EB_APX_GUEST_NO_XCR0;
	else if (!(area->xcr0 & EB_XCR0_APX))
		area->guest_status = EB_APX_GUEST_XCR0_OFF;
	else
		area->guest_status = EB_APX_GUEST_ENABLED;
	if (area->guest_status != EB_APX_GUEST_ENABLED)
		return EB_RES_BAD_COMMAND;	/* the host reads guest_status */

	for (unsigned int i = 0; i < 16; i++)
		live_egprs[i] = eb_regcheck_pattern(mb->test_id, EB_REGCHECK_ITER_LIVE,
						    16 + i);
	/* From here to eb_apx_after() R16-R31 stay live: nothing else writes them. */
	asm volatile(EB_ASM(EB_EGPR_LOAD_ALL(EB_RSI)) : : "S" (live_egprs) : "memory");
	return EB_RES_OK;
}

static void report(struct eb_mailbox *mb, u64 iteration, u64 checked,
		   const u64 *actual)
{
	struct eb_regcheck_report *r;

	if (area->nreports >= EB_REGCHECK_MAX_REPORTS)
		return;
	r = &area->reports[area->nreports++];
	r->iteration = iteration;
	r->test_id = mb->test_id;
	r->checked = checked;
	for (unsigned int i = 0; i < EB_NR_GPRS; i++)
		r->actual[i] = actual[i];
}

/* The exit of @mb's test as a checkable stub; false if there is none. */
static bool rc_exit_of(struct eb_mailbox *mb, struct rc_exit *e)
{
	u64 v;

	*e = (struct rc_exit){ 0 };
	switch (mb->test_id) {
	case EB_T_NOP:
		*e = (struct rc_exit){ eb_rc_nop, eb_rc_nop_apx, 0, { 0 } };
		break;
	case EB_T_CPUID:
		*e = (struct rc_exit){ eb_rc_cpuid, eb_rc_cpuid_apx,
				       R(RAX) | R(RBX) | R(RCX) | R(RDX), { 0 } };
		break;
	case EB_T_HYPERCALL:
		/* KVM reads RBX/RCX/RDX/RSI as arguments, writes only RAX */
		if (mb->flags & EB_F_VMMCALL)
			*e = (struct rc_exit){ eb_rc_vmmcall, eb_rc_vmmcall_apx, R(RAX),
					       { mb->hypercall_nr } };
		else
			*e = (struct rc_exit){ eb_rc_vmcall, eb_rc_vmcall_apx, R(RAX),
					       { mb->hypercall_nr } };
		break;
	case EB_T_RDMSR:
		*e = (struct rc_exit){ eb_rc_rdmsr, eb_rc_rdmsr_apx,
				       R(RAX) | R(RCX) | R(RDX), { 0, mb->msr } };
		break;
	case EB_T_WRMSR:
		v = rdmsr(mb->msr);	/* write back what is there */
		*e = (struct rc_exit){ eb_rc_wrmsr, eb_rc_wrmsr_apx,
				       R(RAX) | R(RCX) | R(RDX),
				       { (u32)v, mb->msr, v >> 32 } };
		break;
	case EB_T_XSETBV:
		*e = (struct rc_exit){ eb_rc_xsetbv, eb_rc_xsetbv_apx,
				       R(RAX) | R(RCX) | R(RDX),
				       { (u32)mb->xcr0, 0, mb->xcr0 >> 32 } };
		break;
	case EB_T_PIO_KERNEL:
		*e = (struct rc_exit){ eb_rc_inb, eb_rc_inb_apx, R(RAX) | R(RDX),
				       { 0, 0, EB_PORT_PIC_IMR } };
		break;
	case EB_T_PIO_USER:
		*e = (struct rc_exit){ eb_rc_outb, eb_rc_outb_apx, R(RAX) | R(RDX),
				       { 0, 0, EB_PORT_USER } };
		break;
	case EB_T_MMIO_KERNEL:
		if (mb->flags & EB_F_X2APIC)
			return false;	/* no MMIO window in x2APIC mode */
		*e = (struct rc_exit){ eb_rc_readl, eb_rc_readl_apx, R(RAX) | R(RDX),
				       { 0, 0, EB_GPA_LAPIC + XAPIC_VERSION } };
		break;
	case EB_T_MMIO_USER:
		*e = (struct rc_exit){ eb_rc_writel, eb_rc_writel_apx, R(RAX) | R(RDX),
				       { 0, 0, EB_GPA_MMIO_USER } };
		break;
	default:
		return false;	/* interrupts or APIC set-up: not wrapped */
	}
	return true;
}

/* Load the pattern of @iter (operands where @e needs them), exit, compare. */
static bool rc_one(struct eb_mailbox *mb, const struct rc_exit *e, bool apx,
		   u64 iter, u64 *checked)
{
	u64 bad = 0;

	*checked = (LEGACY | (apx ? EGPRS : 0)) & ~e->operands;
	for (unsigned int r = 0; r < EB_NR_GPRS; r++)
		frame.in[r] = eb_regcheck_pattern(mb->test_id, iter, r);
	for (unsigned int r = 0; r < 4; r++)
		if (e->operands & R(r))
			frame.in[r] = e->val[r];
	(apx ? e->fn_apx : e->fn)(&frame);
	for (unsigned int r = 0; r < EB_NR_GPRS; r++)
		if ((*checked & R(r)) && frame.out[r] != frame.in[r])
			bad |= R(r);
	return !bad;
}

void eb_apx_after(struct eb_mailbox *mb)
{
	const bool apx = area->mode == EB_APX_ON;
	struct rc_exit e;
	u64 checked;

	if (apx) {
		u64 actual[EB_NR_GPRS] = { 0 };
		bool same = true;

		asm volatile(EB_ASM(EB_EGPR_STORE_ALL(EB_RDI)) : : "D" (live_back) : "memory");
		for (unsigned int i = 0; i < 16; i++) {
			actual[16 + i] = live_back[i];
			same &= live_back[i] == live_egprs[i];
		}
		if (!same) {
			area->live_bad = 1;
			report(mb, EB_REGCHECK_ITER_LIVE, EGPRS, actual);
		}
	}
	if (area->regcheck) {
		if (!rc_exit_of(mb, &e)) {
			area->regcheck_status = EB_RC_UNSUPPORTED;
		} else {
			const u64 n = mb->warmup + mb->samples;

			for (u64 i = 0; i < n; i++) {
				area->checked_exits++;
				mb->progress++;	/* the host's watchdog */
				if (rc_one(mb, &e, apx, i, &checked))
					continue;
				area->bad_exits++;
				report(mb, i, checked, frame.out);
			}
			area->regcheck_status = EB_RC_DONE;
		}
	}
	if (area->flags & EB_APXF_UABI) {
		/* the VMM compares; whatever comes back is its business */
		e = (struct rc_exit){ eb_rc_outb, eb_rc_outb_apx, R(RAX) | R(RDX),
				      { 0, 0, EB_PORT_APX_UABI } };
		rc_one(mb, &e, apx, EB_REGCHECK_ITER_UABI, &checked);
	}
}
