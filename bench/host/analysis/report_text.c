// SPDX-License-Identifier: GPL-2.0-only
/*
 * Human renderings of a comparison: plain text for email (<= 72 columns,
 * nothing wider than what a mail client leaves unwrapped) and markdown.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "report.h"

int eb_report_format_parse(const char *s, enum eb_report_format *out)
{
	if (!strcmp(s, "text"))
		*out = EB_FMT_TEXT;
	else if (!strcmp(s, "markdown") || !strcmp(s, "md"))
		*out = EB_FMT_MARKDOWN;
	else if (!strcmp(s, "csv"))
		*out = EB_FMT_CSV;
	else if (!strcmp(s, "json"))
		*out = EB_FMT_JSON;
	else
		return -EINVAL;
	return 0;
}

const char *eb_report_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "n/a");
	else if (p < 1e-16)
		snprintf(buf, len, "<1e-16");
	else
		snprintf(buf, len, "%.2g", p);
	return buf;
}

void eb_report_mode(char *buf, size_t len, const char *apx, const char *xcr0)
{
	/* "*": the factor of compare --by, named by the sides instead. */
	snprintf(buf, len, "%s%s", apx, strcmp(xcr0, "host") && strcmp(xcr0, "*") ? ",r" : "");
}

/* Copy at most @w characters of @s, marking a cut with '~'. */
#define FIT(buf, w, s) fit(buf, sizeof(buf), w, s)
static const char *fit(char *buf, size_t size, size_t w, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (w >= size)
		w = size - 1;
	if (!s)
		s = "?";
	if (n <= w) {
		snprintf(buf, w + 1, "%s", s);
	} else {
		memcpy(buf, s, w - 1);
		buf[w - 1] = '~';
		buf[w] = '\0';
	}
	return buf;
}

/* Cycle counts: one decimal while it fits 8 columns meaningfully. */
static const char *cyc(char *buf, size_t len, double v)
{
	snprintf(buf, len, v < 10000 ? "%.1f" : "%.0f", v);
	return buf;
}

static double pct(double cycles, double base)
{
	return base ? 100 * cycles / base : NAN;
}

static bool any_summary_only(const struct eb_ctable *t)
{
	size_t i, k;

	for (i = 0; i < t->nrows; i++)
		for (k = 0; k < t->ncands; k++)
			if (t->rows[i].cells[k].state == EB_CELL_OK &&
			    !t->rows[i].cells[k].cmp.raw &&
			    !t->rows[i].cells[k].cmp.runs_base)
				return true;
	return false;
}

static bool any_reduced(const struct eb_ctable *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].xcr0, "host") && strcmp(t->rows[i].xcr0, "*"))
			return true;
	return false;
}

/* Whether rows differ in apx/xcr0 mode; if not, the header names it once. */
static bool one_mode(const struct eb_ctable *t)
{
	size_t i;

	for (i = 1; i < t->nrows; i++)
		if (strcmp(t->rows[i].apx, t->rows[0].apx) ||
		    strcmp(t->rows[i].xcr0, t->rows[0].xcr0))
			return false;
	return true;
}

/* Runs the file holds: the most runs any of its entries has. */
static size_t file_runs(const struct eb_rview *rv)
{
	size_t i, runs = 0;

	for (i = 0; i < rv->nentries; i++)
		if (rv->entries[i].nruns > runs)
			runs = rv->entries[i].nruns;
	return runs;
}

static void text_file_line(FILE *f, const char *tag, const char *label,
			   const struct eb_rview *rv)
{
	char l[16], k[32], p[24];
	const char *slash = strrchr(rv->path, '/');

	/* 4 + 1 + 12 + 1 + 22 + 1 + 4 + 1 + 7 + 1 + 17 = 71 */
	fprintf(f, "%-4s %-12s %-22s %4zu %7zu %s\n", tag, FIT(l, 12, label),
		FIT(k, 22, rv->kernel_release), file_runs(rv), rv->samples,
		FIT(p, 17, slash ? slash + 1 : rv->path));
}

