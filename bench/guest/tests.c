// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exit tests: one small function per test, each a timed loop around
 * one exiting instruction (see exitbench_abi.h for the mailbox fields).
 *
 * Inside a timed loop nothing exits except the measured instruction: no
 * calls, no port writes, no allocation; samples go straight to guest
 * memory, which the host reads after the command.
 */
#include "exitbench_abi.h"
#include "processor.h"
#include "tests.h"

/* A huge but overflow-free TSC-deadline delta (~400 s at 2.5 GHz). */
#define FAR_DEADLINE	1000000000000ull
#define HANG_FOREVER	for (;;) pause()

void eb_fault_ud(void);

/* The VMM reads KVM's counters here (EB_F_MARKS): never inside a timed region. */
static inline void eb_mark(struct eb_mailbox *mb)
{
	if (mb->flags & EB_F_MARKS)
		outb(EB_PORT_MARK, 0);
}

/*
 * EB_LOOP(mb, op): warm-up then kept samples; each sample is @batch
 * executions of @op between two fenced TSC reads (processor.h says why
 * the fences sit where they do).  Loop bounds live in locals so the loop
 * does not reload the mailbox.
 */
#define EB_LOOP(mb, op)							\
	do {								\
		u64 *samples_ = (u64 *)(mb)->samples_gpa;		\
		u64 *stamps_ = (u64 *)(mb)->stamps_gpa;		\
		const u64 warm_ = (mb)->warmup;				\
		const u64 n_ = warm_ + (mb)->samples;			\
		const u64 batch_ = (mb)->batch;				\
		const int keep_ = !!((mb)->flags & EB_F_STAMPS);	\
									\
		eb_mark(mb);						\
		for (u64 i_ = 0; i_ < n_; i_++) {			\
			u64 t0_ = rdtsc_begin(), t1_;			\
									\
			for (u64 k_ = 0; k_ < batch_; k_++) {		\
				op;					\
			}						\
			t1_ = rdtsc_end();				\
			if (i_ >= warm_) {				\
				samples_[i_ - warm_] = t1_ - t0_;	\
				if (keep_)				\
					stamps_[i_ - warm_] = t0_;	\
			}						\
			(mb)->progress = i_ + 1;	/* for the watchdog */ \
		}							\
		eb_mark(mb);						\
		(mb)->warmup_done = warm_;				\
		(mb)->done = n_ - warm_;				\
	} while (0)

/* Compiler barrier: keeps an empty loop body in place. */
#define NOTHING	asm volatile("" ::: "memory")

static void x2apic_setup(void)
{
	wrmsr(MSR_X2APIC_SVR, APIC_SVR_ENABLE | EB_VEC_SPURIOUS);
	wrmsr(MSR_X2APIC_TPR, 0);
	wrmsr(MSR_X2APIC_LVTT, APIC_LVT_MASKED | APIC_LVTT_TSCDEADLINE |
	      EB_VEC_TIMER);
}

static unsigned int t_nop(struct eb_mailbox *mb)
{
	EB_LOOP(mb, NOTHING);
	return EB_RES_OK;
}

static unsigned int t_cpuid(struct eb_mailbox *mb)
{
	u32 a = 0, b, c, d;

	EB_LOOP(mb, cpuid(0, 0, &a, &b, &c, &d));
	mb->last_value = a;
	return EB_RES_OK;
}

static unsigned int t_hypercall(struct eb_mailbox *mb)
{
	u64 nr = mb->hypercall_nr, ret = 0;

	if (mb->flags & EB_F_VMMCALL)
		EB_LOOP(mb, ret = vmmcall(nr));
	else
		EB_LOOP(mb, ret = vmcall(nr));
	mb->last_value = ret;
	return EB_RES_OK;
}

static unsigned int t_rdmsr(struct eb_mailbox *mb)
{
	u32 msr = mb->msr;
	u64 v = 0;

	EB_LOOP(mb, v = rdmsr(msr));
	mb->last_value = v;
	return EB_RES_OK;
}

