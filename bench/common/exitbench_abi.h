// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest <-> host ABI of exitbench, in one header.
 *
 * The host (bench/host) builds page tables, GDT, TSS and IDT at the fixed
 * guest-physical addresses below, loads the flat guest image at
 * EB_GPA_IMAGE, writes a command into the mailbox and enters the guest at
 * the image header's entry point.  The guest runs the command, keeps every
 * sample in the sample buffer (the host reads it directly: no exit is spent
 * on reporting) and finishes with one OUT to EB_PORT_DONE.  An exception is
 * reported the same way, with its vector, error code and RIP in the mailbox.
 *
 * Included by freestanding guest code and by the host: plain C, fixed-width
 * types only, no pointers in shared structures (addresses are u64 GPAs;
 * guest memory is identity mapped, so a GPA is also the guest's GVA).
 *
 * Bump EB_ABI_VERSION on any incompatible change; the host refuses a guest
 * image with another version.
 */
#ifndef EXITBENCH_ABI_H
#define EXITBENCH_ABI_H

#define EB_ABI_VERSION		1

#define EB_IMAGE_MAGIC		0x31474245u	/* "EBG1" */
#define EB_MAILBOX_MAGIC	0x314d4245u	/* "EBM1" */

/*
 * Guest-physical layout.  RAM is one memslot [0, EB_GUEST_RAM_SIZE);
 * the page tables identity-map it with 2 MB pages (1 GB pages are not
 * always offered to the guest), plus the two 2 MB MMIO windows below.
 */
#define EB_GUEST_RAM_SIZE	(64ull << 20)
#define EB_GPA_PML4		0x1000ull
#define EB_GPA_PDPT		0x2000ull
#define EB_GPA_PD_LOW		0x3000ull	/* 0 .. 1 GB: RAM */
#define EB_GPA_PD_HIGH		0x4000ull	/* 3 .. 4 GB: MMIO windows */
#define EB_GPA_GDT		0x5000ull
#define EB_GPA_IDT		0x7000ull
#define EB_GPA_MAILBOX		0x8000ull	/* one page */
/*
 * The TSS carries a full I/O permission bitmap (all ports allowed): on PVM
 * the guest's RFLAGS.IOPL does not survive the first exit, so CPL3 port
 * I/O is allowed through the bitmap, which KVM's emulator also checks.
 */
#define EB_GPA_TSS		0x10000ull
#define EB_TSS_IOMAP_OFFSET	104
#define EB_TSS_LIMIT		(EB_TSS_IOMAP_OFFSET + 65536 / 8)	/* + 0xff byte */
#define EB_GPA_IMAGE		0x100000ull	/* flat guest image */
#define EB_IMAGE_MAX		0x100000ull
#define EB_GPA_STACK0_TOP	0x300000ull	/* CPL0 stack */
#define EB_GPA_STACK3_TOP	0x380000ull	/* CPL3 stack */
#define EB_GPA_STACK_EXC_TOP	0x3c0000ull	/* TSS.RSP0: traps from CPL3 */
#define EB_GPA_SAMPLES		0x400000ull	/* sample buffer to end of RAM */
#define EB_SAMPLES_BYTES	(EB_GUEST_RAM_SIZE - EB_GPA_SAMPLES)

/* Not backed by a memslot: accesses exit to the VMM (KVM_EXIT_MMIO). */
#define EB_GPA_MMIO_USER	0xc0000000ull
#define EB_GPA_MMIO_BAD		0xc0001000ull	/* test-only: unexpected address */
/* Claimed by a KVM_IOEVENTFD: completed in the kernel, never reaches the VMM. */
#define EB_GPA_MMIO_EVENTFD	0xc0002000ull
/* The local APIC's default base (in-kernel irqchip, xAPIC mode). */
#define EB_GPA_LAPIC		0xfee00000ull

/* GDT selectors (the host builds the GDT). */
#define EB_SEL_CODE0		0x08
#define EB_SEL_DATA0		0x10
#define EB_SEL_DATA3		0x1b	/* index 3, RPL 3 */
#define EB_SEL_CODE3		0x23	/* index 4, RPL 3 */
#define EB_SEL_TSS		0x28	/* 16-byte descriptor, index 5-6 */

/*
 * Ports.  Chosen away from every device the in-kernel irqchip/PIT claim
 * (0x20-0x21, 0x40-0x43, 0x61, 0xa0-0xa1, 0x4d0-0x4d1).
 */
#define EB_PORT_DONE		0xeb00	/* guest finished: read the mailbox */
#define EB_PORT_USER		0xeb01	/* pio_user: served by the VMM */
#define EB_PORT_EVENTFD		0xeb03	/* pio_user_ioeventfd: a KVM_IOEVENTFD
					 * (0xeb02 is EB_PORT_APX_UABI) */
#define EB_PORT_BAD		0xeb0f	/* test-only: unexpected port */
/*
 * EB_F_MARKS: one OUT right before the warm-up and one right after the
 * last sample, outside every timed region, so that the VMM can read
 * KVM's per-vCPU counters around exactly the timed loop.
 */
#define EB_PORT_MARK		0xeb04	/* 0xeb03 is EB_PORT_EVENTFD */
#define EB_PORT_PIC_IMR		0x21	/* pio_kernel: master PIC mask */

/* Interrupt vectors used by the guest. */
#define EB_VEC_IPI		0xf0
#define EB_VEC_TIMER		0xf1
#define EB_VEC_SPURIOUS		0xff

#ifndef __ASSEMBLER__
/* Test ids: the guest function run by a command.  Append only. */
enum eb_test_id {
	EB_T_NONE = 0,
	EB_T_NOP,
	EB_T_CPUID,
	EB_T_HYPERCALL,
	EB_T_RDMSR,
	EB_T_WRMSR,
	EB_T_WRMSR_TSCDEADLINE,
	EB_T_XSETBV,
	EB_T_XSETBV_TOGGLE,
	EB_T_HLT,
	EB_T_PIO_KERNEL,
	EB_T_PIO_USER,
	EB_T_MMIO_KERNEL,
	EB_T_MMIO_USER,
	EB_T_SELF_IPI,
	/* test-only guest functions: never timed, used by the test suite */
	EB_T_FAULT_UD,
	EB_T_HANG,
	EB_T_BAD_PORT,
	EB_T_BAD_MMIO,
	EB_T_HANG_HYPERCALL,
	/* exitbench selftest: exit test delay_test with a known delay */
	EB_T_DELAYED,
	/* the kvm-unit-tests x86/vmexit menu (bench/guest/menu.c) */
	EB_T_MOV_TO_CR8,
	EB_T_MOV_FROM_CR8,
	EB_T_MOV_DR,
	EB_T_WBINVD,
	EB_T_INVD,
	EB_T_CR0_WP_TOGGLE,
	EB_T_CR4_PGE_TOGGLE,
	EB_T_WR_KERNEL_GS_BASE,
	EB_T_WR_SPEC_CTRL,
	EB_T_WR_PRED_CMD,
	EB_T_TSCDEADLINE_FIRE,
	EB_T_PIO_USER_IOEVENTFD,
	EB_T_MMIO_USER_IOEVENTFD,
	EB_T_COUNT
};

/* Command flags (mailbox.flags). */
#define EB_F_STAMPS		(1u << 0) /* also store each sample's start TSC */
#define EB_F_VMMCALL		(1u << 1) /* hypercall: AMD VMMCALL, not VMCALL */
#define EB_F_X2APIC		(1u << 2) /* APIC is in x2APIC mode */
#define EB_F_SET_XCR0		(1u << 3) /* XSETBV(xcr0) before the test */
#define EB_F_DELAY_TSC		(1u << 4) /* EB_T_DELAYED: delay_iters are TSC cycles */
#define EB_F_MARKS		(1u << 5) /* EB_PORT_MARK around the timed loop */

/* Result codes (mailbox.status). */
enum eb_result {
	EB_RES_NONE = 0,	/* guest never got to report */
	EB_RES_OK,
	EB_RES_EXCEPTION,	/* see mailbox.exc */
	EB_RES_BAD_COMMAND,	/* unknown test id or bad parameters */
	EB_RES_BAD_MAILBOX,	/* magic/version mismatch */
};

/* What the guest's trap handler saw (status == EB_RES_EXCEPTION). */
struct eb_exception {
	unsigned long long vector;
	unsigned long long error_code;
	unsigned long long rip;
	unsigned long long cs;
	unsigned long long rflags;
	unsigned long long rsp;
	unsigned long long cr2;		/* valid for #PF (14) only */
};

/*
 * At EB_GPA_MAILBOX.  The host writes the command part and zeroes the
 * report part before each entry; the guest writes only the report part.
 */
struct eb_mailbox {
	/* header */
	unsigned int magic;		/* EB_MAILBOX_MAGIC */
	unsigned int abi_version;	/* EB_ABI_VERSION */

	/* command: host -> guest */
	unsigned int test_id;		/* enum eb_test_id */
	unsigned int flags;		/* EB_F_* */
	unsigned long long samples;	/* kept samples */
	unsigned long long warmup;	/* discarded samples, run first */
	unsigned long long batch;	/* exits per sample (>= 1) */
	unsigned long long samples_gpa;	/* u64[samples]: TSC cycles per sample */
	unsigned long long stamps_gpa;	/* u64[samples]: start TSC (EB_F_STAMPS) */
	unsigned long long msr;		/* rdmsr/wrmsr: MSR index */
	unsigned long long xcr0;	/* xsetbv: current guest XCR0 */
	unsigned long long xcr0_alt;	/* xsetbv_toggle: the other value */
	unsigned long long set_xcr0;	/* EB_F_SET_XCR0: value to load */
	unsigned long long hypercall_nr;	/* hypercall: RAX */
	unsigned long long apx;		/* reserved for the APX modes (0 = off) */
	unsigned long long delay_iters;	/* EB_T_DELAYED: delay loop iterations */
	unsigned long long delay_test;	/* EB_T_DELAYED: the exit test (id) */
	unsigned long long reserved[5];

	/* report: guest -> host */
	unsigned int status;		/* enum eb_result */
	unsigned int cpl;		/* CPL the test ran at */
	unsigned long long done;	/* samples stored (warm-up excluded) */
	unsigned long long warmup_done;	/* warm-up samples run and discarded */
	unsigned long long irqs;	/* interrupts taken during the command */
	unsigned long long last_value;	/* last value read (rdmsr, hypercall) */
	struct eb_exception exc;
	unsigned long long progress;	/* samples run so far, warm-up included:
					 * the host's watchdog looks for progress */
	unsigned long long report_reserved[7];
};

/*
 * First bytes of the flat guest image (at EB_GPA_IMAGE).  The host checks
 * magic and version, enters at @entry and builds the IDT from
 * @vector_stubs: 256 stubs, @vector_stride bytes apart.
 */
struct eb_image_header {
	unsigned int magic;		/* EB_IMAGE_MAGIC */
	unsigned int abi_version;
	unsigned long long entry;
	unsigned long long vector_stubs;
	unsigned long long vector_stride;
	unsigned long long image_end;	/* end of .bss: must fit EB_IMAGE_MAX */
	unsigned long long ud_site;	/* RIP of the fault_ud test's UD2 */
};

#endif /* !__ASSEMBLER__ */

#endif /* EXITBENCH_ABI_H */
