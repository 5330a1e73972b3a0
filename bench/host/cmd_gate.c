// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench gate --baseline B --candidate C: the perf-CI verdict.
 * Exit 0: no test regressed beyond the threshold with significance;
 * 1: at least one did (or failed outright while the baseline ran it);
 * 2: unusable input (unreadable/foreign files, other host, nothing to
 * compare), bad usage (an unknown test in --tests/--exclude), or nothing
 * regressed but a test is unresolved (fewer than 2 runs on a side: no
 * verdict either way, so no pass).  Optional JUnit XML (file or stdout)
 * and TAP (stdout) for CI systems.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_analysis.h"
#include "ctable.h"
#include "outfile.h"
#include "report.h"

enum gate_outcome {
	GATE_PASS,
	GATE_REGRESSED,
	GATE_BROKEN,	/* ran in the baseline, failed or timed out now */
	GATE_SKIP,
	GATE_UNRESOLVED,	/* too few runs: no verdict either way */
};

struct gate_case {
	const struct eb_crow *r;
	enum gate_outcome outcome;
	char name[96];
	char detail[224];
};

/* Whether @test is one of the comma-separated names in @list. */
static bool in_list(const char *list, const char *test)
{
	size_t n = strlen(test);
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && !strncmp(p, test, n))
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

/*
 * Every name in @list must be a test of the table: a misspelt name would
 * otherwise select nothing (or exclude nothing) and the gate pass.
 * Returns 0, or 2 after printing.
 */
static int check_list(const struct eb_ctable *t, const char *opt, const char *list)
{
	char *dup = strdup(list), *save = NULL, *tok;
	size_t i;
	bool found;

	if (!dup) {
		eb_analysis_error("gate", "out of memory");
		return 2;
	}
	if (!*list || list[strlen(list) - 1] == ',' || strstr(list, ",,") || *list == ',') {
		eb_analysis_error("gate", "%s '%s': want test names joined by commas", opt, list);
		free(dup);
		return 2;
	}
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0, found = false; i < t->nrows && !found; i++)
			found = !strcmp(t->rows[i].test, tok);
		if (!found) {
			eb_analysis_error("gate", "%s: no test '%s' in these files "
					  "(exitbench show FILE lists them)", opt, tok);
			free(dup);
			return 2;
		}
	}
	free(dup);
	return 0;
}

/* The emulated rows (either side): emulation cost, not exit timing. */
static bool row_emulated(const struct eb_crow *r)
{
	const struct eb_rentry *e = r->cells[0].e;

	return (r->b && r->b->emulated) || (e && e->emulated);
}

