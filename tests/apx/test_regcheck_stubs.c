// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checked-exit stubs of bench/guest/regcheck.S, run natively in this
 * process where their exit instruction allows it (nop; cpuid, which CPL3
 * code may execute): every spare GPR must come back exactly as loaded,
 * the operand registers must carry the instruction's result, and the
 * callee-saved registers of the C caller must survive.  The _apx variants
 * cannot run without APX; their EGPR sites are decoded by
 * check_egpr_sites.py instead.  TAP output.
 */
#include <cpuid.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exitbench_apx.h"

struct eb_rc_frame {
	unsigned long long in[EB_NR_GPRS];
	unsigned long long out[EB_NR_GPRS];
};

void eb_rc_nop(struct eb_rc_frame *f);
void eb_rc_cpuid(struct eb_rc_frame *f);

static int ntests, nfailed;

__attribute__((format(printf, 2, 3)))
static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	nfailed += !cond;
}

static void fill(struct eb_rc_frame *f, unsigned int test, unsigned long long it)
{
	memset(f, 0, sizeof(*f));
	for (unsigned int r = 0; r < EB_NR_GPRS; r++)
		f->in[r] = eb_regcheck_pattern(test, it, r);
	memset(f->out, 0x5a, sizeof(f->out));
}

/* Legacy GPRs other than RSP and @skip that came back wrong. */
static unsigned long long wrong(const struct eb_rc_frame *f, unsigned long long skip)
{
	unsigned long long bad = 0;

	for (unsigned int r = 0; r < 16; r++)
		if (r != EB_GPR_RSP && !(skip & (1ull << r)) && f->out[r] != f->in[r])
			bad |= 1ull << r;
	return bad;
}

int main(void)
{
	struct eb_rc_frame f;
	unsigned int a, b, c, d;
	unsigned long long bad;
	/* callee-saved values the stub must give back to its C caller */
	register unsigned long long keep_rbx asm("rbx") = 0x1111;
	register unsigned long long keep_r12 asm("r12") = 0x2222;
	register unsigned long long keep_r15 asm("r15") = 0x3333;

	asm volatile("" : "+r" (keep_rbx), "+r" (keep_r12), "+r" (keep_r15));
	fill(&f, 1, 7);
	eb_rc_nop(&f);
	bad = wrong(&f, 0);
	ok(!bad, "nop stub: all 15 legacy GPRs back as loaded (wrong mask %#llx)", bad);
	ok(f.out[EB_GPR_RSP] == 0x5a5a5a5a5a5a5a5aull, "RSP slot left alone");
	asm volatile("" : "+r" (keep_rbx), "+r" (keep_r12), "+r" (keep_r15));
	ok(keep_rbx == 0x1111 && keep_r12 == 0x2222 && keep_r15 == 0x3333,
	   "callee-saved RBX, R12, R15 of the caller survive");

	/* a value wrong on the way in must show on the way out */
	fill(&f, 1, 8);
	eb_rc_nop(&f);
	f.in[9] ^= 1;
	ok(wrong(&f, 0) == 1ull << 9, "a changed R9 is seen");

	fill(&f, 2, 3);
	f.in[0] = 0;	/* CPUID leaf 0 */
	f.in[1] = 0;
	eb_rc_cpuid(&f);
	__cpuid(0, a, b, c, d);
	bad = wrong(&f, 0xf);
	ok(!bad, "cpuid stub: spare GPRs intact (wrong mask %#llx)", bad);
	ok(f.out[0] == a && f.out[3] == b && f.out[1] == c && f.out[2] == d,
	   "cpuid stub returns leaf 0 in EAX/EBX/ECX/EDX (max leaf %#x)", a);
	printf("1..%d\n", ntests);
	return nfailed ? 1 : 0;
}
