// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench compare OLD NEW [NEW2 ...]: per test, each side's runs (every
 * run of every file on it) against the baseline's: the difference of the
 * mean run medians with Welch's 95% CI and p-value, and a verdict, or
 * `unresolved` with fewer than 2 runs on a side (stats/runlevel.h).
 */
#include <errno.h>
#include <math.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_analysis.h"
#include "ctable.h"
#include "outfile.h"
#include "report.h"

void eb_analysis_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "exitbench: error: %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool eb_analysis_standin_ok;

void eb_analysis_standin_as_apx(void)
{
	eb_analysis_standin_ok = true;
	eb_rview_set_standin_as_apx(true);
}

int eb_analysis_load(const char *cmd, char *const *paths, size_t n,
		     struct eb_rview *rv, bool force)
{
	char err[512], why[512];
	size_t i, j;
	int ret;

	for (i = 0; i < n; i++) {
		ret = eb_rview_load(paths[i], &rv[i], err, sizeof(err));
		if (ret) {
			eb_analysis_error(cmd, "%s", err);
			goto err_free;
		}
		if (i && eb_ctable_host_diff(&rv[0], &rv[i], why, sizeof(why))) {
			if (!force) {
				eb_analysis_error(cmd, "%s and %s come from different machines (%s); "
						  "use --force to compare anyway",
						  paths[0], paths[i], why);
				i++;
				goto err_free;
			}
			fprintf(stderr, "exitbench %s: warning: %s vs %s: %s (--force)\n",
				cmd, paths[0], paths[i], why);
		}
		/* A stand-in number is not an APX number unless the user says so. */
		if (i && rv[0].standin != rv[i].standin && !eb_analysis_standin_ok) {
			eb_analysis_error(cmd, "%s ran under the kernel's APX stand-in and %s did not: "
					  "their APX rows do not match (--standin-as-apx compares "
					  "stand-in rows as APX rows)",
					  rv[0].standin ? paths[0] : paths[i],
					  rv[0].standin ? paths[i] : paths[0]);
			i++;
			goto err_free;
		}
	}
	return 0;
err_free:
	for (j = 0; j < i; j++)
		eb_rview_free(&rv[j]);
	return -1;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: exitbench compare [options] OLD NEW [NEW2...]\n"
		"       exitbench compare --by xcr0|apx [options] FILE [FILE...]\n"
		"       exitbench compare [-t T] FILE.json   (from run --strategies)\n"
		"\n"
		"Compare per-exit cycles, per (test, apx, xcr0) present on both sides.\n"
		"A side (OLD, NEW) is a results file or several joined by commas\n"
		"(a.json,b.json): every run of every file on a side is one run of\n"
		"that side (exitbench run --repeat N writes N runs per file).  The\n"
		"runs decide: delta = difference of the mean run medians, with\n"
		"Welch's 95%% CI and p-value over the runs.  With fewer than 2 runs\n"
		"on a side the between-run spread is unknown: 'unresolved', never\n"
		"faster/slower.  A delta within one TSC tick is never a shift.\n"
		"\n"
		"  -t, --threshold T   smallest difference that matters: N%% of the\n"
		"                      baseline median or N cycles (default " EB_DEFAULT_THRESHOLD_STR ",\n"
		"                      as gate and plot)\n"
		"  -l, --label A,B     name the sides (default: the strategy when the\n"
		"                      sides' strategies differ, else the file name)\n"
		"  -f, --format F      text (default, <= 72 columns), markdown, csv, json\n"
		"  -o, --out FILE      write there (atomically) instead of stdout\n"
		"  -r, --runs          group the files by strategy (kvm.strategy; the\n"
		"                      first file's is the baseline) instead of by side\n"
		"      --allow-injected  compare a run with --inject-delay against a\n"
		"                      plain one (refused otherwise: a test aid)\n"
		"      --force         compare results from different hosts/CPUs/TSC\n"
		"      --standin-as-apx  match APX stand-in rows with APX rows (a\n"
		"                      stand-in is not APX: refused without it)\n"
		"  -B, --by xcr0|apx   one guest mode against another, the same test\n"
		"                      on both sides, over every run of FILE...:\n"
		"                      xcr0=host vs reduced, apx=off vs on/standin\n"
		"                      (run --xcr0 host,reduced makes both in one file)\n"
		"  -h, --help          this help\n"
		"\n"
		"With one file from 'exitbench run --strategies', each strategy is\n"
		"compared with the first within the file, paired by round (mean of\n"
		"the per-round median differences, paired-t 95%% CI over rounds).\n"
		"\n"
		"Exit status: 0 compared (whatever the verdicts: gate is the CI\n"
		"step), 1 an output not written (or out of memory), 2 bad usage or\n"
		"bad input: a file refused, files from different machines without\n"
		"--force, nothing compared.\n");
}