static void describe(struct gate_case *gc)
{
	const struct eb_crow *r = gc->r;
	const struct eb_ccell *c = &r->cells[0];
	const struct eb_cmp *m = &c->cmp;
	const struct eb_rentry *e;
	char pb[16];

	snprintf(gc->name, sizeof(gc->name), "%s apx=%s xcr0=%s", r->test, r->apx, r->xcr0);
	if (c->state == EB_CELL_OK && m->verdict == EB_UNRESOLVED) {
		gc->outcome = GATE_UNRESOLVED;
		snprintf(gc->detail, sizeof(gc->detail),
			 "unresolved (%s): %.1f -> %.1f cycles (%+.2f%%)", m->why,
			 m->base_median, m->cand_median, m->delta_pct);
		return;
	}
	if (c->state == EB_CELL_OK) {
		gc->outcome = m->verdict == EB_SLOWER ? GATE_REGRESSED : GATE_PASS;
		if (m->runs_base)
			snprintf(gc->detail, sizeof(gc->detail),
				 "%s: %.1f -> %.1f cycles (%+.2f%%), delta CI [%+.1f, %+.1f], "
				 "Welch p %s over %zu vs %zu runs",
				 eb_verdict_name(m->verdict), m->base_median, m->cand_median,
				 m->delta_pct, m->shift_lo, m->shift_hi,
				 eb_report_p(pb, sizeof(pb), m->p), m->runs_base, m->runs_cand);
		else if (m->raw)
			snprintf(gc->detail, sizeof(gc->detail),
				 "%s: %.1f -> %.1f cycles (%+.2f%%), shift %+.1f [%+.1f, %+.1f], p %s",
				 eb_verdict_name(m->verdict), m->base_median, m->cand_median,
				 m->delta_pct, m->shift, m->shift_lo, m->shift_hi,
				 eb_report_p(pb, sizeof(pb), m->p));
		else
			snprintf(gc->detail, sizeof(gc->detail),
				 "%s: %.1f -> %.1f cycles (%+.2f%%), delta CI [%+.1f, %+.1f] (no raw samples)",
				 eb_verdict_name(m->verdict), m->base_median, m->cand_median,
				 m->delta_pct, m->shift_lo, m->shift_hi);
		return;
	}
	if (c->state == EB_CELL_MISMATCH) {
		gc->outcome = GATE_SKIP;
		snprintf(gc->detail, sizeof(gc->detail),
			 "emulated in one file only (%s): not comparable",
			 r->b->emulated ? "baseline" : "candidate");
		return;
	}
	if (c->why[0] && c->state != EB_CELL_NO_CAND) {
		gc->outcome = GATE_SKIP;
		snprintf(gc->detail, sizeof(gc->detail), "%s", c->why);
		return;
	}
	if (c->state == EB_CELL_NO_BASE) {
		e = r->b;
		gc->outcome = GATE_SKIP;
		snprintf(gc->detail, sizeof(gc->detail), "baseline: %s",
			 e ? (e->reason ? e->reason : e->status) : "not in baseline");
		return;
	}
	e = c->e;
	if (c->why[0] && !(e && (!strcmp(e->status, "failed") || !strcmp(e->status, "timeout")))) {
		gc->outcome = GATE_SKIP;
		snprintf(gc->detail, sizeof(gc->detail), "%s", c->why);
		return;
	}
	if (e && (!strcmp(e->status, "failed") || !strcmp(e->status, "timeout"))) {
		gc->outcome = GATE_BROKEN;
		snprintf(gc->detail, sizeof(gc->detail), "candidate %s: %s", e->status,
			 e->reason ? e->reason : "no reason given");
		return;
	}
	gc->outcome = GATE_SKIP;
	snprintf(gc->detail, sizeof(gc->detail), "candidate: %s",
		 e ? (e->reason ? e->reason : e->status) : "not in candidate");
}

static void xml_str(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			/* Control characters are not allowed in XML 1.0. */
			fputc((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t' ? '?' : *s, f);
		}
	}
}

static void write_junit(FILE *f, const struct eb_ctable *t, const struct gate_case *gc,
			size_t n)
{
	size_t i, failures = 0, skipped = 0;
	char suite[160];

	for (i = 0; i < n; i++) {
		failures += gc[i].outcome == GATE_REGRESSED || gc[i].outcome == GATE_BROKEN;
		skipped += gc[i].outcome == GATE_SKIP || gc[i].outcome == GATE_UNRESOLVED;
	}
	snprintf(suite, sizeof(suite), "exitbench gate %s -> %s", t->labels[0], t->labels[1]);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f, "<testsuites tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
		n, failures, skipped);
	fprintf(f, "  <testsuite name=\"");
	xml_str(f, suite);
	fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		n, failures, skipped);
	for (i = 0; i < n; i++) {
		fprintf(f, "    <testcase classname=\"exitbench.");
		xml_str(f, gc[i].r->test);
		fprintf(f, "\" name=\"");
		xml_str(f, gc[i].name);
		fprintf(f, "\">\n");
		switch (gc[i].outcome) {
		case GATE_REGRESSED:
		case GATE_BROKEN:
			fprintf(f, "      <failure type=\"%s\" message=\"",
				gc[i].outcome == GATE_REGRESSED ? "regression" : "broken");
			xml_str(f, gc[i].detail);
			fprintf(f, "\"/>\n");
			break;
		case GATE_SKIP:
		case GATE_UNRESOLVED:
			fprintf(f, "      <skipped message=\"");
			xml_str(f, gc[i].detail);
			fprintf(f, "\"/>\n");
			break;
		default:
			fprintf(f, "      <system-out>");
			xml_str(f, gc[i].detail);
			fprintf(f, "</system-out>\n");
		}
		fprintf(f, "    </testcase>\n");
	}
	fprintf(f, "  </testsuite>\n</testsuites>\n");
}

static void write_tap(FILE *f, const struct gate_case *gc, size_t n)
{
	size_t i;

	fprintf(f, "TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		bool bad = gc[i].outcome == GATE_REGRESSED || gc[i].outcome == GATE_BROKEN;

		/* '#' starts a TAP directive: keep it out of descriptions. */
		fprintf(f, "%s %zu - %s: %s%s\n", bad ? "not ok" : "ok", i + 1, gc[i].name,
			gc[i].outcome == GATE_SKIP ? "skipped # SKIP " :
			gc[i].outcome == GATE_UNRESOLVED ? "# SKIP " : "", gc[i].detail);
	}
}

