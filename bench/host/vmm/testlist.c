// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exit tests.  The per-flavor columns record what runs where.  On
 * VMX and SVM every test runs at guest CPL0.  On PVM (no VMX/SVM: guest
 * CPL3 runs natively, guest CPL0 is emulated instruction by instruction)
 * they follow what `exitbench run --cpl 0|3` showed on the development
 * host (kvm_pvm, 2.3 GHz):
 *  - CPL3: RDMSR, WRMSR, XSETBV, HLT and the x2APIC MSRs raise #GP, as
 *    the architecture says, so those tests need CPL0 (emulated);
 *  - CPL3 port I/O traps (#GP; RFLAGS.IOPL does not survive the first
 *    exit, the TSS I/O bitmap admits the ports) and MMIO traps (#PF);
 *    KVM emulates the access: ~65k cycles to the PIC/LAPIC, ~180k to the
 *    VMM.  At CPL0 the same accesses cost ~2-3k/~25k on top of a ~10k
 *    emulated loop: --cpl 0 measures that;
 *  - CPUID at CPL3 is trapped too (~82k here) but, per DESIGN.md section
 *    5, answered by the outer hypervisor, not KVM: cpuid runs at CPL0;
 *  - VMCALL at CPL0 hangs the vCPU (the hidden hang_hypercall test shows
 *    the watchdog recovering from it), so hypercall is not run.
 */
#include <stdio.h>
#include <string.h>

#include "testlist.h"

#define HW		{ .supported = true, .cpl = 0 }
#define PVM_NATIVE	{ .supported = true, .cpl = 3, \
			  .note = "guest CPL3: the loop runs natively on PVM; the access traps (#GP for port I/O, #PF for MMIO) and KVM emulates it" }
#define PVM_EMULATED	{ .supported = true, .cpl = 0, .emulated = true, \
			  .note = "emulated: guest CPL0 is software-emulated on PVM (the run reports the empty CPL0 loop's cost)" }
#define ALL_HW(pvm)	{ [EB_FLAVOR_VMX] = HW, [EB_FLAVOR_SVM] = HW, [EB_FLAVOR_PVM] = pvm }
/* What KVM's exit counter must show, per hardware flavor (testlist.h). */
#define HW_EXITS(e)	{ .supported = true, .cpl = 0, .exits = (e) }
#define MODES(vmx, svm, pvm) \
	{ [EB_FLAVOR_VMX] = HW_EXITS(vmx), [EB_FLAVOR_SVM] = HW_EXITS(svm), \
	  [EB_FLAVOR_PVM] = pvm }
#define PVM_SKIP(why)	{ .supported = false, .note = (why) }

