// SPDX-License-Identifier: GPL-2.0-only
/*
 * gnuplot figures of results: per test, the latency distribution (ECDF)
 * of every file x apx/xcr0 mode with the median and its 95% CI; and an
 * overview bar chart of median deltas against the first file with CI
 * whiskers.  Each figure is a .gp script plus a .dat file written side by
 * side in the output directory; the script renders <stem>.png (pngcairo)
 * and <stem>.svg, and can be edited and re-run with `gnuplot <stem>.gp`.
 */
#ifndef EXITBENCH_PLOT_H
#define EXITBENCH_PLOT_H

#include <stddef.h>

#include "ctable.h"
#include "rview.h"

/* Figures per test name, in first-seen order across @files. */
struct eb_plot_list {
	size_t n;
	char **stems;	/* file stems written into the directory */
};

/*
 * Write <dir>/<stem>.{gp,dat} for every test with data in any file.
 * @labels[i] names files[i] in legends.  0 or -errno (message in @err).
 */
int eb_plot_tests(const char *dir, const struct eb_rview *files, size_t nfiles,
		  char *const *labels, struct eb_plot_list *out,
		  char *err, size_t errlen);

/* Write <dir>/overview.{gp,dat} from a comparison table (>= 1 candidate). */
int eb_plot_overview(const char *dir, const struct eb_ctable *t,
		     char *err, size_t errlen);

void eb_plot_list_free(struct eb_plot_list *l);

#endif /* EXITBENCH_PLOT_H */
