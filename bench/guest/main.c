// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest side of the mailbox: check the command, set up what the test
 * needs (APIC mode, XCR0), run it, and turn any exception into a report.
 */
#include "exitbench_abi.h"
#include "processor.h"
#include "tests.h"
#include "apx_guest.h"

volatile u64 eb_safe_resume, eb_safe_vector;

/* The stack frame eb_trap_common (start.S) builds. */
struct eb_frame {
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

void eb_trap(struct eb_frame *f);
void eb_main(struct eb_mailbox *mb);
void eb_done(void) __attribute__((noreturn));

static struct eb_mailbox *const mailbox = (struct eb_mailbox *)EB_GPA_MAILBOX;

static void apic_eoi(void)
{
	if (mailbox->flags & EB_F_X2APIC)
		wrmsr(MSR_X2APIC_EOI, 0);
	else
		writel(EB_GPA_LAPIC + XAPIC_EOI, 0);
}

void eb_trap(struct eb_frame *f)
{
	if (f->vector >= 32) {
		/* hlt and self_ipi count their wake-ups. */
		mailbox->irqs++;
		if (f->vector != EB_VEC_SPURIOUS)
			apic_eoi();
		return;
	}
	if (eb_safe_resume) {
		eb_safe_vector = f->vector;
		f->rip = eb_safe_resume;
		eb_safe_resume = 0;
		return;
	}
	mailbox->exc.vector = f->vector;
	mailbox->exc.error_code = f->error_code;
	mailbox->exc.rip = f->rip;
	mailbox->exc.cs = f->cs;
	mailbox->exc.rflags = f->rflags;
	mailbox->exc.rsp = f->rsp;
	/* CR2 is only readable at CPL0, which is where traps are handled. */
	mailbox->exc.cr2 = f->vector == 14 ? read_cr2() : 0;
	mailbox->status = EB_RES_EXCEPTION;
	eb_done();
}

void eb_main(struct eb_mailbox *mb)
{
	mb->cpl = read_cs() & 3;
	if (mb->magic != EB_MAILBOX_MAGIC || mb->abi_version != EB_ABI_VERSION) {
		mb->status = EB_RES_BAD_MAILBOX;
		return;
	}
	if (mb->test_id >= EB_T_COUNT || !mb->batch ||
	    mb->samples * sizeof(u64) > EB_SAMPLES_BYTES / 2) {
		mb->status = EB_RES_BAD_COMMAND;
		return;
	}
	if (mb->flags & EB_F_SET_XCR0)
		xsetbv(0, mb->set_xcr0);
	/* APX modes: nothing EGPR-related may run before this check */
	mb->status = eb_apx_before(mb);
	if (mb->status != EB_RES_OK)
		return;
	mb->status = eb_run_test(mb);
	if (mb->status == EB_RES_OK)
		eb_apx_after(mb);
}