const struct eb_test eb_tests[] = {
	{
		.name = "nop", .id = EB_T_NOP,
		.desc = "empty timed loop: the harness's own cost (no exit)",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "cpuid", .id = EB_T_CPUID,
		.desc = "CPUID leaf 0, answered by KVM",
		/* at CPL3 on PVM, CPUID goes to the outer hypervisor */
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "hypercall", .id = EB_T_HYPERCALL,
		.desc = "VMCALL (Intel) / VMMCALL (AMD), unknown nr: -KVM_ENOSYS",
		.mode = ALL_HW(((struct eb_flavor_mode){ .supported = false,
			.note = "VMCALL/VMMCALL at guest CPL0 hang the vCPU on PVM, and KVM refuses hypercalls from CPL3" })),
	},
	{
		.name = "rdmsr", .id = EB_T_RDMSR,
		.desc = "RDMSR IA32_PAT, handled in KVM",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "wrmsr", .id = EB_T_WRMSR,
		.desc = "WRMSR IA32_PAT (same value), handled in KVM",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "wrmsr_tscdeadline", .id = EB_T_WRMSR_TSCDEADLINE,
		.needs = EB_NEED_X2APIC | EB_NEED_TSC_DEADLINE | EB_NEED_IRQCHIP,
		.x2apic = true,
		.desc = "WRMSR IA32_TSC_DEADLINE (far future): KVM's fastpath",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "xsetbv", .id = EB_T_XSETBV,
		.needs = EB_NEED_XSAVE | EB_NEED_XSETBV_EXIT,
		.desc = "XSETBV XCR0 with its current value",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "xsetbv_toggle", .id = EB_T_XSETBV_TOGGLE,
		.needs = EB_NEED_XSAVE | EB_NEED_XSETBV_EXIT,
		.desc = "XSETBV alternating XCR0 with a state bit cleared",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "hlt", .id = EB_T_HLT,
		.needs = EB_NEED_X2APIC | EB_NEED_IRQCHIP, .x2apic = true,
		.desc = "self-IPI, then STI;HLT woken by it (ICR + HLT exits, EOI)",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "pio_kernel", .id = EB_T_PIO_KERNEL,
		.needs = EB_NEED_IRQCHIP,
		.desc = "IN from the PIC mask port 0x21 (in-kernel device)",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "pio_user", .id = EB_T_PIO_USER, .oneway = true,
		.desc = "OUT to a port served by the VMM (KVM_EXIT_IO)",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "mmio_kernel", .id = EB_T_MMIO_KERNEL,
		.needs = EB_NEED_IRQCHIP,
		.desc = "read of the xAPIC timer count register (in-kernel LAPIC)",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "mmio_user", .id = EB_T_MMIO_USER, .oneway = true,
		.desc = "write to an address served by the VMM (KVM_EXIT_MMIO)",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "self_ipi", .id = EB_T_SELF_IPI,
		.needs = EB_NEED_X2APIC | EB_NEED_IRQCHIP, .x2apic = true,
		.desc = "x2APIC ICR write to self, waits for delivery (+ EOI exit)",
		.mode = ALL_HW(((struct eb_flavor_mode){ .supported = true,
			.cpl = 0, .emulated = true,
			.note = "emulated: guest CPL0 is software-emulated on PVM, which injects the IPI only after a batch of emulated instructions (kvm_pvm.pvm_emul_batch)" })),
	},

	/*
	 * The rest of the kvm-unit-tests x86/vmexit menu (bench/guest/menu.c).
	 * The exit expectations follow KVM's code; on svm they were measured
	 * under scripts/vmtest (kvm-amd of Debian's 6.1 in QEMU TCG).
	 */
	{
		.name = "mov_to_cr8", .id = EB_T_MOV_TO_CR8,
		.desc = "MOV 0 to CR8 (TPR): no exit once KVM drops the CR8-write intercept (VMX TPR shadow; SVM with no interrupt pending)",
		.mode = MODES(EB_EXITS_NONE, EB_EXITS_NONE, PVM_EMULATED),
	},
	{
		.name = "mov_from_cr8", .id = EB_T_MOV_FROM_CR8,
		.desc = "MOV from CR8 (TPR): served by the TPR shadow (VMX) or V_TPR (SVM) without an exit",
		.mode = MODES(EB_EXITS_NONE, EB_EXITS_NONE, PVM_EMULATED),
	},
	{
		.name = "mov_dr", .id = EB_T_MOV_DR,
		.desc = "MOV 0x400 to DR7: KVM takes the first DR access, then lets the guest own DR0-7 until the next exit",
		.mode = MODES(EB_EXITS_NONE, EB_EXITS_NONE, PVM_EMULATED),
	},
	{
		.name = "wbinvd", .id = EB_T_WBINVD,
		.desc = "WBINVD: a full exit; KVM flushes only with non-coherent DMA (none here)",
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY, PVM_EMULATED),
	},
	{
		.name = "invd", .id = EB_T_INVD,
		.desc = "INVD, completed by KVM as a NOP: beside wbinvd, the fastpath vs full exit where a kernel handles INVD in the fastpath (6.1 and v6.12 do not)",
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY, PVM_EMULATED),
	},
	{
		.name = "cr0_wp_toggle", .id = EB_T_CR0_WP_TOGGLE,
		.desc = "MOV to CR0 flipping CR0.WP each iteration (SVM: selective CR0 write exit; VMX with EPT: WP guest-owned in newer kernels)",
		.mode = MODES(EB_EXITS_UNCHECKED, EB_EXITS_EVERY, PVM_EMULATED),
	},
	{
		.name = "cr4_pge_toggle", .id = EB_T_CR4_PGE_TOGGLE,
		.desc = "MOV to CR4 flipping CR4.PGE each iteration: KVM intercepts it and flushes the guest TLB",
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY, PVM_EMULATED),
	},
	{
		.name = "wr_kernel_gs_base", .id = EB_T_WR_KERNEL_GS_BASE,
		.desc = "WRMSR KERNEL_GS_BASE: passed through by KVM, no exit (the control for the MSR exits)",
		.mode = MODES(EB_EXITS_NONE, EB_EXITS_NONE, PVM_EMULATED),
	},
	{
		.name = "wr_spec_ctrl", .id = EB_T_WR_SPEC_CTRL,
		.needs = EB_NEED_SPEC_CTRL,
		.desc = "WRMSR SPEC_CTRL 0: intercepted until the guest writes non-zero, so every write exits",
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY, PVM_EMULATED),
	},
	{
		.name = "wr_pred_cmd", .id = EB_T_WR_PRED_CMD,
		.needs = EB_NEED_PRED_CMD,
		.desc = "WRMSR PRED_CMD IBPB: passed through by KVM (after the first write at most), the cost is the IBPB",
		.mode = MODES(EB_EXITS_NONE, EB_EXITS_NONE, PVM_EMULATED),
	},
	{
		.name = "tscdeadline_fire", .id = EB_T_TSCDEADLINE_FIRE,
		.needs = EB_NEED_X2APIC | EB_NEED_TSC_DEADLINE | EB_NEED_IRQCHIP,
		.x2apic = true,
		.desc = "WRMSR TSC_DEADLINE = now, CPUID to serialize it (WRMSR to it is not serializing), wait for the timer interrupt (+ EOI exit)",
		/* measured on PVM: ~0.93M cycles per sample, self_ipi ~0.91M */
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY,
			      ((struct eb_flavor_mode){ .supported = true,
				.cpl = 0, .emulated = true,
				.note = "emulated: guest CPL0 is software-emulated on PVM; a sample costs about what self_ipi's does, whose interrupt PVM injects only after a batch of emulated instructions (kvm_pvm.pvm_emul_batch)" })),
	},
	{
		.name = "pio_user_ioeventfd", .id = EB_T_PIO_USER_IOEVENTFD,
		.needs = EB_NEED_IOEVENTFD,
		.desc = "OUT to a port claimed by a KVM_IOEVENTFD: completed in the kernel, signalled to an eventfd",
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY, PVM_NATIVE),
	},
	{
		.name = "mmio_user_ioeventfd", .id = EB_T_MMIO_USER_IOEVENTFD,
		.needs = EB_NEED_IOEVENTFD,
		.desc = "write to an address claimed by a KVM_IOEVENTFD (length 0: address only, as virtio notifies): completed in the kernel",
		.mode = MODES(EB_EXITS_EVERY, EB_EXITS_EVERY, PVM_NATIVE),
	},

	/* Test-only guest functions, used by tests/kvm. */
	{
		.name = "fault_ud", .id = EB_T_FAULT_UD, .hidden = true,
		.desc = "UD2: the guest must report vector 6 and its RIP",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "hang", .id = EB_T_HANG, .hidden = true,
		.desc = "spins forever: the watchdog must end it",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "hang_cpl0", .id = EB_T_HANG, .hidden = true,
		.desc = "spins forever at CPL0: the watchdog must end it",
		.mode = ALL_HW(PVM_EMULATED),
	},
	{
		.name = "bad_port", .id = EB_T_BAD_PORT, .hidden = true,
		.desc = "OUT to a port nobody serves: the test must fail",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		.name = "bad_mmio", .id = EB_T_BAD_MMIO, .hidden = true,
		.desc = "write to an address nobody serves: the test must fail",
		.mode = ALL_HW(PVM_NATIVE),
	},
	{
		/* an exiting instruction declared pass-through */
		.name = "exits_none_bad", .id = EB_T_PIO_KERNEL, .hidden = true,
		.needs = EB_NEED_IRQCHIP,
		.desc = "IN from the PIC, which exits, declared exit-free: the exit check must warn",
		.mode = MODES(EB_EXITS_NONE, EB_EXITS_NONE,
			      ((struct eb_flavor_mode){ .supported = true,
				.cpl = 3, .exits = EB_EXITS_NONE })),
	},
	{
		.name = "hang_hypercall", .id = EB_T_HANG_HYPERCALL,
		.hidden = true,
		.desc = "VMCALL at CPL0 even on PVM, where it hangs the vCPU",
		.mode = ALL_HW(PVM_EMULATED),
	},
};