/* The largest TSC tick per exit of any compared entry; 0 unknown. */
static double table_tick(const struct eb_ctable *t)
{
	double tick = 0;
	size_t i, k;

	for (i = 0; i < t->nrows; i++)
		for (k = 0; k < t->ncands; k++)
			if (t->rows[i].cells[k].state == EB_CELL_OK &&
			    t->rows[i].cells[k].cmp.tick > tick)
				tick = t->rows[i].cells[k].cmp.tick;
	return tick;
}

/* The files of the table: every file once (sides may share one). */
static size_t table_files(const struct eb_ctable *t, const struct eb_rview **out,
			  size_t max)
{
	size_t n = 0, i, j, nall = t->runs ? t->nfiles : t->ncands + 1;

	for (i = 0; i < nall && n < max; i++) {
		const struct eb_rview *rv = t->runs ? &t->files[i] : i ? t->cands[i - 1] : t->base;

		for (j = 0; j < n && strcmp(out[j]->path, rv->path); j++)
			;
		if (j == n)
			out[n++] = rv;
	}
	return n;
}

/*
 * Which exitbench made the numbers, and when: "exitbench 0.1.0 (1f63918)
 * 2026-11-21", once if every file agrees, else the range of dates and
 * every distinct version.
 */
static void text_tool_line(FILE *f, const struct eb_ctable *t)
{
	const struct eb_rview *fv[64];
	size_t n = table_files(t, fv, 64), i;
	const char *lo = NULL, *hi = NULL;
	char line[160] = "", buf[80];
	bool same = true;

	for (i = 0; i < n; i++) {
		const char *d = fv[i]->date ? fv[i]->date : "?";

		if (!lo || strcmp(d, lo) < 0)
			lo = d;
		if (!hi || strcmp(d, hi) > 0)
			hi = d;
		same &= !strcmp(fv[i]->version ? fv[i]->version : "?",
				fv[0]->version ? fv[0]->version : "?") &&
			!strcmp(fv[i]->commit ? fv[i]->commit : "?",
				fv[0]->commit ? fv[0]->commit : "?");
	}
	if (!n)
		return;
	snprintf(line, sizeof(line), "exitbench %s (%.12s)%s, %.10s", fv[0]->version ?
		 fv[0]->version : "?", fv[0]->commit ? fv[0]->commit : "?",
		 same ? "" : " and others", lo);
	if (strncmp(lo, hi, 10))
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " to %.10s", hi);
	fprintf(f, "tool %s\n", FIT(buf, 67, line));
}

static void text_header(FILE *f, const struct eb_ctable *t)
{
	const struct eb_rview *b = t->base;
	char buf[80], line[80], thr[32];
	size_t i, k;

	fprintf(f, "exitbench compare: median cycles per exit, lower is better\n");
	if (t->rounds)
		fprintf(f, "within one boot, %zu rounds (ABBA), baseline %s\n", b->rounds,
			FIT(buf, 20, t->labels[0]));
	fprintf(f, "host %s\n", FIT(buf, 67, b->hostname));
	fprintf(f, "cpu  %s\n", FIT(buf, 67, b->cpu_model_name));
	snprintf(buf, sizeof(buf), "%d/%d/%d ucode %s, TSC %.1f MHz, KVM %s%s%s",
		 b->cpu_family, b->cpu_model, b->cpu_stepping,
		 b->microcode ? b->microcode : "?", b->tsc_khz / 1000, b->flavor,
		 b->emulated ? " under " : "", b->emulated ? b->emulated : "");
	fprintf(f, "     %s\n", FIT(line, 67, buf));
	if (table_tick(t) > 0)
		fprintf(f, "     TSC tick %g cycles per exit (gcd of the raw samples)\n",
			table_tick(t));
	else
		fprintf(f, "     TSC tick unknown (no raw samples, no tsc_tick)\n");
	fprintf(f, "     %-12s %-22s %4s %7s %s\n", "side", "kernel", "runs", "samples",
		"file");
	if (t->runs) {
		/* Every run, baseline group first. */
		for (k = 0; k <= t->ncands; k++)
			for (i = 0; i < t->nfiles; i++)
				if (t->group[i] == k)
					text_file_line(f, !k ? "old" : t->ncands == 1 ? "new" : "cand",
						       t->labels[k], &t->files[i]);
	} else {
		text_file_line(f, "old", t->labels[0], b);
		for (k = 0; k < t->ncands; k++)
			text_file_line(f, t->ncands == 1 ? "new" : "cand", t->labels[k + 1],
				       t->cands[k]);
	}
	text_tool_line(f, t);
	if (t->thr.percent)
		snprintf(thr, sizeof(thr), "%g%%", t->thr.value);
	else
		snprintf(thr, sizeof(thr), "%g cycles", t->thr.value);
	if (t->rounds)
		fprintf(f, "verdict: paired t over %zu rounds of one boot, p < %.2f,\n"
			"   |delta| >= %s\n", t->base->rounds, EB_CMP_ALPHA, thr);
	else
		fprintf(f, "verdict: Welch t on run medians, p < %.2f, |delta| >= %s\n",
			EB_CMP_ALPHA, thr);
	if (t->by)
		fprintf(f, "by %s: old = the %s rows, new = the %s rows\n"
			"   of the same files, same test and other mode\n", t->by,
			FIT(buf, 14, t->labels[0]), t->ncands == 1 ? t->labels[1] : "other");
	if (t->nrows && one_mode(t))
		fprintf(f, "all rows: guest apx=%s xcr0=%s\n", t->rows[0].apx, t->rows[0].xcr0);
	fprintf(f, "\n");
}