/* Split the SIDE operands (FILE or FILE,FILE...) into paths and groups. */
static int split_sides(char **ops, size_t nops, char ***paths, size_t **groups,
		       size_t *n, char **buf)
{
	size_t len = 0, cap = 0, i;
	char *p, *save = NULL, *tok;

	for (i = 0; i < nops; i++) {
		len += strlen(ops[i]) + 1;
		cap += 1;
		for (p = ops[i]; *p; p++)
			cap += *p == ',';
	}
	*buf = malloc(len + 1);
	*paths = calloc(cap + 1, sizeof(**paths));
	*groups = calloc(cap + 1, sizeof(**groups));
	if (!*buf || !*paths || !*groups)
		return -ENOMEM;
	*n = 0;
	p = *buf;
	for (i = 0; i < nops; i++) {
		size_t before = *n;

		strcpy(p, ops[i]);
		for (tok = strtok_r(p, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			(*paths)[*n] = tok;
			(*groups)[(*n)++] = i;
		}
		if (*n == before)
			return -EINVAL;
		p += strlen(ops[i]) + 1;
	}
	return 0;
}

/* --label A,B: the sides' names (else the table's: strategy or file). */
static int relabel(struct eb_ctable *t, const char *labels, size_t nsides)
{
	char *dup = labels ? strdup(labels) : NULL, *save = NULL, *l;
	size_t k = 0;

	if (labels) {
		if (!dup)
			return -ENOMEM;
		for (l = strtok_r(dup, ",", &save); l; l = strtok_r(NULL, ",", &save), k++) {
			if (k >= nsides)
				continue;
			free(t->labels[k]);
			t->labels[k] = strdup(l);
		}
		free(dup);
		return k == nsides ? 0 : -EINVAL;
	}
	return 0;
}

int eb_analysis_write_report(const char *cmd, const struct eb_ctable *t,
			     enum eb_report_format fmt, const char *out)
{
	struct eb_outfile of = { 0 };
	char err[512];
	int ret;

	if (out) {
		ret = eb_outfile_open(&of, out, err, sizeof(err));
		if (ret) {
			eb_analysis_error(cmd, "%s", err);
			return 1;
		}
	}
	ret = eb_report_write(out ? of.f : stdout, t, fmt);
	if (out)
		ret = eb_outfile_finish(&of, ret, err, sizeof(err));
	else if (ret)
		snprintf(err, sizeof(err), "writing stdout: %s", strerror(-ret));
	if (ret) {
		eb_analysis_error(cmd, "%s", err);
		return 1;
	}
	return 0;
}

int eb_analysis_check_injected(const char *cmd, const struct eb_rview *rv, size_t n,
			       bool allow)
{
	size_t i;

	for (i = 1; i < n && !allow; i++) {
		if ((rv[i].inject_delay > 0) == (rv[0].inject_delay > 0))
			continue;
		eb_analysis_error(cmd, "%s has a delay injected (run --inject-delay %.0f, a test aid) "
				  "and %s has not; use --allow-injected to compare them anyway",
				  rv[0].inject_delay > 0 ? rv[0].path : rv[i].path,
				  fmax(rv[0].inject_delay, rv[i].inject_delay),
				  rv[0].inject_delay > 0 ? rv[i].path : rv[0].path);
		return -1;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "runs", no_argument, NULL, 'r' },
		{ "label", required_argument, NULL, 'l' },
		{ "allow-injected", no_argument, NULL, 'I' },
		{ "standin-as-apx", no_argument, NULL, 'S' },
		{ "by", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct eb_threshold thr = EB_DEFAULT_THRESHOLD;
	enum eb_report_format fmt = EB_FMT_TEXT;
	bool runs = false;
	const char *out = NULL, *labels = NULL, *by = NULL;
	struct eb_rview *rv = NULL;
	struct eb_ctable t;
	bool force = false, allow_injected = false;
	char **paths = NULL, *buf = NULL;
	size_t n = 0, i, *groups = NULL, nsides;
	int c, ret, rc = 1;

	optind = 1;
	memset(&t, 0, sizeof(t));
	while ((c = getopt_long(argc, argv, "+:t:f:o:l:B:rh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (eb_threshold_parse(optarg, &thr)) {
				eb_analysis_error("compare", "bad --threshold '%s' (want e.g. 1%% or 12 cycles)",
						  optarg);
				return 2;
			}
			break;
		case 'f':
			if (eb_report_format_parse(optarg, &fmt)) {
				eb_analysis_error("compare", "unknown --format '%s' (text, markdown, csv, json)",
						  optarg);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'F':
			force = true;
			break;
		case 'r':
			runs = true;
			break;
		case 'l':
			labels = optarg;
			break;
		case 'I':
			allow_injected = true;
			break;
		case 'S':
			eb_analysis_standin_as_apx();
			break;
		case 'B':
			if (strcmp(optarg, "xcr0") && strcmp(optarg, "apx")) {
				eb_analysis_error("compare", "--by '%s': want xcr0 or apx", optarg);
				return 2;
			}
			by = optarg;
			break;
		case 'h':
			compare_usage(stdout);
			return 0;
		default:
			return eb_usage_error("compare", argv, c);
		}
	}
	/* "-" is stdout, where the report goes anyway. */
	if (out && eb_check_out("compare", out, false, false))
		return 2;
	if (by && (runs || labels)) {
		eb_analysis_error("compare", "--by names the sides by mode: not with --runs or --label");
		return 2;
	}
	if (argc - optind == 1 && !runs && !by && !strchr(argv[optind], ','))
		return eb_compare_within(argv[optind], &thr, fmt, out);
	if (argc - optind < (by ? 1 : 2)) {
		eb_analysis_error("compare", "need a baseline and at least one candidate "
				  "(files, or files joined by commas; try --help)");
		return 2;
	}
	nsides = (size_t)(argc - optind);
	ret = split_sides(argv + optind, nsides, &paths, &groups, &n, &buf);
	if (ret) {
		eb_analysis_error("compare", ret == -EINVAL ? "an empty side (',' alone)" :
				  "out of memory");
		rc = 2;
		goto err_free;
	}
	rv = calloc(n, sizeof(*rv));
	if (!rv) {
		eb_analysis_error("compare", "out of memory");
		goto err_free;
	}
	if (eb_analysis_load("compare", paths, n, rv, force)) {
		rc = 2;		/* a file refused: bad input */
		n = 0;
		goto err_free;
	}
	if (eb_analysis_check_injected("compare", rv, n, allow_injected)) {
		rc = 2;
		goto err_table;
	}
	if (by) {
		/* Every file on both sides: the mode is the factor, not the file. */
		rc = eb_compare_by(by, rv, n, &thr, fmt, out);
		goto err_table;
	}
	ret = eb_ctable_build_runs(&t, rv, n, runs ? NULL : groups, &thr);
	if (ret == -EINVAL) {
		eb_analysis_error("compare", "--runs: all files report strategy '%s'; "
				  "give the sides as OLD1,OLD2 NEW1,NEW2 instead", rv[0].strategy);
		rc = 2;
		goto err_table;
	}
	if (!ret)
		ret = relabel(&t, labels, t.ncands + 1);
	if (ret == -EINVAL) {
		eb_analysis_error("compare", "--label '%s': want one name per side (%zu), "
				  "joined by commas", labels, t.ncands + 1);
		rc = 2;
		goto err_table;
	}
	if (ret) {
		eb_analysis_error("compare", "%s", strerror(-ret));
		goto err_table;
	}
	if (!t.ncompared) {
		/* A table of "(not in new)" rows is no comparison: say why. */
		eb_analysis_error("compare", "0 compared: no (test, apx, xcr0) row was measured "
				  "on both sides%s", t.nrows ? " (compare --by xcr0|apx pairs "
				  "one mode with another)" : " (no results at all)");
		rc = 2;
		goto err_table;
	}
	rc = eb_analysis_write_report("compare", &t, fmt, out);
err_table:
	eb_ctable_free(&t);
	for (i = 0; i < n; i++)
		eb_rview_free(&rv[i]);
err_free:
	free(rv);
	free(paths);
	free(groups);
	free(buf);
	return rc;
}