const unsigned int eb_tests_count = sizeof(eb_tests) / sizeof(eb_tests[0]);

const struct eb_test *eb_test_find(const char *name)
{
	for (unsigned int i = 0; i < eb_tests_count; i++)
		if (!strcmp(eb_tests[i].name, name))
			return &eb_tests[i];
	return NULL;
}

const char *eb_test_skip_reason(const struct eb_test *t,
				const struct eb_host *host,
				char *buf, size_t len)
{
	const struct eb_flavor_mode *m;

	if (host->flavor == EB_FLAVOR_UNKNOWN)
		return "unknown KVM flavor: no vmx/svm/pvm module found";
	m = &t->mode[host->flavor];
	if (!m->supported) {
		snprintf(buf, len, "%s: %s", eb_flavor_name(host->flavor),
			 m->note ? m->note : "not supported");
		return buf;
	}
	if ((t->needs & EB_NEED_IRQCHIP) && !host->irqchip)
		return "needs the in-kernel irqchip (KVM_CREATE_IRQCHIP failed)";
	if ((t->needs & EB_NEED_X2APIC) && !host->guest_x2apic)
		return "needs x2APIC in the guest CPUID";
	if ((t->needs & EB_NEED_TSC_DEADLINE) && !host->guest_tsc_deadline)
		return "needs the TSC-deadline timer (KVM_CAP_TSC_DEADLINE_TIMER not offered)";
	if ((t->needs & EB_NEED_SPEC_CTRL) && !host->guest_spec_ctrl)
		return "needs IA32_SPEC_CTRL in the guest CPUID (CPUID.7:EDX[26] or AMD IBRS/STIBP/SSBD)";
	if ((t->needs & EB_NEED_PRED_CMD) && !host->guest_pred_cmd)
		return "needs IA32_PRED_CMD in the guest CPUID (CPUID.7:EDX[26] or CPUID.0x80000008:EBX[12] IBPB)";
	if ((t->needs & EB_NEED_IOEVENTFD) && !host->ioeventfd)
		return host->ioeventfd_err[0] ? host->ioeventfd_err :
		       "needs KVM_IOEVENTFD";
	if ((t->needs & EB_NEED_XSAVE) && !host->guest_xsave)
		return "needs XSAVE in the guest CPUID and CR4.OSXSAVE (KVM_GET_SUPPORTED_CPUID lacks it)";
	/*
	 * QEMU's TCG (7.2) has no XSETBV intercept in its SVM emulation: a
	 * guest XSETBV completes without a #VMEXIT.  Measured with the
	 * kvm_exit tracepoint under scripts/vmtest: 1000 XSETBVs gave no
	 * xsetbv exit, 1000 CPUIDs gave 1000 cpuid exits.
	 */
	if ((t->needs & EB_NEED_XSETBV_EXIT) && host->emulated &&
	    !strcmp(host->emulated, "tcg"))
		return "QEMU TCG does not intercept XSETBV: no VM exit happens, so there is none to time";
	return NULL;
}

const char *eb_exits_name(enum eb_exits e)
{
	switch (e) {
	case EB_EXITS_EVERY:
		return "every";
	case EB_EXITS_NONE:
		return "none";
	case EB_EXITS_UNCHECKED:
		break;
	}
	return "unchecked";
}
