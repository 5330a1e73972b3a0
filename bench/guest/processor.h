// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instruction wrappers for the guest, named after the instruction.
 * Every one is `asm volatile` with a "memory" clobber so that the compiler
 * neither drops nor moves an exiting instruction out of a timed loop.
 */
#ifndef EB_GUEST_PROCESSOR_H
#define EB_GUEST_PROCESSOR_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define MSR_IA32_APICBASE	0x1b
#define MSR_IA32_CR_PAT		0x277
#define MSR_IA32_TSC_DEADLINE	0x6e0
#define MSR_X2APIC_TPR		0x808
#define MSR_X2APIC_EOI		0x80b
#define MSR_X2APIC_SVR		0x80f
#define MSR_X2APIC_ICR		0x830
#define MSR_X2APIC_LVTT		0x832
#define MSR_IA32_SPEC_CTRL	0x48
#define MSR_IA32_PRED_CMD	0x49
#define MSR_KERNEL_GS_BASE	0xc0000102

#define PRED_CMD_IBPB		(1u << 0)
#define X86_CR0_WP		(1ull << 16)
#define X86_CR4_PGE		(1ull << 7)
#define DR7_FIXED_1		0x400ull	/* bit 10 reads as 1 */

#define APIC_ICR_SELF		(1u << 18)	/* destination shorthand: self */
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_LVTT_TSCDEADLINE	(2u << 17)
#define APIC_SVR_ENABLE		(1u << 8)
#define XAPIC_VERSION		0x30
#define XAPIC_TMCCT		0x390	/* timer current count */
#define XAPIC_EOI		0xb0

/*
 * Time stamps.  RDTSC is not serializing (SDM Vol. 2B, RDTSC): "If
 * software requires RDTSC to be executed only after all previous
 * instructions have executed and all previous loads are visible, it can
 * execute LFENCE immediately before RDTSC.  If software requires RDTSC to
 * be executed prior to execution of any subsequent instruction (including
 * any memory accesses), it can execute the sequence LFENCE immediately
 * after RDTSC."  So a sample opens with LFENCE;RDTSC;LFENCE (nothing of
 * the measured code starts early) and closes with LFENCE;RDTSC (all of it
 * has finished).  AMD documents LFENCE as dispatch-serializing when
 * DE_CFG[1] is set, which Linux does on every AMD host.  RDTSCP is not an
 * option: at CPL0 on PVM it fails with KVM_EXIT_INTERNAL_ERROR.
 */
static inline u64 rdtsc_begin(void)
{
	u32 lo, hi;

	asm volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((u64)hi << 32) | lo;
}