static unsigned int t_wrmsr(struct eb_mailbox *mb)
{
	u32 msr = mb->msr;
	u64 v = rdmsr(msr);	/* write back what is there: no side effect */

	EB_LOOP(mb, wrmsr(msr, v));
	mb->last_value = v;
	return EB_RES_OK;
}

static unsigned int t_wrmsr_tscdeadline(struct eb_mailbox *mb)
{
	u64 deadline;

	x2apic_setup();
	deadline = rdtsc_end() + FAR_DEADLINE;
	EB_LOOP(mb, wrmsr(MSR_IA32_TSC_DEADLINE, deadline));
	wrmsr(MSR_IA32_TSC_DEADLINE, 0);	/* disarm */
	return EB_RES_OK;
}

static unsigned int t_xsetbv(struct eb_mailbox *mb)
{
	u64 xcr0 = mb->xcr0;

	EB_LOOP(mb, xsetbv(0, xcr0));
	return EB_RES_OK;
}

/* Each exit switches XCR0: KVM must reload the guest's state bits. */
static unsigned int t_xsetbv_toggle(struct eb_mailbox *mb)
{
	u64 a = mb->xcr0, b = mb->xcr0_alt, cur = a;

	EB_LOOP(mb, (cur = cur == a ? b : a, xsetbv(0, cur)));
	xsetbv(0, a);
	return EB_RES_OK;
}

/*
 * HLT woken by a self-IPI sent just before with interrupts off: each
 * iteration is the ICR write exit, the HLT exit and the interrupt
 * injection plus the handler's EOI write.
 */
static unsigned int t_hlt(struct eb_mailbox *mb)
{
	const u64 icr = APIC_ICR_SELF | EB_VEC_IPI;

	x2apic_setup();
	EB_LOOP(mb, (wrmsr(MSR_X2APIC_ICR, icr), sti_hlt(), cli()));
	return EB_RES_OK;
}

/*
 * Self-IPI with interrupts enabled, waiting for each one to arrive: the
 * ICR write exit, the interrupt injected (on VMX/SVM at the very next
 * entry), and the handler's EOI write.  Waiting keeps IPIs from
 * coalescing in IRR where injection is lazy (PVM's emulated CPL0).
 */
static void self_ipi_wait(struct eb_mailbox *mb, u64 icr)
{
	volatile u64 *irqs = &mb->irqs;
	u64 before = *irqs;

	wrmsr(MSR_X2APIC_ICR, icr);
	while (*irqs == before)
		pause();
}

static unsigned int t_self_ipi(struct eb_mailbox *mb)
{
	const u64 icr = APIC_ICR_SELF | EB_VEC_IPI;

	x2apic_setup();
	sti();
	EB_LOOP(mb, self_ipi_wait(mb, icr));
	cli();
	return EB_RES_OK;
}

static unsigned int t_pio_kernel(struct eb_mailbox *mb)
{
	u8 v = 0;

	EB_LOOP(mb, v = inb(EB_PORT_PIC_IMR));
	mb->last_value = v;
	return EB_RES_OK;
}

static unsigned int t_pio_user(struct eb_mailbox *mb)
{
	EB_LOOP(mb, outb(EB_PORT_USER, 0));
	return EB_RES_OK;
}

/*
 * The timer current-count register: unlike most APIC registers, APICv's
 * APIC-register virtualization does not serve its reads (SDM Vol. 3C,
 * "Virtualizing Reads from the APIC-Access Page"), so every read exits.
 */
static unsigned int t_mmio_kernel(struct eb_mailbox *mb)
{
	u32 v = 0;

	EB_LOOP(mb, v = readl(EB_GPA_LAPIC + XAPIC_TMCCT));
	mb->last_value = v;
	return EB_RES_OK;
}

static unsigned int t_mmio_user(struct eb_mailbox *mb)
{
	EB_LOOP(mb, writel(EB_GPA_MMIO_USER, 0));
	return EB_RES_OK;
}

