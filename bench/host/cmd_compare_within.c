// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench compare FILE, FILE from `exitbench run --strategies`: each
 * strategy against the first one (the baseline) within the file, paired
 * by round.  Every round ran all strategies back to back on fresh VMs in
 * one boot, so the per-round differences of medians only see the noise
 * between neighbouring minutes, not boot-to-boot drift; the CI of their
 * mean (paired Student t over rounds) is what goes to the mailing list.
 * The table is the one every compare renders (ctable.h), so text,
 * markdown, csv, json and -o work as for two files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_analysis.h"
#include "ctable.h"
#include "outfile.h"
#include "report.h"
#include "results.h"

/* switch.strategies of @path (results_load() checked it), or -1 printed. */
static int read_strategies(const char *path, char ***names, size_t *n)
{
	json_t *doc, *list, *v;
	char err[512];
	size_t i;

	if (results_load(path, &doc, err, sizeof(err))) {
		eb_analysis_error("compare", "%s", err);
		return -1;
	}
	list = json_object_get(json_object_get(doc, "switch"), "strategies");
	if (!json_is_array(list)) {
		eb_analysis_error("compare", "%s was not made by 'exitbench run --strategies': "
				  "give a baseline and a candidate file", path);
		json_decref(doc);
		return -1;
	}
	*n = json_array_size(list);
	*names = calloc(*n + 1, sizeof(**names));
	for (i = 0; *names && i < *n; i++) {
		v = json_array_get(list, i);
		(*names)[i] = strdup(json_string_value(v));
	}
	json_decref(doc);
	if (!*names) {
		eb_analysis_error("compare", "out of memory");
		return -1;
	}
	return 0;
}

int eb_compare_within(const char *path, const struct eb_threshold *thr,
		      enum eb_report_format fmt, const char *out)
{
	struct eb_rview *rv = NULL;
	size_t i, ns = 0, nloaded = 0, *groups = NULL;
	char **names = NULL, err[512];
	struct eb_ctable t;
	int ret, rc = 2;

	memset(&t, 0, sizeof(t));
	if (read_strategies(path, &names, &ns))
		return 2;
	rv = calloc(ns + 1, sizeof(*rv));
	groups = calloc(ns + 1, sizeof(*groups));
	if (!rv || !groups) {
		eb_analysis_error("compare", "out of memory");
		goto err_free;
	}
	if (ns < 2) {
		eb_analysis_error("compare", "%s ran one strategy (%s): nothing to compare it "
				  "with", path, ns ? names[0] : "none");
		goto err_free;
	}
	for (i = 0; i < ns; i++, nloaded++) {
		groups[i] = i;
		ret = eb_rview_load_strategy(path, names[i], &rv[i], err, sizeof(err));
		if (ret) {
			eb_analysis_error("compare", "%s", err);
			goto err_free;
		}
	}
	ret = eb_ctable_build_runs(&t, rv, ns, groups, thr);
	if (!ret)
		ret = eb_ctable_pair_rounds(&t, rv[0].rounds);
	if (ret) {
		eb_analysis_error("compare", "%s", strerror(-ret));
		rc = 1;
		goto err_table;
	}
	if (!t.ncompared) {
		eb_analysis_error("compare", "0 compared: %s has no test that ran ok for "
				  "%s and another strategy", path, names[0]);
		goto err_table;
	}
	rc = eb_analysis_write_report("compare", &t, fmt, out);
err_table:
	eb_ctable_free(&t);
err_free:
	for (i = 0; rv && i < nloaded; i++)
		eb_rview_free(&rv[i]);
	for (i = 0; names && i < ns; i++)
		free(names[i]);
	free(names);
	free(rv);
	free(groups);
	return rc;
}