static inline u64 rdtsc_end(void)
{
	u32 lo, hi;

	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 subleaf, u32 *a, u32 *b, u32 *c, u32 *d)
{
	asm volatile("cpuid"
		     : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(subleaf) : "memory");
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 val)
{
	asm volatile("wrmsr"
		     :: "c"(msr), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
}

static inline void xsetbv(u32 xcr, u64 val)
{
	asm volatile("xsetbv"
		     :: "c"(xcr), "a"((u32)val), "d"((u32)(val >> 32)) : "memory");
}

/* KVM hypercall: number in RAX, result in RAX (unknown nr: -KVM_ENOSYS). */
static inline u64 vmcall(u64 nr)
{
	u64 ret;

	asm volatile("vmcall" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static inline u64 vmmcall(u64 nr)
{
	u64 ret;

	asm volatile("vmmcall" : "=a"(ret) : "a"(nr) : "memory");
	return ret;
}

static inline u8 inb(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" :: "a"(v), "Nd"(port) : "memory");
}

static inline u32 readl(u64 addr)
{
	u32 v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void writel(u64 addr, u32 v)
{
	asm volatile("movl %0, (%1)" :: "r"(v), "r"(addr) : "memory");
}

/*
 * The self-test's known delay: @n multiplications in one dependency chain
 * (IMUL r64, r64: 3 cycles of latency on every recent Intel and AMD core),
 * with the loop's decrement and branch off the chain.  A latency-bound
 * chain keeps its cost when an SMT sibling competes for execution ports,
 * which a throughput-bound DEC/JNZ loop does not.  The cost per step is
 * calibrated by the host in the same run (EB_T_DELAYED, delay_test
 * EB_T_NOP); no memory is touched and nothing exits.
 */
static inline void delay_loop(u64 n)
{
	u64 x = 1, one = 1;

	if (n)
		asm volatile("1: imul %2, %1\n\tdec %0\n\tjnz 1b"
			     : "+r"(n), "+r"(x) : "r"(one) : "cc");
}

/*
 * exitbench run --inject-delay: spin until @n TSC cycles have passed.  A
 * delay in the TSC's own unit: the IMUL chain above runs at the core
 * clock, which wanders against the TSC (turbo, an outer hypervisor), so
 * its cost in TSC cycles moves by a few percent from run to run.
 */
static inline void tsc_spin(u64 n)
{
	u64 t0;

	if (!n)
		return;
	t0 = rdtsc_end();
	while (rdtsc_end() - t0 < n)
		;
}

static inline void cli(void) { asm volatile("cli" ::: "memory"); }
static inline void sti(void) { asm volatile("sti" ::: "memory"); }
static inline void pause(void) { asm volatile("pause" ::: "memory"); }

/* STI's one-instruction interrupt shadow makes "sti; hlt" race-free. */
static inline void sti_hlt(void) { asm volatile("sti; hlt" ::: "memory"); }

/* STI;NOP opens a window of one instruction for a pending interrupt. */
static inline void sti_nop_cli(void)
{
	asm volatile("sti; nop; cli" ::: "memory");
}

static inline u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline u64 read_cr0(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" :: "r"(v) : "memory");
}

static inline u64 read_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr4(u64 v)
{
	asm volatile("mov %0, %%cr4" :: "r"(v) : "memory");
}

/* CR8 is the APIC's task priority (bits 7:4 of the TPR). */
static inline u64 read_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v) :: "memory");
	return v;
}

static inline void write_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" :: "r"(v) : "memory");
}

static inline void write_dr7(u64 v)
{
	asm volatile("mov %0, %%dr7" :: "r"(v) : "memory");
}

static inline void wbinvd(void) { asm volatile("wbinvd" ::: "memory"); }
static inline void invd(void) { asm volatile("invd" ::: "memory"); }

static inline u16 read_cs(void)
{
	u16 v;

	asm volatile("mov %%cs, %0" : "=r"(v));
	return v;
}

/*
 * _safe variants return 0, or the vector of the exception the instruction
 * raised (the trap handler resumes at the label after it, see eb_trap()).
 */
extern volatile u64 eb_safe_resume, eb_safe_vector;

#define EB_SAFE(insn, ...)						\
	({								\
		eb_safe_vector = 0;					\
		asm volatile("lea 1f(%%rip), %%r11\n\t"		\
			     "mov %%r11, eb_safe_resume(%%rip)\n\t"	\
			     insn "\n\t"				\
			     "1: movq $0, eb_safe_resume(%%rip)"	\
			     __VA_ARGS__);				\
		(int)eb_safe_vector;					\
	})

static inline int rdmsr_safe(u32 msr, u64 *val)
{
	u32 lo = 0, hi = 0;
	int v = EB_SAFE("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr)
			: "r11", "memory");

	*val = ((u64)hi << 32) | lo;
	return v;
}

static inline int wrmsr_safe(u32 msr, u64 val)
{
	return EB_SAFE("wrmsr", : : "c"(msr), "a"((u32)val),
		       "d"((u32)(val >> 32)) : "r11", "memory");
}

static inline int xsetbv_safe(u32 xcr, u64 val)
{
	return EB_SAFE("xsetbv", : : "c"(xcr), "a"((u32)val),
		       "d"((u32)(val >> 32)) : "r11", "memory");
}

#endif /* EB_GUEST_PROCESSOR_H */
