// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run-level statistics: the run (a fresh VM with its own warm-up and
 * samples) is the unit of replication, not the sample.
 *
 * Why: a run's bootstrap CI of its median covers only the sampling noise
 * inside that run.  Ten identical runs on the AMD PVM host gave per-run
 * medians with a CV of 6-11% while each run's own CI was a few cycles
 * wide (DESIGN.md section 3), so two separate runs looked "significantly"
 * different almost always.  Every verdict therefore comes from the spread
 * BETWEEN runs: one median per run, Welch's t interval on the difference
 * of the mean run medians (results/README.md says why Welch rather than
 * a hierarchical bootstrap).  With fewer than two runs on a side the
 * between-run spread is unknown and the comparison is unresolved.
 *
 * The TSC tick: on some hosts the guest TSC advances in steps (26 cycles
 * on the AMD EPYC PVM host, 2 on the Intel one), so a difference or a CI
 * narrower than one step is not resolvable however many samples agree.
 *
 * Pure functions, no I/O.
 */
#ifndef EXITBENCH_RUNLEVEL_H
#define EXITBENCH_RUNLEVEL_H

#include <stddef.h>
#include <stdint.h>

#include "compare.h"

/* Runs per side the between-run estimate needs (a variance needs 2). */
#define EB_RUNLEVEL_MIN_RUNS 2

/*
 * The TSC tick of a set of raw samples (each a difference of two TSC
 * reads): the largest divisor of the most frequent sample that divides
 * all but 1% of the samples.  Not the plain gcd: a sample that straddles
 * a vCPU migration in an outer hypervisor can carry a TSC-offset change
 * that breaks the step (seen: 1 of 10,000 pio_user samples on the Intel
 * host).  When every sample has one value the step cannot be told from
 * the value, and that value is returned.  @exceptions (may be NULL) gets
 * how many samples the tick does not divide.  0 for n == 0 or all zero.
 */
uint64_t eb_tsc_tick(const uint64_t *x, size_t n, size_t *exceptions);

/* One side's runs: mean and sample SD of @x, Student t CI of the mean. */
struct eb_runs_summary {
	size_t n;
	double mean, sd;
	double lo, hi;		/* NAN when n < 2 */
};

int eb_runs_summarize(const double *x, size_t n, double alpha,
		      struct eb_runs_summary *out);

/*
 * Compare one median per run of each side.  @tick is the TSC step per
 * exit in cycles (0: unknown).  Fills @out (runs_base/runs_cand, medians
 * = means of the run medians, delta = shift = their difference, CI and
 * p from Welch).  The verdict:
 *  - EB_UNRESOLVED, with out->why saying so, when a side has fewer than
 *    EB_RUNLEVEL_MIN_RUNS runs: no faster/slower is claimed;
 *  - slower/faster when Welch p < EB_CMP_ALPHA, the CI widened to at
 *    least +-one tick excludes 0, and |delta| >= max(threshold, tick);
 *  - same otherwise.
 * The point estimate always lies inside its own CI.  Returns 0, -EINVAL
 * (an empty side).
 */
int eb_runlevel_compare(const double *base, size_t nb, const double *cand,
			size_t nc, double tick, const struct eb_threshold *thr,
			struct eb_cmp *out);

#endif /* EXITBENCH_RUNLEVEL_H */