/* The row's test name, marked when its numbers come from emulation. */
static const char *row_name(char *buf, size_t size, int w, const struct eb_crow *r)
{
	const struct eb_rentry *e = r->b ? r->b : r->cells[0].e;
	char name[96];

	if (!e || !e->emulated)
		return fit(buf, size, (size_t)w, r->test);
	/* Cut the name, never the mark. */
	snprintf(buf, size, "%s (e)", fit(name, sizeof(name), (size_t)w - 4, r->test));
	return buf;
}

static bool any_emulated(const struct eb_ctable *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].b && t->rows[i].b->emulated)
			return true;
	return false;
}

/* The baseline's number for a row: over runs, the mean of run medians. */
static bool base_value(const struct eb_ctable *t, const struct eb_crow *r, double *v)
{
	size_t k;

	for (k = 0; t->runs && k < t->ncands; k++) {
		if (r->cells[k].state == EB_CELL_OK) {
			*v = r->cells[k].cmp.base_median;
			return true;
		}
	}
	if (t->runs || !r->b || !r->b->has_cycles)
		return false;
	*v = r->b->cycles.median;
	return true;
}

/* Why a row has no comparison, e.g. "skipped: <reason>", "new: failed". */
static void cell_problem(char *buf, size_t len, const struct eb_crow *r,
			 const struct eb_ccell *c)
{
	const struct eb_rentry *b = r->b, *e = c->e;
	const char *why;

	if (c->why[0]) {
		snprintf(buf, len, "(%s)", c->why);
		return;
	}
	if (c->state == EB_CELL_MISMATCH) {
		snprintf(buf, len, "(not comparable: emulated in %s only)",
			 b->emulated ? "old" : "new");
		return;
	}
	if (c->state == EB_CELL_NO_BASE && !b) {
		snprintf(buf, len, "(not in old)");
		return;
	}
	if (c->state == EB_CELL_NO_CAND && !e) {
		snprintf(buf, len, "(not in new)");
		return;
	}
	if (c->state == EB_CELL_NO_BASE && (!e || !e->has_cycles) &&
	    e && !strcmp(b->status, e->status)) {
		/* Same fate in both: say it once. */
		why = b->reason ? b->reason : "";
		snprintf(buf, len, "(%s: %s)", b->status, why);
		return;
	}
	e = c->state == EB_CELL_NO_BASE ? b : e;
	snprintf(buf, len, "(%s %s: %s)", c->state == EB_CELL_NO_BASE ? "old" : "new",
		 e->status, e->reason ? e->reason : "");
}

/* A percentage in at most 7 columns: fewer decimals as it grows. */
static const char *pct_str(char *buf, size_t len, double v, bool sign)
{
	double a = fabs(v);

	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, sign ? (a >= 100 ? "%+.0f%%" : a >= 10 ? "%+.1f%%" : "%+.2f%%") :
			 (a >= 100 ? "%.0f%%" : a >= 10 ? "%.1f%%" : "%.2f%%"), v);
	return buf;
}

