/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest start-up: the image header, the entry point and the 256 IDT
 * vector stubs.  The host enters long mode directly (KVM_SET_SREGS), so
 * there is no mode switch here; it also builds GDT, TSS and IDT, so the
 * guest never executes LGDT/LIDT (which a CPL3 entry could not do).
 */
#include "exitbench_abi.h"

	.section .header, "a"
	.balign 8
	.globl eb_image_header
eb_image_header:
	.long EB_IMAGE_MAGIC
	.long EB_ABI_VERSION
	.quad eb_entry
	.quad eb_vector_stubs
	.quad 16
	.quad eb_image_end
	.quad eb_ud_site

	.text
/*
 * The host sets RSP (CPL0 or CPL3 stack) and RFLAGS; entered with
 * interrupts off.  eb_main() runs the mailbox command; one OUT then hands
 * control back to the VMM.  The VMM never resumes after EB_PORT_DONE
 * without resetting RIP, but loop anyway in case it does.
 */
	.globl eb_entry
eb_entry:
	xor %ebp, %ebp
	mov $EB_GPA_MAILBOX, %rdi
	call eb_main
	.globl eb_done
eb_done:
	mov $EB_PORT_DONE, %dx
	out %al, %dx
	jmp eb_done

/*
 * The fault_ud test: the UD2's address is in the image header so that the
 * host can check the RIP the trap handler reports.
 */
	.globl eb_fault_ud
eb_fault_ud:
	.globl eb_ud_site
eb_ud_site:
	ud2
	ret

/*
 * One 16-byte stub per vector.  Vectors where the CPU pushes an error code
 * (SDM Vol. 3A, 6.13) do not push a dummy one, so the frame is uniform:
 * vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS.
 */
	.balign 16
	.globl eb_vector_stubs
eb_vector_stubs:
vector = 0
	.rept 256
	.balign 16
	.if vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 || vector == 29 || vector == 30
	.else
	pushq $0
	.endif
	pushq $vector
	jmp eb_trap_common
vector = vector + 1
	.endr

/*
 * Save the caller-saved registers (an interrupt may arrive in the middle
 * of a timed loop) and call eb_trap(frame).  Exceptions never return
 * from eb_trap (they report and exit through EB_PORT_DONE); interrupts do.
 */
eb_trap_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	lea 72(%rsp), %rdi	/* -> vector, error code, iret frame */
	call eb_trap
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp		/* vector, error code */
	iretq

	.section .note.GNU-stack, "", @progbits
