// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench compare BASE.json CAND.json [CAND2.json ...]: per test, the
 * candidates' medians against the baseline's, the Hodges-Lehmann shift
 * with its 95% CI, the Mann-Whitney p-value and a verdict.
 */
#include <errno.h>
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
		"usage: exitbench compare [options] BASE.json CAND.json [CAND2.json...]\n"
		"       exitbench compare [-t T] FILE.json   (from run --strategies)\n"
		"\n"
		"Compare per-exit cycles of candidate results against a baseline, per\n"
		"(test, apx, xcr0) present in both: medians, delta, Hodges-Lehmann shift\n"
		"with 95%% CI, Mann-Whitney U p-value and a verdict (faster/slower/same).\n"
		"Raw samples (exitbench run --raw) give the shift and U test; without\n"
		"them the median delta and bootstrap CIs are used.\n"
		"\n"
		"  -t, --threshold T   smallest difference that matters: N%% of the\n"
		"                      baseline median or N cycles (default 1%%)\n"
		"  -f, --format F      text (default, <= 72 columns), markdown, csv, json\n"
		"  -o, --out FILE      write there (atomically) instead of stdout\n"
		"  -r, --runs          the files are repeated runs: group them by strategy\n"
		"                      (kvm.strategy; the first file's is the baseline)\n"
		"                      and compare the run medians (Welch t, >= 2 runs\n"
		"                      each): run-to-run drift then counts as noise\n"
		"      --force         compare results from different hosts/CPUs/TSC\n"
		"      --standin-as-apx  match APX stand-in rows with APX rows (a\n"
		"                      stand-in is not APX: refused without it)\n"
		"  -h, --help          this help\n"
		"\n"
		"With one file from 'exitbench run --strategies', each strategy is\n"
		"compared with the first within the file, paired by round (mean of\n"
		"the per-round median differences, paired-t 95%% CI over rounds).\n");
}

int cmd_compare(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threshold", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "runs", no_argument, NULL, 'r' },
		{ "standin-as-apx", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct eb_threshold thr = { .value = 1, .percent = true };
	enum eb_report_format fmt = EB_FMT_TEXT;
	bool runs = false;
	const struct eb_rview **cands;
	struct eb_outfile of = { 0 };
	const char *out = NULL;
	struct eb_rview *rv;
	struct eb_ctable t;
	bool force = false;
	size_t n, i;
	int c, ret, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+:t:f:o:rh", opts, NULL)) != -1) {
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
		case 'S':
			eb_analysis_standin_as_apx();
			break;
		case 'h':
			compare_usage(stdout);
			return 0;
		default:
			return eb_usage_error("compare", argv, c);
		}
	}
	if (argc - optind == 1 && !runs && !out && fmt == EB_FMT_TEXT)
		return eb_compare_within(argv[optind], &thr);
	if (argc - optind < 2) {
		eb_analysis_error("compare", "need a baseline and at least one candidate "
				  "results file (try --help)");
		return 2;
	}
	n = (size_t)(argc - optind);
	rv = calloc(n, sizeof(*rv));
	cands = calloc(n, sizeof(*cands));
	if (!rv || !cands) {
		eb_analysis_error("compare", "out of memory");
		goto err_free;
	}
	if (eb_analysis_load("compare", argv + optind, n, rv, force))
		goto err_free;
	for (i = 1; i < n; i++)
		cands[i - 1] = &rv[i];
	if (runs)
		ret = eb_ctable_build_runs(&t, rv, n, NULL, &thr);
	else
		ret = eb_ctable_build(&t, &rv[0], cands, n - 1, &thr);
	if (ret == -EINVAL) {
		eb_analysis_error("compare", "--runs: all files report strategy '%s'; "
				  "need two or more strategies", rv[0].strategy);
		goto err_table;
	}
	if (ret) {
		eb_analysis_error("compare", "%s", strerror(-ret));
		goto err_table;
	}
	for (i = 0; runs && i <= t.ncands; i++) {
		size_t j, count = 0;

		for (j = 0; j < n; j++)
			count += t.group[j] == i;
		if (count < 2) {
			eb_analysis_error("compare", "--runs: strategy '%s' has %zu file; "
					  "need two or more runs of each", t.labels[i], count);
			goto err_table;
		}
	}
	if (out) {
		ret = eb_outfile_open(&of, out);
		if (ret) {
			eb_analysis_error("compare", "cannot write %s: %s", out, strerror(-ret));
			goto err_table;
		}
	}
	ret = eb_report_write(out ? of.f : stdout, &t, fmt);
	if (out && !ret)
		ret = eb_outfile_commit(&of);
	else if (out)
		eb_outfile_abort(&of);
	if (ret)
		eb_analysis_error("compare", "writing %s: %s", out ? out : "stdout", strerror(-ret));
	else
		rc = 0;
err_table:
	eb_ctable_free(&t);
	for (i = 0; i < n; i++)
		eb_rview_free(&rv[i]);
err_free:
	free(rv);
	free(cands);
	return rc;
}