/* The CI column: "+-0.52%", or "+-<tick" when narrower than one tick. */
static const char *ci_str(char *buf, size_t len, const struct eb_cmp *m)
{
	double hw = (m->shift_hi - m->shift_lo) / 2;
	char p[24];

	if (m->verdict == EB_UNRESOLVED || isnan(hw))
		snprintf(buf, len, "-");
	else if (m->tick > 0 && hw < m->tick)
		snprintf(buf, len, "+-<tick");
	else
		snprintf(buf, len, "+-%s", pct_str(p, sizeof(p), pct(hw, m->base_median), false));
	return buf;
}

static bool any_by_file(const struct eb_ctable *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t k = 0; k < t->ncands; k++)
			if (t->rows[i].cells[k].state == EB_CELL_OK &&
			    t->rows[i].cells[k].cmp.by_file)
				return true;
	return false;
}

/*
 * A verdict over the runs of a single file on some side: those runs share
 * one process, and A/A comparisons across processes (README, "A/A") found
 * them less spread than separate processes are.
 */
static bool any_runs_of_one_file(const struct eb_ctable *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		for (size_t k = 0; k < t->ncands; k++) {
			const struct eb_ccell *c = &t->rows[i].cells[k];

			if (c->state == EB_CELL_OK && !c->cmp.by_file &&
			    c->cmp.verdict != EB_UNRESOLVED)
				return true;
		}
	return false;
}

static bool any_below_tick(const struct eb_ctable *t)
{
	size_t i, k;

	for (i = 0; i < t->nrows; i++)
		for (k = 0; k < t->ncands; k++) {
			const struct eb_ccell *c = &t->rows[i].cells[k];

			if (c->state == EB_CELL_OK && c->cmp.verdict != EB_UNRESOLVED &&
			    c->cmp.tick > 0 &&
			    (c->cmp.shift_hi - c->cmp.shift_lo) / 2 < c->cmp.tick)
				return true;
		}
	return false;
}

/*
 * One candidate: "test old new delta CI p verdict"; the columns after
 * the test name take 54 (+6 with the apx column) of the 72.
 */
static void text_single(FILE *f, const struct eb_ctable *t, size_t k)
{
	char tb[32], mb[8], b1[24], b2[24], d[24], ci[32], pb[16], line[128], cut[80];
	bool modes = !one_mode(t);
	int tw = modes ? 12 : 18;
	size_t i;

	fprintf(f, "%-*s ", tw, "test");
	if (modes)
		fprintf(f, "%-5s ", "apx");
	fprintf(f, "%8s %8s %7s %8s %7s %s\n", "old", "new", "delta", "95% CI", "p",
		"verdict");
	for (i = 0; i < t->nrows; i++) {
		const struct eb_crow *r = &t->rows[i];
		const struct eb_ccell *c = &r->cells[k];
		const struct eb_cmp *m = &c->cmp;

		eb_report_mode(mb, sizeof(mb), r->apx, r->xcr0);
		fprintf(f, "%-*s ", tw, row_name(tb, sizeof(tb), tw, r));
		if (modes)
			fprintf(f, "%-5s ", mb);
		if (c->state != EB_CELL_OK) {
			cell_problem(line, sizeof(line), r, c);
			fprintf(f, "%s\n", fit(cut, sizeof(cut), 71 - tw - (modes ? 6 : 0), line));
			continue;
		}
		fprintf(f, "%8s %8s %7s %8s %7s %s\n",
			cyc(b1, sizeof(b1), m->base_median),
			cyc(b2, sizeof(b2), m->cand_median),
			pct_str(d, sizeof(d), m->delta_pct, true), ci_str(ci, sizeof(ci), m),
			m->verdict == EB_UNRESOLVED ? "-" : eb_report_p(pb, sizeof(pb), m->p),
			eb_verdict_name(m->verdict));
	}
}

