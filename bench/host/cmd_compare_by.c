// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench compare --by xcr0|apx FILE...: one guest mode against
 * another, the same test on both sides.  `--by xcr0` puts the xcr0=host
 * rows of every file on the old side and the xcr0=reduced rows on the
 * new one (the README's proxy for the XSETBV cost); `--by apx` puts
 * apx=off on the old side and each other apx value (on, standin) on a
 * side of its own.  The sides are views of the loaded files whose entries
 * have the factor replaced by "*", so the usual table matches the rows
 * on (test, other mode) and compares their runs (Welch over runs, as for
 * files).  Files made with `run --xcr0 host,reduced` hold both modes,
 * interleaved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_analysis.h"
#include "ctable.h"
#include "outfile.h"
#include "report.h"

#define BY_MAX_LEVELS 4

static const char *factor_of(const struct eb_rentry *e, bool xcr0)
{
	return xcr0 ? e->xcr0 : e->apx;
}

/* A side: @rv's entries whose factor is @level, the factor set to "*". */
static int mode_view(const struct eb_rview *rv, bool xcr0, const char *level,
		     struct eb_rview *out)
{
	size_t i;

	*out = *rv;
	out->nentries = 0;
	out->strategy = (char *)level;
	out->entries = calloc(rv->nentries + 1, sizeof(*out->entries));
	if (!out->entries)
		return -ENOMEM;
	for (i = 0; i < rv->nentries; i++) {
		struct eb_rentry *e = &out->entries[out->nentries];

		if (strcmp(factor_of(&rv->entries[i], xcr0), level))
			continue;
		*e = rv->entries[i];
		if (xcr0)
			e->xcr0 = "*";
		else
			e->apx = "*";
		out->nentries++;
	}
	return 0;
}

/* The factor's levels in @rv: the baseline level first, then as found. */
static size_t levels_of(const struct eb_rview *rv, size_t n, bool xcr0,
			const char **lv)
{
	size_t nl = 1, i, j, k;

	lv[0] = xcr0 ? "host" : "off";
	for (i = 0; i < n; i++)
		for (j = 0; j < rv[i].nentries; j++) {
			const char *v = factor_of(&rv[i].entries[j], xcr0);

			for (k = 0; k < nl && strcmp(lv[k], v); k++)
				;
			if (k == nl && nl < BY_MAX_LEVELS)
				lv[nl++] = v;
		}
	return nl;
}

int eb_compare_by(const char *by, struct eb_rview *rv, size_t n,
		  const struct eb_threshold *thr, enum eb_report_format fmt,
		  const char *out)
{
	bool xcr0 = !strcmp(by, "xcr0");
	const char *lv[BY_MAX_LEVELS];
	struct eb_rview *views = NULL;
	size_t nl, nv = 0, i, l, *groups = NULL;
	char found[128] = "";
	struct eb_ctable t;
	int ret, rc = 2;

	memset(&t, 0, sizeof(t));
	/* Another kernel on a side would mix its effect into the mode's. */
	for (i = 1; i < n; i++) {
		if (strcmp(rv[i].strategy, rv[0].strategy)) {
			eb_analysis_error("compare", "--by %s compares modes within one kernel: %s "
					  "has strategy '%s', %s '%s' (compare them one at a time)",
					  by, rv[0].path, rv[0].strategy, rv[i].path, rv[i].strategy);
			return 2;
		}
	}
	nl = levels_of(rv, n, xcr0, lv);
	for (l = 0; l < nl; l++)
		snprintf(found + strlen(found), sizeof(found) - strlen(found), "%s%s",
			 l ? ", " : "", lv[l]);
	if (nl < 2) {
		eb_analysis_error("compare", "0 compared: --by %s needs rows of %s=%s and of "
				  "another %s in the files (found %s only; run --%s %s)", by, by,
				  lv[0], by, found, by, xcr0 ? "host,reduced" : "off,on");
		return 2;
	}
	views = calloc(n * nl, sizeof(*views));
	groups = calloc(n * nl, sizeof(*groups));
	if (!views || !groups) {
		eb_analysis_error("compare", "out of memory");
		rc = 1;
		goto err_free;
	}
	/* Group l: level l's rows of every file; the baseline level first. */
	for (l = 0; l < nl; l++)
		for (i = 0; i < n; i++, nv++) {
			groups[nv] = l;
			if (mode_view(&rv[i], xcr0, lv[l], &views[nv])) {
				eb_analysis_error("compare", "out of memory");
				rc = 1;
				goto err_free;
			}
		}
	ret = eb_ctable_build_runs(&t, views, nv, groups, thr);
	for (l = 0; !ret && l < nl; l++) {
		char name[32];

		free(t.labels[l]);
		snprintf(name, sizeof(name), "%s=%s", by, lv[l]);
		t.labels[l] = strdup(name);
		ret = t.labels[l] ? 0 : -ENOMEM;
	}
	if (ret) {
		eb_analysis_error("compare", "%s", strerror(-ret));
		rc = 1;
		goto err_table;
	}
	t.by = xcr0 ? "xcr0" : "apx";
	if (!t.ncompared) {
		eb_analysis_error("compare", "0 compared: no test ran ok with %s=%s and with "
				  "another %s (%s found) under the same other mode", by, lv[0],
				  by, found);
		goto err_table;
	}
	rc = eb_analysis_write_report("compare", &t, fmt, out);
err_table:
	eb_ctable_free(&t);
err_free:
	/* The views borrow the files' strings: free their arrays only. */
	for (i = 0; views && i < nv; i++)
		free(views[i].entries);
	free(views);
	free(groups);
	return rc;
}
