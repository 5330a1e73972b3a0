// SPDX-License-Identifier: GPL-2.0-only
/*
 * The timed loop every exit test is built on, shared by tests.c and
 * menu.c.
 */
#ifndef EB_GUEST_LOOP_H
#define EB_GUEST_LOOP_H

#include "exitbench_abi.h"
#include "processor.h"

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

/* x2APIC on, TPR 0, timer in TSC-deadline mode and masked (tests.c). */
void x2apic_setup(void);

#endif /* EB_GUEST_LOOP_H */