/* Each distinct reason a cell is unresolved, once. */
static void text_unresolved(FILE *f, const struct eb_ctable *t)
{
	size_t i, k, i2, k2;

	for (i = 0; i < t->nrows; i++)
		for (k = 0; k < t->ncands; k++) {
			const struct eb_ccell *c = &t->rows[i].cells[k];
			bool seen = false;

			if (c->state != EB_CELL_OK || c->cmp.verdict != EB_UNRESOLVED)
				continue;
			for (i2 = 0; i2 <= i && !seen; i2++)
				for (k2 = 0; k2 < t->ncands && !seen; k2++) {
					const struct eb_ccell *o = &t->rows[i2].cells[k2];

					if (i2 == i && k2 >= k)
						break;
					seen = o->state == EB_CELL_OK &&
					       o->cmp.verdict == EB_UNRESOLVED &&
					       !strcmp(o->cmp.why, c->cmp.why);
				}
			if (!seen)
				fprintf(f, "unresolved (%s)\n", c->cmp.why);
		}
}

/* Append to a line buffer; lines are printed without trailing blanks. */
__attribute__((format(printf, 3, 4)))
static void cat(char *line, size_t len, const char *fmt, ...)
{
	size_t used = strlen(line);
	va_list ap;

	va_start(ap, fmt);
	if (used < len)
		vsnprintf(line + used, len - used, fmt, ap);
	va_end(ap);
}

static void put_line(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == ' ')
		line[--n] = '\0';
	fprintf(f, "%s\n", line);
	line[0] = '\0';
}

/* Several candidates: base median, then delta% and a mark per candidate. */
static void text_multi(FILE *f, const struct eb_ctable *t)
{
	const size_t per_block = 4;	/* 12+1+5+1+8 + 4 * 11 = 71 */
	char tb[32], mb[8], b1[24], lb[16], line[160] = "";
	bool modes = !one_mode(t);
	double bv;
	int tw = modes ? 12 : 18;
	size_t first, i, k;

	for (first = 0; first < t->ncands; first += per_block) {
		size_t last = first + per_block < t->ncands ? first + per_block : t->ncands;

		if (first)
			put_line(f, line);
		cat(line, sizeof(line), "%-*s %s%8s", tw, "test", modes ? "apx   " : "",
		    FIT(lb, 8, t->labels[0]));
		for (k = first; k < last; k++)
			cat(line, sizeof(line), " %10s", FIT(lb, 10, t->labels[k + 1]));
		put_line(f, line);
		for (i = 0; i < t->nrows; i++) {
			const struct eb_crow *r = &t->rows[i];

			eb_report_mode(mb, sizeof(mb), r->apx, r->xcr0);
			cat(line, sizeof(line), "%-*s ", tw, row_name(tb, sizeof(tb), tw, r));
			if (modes)
				cat(line, sizeof(line), "%-5s ", mb);
			cat(line, sizeof(line), "%8s", base_value(t, r, &bv) ?
			    cyc(b1, sizeof(b1), bv) : "-");
			for (k = first; k < last; k++) {
				const struct eb_ccell *c = &r->cells[k];
				char mark = ' ';

				if (c->state != EB_CELL_OK) {
					cat(line, sizeof(line), " %10s",
					    c->state == EB_CELL_NO_BASE ? "" : "-");
					continue;
				}
				if (c->cmp.verdict == EB_SLOWER)
					mark = 'S';
				else if (c->cmp.verdict == EB_FASTER)
					mark = 'F';
				else if (c->cmp.verdict == EB_UNRESOLVED)
					mark = 'U';
				cat(line, sizeof(line), "   %+6.2f%%%c", c->cmp.delta_pct, mark);
			}
			put_line(f, line);
		}
	}
	fprintf(f, "\ndelta: candidate vs %s; S slower, F faster, U unresolved (else\n"
		"same); -: skipped, absent, or not comparable (emulated in one file)\n",
		t->labels[0]);
}