static void gate_usage(FILE *f)
{
	fprintf(f,
		"usage: exitbench gate --baseline B.json --candidate C.json [options]\n"
		"       exitbench gate -b B1 [-b B2 ...] -c C1 [-c C2 ...] [options]\n"
		"\n"
		"Perf-CI verdict over runs: every run of every -b file is a baseline\n"
		"run, of every -c file a candidate run (run --repeat N writes N).\n"
		"Exit 0: no test regressed; 1: a test is slower than the baseline\n"
		"beyond the threshold with significance (Welch t on the run medians,\n"
		"p < 0.05, CI excluding 0 and wider than one TSC tick), or failed\n"
		"where the baseline ran; 2: unusable input, or no regression but a\n"
		"test unresolved (fewer than 2 runs on a side: between-run spread\n"
		"unknown).  Exit 2 also for bad usage (an unknown test name).\n"
		"\n"
		"  -b, --baseline FILE   baseline results (repeat for several runs)\n"
		"  -c, --candidate FILE  candidate results (repeat for several runs)\n"
		"  -t, --threshold T     N%% of the baseline median or N cycles\n"
		"                        (default " EB_DEFAULT_THRESHOLD_STR ", as compare)\n"
		"      --tests A,B       gate only these tests (names as in 'exitbench list')\n"
		"      --exclude A,B     leave these tests out\n"
		"      --skip-emulated   leave out rows emulated on either side (PVM CPL0:\n"
		"                        emulation cost, not exit timing)\n"
		"      --junit FILE      also write JUnit XML there (atomically; '-' is\n"
		"                        stdout, the summary then goes to stderr)\n"
		"      --tap             print TAP (version 13) instead of the summary\n"
		"      --force           accept results from different hosts/CPUs/TSC\n"
		"      --allow-injected  accept a run --inject-delay file against a plain one\n"
		"      --standin-as-apx  match APX stand-in rows with APX rows\n"
		"  -h, --help            this help\n");
}

