// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rest of the exit menu kernel developers quote (kvm-unit-tests'
 * x86/vmexit): control and debug registers, cache instructions, the
 * mitigation MSRs, an MSR KVM passes through, a TSC-deadline timer that
 * fires, and exits completed in the kernel through KVM_IOEVENTFD.  Same
 * shape as tests.c: one timed loop around one instruction each.
 *
 * Whether an instruction exits at all is KVM's choice and differs by
 * vendor and kernel; the host's test table (testlist.c) says what each
 * flavor must show in KVM's exit counter and checks it.
 */
#include "exitbench_abi.h"
#include "processor.h"
#include "tests.h"
#include "loop.h"

unsigned int t_mov_to_cr8(struct eb_mailbox *mb)
{
	EB_LOOP(mb, write_cr8(0));
	return EB_RES_OK;
}

unsigned int t_mov_from_cr8(struct eb_mailbox *mb)
{
	u64 v = 0;

	EB_LOOP(mb, v = read_cr8());
	mb->last_value = v;
	return EB_RES_OK;
}

/* DR7 with no breakpoint enabled: only the always-one bit 10. */
unsigned int t_mov_dr(struct eb_mailbox *mb)
{
	EB_LOOP(mb, write_dr7(DR7_FIXED_1));
	return EB_RES_OK;
}

unsigned int t_wbinvd(struct eb_mailbox *mb)
{
	EB_LOOP(mb, wbinvd());
	return EB_RES_OK;
}

/*
 * INVD would drop dirty lines if it ran natively; VMX exits on it
 * unconditionally and KVM intercepts it on SVM, completing it as a NOP
 * (the guest never owns the host's caches), so it is safe to time.
 */
unsigned int t_invd(struct eb_mailbox *mb)
{
	EB_LOOP(mb, invd());
	return EB_RES_OK;
}

/*
 * One CR0 write per iteration, alternating CR0.WP clear and set.  The
 * guest relies on WP nowhere, and the loop ends with it set again.
 */
unsigned int t_cr0_wp_toggle(struct eb_mailbox *mb)
{
	const u64 on = read_cr0() | X86_CR0_WP, off = on & ~X86_CR0_WP;
	u64 cur = on;

	EB_LOOP(mb, (cur = cur == on ? off : on, write_cr0(cur)));
	write_cr0(on);
	return EB_RES_OK;
}

/*
 * One CR4 write per iteration, alternating CR4.PGE set and clear; each
 * change flushes the TLB, global entries included (SDM Vol. 3A, 4.10.4.1).
 * The guest's page tables have no global pages; PGE ends as it began.
 */
unsigned int t_cr4_pge_toggle(struct eb_mailbox *mb)
{
	const u64 start = read_cr4(), other = start ^ X86_CR4_PGE;
	u64 cur = start;

	EB_LOOP(mb, (cur = cur == start ? other : start, write_cr4(cur)));
	write_cr4(start);
	return EB_RES_OK;
}

unsigned int t_wr_kernel_gs_base(struct eb_mailbox *mb)
{
	EB_LOOP(mb, wrmsr(MSR_KERNEL_GS_BASE, 0));
	return EB_RES_OK;
}

/*
 * Zero only: KVM intercepts SPEC_CTRL until the guest first writes a
 * non-zero value, then passes it through, so writing 0 keeps it exiting.
 */
unsigned int t_wr_spec_ctrl(struct eb_mailbox *mb)
{
	EB_LOOP(mb, wrmsr(MSR_IA32_SPEC_CTRL, 0));
	return EB_RES_OK;
}

unsigned int t_wr_pred_cmd(struct eb_mailbox *mb)
{
	EB_LOOP(mb, wrmsr(MSR_IA32_PRED_CMD, PRED_CMD_IBPB));
	return EB_RES_OK;
}

/*
 * Arm the TSC-deadline timer with a deadline already passed and wait,
 * interrupts on, for its interrupt.  WRMSR to IA32_TSC_DEADLINE is not
 * serializing (SDM Vol. 2B, WRMSR): where the APIC timer is virtualized
 * and the WRMSR does not exit, the wait could start before the timer is
 * armed.  CPUID after it serializes (kvm-unit-tests made the same fix in
 * 2026), at the price of one CPUID exit per iteration on VMX/SVM.
 */
static void tscdeadline_fire_one(struct eb_mailbox *mb)
{
	volatile u64 *irqs = &mb->irqs;
	u64 before = *irqs;
	u32 a, b, c, d;

	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc_end());
	cpuid(0, 0, &a, &b, &c, &d);
	while (*irqs == before)
		pause();
}

unsigned int t_tscdeadline_fire(struct eb_mailbox *mb)
{
	x2apic_setup();
	wrmsr(MSR_X2APIC_LVTT, APIC_LVTT_TSCDEADLINE | EB_VEC_TIMER);
	sti();
	EB_LOOP(mb, tscdeadline_fire_one(mb));
	cli();
	wrmsr(MSR_X2APIC_LVTT, APIC_LVT_MASKED | APIC_LVTT_TSCDEADLINE |
	      EB_VEC_TIMER);
	return EB_RES_OK;
}

unsigned int t_pio_user_ioeventfd(struct eb_mailbox *mb)
{
	EB_LOOP(mb, outb(EB_PORT_EVENTFD, 0));
	return EB_RES_OK;
}

unsigned int t_mmio_user_ioeventfd(struct eb_mailbox *mb)
{
	EB_LOOP(mb, writel(EB_GPA_MMIO_EVENTFD, 0));
	return EB_RES_OK;
}
