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

#include "stats.h"

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

/* Entry for (test, apx, xcr0), or NULL. */
const struct eb_rentry *eb_rview_find(const struct eb_rview *rv, const char *test,
				      const char *apx, const char *xcr0);

/* Whether any entry is for @test. */
bool eb_rview_find_test(const struct eb_rview *rv, const char *test);

#endif /* EXITBENCH_RVIEW_H */
