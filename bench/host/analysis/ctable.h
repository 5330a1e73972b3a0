// SPDX-License-Identifier: GPL-2.0-only
/*
 * The comparison table behind `exitbench compare` and `exitbench gate`:
 * one baseline file, one or more candidates, one row per (test, apx, xcr0)
 * and one cell per candidate holding the A/B comparison (compare.h).
 * Formatting lives in report_*.c; this file only matches and computes.
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
	char why[64];			/* set when state != OK says more */
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
	size_t ncompared, nregressed, nimproved, nunresolved;
	/*
	 * Repeated runs (eb_ctable_build_runs): every file, and the group
	 * (0 = baseline, 1 + i = candidate i) each belongs to.  base and
	 * cands then point at each group's first file.
	 */
	bool runs;
	bool rounds;			/* cells paired by round (eb_ctable_pair_rounds) */
	const char *by;			/* compare --by: "xcr0" or "apx" ("*" in rows), or NULL */
	const struct eb_rview *files;
	size_t nfiles;
	size_t *group;
	const struct eb_rview **owned_cands;
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
/*
 * Build the table from repeated runs: @files grouped by @groups (0 the
 * baseline, 1.. candidates, every group used) or, when @groups is NULL,
 * by strategy (kvm.strategy; the first file's group is the baseline);
 * every cell compares the groups' run medians with eb_compare_runs()
 * (>= 2 runs with data on each side).  -EINVAL when there is only one
 * group, -ENOMEM.
 */
int eb_ctable_build_runs(struct eb_ctable *t, const struct eb_rview *files,
			 size_t nfiles, const size_t *groups,
			 const struct eb_threshold *thr);
void eb_ctable_free(struct eb_ctable *t);

/*
 * ctable_rounds.c: @t built by eb_ctable_build_runs() from the strategy
 * views of one `run --strategies` file (@rounds rounds): recompute every
 * compared cell as the mean of the per-round differences with its
 * paired-t 95% CI; a zero-width CI or fewer than 2 paired rounds is
 * unresolved.  0 or -ENOMEM.
 */
int eb_ctable_pair_rounds(struct eb_ctable *t, size_t rounds);

/*
 * One cell from the runs of the entries @b (baseline side) and @k
 * (candidate side): every run's median, the larger tick, and
 * eb_runlevel_compare().  0, -ENOMEM, -EINVAL.
 */
int eb_ctable_cell_runs(struct eb_ccell *c, const struct eb_rentry *const *b,
			size_t nb, const struct eb_rentry *const *k, size_t nk,
			const struct eb_threshold *thr);

/* For ctable*.c: append a row; whether a row for @e exists. */
int eb_ctable_add_row(struct eb_ctable *t, const char *test, const char *apx,
		      const char *xcr0, size_t *cap);
bool eb_ctable_have_row(const struct eb_ctable *t, const struct eb_rentry *e);

#endif /* EXITBENCH_CTABLE_H */
