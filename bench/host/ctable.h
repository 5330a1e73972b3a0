// SPDX-License-Identifier: GPL-2.0-only
/*
 * The comparison table behind `exitbench compare` and `exitbench gate`:
 * one baseline file, one or more candidates, one row per (test, apx, xcr0)
 * and one cell per candidate holding the A/B comparison (compare.h).
 * Formatting lives in report.c; this file only matches and computes.
 */
#ifndef EXITBENCH_CTABLE_H
#define EXITBENCH_CTABLE_H

#include "compare.h"
#include "rview.h"

enum eb_cell_state {
	EB_CELL_OK,		/* compared: cmp is valid */
	EB_CELL_NO_BASE,	/* the baseline lacks this row or did not run it */
	EB_CELL_NO_CAND,	/* the candidate lacks it or did not run it */
	EB_CELL_MISMATCH,	/* one ran natively, the other emulated */
};

struct eb_ccell {
	enum eb_cell_state state;
	const struct eb_rentry *e;	/* candidate's entry, may be NULL */
	struct eb_cmp cmp;
};

struct eb_crow {
	const char *test, *apx, *xcr0;
	const struct eb_rentry *b;	/* baseline entry, may be NULL */
	struct eb_ccell *cells;		/* one per candidate */
};

struct eb_ctable {
	const struct eb_rview *base;
	const struct eb_rview *const *cands;
	size_t ncands;
	char **labels;			/* [0] baseline, [1 + i] candidate i */
	struct eb_threshold thr;
	size_t nrows;
	struct eb_crow *rows;
	size_t ncompared, nregressed, nimproved;
};

/*
 * Describe what makes @a and @b incomparable (different host, CPU model,
 * family/model/stepping, TSC rate, KVM flavor, emulation) into @why;
 * returns the number of differences (0: comparable).  Kernel and strategy
 * are expected to differ: that is the point of a comparison.
 */
int eb_ctable_host_diff(const struct eb_rview *a, const struct eb_rview *b,
			char *why, size_t len);

/* Build the table; -ENOMEM or 0.  Rows follow the baseline's order. */
int eb_ctable_build(struct eb_ctable *t, const struct eb_rview *base,
		    const struct eb_rview *const *cands, size_t ncands,
		    const struct eb_threshold *thr);
void eb_ctable_free(struct eb_ctable *t);

#endif /* EXITBENCH_CTABLE_H */