static int write_text(FILE *f, const struct eb_ctable *t)
{
	size_t k;

	text_header(f, t);
	if (t->ncands == 1) {
		text_single(f, t, 0);
	} else if (t->rounds) {
		/* One block per strategy: the CI is what goes to the list. */
		for (k = 0; k < t->ncands; k++) {
			fprintf(f, "%s%s vs %s (old)\n", k ? "\n" : "", t->labels[k + 1],
				t->labels[0]);
			text_single(f, t, k);
		}
	} else {
		text_multi(f, t);
	}
	fprintf(f, "\n%zu compared: %zu slower, %zu faster, %zu same, %zu unresolved\n",
		t->ncompared, t->nregressed, t->nimproved,
		t->ncompared - t->nregressed - t->nimproved - t->nunresolved,
		t->nunresolved);
	text_unresolved(f, t);
	if (t->ncompared > 1 || t->rounds) {
		/* Many rows at 95% each: how many verdicts chance alone gives. */
		double chance = EB_CMP_ALPHA * (double)t->ncompared;

		fprintf(f, "%zu comparison%s at 95%%: about %.1f verdict%s other than\n"
			"   \"same\" expected by chance alone; %zu given\n", t->ncompared,
			t->ncompared == 1 ? "" : "s", chance, chance == 1.0 ? "" : "s",
			t->nregressed + t->nimproved);
	}
	if (any_reduced(t))
		fprintf(f, "apx \",r\": guest XCR0 differs from the host's (xcr0=reduced)\n");
	if (any_emulated(t)) {
		double lo = INFINITY, hi = -INFINITY;

		fprintf(f, "(e): guest code software-emulated on this host (PVM CPL0):\n"
			"   emulation cost, not hardware exit timing\n");
		/* What emulation costs here, as measured: the empty CPL0 loop. */
		for (size_t i = 0; i < t->nrows; i++) {
			const struct eb_rentry *e = t->rows[i].b;

			if (e && e->emulated && e->loop_cpl == 0 && isfinite(e->loop)) {
				lo = fmin(lo, e->loop);
				hi = fmax(hi, e->loop);
			}
		}
		if (isfinite(lo) && lo == hi)
			fprintf(f, "   (the empty CPL0 loop took %.0f cycles in old)\n", lo);
		else if (isfinite(lo))
			fprintf(f, "   (the empty CPL0 loop took %.0f-%.0f cycles in old)\n", lo, hi);
	}
	if (t->rounds)
		fprintf(f, "old, new: means of the per-round medians; delta: mean of\n"
			"   the per-round differences, 95%% CI (+- half width, %% of\n"
			"   old): paired t over rounds (within-boot noise only)\n");
	else
		fprintf(f, "old, new: means of the run medians; delta and its 95%% CI\n"
			"   (+- half width, %% of old): Welch t over the runs\n");
	if (any_by_file(t))
		fprintf(f, "   (with >= 2 files a side: over the files' mean run medians,\n"
			"   as runs of one process share its time and conditions)\n");
	if (!t->rounds && !t->by && any_runs_of_one_file(t))
		fprintf(f, "   (1 file a side: the CI covers the runs of one process;\n"
			"   separate processes or boots spread more: for a verdict\n"
			"   between kernels give each side >= 2 files, README \"A/A\")\n");
	if (any_below_tick(t))
		fprintf(f, "+-<tick: CI narrower than one TSC tick; a delta within one\n"
			"   tick never counts as a shift\n");
	return 0;
}

static void md_str(FILE *f, const char *s)
{
	/* A '|' would end the cell. */
	for (; s && *s; s++)
		fputs(*s == '|' ? "\\|" : (char[2]){ *s, 0 }, f);
}

