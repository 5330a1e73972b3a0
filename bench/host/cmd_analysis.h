// SPDX-License-Identifier: GPL-2.0-only
/*
 * The analysis subcommands: compare, gate, plot.  Each takes the
 * subcommand's argv (argv[0] = "compare", ...) and returns the exit code.
 */
#ifndef EXITBENCH_CMD_ANALYSIS_H
#define EXITBENCH_CMD_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "rview.h"

int cmd_compare(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/*
 * The one default --threshold of compare, gate, plot and scripts/matrix:
 * 1% of the baseline median.  Below it a shift is rarely worth a
 * patch's discussion; a verdict also needs p < 0.05 and a CI that
 * excludes 0 over the runs, so the threshold is not what keeps a gate
 * from flapping on noise (the between-run CI is).
 */
#define EB_DEFAULT_THRESHOLD { .value = 1, .percent = true }
#define EB_DEFAULT_THRESHOLD_STR "1%%"

struct eb_threshold;
/* compare FILE: strategies within one `run --strategies` file, by round. */
int eb_compare_within(const char *path, const struct eb_threshold *thr,
		      enum eb_report_format fmt, const char *out);

/*
 * Write @t as @fmt to @out (a file through outfile.h, "-" or NULL for
 * stdout), printing one error line prefixed by @cmd on failure.  Returns
 * the exit code: 0, or 1 when the report could not be written.
 */
int eb_analysis_write_report(const char *cmd, const struct eb_ctable *t,
			     enum eb_report_format fmt, const char *out);

/*
 * Shared by the three: load @n files into @rv (printing a one-line error
 * per failure, prefixed by @cmd), then refuse (unless @force) files whose
 * host differs from the first one's, naming what differs; with @force
 * only warn.  Returns 0, or -1 after printing; loaded views are freed on
 * failure.
 */
int eb_analysis_load(const char *cmd, char *const *paths, size_t n,
		     struct eb_rview *rv, bool force);

/*
 * Refuse (unless @allow) a file run with --inject-delay against a plain
 * one: a known delay is a test aid, not a kernel's cost.  0, or -1 after
 * printing.
 */
int eb_analysis_check_injected(const char *cmd, const struct eb_rview *rv,
			       size_t n, bool allow);

/*
 * --standin-as-apx: files that ran under the kernel's APX stand-in are
 * compared with files that did not, stand-in rows as APX rows.  Without
 * it eb_analysis_load() refuses such a mix (one line).
 */
extern bool eb_analysis_standin_ok;
void eb_analysis_standin_as_apx(void);

/*
 * compare --by xcr0|apx over the loaded files @rv: one mode against the
 * other(s), the same test on both sides.  Returns the exit code.
 */
int eb_compare_by(const char *by, struct eb_rview *rv, size_t n,
		  const struct eb_threshold *thr, enum eb_report_format fmt,
		  const char *out);

__attribute__((format(printf, 2, 3)))
void eb_analysis_error(const char *cmd, const char *fmt, ...);

#endif /* EXITBENCH_CMD_ANALYSIS_H */
