// SPDX-License-Identifier: GPL-2.0-only
/*
 * Register-integrity check, host side.  The guest only says "these came
 * back"; the expected values are recomputed here from the same pattern
 * function, so a guest bug that loaded the wrong pattern shows up as a
 * mismatch rather than hiding behind the guest's own comparison.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/kvm.h>

#include "regcheck.h"

/* The XSAVE header follows the 512-byte legacy area (SDM 13.4.2). */
#define XSAVE_HDR_OFFSET	512

static const char *const gpr_names[EB_NR_GPRS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
	"r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23",
	"r24", "r25", "r26", "r27", "r28", "r29", "r30", "r31",
};

const char *regcheck_reg_name(unsigned int reg)
{
	return reg < EB_NR_GPRS ? gpr_names[reg] : "?";
}

int regcheck_compare_values(unsigned int test_id, uint64_t iteration,
			    uint64_t have, const unsigned long long vals[EB_NR_GPRS],
			    const char *where, struct regcheck_mismatch *out,
			    size_t max, size_t *n)
{
	int bad = 0;

	if (have & (1ull << EB_GPR_RSP) || have >> EB_NR_GPRS)
		return -EINVAL;
	for (unsigned int r = 0; r < EB_NR_GPRS; r++) {
		uint64_t want = eb_regcheck_pattern(test_id, iteration, r);

		if (!(have & (1ull << r)) || vals[r] == want)
			continue;
		if (*n < max)
			out[*n] = (struct regcheck_mismatch) {
				.test_id = test_id, .iteration = iteration,
				.reg = r, .expected = want, .actual = vals[r],
				.where = where,
			};
		(*n)++;
		bad++;
	}
	return bad;
}

int regcheck_compare(const struct eb_regcheck_report *rep,
		     struct regcheck_mismatch *out, size_t max, size_t *n)
{
	return regcheck_compare_values(rep->test_id, rep->iteration,
				       rep->checked, rep->actual, "guest",
				       out, max, n);
}

int regcheck_area(const struct eb_apx_area *area,
		  struct regcheck_mismatch *out, size_t max, size_t *n)
{
	int total = 0;

	/* one report per bad checked exit, plus one if the live EGPRs changed */
	if (area->nreports > EB_REGCHECK_MAX_REPORTS ||
	    area->nreports > area->bad_exits + !!area->live_bad ||
	    area->bad_exits > area->checked_exits)
		return -EINVAL;
	for (unsigned int i = 0; i < area->nreports; i++) {
		int r = regcheck_compare(&area->reports[i], out, max, n);

		if (r < 0)
			return r;
		/* the guest said this exit was bad: it must show here too */
		if (r == 0)
			return -EINVAL;
		total += r;
	}
	return total;
}

void regcheck_regs_to_array(const struct kvm_regs *regs, uint64_t gprs[16])
{
	const uint64_t v[16] = {
		regs->rax, regs->rcx, regs->rdx, regs->rbx,
		regs->rsp, regs->rbp, regs->rsi, regs->rdi,
		regs->r8, regs->r9, regs->r10, regs->r11,
		regs->r12, regs->r13, regs->r14, regs->r15,
	};

	memcpy(gprs, v, sizeof(v));
}

int regcheck_xsave_egprs(const void *xsave, size_t size, uint32_t apx_offset,
			 uint64_t egprs[16])
{
	const unsigned char *p = xsave;
	uint64_t xstate_bv;

	if (!apx_offset || apx_offset < XSAVE_HDR_OFFSET + 64 ||
	    (size_t)apx_offset + EB_APX_XSAVE_SIZE > size)
		return -EINVAL;
	memcpy(&xstate_bv, p + XSAVE_HDR_OFFSET, sizeof(xstate_bv));
	if (xstate_bv & EB_XCR0_APX)
		memcpy(egprs, p + apx_offset, EB_APX_XSAVE_SIZE);
	else
		memset(egprs, 0, EB_APX_XSAVE_SIZE);
	return 0;
}

static json_t *hex64(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

json_t *regcheck_to_json(const struct regcheck_mismatch *m, size_t n,
			 const char *test)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < n; i++) {
		uint64_t it = m[i].iteration;
		/* the two special checks are named, not numbered */
		json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:o, s:o}",
				      "test", test ? test : "?",
				      "iteration",
				      it == EB_REGCHECK_ITER_LIVE ? json_string("live") :
				      it == EB_REGCHECK_ITER_UABI ? json_string("uabi") :
				      json_integer((json_int_t)it),
				      "register", regcheck_reg_name(m[i].reg),
				      "where", m[i].where ? m[i].where : "guest",
				      "expected", hex64(m[i].expected),
				      "actual", hex64(m[i].actual));

		if (!o) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, o);
	}
	return arr;
}