static int write_markdown(FILE *f, const struct eb_ctable *t)
{
	const struct eb_rview *b = t->base;
	char pb[16];
	size_t i, k;
	double bv;

	fprintf(f, "### exitbench compare: median cycles per exit (lower is better)\n\n");
	fprintf(f, "- host: `");
	md_str(f, b->hostname);
	fprintf(f, "`, %s (family %d model %d stepping %d, microcode %s), TSC %.1f MHz\n",
		b->cpu_model_name, b->cpu_family, b->cpu_model, b->cpu_stepping,
		b->microcode ? b->microcode : "?", b->tsc_khz / 1000);
	fprintf(f, "- KVM: %s (%s)%s%s\n", b->flavor, b->module ? b->module : "?",
		b->emulated ? ", host emulated by " : "", b->emulated ? b->emulated : "");
	fprintf(f, "- old: **%s** (kernel `%s`, %zu samples, `%s`)\n", t->labels[0],
		b->kernel_release ? b->kernel_release : "?", b->samples, b->path);
	for (k = 0; k < t->ncands; k++)
		fprintf(f, "- new: **%s** (kernel `%s`, %zu samples, `%s`)\n", t->labels[k + 1],
			t->cands[k]->kernel_release ? t->cands[k]->kernel_release : "?",
			t->cands[k]->samples, t->cands[k]->path);
	fprintf(f, "- exitbench %s (commit %s), run %s\n", b->version ? b->version : "?",
		b->commit ? b->commit : "?", b->date ? b->date : "?");
	if (t->rounds)
		fprintf(f, "- one boot, %zu rounds (ABBA): medians are means of per-round medians; "
			"verdict: paired t over rounds p < %.2f, CI of nonzero width wider than "
			"one TSC tick, and |delta| >= %g%s; fewer than 2 rounds or all "
			"differences equal: unresolved\n\n", b->rounds, EB_CMP_ALPHA,
			t->thr.value, t->thr.percent ? "%" : " cycles");
	else
		fprintf(f, "- %zu files: medians are means of run medians; verdict: Welch t "
			"p < %.2f over the runs, CI wider than one TSC tick, and |delta| >= %g%s; "
			"fewer than 2 runs on a side: unresolved\n\n", t->nfiles, EB_CMP_ALPHA,
			t->thr.value, t->thr.percent ? "%" : " cycles");

	fprintf(f, "| test | apx | xcr0 | %s |", t->labels[0]);
	for (k = 0; k < t->ncands; k++)
		fprintf(f, " %s | delta | shift [95%% CI] | p | verdict |", t->labels[k + 1]);
	fprintf(f, "\n|---|---|---|--:|");
	for (k = 0; k < t->ncands; k++)
		fprintf(f, "--:|--:|--:|--:|---|");
	fprintf(f, "\n");
	for (i = 0; i < t->nrows; i++) {
		const struct eb_crow *r = &t->rows[i];

		fprintf(f, "| %s%s | %s | %s | ", r->test, r->b && r->b->emulated ? " (emulated)" : "",
			r->apx, r->xcr0);
		if (base_value(t, r, &bv))
			fprintf(f, "%.1f |", bv);
		else
			fprintf(f, "%s |", r->b ? r->b->status : "absent");
		for (k = 0; k < t->ncands; k++) {
			const struct eb_ccell *c = &r->cells[k];
			const struct eb_cmp *m = &c->cmp;

			if (c->state == EB_CELL_NO_CAND) {
				fprintf(f, " %s | | | | |", c->e ? c->e->status : "absent");
				continue;
			}
			if (c->state == EB_CELL_NO_BASE) {
				fprintf(f, " %s | | | | |", c->e && c->e->has_cycles ? "" : "-");
				continue;
			}
			if (c->state == EB_CELL_MISMATCH) {
				fprintf(f, " not comparable (emulated in one) | | | | |");
				continue;
			}
			if (m->verdict == EB_UNRESOLVED)
				fprintf(f, " %.1f | %+.2f%% | %+.1f (%s) | ", m->cand_median,
					m->delta_pct, m->shift, m->why);
			else
				fprintf(f, " %.1f | %+.2f%% | %+.1f [%+.1f, %+.1f] | ",
					m->cand_median, m->delta_pct, m->shift, m->shift_lo,
					m->shift_hi);
			fprintf(f, "%s |", eb_report_p(pb, sizeof(pb), m->p));
			fprintf(f, " %s%s |", eb_verdict_name(m->verdict),
				m->raw || m->runs_base ? "" : "*");
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n%zu compared: %zu slower, %zu faster, %zu unresolved.  Shift in cycles "
		"per exit (%s).\n", t->ncompared,
		t->nregressed, t->nimproved, t->nunresolved, t->rounds ?
		"mean of the per-round differences, paired-t CI" :
		"difference of mean run medians, Welch CI");
	if (any_summary_only(t))
		fprintf(f, "\\* no raw samples: shift is the median delta, CI from the medians' "
			"bootstrap CIs, no U test.\n");
	return 0;
}

int eb_report_write(FILE *f, const struct eb_ctable *t, enum eb_report_format fmt)
{
	int ret;

	switch (fmt) {
	case EB_FMT_TEXT: ret = write_text(f, t); break;
	case EB_FMT_MARKDOWN: ret = write_markdown(f, t); break;
	case EB_FMT_CSV: ret = eb_report_csv(f, t); break;
	default: ret = eb_report_json(f, t); break;
	}
	if (!ret && (fflush(f) || ferror(f)))
		ret = -EIO;
	return ret;
}