static unsigned int t_fault_ud(struct eb_mailbox *mb)
{
	eb_fault_ud();
	return EB_RES_OK;	/* not reached: the trap handler reports */
}

static unsigned int __attribute__((noreturn)) t_hang(struct eb_mailbox *mb)
{
	HANG_FOREVER;
}

static unsigned int t_bad_port(struct eb_mailbox *mb)
{
	outb(EB_PORT_BAD, 0);
	return EB_RES_OK;
}

static unsigned int t_bad_mmio(struct eb_mailbox *mb)
{
	writel(EB_GPA_MMIO_BAD, 0);
	return EB_RES_OK;
}

static unsigned int t_hang_hypercall(struct eb_mailbox *mb)
{
	mb->last_value = vmcall(mb->hypercall_nr);
	return EB_RES_OK;
}

/*
 * exitbench selftest: exit test @delay_test with delay_loop(@delay_iters)
 * inside the timed region, before the exit.  The same code runs with 0
 * iterations for the "A" side, so A and A+D differ only by the delay.
 */
static unsigned int t_delayed(struct eb_mailbox *mb)
{
	const u64 d = mb->delay_iters;
	u32 a = 0, b, c, dx;
	u64 v = 0;

	switch (mb->delay_test) {
	case EB_T_NOP:		/* calibration: the delay alone */
		EB_LOOP(mb, delay_loop(d));
		break;
	case EB_T_CPUID:
		EB_LOOP(mb, (delay_loop(d), cpuid(0, 0, &a, &b, &c, &dx)));
		break;
	case EB_T_RDMSR:
		EB_LOOP(mb, (delay_loop(d), v = rdmsr(mb->msr)));
		break;
	case EB_T_PIO_KERNEL:
		EB_LOOP(mb, (delay_loop(d), v = inb(EB_PORT_PIC_IMR)));
		break;
	case EB_T_PIO_USER:
		EB_LOOP(mb, (delay_loop(d), outb(EB_PORT_USER, 0)));
		break;
	case EB_T_MMIO_KERNEL:
		EB_LOOP(mb, (delay_loop(d), v = readl(EB_GPA_LAPIC + XAPIC_VERSION)));
		break;
	case EB_T_MMIO_USER:
		EB_LOOP(mb, (delay_loop(d), writel(EB_GPA_MMIO_USER, 0)));
		break;
	default:
		return EB_RES_BAD_COMMAND;
	}
	mb->last_value = v + a;
	return EB_RES_OK;
}

static unsigned int (*const tests[EB_T_COUNT])(struct eb_mailbox *) = {
	[EB_T_NOP] = t_nop,
	[EB_T_CPUID] = t_cpuid,
	[EB_T_HYPERCALL] = t_hypercall,
	[EB_T_RDMSR] = t_rdmsr,
	[EB_T_WRMSR] = t_wrmsr,
	[EB_T_WRMSR_TSCDEADLINE] = t_wrmsr_tscdeadline,
	[EB_T_XSETBV] = t_xsetbv,
	[EB_T_XSETBV_TOGGLE] = t_xsetbv_toggle,
	[EB_T_HLT] = t_hlt,
	[EB_T_PIO_KERNEL] = t_pio_kernel,
	[EB_T_PIO_USER] = t_pio_user,
	[EB_T_MMIO_KERNEL] = t_mmio_kernel,
	[EB_T_MMIO_USER] = t_mmio_user,
	[EB_T_SELF_IPI] = t_self_ipi,
	[EB_T_FAULT_UD] = t_fault_ud,
	[EB_T_HANG] = t_hang,
	[EB_T_BAD_PORT] = t_bad_port,
	[EB_T_BAD_MMIO] = t_bad_mmio,
	[EB_T_HANG_HYPERCALL] = t_hang_hypercall,
	[EB_T_DELAYED] = t_delayed,
};

unsigned int eb_run_test(struct eb_mailbox *mb)
{
	if (!tests[mb->test_id])
		return EB_RES_BAD_COMMAND;
	return tests[mb->test_id](mb);
}