int cmd_gate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "baseline", required_argument, NULL, 'b' },
		{ "candidate", required_argument, NULL, 'c' },
		{ "threshold", required_argument, NULL, 't' },
		{ "junit", required_argument, NULL, 'J' },
		{ "tap", no_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'F' },
		{ "allow-injected", no_argument, NULL, 'I' },
		{ "standin-as-apx", no_argument, NULL, 'A' },
		{ "tests", required_argument, NULL, 'S' },
		{ "exclude", required_argument, NULL, 'X' },
		{ "skip-emulated", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct eb_threshold thr = EB_DEFAULT_THRESHOLD;
	const char *junit = NULL, *only = NULL, *exclude = NULL;
	bool skip_emulated = false;
	size_t ncompared = 0, nleft = 0;
	char **paths = calloc((size_t)argc + 1, sizeof(*paths));
	size_t *groups = calloc((size_t)argc + 1, sizeof(*groups));
	size_t i, n = 0, nb = 0, nc = 0, nbad = 0, nskip = 0;
	struct gate_case *gc = NULL;
	struct eb_rview *rv = NULL;
	bool tap = false, force = false, allow_injected = false;
	size_t nunres = 0;
	struct eb_ctable t;
	int c, ret, rc = 2;

	memset(&t, 0, sizeof(t));
	if (!paths || !groups) {
		eb_analysis_error("gate", "out of memory");
		goto err_args;
	}
	/* Baselines first in paths[], then candidates: the run groups. */

	optind = 1;
	while ((c = getopt_long(argc, argv, "+:b:c:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			memmove(paths + nb + 1, paths + nb, nc * sizeof(*paths));
			paths[nb++] = optarg;
			break;
		case 'c':
			paths[nb + nc++] = optarg;
			break;
		case 'J': junit = optarg; break;
		case 'T': tap = true; break;
		case 'F': force = true; break;
		case 'I': allow_injected = true; break;
		case 'A': eb_analysis_standin_as_apx(); break;
		case 'S': only = optarg; break;
		case 'X': exclude = optarg; break;
		case 'E': skip_emulated = true; break;
		case 't':
			if (eb_threshold_parse(optarg, &thr)) {
				eb_analysis_error("gate", "bad --threshold '%s' (want e.g. 2%% or 20 cycles)",
						  optarg);
				goto err_args;
			}
			break;
		case 'h':
			gate_usage(stdout);
			rc = 0;
			goto err_args;
		default:
			rc = eb_usage_error("gate", argv, c);
			goto err_args;
		}
	}
	if (!nb || !nc || optind != argc) {
		eb_analysis_error("gate", "need at least one --baseline and one --candidate "
				  "(try --help)");
		goto err_args;
	}
	/* With --junit -, the summary goes to stderr. */
	if (junit && eb_check_out("gate", junit, false, true))
		goto err_args;
	n = nb + nc;
	for (i = nb; i < n; i++)
		groups[i] = 1;
	rv = calloc(n, sizeof(*rv));
	if (!rv || eb_analysis_load("gate", paths, n, rv, force)) {
		if (!rv)
			eb_analysis_error("gate", "out of memory");
		n = 0;
		goto err_free;
	}
	if (eb_analysis_check_injected("gate", rv, n, allow_injected))
		goto err_free;
	ret = eb_ctable_build_runs(&t, rv, n, groups, &thr);
	if (!ret) {
		gc = calloc(t.nrows ? t.nrows : 1, sizeof(*gc));
		if (!gc)
			ret = -ENOMEM;
	}
	if (ret) {
		eb_analysis_error("gate", "%s", strerror(-ret));
		goto err_free;
	}
	if ((only && check_list(&t, "--tests", only)) ||
	    (exclude && check_list(&t, "--exclude", exclude)))
		goto err_free;
	/* The selected rows only: left-out tests are not even skipped. */
	for (i = 0; i < t.nrows; i++) {
		const struct eb_crow *r = &t.rows[i];
		struct gate_case *g = &gc[nleft];

		if ((only && !in_list(only, r->test)) || (exclude && in_list(exclude, r->test)) ||
		    (skip_emulated && row_emulated(r)))
			continue;
		nleft++;
		g->r = r;
		describe(g);
		ncompared += r->cells[0].state == EB_CELL_OK;
		nbad += g->outcome == GATE_REGRESSED || g->outcome == GATE_BROKEN;
		nskip += g->outcome == GATE_SKIP;
		nunres += g->outcome == GATE_UNRESOLVED;
	}
	if (ncompared == 0 && nbad == 0) {
		if (nleft < t.nrows)
			eb_analysis_error("gate", "%s and %s: no selected test measured in both "
					  "(%zu of %zu rows left out by --tests/--exclude/--skip-emulated)",
					  paths[0], paths[nb], t.nrows - nleft, t.nrows);
		else
			eb_analysis_error("gate", "%s and %s have no test measured in both",
					  paths[0], paths[nb]);
		goto err_free;
	}
	if (junit) {
		struct eb_outfile of;

		char err[512];

		ret = eb_outfile_open(&of, junit, err, sizeof(err));
		if (!ret) {
			write_junit(of.f, &t, gc, nleft);
			ret = eb_outfile_commit(&of, err, sizeof(err));
		}
		if (ret) {
			eb_analysis_error("gate", "%s", err);
			goto err_free;
		}
	}
	if (tap) {
		write_tap(stdout, gc, nleft);
	} else {
		printf("exitbench gate: %s -> %s, threshold %g%s: %zu compared, %zu regressed, %zu unresolved, %zu skipped\n",
		       t.labels[0], t.labels[1], thr.value, thr.percent ? "%" : " cycles",
		       ncompared, nbad, nunres, nskip);
		if (nleft < t.nrows)
			printf("%zu of %zu rows left out (--tests/--exclude/--skip-emulated)\n",
			       t.nrows - nleft, t.nrows);
		for (i = 0; i < nleft; i++)
			if (gc[i].outcome == GATE_REGRESSED || gc[i].outcome == GATE_BROKEN)
				printf("REGRESSION %s: %s\n", gc[i].name, gc[i].detail);
	}
	rc = nbad ? 1 : 0;
	/* Unknown is not "no regression": a CI job must not pass on it. */
	for (i = 0; !nbad && i < nleft; i++) {
		if (gc[i].outcome != GATE_UNRESOLVED)
			continue;
		eb_analysis_error("gate", "%s: unresolved (%s); run each side with --repeat N (N >= 2)",
				  gc[i].name, gc[i].r->cells[0].cmp.why);
		rc = 2;
		break;
	}
err_free:
	free(gc);
	eb_ctable_free(&t);
	for (i = 0; i < n; i++)
		eb_rview_free(&rv[i]);
	free(rv);
err_args:
	free(paths);
	free(groups);
	return rc;
}
