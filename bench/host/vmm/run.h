// SPDX-License-Identifier: GPL-2.0-only
/*
 * One `exitbench run`: its configuration (from the command line) and its
 * state, kept apart.  measure.c runs one test and turns the outcome into
 * a results entry.
 */
#ifndef EB_HOST_RUN_H
#define EB_HOST_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "hostinfo.h"
#include "kvm.h"
#include "noise.h"
#include "rounds.h"
#include "testlist.h"
#include "apx/apx_run.h"

#define EB_MAX_TESTS	64

struct eb_cmd;
struct eb_outcome;
struct eb_stats;

struct eb_run_config {
	const struct eb_test *tests[EB_MAX_TESTS];
	unsigned int ntests;
	uint64_t samples, warmup, batch;
	int cpu;			/* -1: leave the vCPU thread unpinned */
	int cpl;			/* -1: each test's default for the flavor */
	const char *out;		/* NULL: results/local/<ts>-<host>.json */
	bool raw;
	double timeout_s;
	const char *kvm_dev;
	uint64_t seed;			/* bootstrap seed */
	/* Guest modes: each test result is keyed by (test, apx, xcr0). */
	const char *apx;		/* --apx as given: auto, off, on, both */
	const char *xcr0;		/* --xcr0 as given: host, reduced */
	enum apx_request apx_req;
	enum apx_xcr0_mode xcr0_mode;
	int check_egprs;		/* -1: default (with APX on) */
	int corrupt_reg;		/* test-only; -1: off */
	bool corrupt_uabi, force_apx_on;	/* test-only */
	/*
	 * Test-only (--debug-marks): read KVM's counters around the timed
	 * loop even where the kernel has no apx_* statistics.
	 */
	bool debug_marks;
	struct eb_noise_opts noise;	/* --cpu, --events, --precision */
	/* --strategies a,b --rounds R: interleaved, in one boot (switch.c) */
	const char *strategies[EB_MAX_STRATEGIES];
	unsigned int nstrategies;	/* 0: the running kernel's strategy only */
	unsigned int rounds;
	char *strategies_buf;		/* backing store of strategies[] */
	/* --repeat N: runs per test, each in a fresh VM (repeat.c) */
	unsigned int repeat;
	/* --xcr0 host,reduced: the modes, interleaved like the runs */
	enum apx_xcr0_mode xcr0_modes[2];
	unsigned int nxcr0;
	/* --inject-delay CYCLES (test aid, inject.c); 0: off */
	double inject_delay;
};

struct eb_run_state {
	const struct eb_run_config *cfg;
	struct eb_host host;
	struct eb_vm vm;
	bool vm_live;
	unsigned int vms_created;
	/* loop overhead per CPL: median cycles per iteration, -1 unknown */
	double nop_cycles[4];
	char nop_reason[4][320];
	bool failed;			/* a test failed or timed out */
	struct apx_run apx;		/* APX options, facts and plan */
	bool apx_on;			/* the guest APX mode being run */
	struct eb_noise noise;		/* placement, host, counters */
	bool want_raw;			/* keep "raw" in entries (repeat.c pools it) */
	/* --inject-delay: per CPL, delay iterations and their measured cost */
	uint64_t inject_iters[4];
	double inject_cpi[4];		/* cycles per iteration; 0: not calibrated */
	double inject_fixed[4];		/* the loop's own cost beside its iterations */
	char inject_why[4][160];	/* why the delay cannot be injected */
};

/* (Re)create the VM if needed; 0 or -errno with st->vm.err set. */
int run_ensure_vm(struct eb_run_state *st);
/*
 * Run @c: once, or in rounds until --precision is met (sampling.c), with
 * the counters around each vCPU thread; records "counters" and
 * "sampling" in @e.  Returns like vm_run_cmd(); @o holds all samples.
 */
int run_sampled(struct eb_run_state *st, const struct eb_test *t,
		struct eb_cmd *c, struct eb_outcome *o, json_t *e);
/* Run one test (skipping it with the reason if it cannot run here). */
json_t *run_test(struct eb_run_state *st, const struct eb_test *t);
/* Multiply every cycle value of @s by @k (cycles to ns). */
void run_scale_stats(struct eb_stats *s, double k);

/*
 * Every selected test in every (apx, xcr0) configuration, --repeat times,
 * a fresh VM per (run, configuration), configurations in ABBA order over
 * the runs; appends one merged entry per (test, apx, xcr0) holding every
 * run (repeat.c).  0 or -errno with @err set.
 */
int repeat_run(struct eb_run_state *st, json_t *results, char *err,
	       size_t errlen);
/* One run's entry @e (taken over) as a merged entry of one run. */
json_t *repeat_single(struct eb_run_state *st, json_t *e, unsigned int seq);
/* The top-level "tsc_tick": gcd of every result's tick. */
json_t *repeat_tick_json(json_t *results);
/* The delay injected at @cpl, as calibrated: fixed + iters * per iteration. */
double inject_cycles(const struct eb_run_state *st, int cpl);
/* The top-level "inject_delay" object (inject.c), or NULL when off. */
json_t *inject_json(const struct eb_run_state *st);
/*
 * --inject-delay: turn @c into the delayed variant of its test, after
 * calibrating the delay at @c->cpl once.  NULL, or why the delay cannot
 * be injected into this test (then the test is skipped with that reason).
 */
const char *inject_prepare(struct eb_run_state *st, struct eb_cmd *c);

#endif /* EB_HOST_RUN_H */
