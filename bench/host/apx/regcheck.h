// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register-integrity check, host side: turn what the guest reported
 * (struct eb_apx_area, bench/common/exitbench_apx.h) and what KVM shows
 * the VMM (KVM_GET_REGS, KVM_GET_XSAVE2) into mismatch records naming
 * test, iteration, register, expected and actual value.
 */
#ifndef EXITBENCH_HOST_REGCHECK_H
#define EXITBENCH_HOST_REGCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "exitbench_apx.h"

struct kvm_regs;

struct regcheck_mismatch {
	unsigned int test_id;
	uint64_t iteration;		/* the pattern's iteration number */
	unsigned int reg;		/* 0..31, see regcheck_reg_name() */
	uint64_t expected, actual;
	const char *where;		/* "guest" or "KVM_GET_REGS" / "KVM_GET_XSAVE2" */
};

/* "rax" .. "r15", "r16" .. "r31"; "?" beyond. */
const char *regcheck_reg_name(unsigned int reg);

/*
 * Compare one guest report with eb_regcheck_pattern(): append a record per
 * wrong register to @out (at most @max in total, *@n counts them all, so
 * *@n > @max means some were dropped).  Returns the number of wrong
 * registers in this report, or -EINVAL for a report that cannot be a
 * guest's (it claims to have checked RSP, which the guest needs).
 */
int regcheck_compare(const struct eb_regcheck_report *rep,
		     struct regcheck_mismatch *out, size_t max, size_t *n);

/*
 * All reports of an area.  Returns the number of wrong registers, or
 * -EINVAL if the area is inconsistent (more reports than exits marked
 * bad, or than fit).
 */
int regcheck_area(const struct eb_apx_area *area,
		  struct regcheck_mismatch *out, size_t max, size_t *n);

/*
 * The uABI path: GPRs 0..15 as KVM_GET_REGS returns them, into @gprs in
 * encoding order.
 */
void regcheck_regs_to_array(const struct kvm_regs *regs, uint64_t gprs[16]);

/*
 * R16-R31 out of a KVM_GET_XSAVE2 buffer (standard, non-compacted format:
 * component 19 at @apx_offset from CPUID.(0xD,19).EBX).  A component whose
 * XSTATE_BV bit is clear is in its init state: all zero.  Returns 0, or
 * -EINVAL when the component does not fit @size or @apx_offset is 0.
 */
int regcheck_xsave_egprs(const void *xsave, size_t size, uint32_t apx_offset,
			 uint64_t egprs[16]);

/*
 * Compare registers the VMM read (@have: bit n set = @vals[n] valid) with
 * the pattern of (@test_id, @iteration); records get @where.  Same return
 * and @out/@max/@n contract as regcheck_compare().
 */
int regcheck_compare_values(unsigned int test_id, uint64_t iteration,
			    uint64_t have, const unsigned long long vals[EB_NR_GPRS],
			    const char *where, struct regcheck_mismatch *out,
			    size_t max, size_t *n);

/*
 * [{"test", "iteration", "register", "expected", "actual", "where"}...];
 * the records of one result all belong to test @test.
 */
json_t *regcheck_to_json(const struct regcheck_mismatch *m, size_t n,
			 const char *test);

#endif /* EXITBENCH_HOST_REGCHECK_H */
