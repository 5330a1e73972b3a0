// SPDX-License-Identifier: GPL-2.0-only
/*
 * A results file (schema exitbench-result/1, results/README.md) as the
 * analysis commands see it: provenance, and per (test, apx, xcr0) the
 * status, per-exit cycle statistics and, when recorded, raw samples.
 * Files may be gzip-compressed (reference results keep raw samples that
 * way); the reader does not care about the name.
 */
#ifndef EXITBENCH_RVIEW_H
#define EXITBENCH_RVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "stats.h"

/* One run (a fresh VM) of an entry: what the run-level statistics use. */
struct eb_rrun {
	double median;		/* cycles per exit */
	const double *raw;	/* per exit, a slice of the entry's raw; or NULL */
	size_t nraw;
	int round;		/* run --strategies: the round; else -1 */
};

struct eb_rentry {
	char *test, *apx, *xcr0;
	char *status;		/* ok, skipped, failed, timeout */
	char *reason;		/* NULL when ok */
	unsigned int batch;
	bool emulated;		/* timed code was software-emulated (PVM CPL0) */
	bool has_cycles;
	struct eb_stats cycles;	/* per exit */
	double *raw;		/* per exit: raw sample / batch; NULL if absent */
	size_t nraw;
	/*
	 * The runs (exitbench run --repeat): every ok run with a median; a
	 * file without "runs" (before --repeat) holds one run, the entry.
	 */
	size_t nruns;
	struct eb_rrun *runs;
	double tick;		/* TSC step per exit, cycles; 0 unknown */
	double loop;		/* overhead_cycles: the empty loop at this CPL; NAN absent */
	int loop_cpl;		/* overhead_cpl; -1 absent */
};

struct eb_rview {
	char *path;
	char *date, *version, *commit;
	char *hostname, *cpu_vendor, *cpu_model_name, *microcode;
	int cpu_family, cpu_model, cpu_stepping;
	char *kernel_release;
	double tsc_khz;
	char *flavor, *module, *strategy, *emulated;
	size_t samples;		/* config.samples; 0 if absent */
	size_t repeat;		/* config.repeat; 1 if absent */
	double tick;		/* tsc_tick.cycles (per sample); 0 unknown */
	double inject_delay;	/* config.inject_delay_cycles; 0: a plain run */
	/*
	 * A one-boot `run --strategies` file: its strategies in run order
	 * and rounds (0 otherwise).  Loaded with eb_rview_load_strategy(),
	 * the view holds that strategy only, each round one run.
	 */
	char **strategies;
	size_t nstrategies, rounds;
	size_t nentries;
	struct eb_rentry *entries;
	bool standin;		/* some rows ran under the kernel's APX stand-in */
};

/*
 * --standin-as-apx of compare/gate/plot: load APX stand-in rows as APX
 * rows ("standin" as "on", "standin-off" as "off"), so that they match a
 * real APX host's.  Off by default: a stand-in number is not an APX one.
 */
void eb_rview_set_standin_as_apx(bool on);

/*
 * Load @path (via results_load(): plain or gzip) into @out.  On failure
 * returns results_load()'s -errno, or -EINVAL when a member the analysis
 * needs is missing, with a one-line reason naming @path in @err.
 */
int eb_rview_load(const char *path, struct eb_rview *out, char *err, size_t errlen);
void eb_rview_free(struct eb_rview *rv);

/*
 * Load one strategy of a `run --strategies` file: the results whose
 * "strategy" is @strategy, each (test, apx, xcr0) one entry whose runs
 * are its rounds (eb_rrun.round; raw samples of the first ok round
 * only), and kvm.strategy set to @strategy.  Errors as eb_rview_load().
 */
int eb_rview_load_strategy(const char *path, const char *strategy,
			   struct eb_rview *out, char *err, size_t errlen);

/*
 * rview_runs.c, called by the loader: fill @e's runs and tick from the
 * results entry @r (after the rest of @e), and the file's run-level
 * facts from @root.  0, -ENOMEM, or -EINVAL with @err set.
 */
int eb_rview_load_runs(json_t *r, struct eb_rentry *e, char *err, size_t errlen);
void eb_rview_load_file_runs(json_t *root, struct eb_rview *rv);

/* Entry for (test, apx, xcr0), or NULL. */
const struct eb_rentry *eb_rview_find(const struct eb_rview *rv, const char *test,
				      const char *apx, const char *xcr0);

/* Whether any entry is for @test. */
bool eb_rview_find_test(const struct eb_rview *rv, const char *test);

#endif /* EXITBENCH_RVIEW_H */
