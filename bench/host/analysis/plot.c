// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generation of gnuplot scripts and data files (see plot.h).  Running
 * gnuplot is the CLI's business (cmd_plot.c).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outfile.h"
#include "plot.h"
#include "report.h"

/* Points per ECDF curve: smooth at any sample count, small files. */
#define ECDF_POINTS 400

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EIO;
}

/* Keep file names portable: letters, digits, '-', '_' only. */
static char *make_stem(const char *test)
{
	char *s = strdup(test), *p;

	for (p = s; p && *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
	return s;
}

/* A gnuplot string for noenhanced text: only '"' and '\\' escaped. */
static void gp_raw(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * Where the numbers come from, for the caption and the file headers:
 * host, CPU, microcode, kernel, flavor (and what emulates the host),
 * strategy, exitbench version and commit, date.
 */
static void provenance(char *buf, size_t len, const struct eb_rview *rv, const char *label)
{
	snprintf(buf, len, "%s: host %s, %s (ucode %s), kernel %s, KVM %s%s%s, strategy %s, "
		 "exitbench %s (%s), %s", label, rv->hostname, rv->cpu_model_name,
		 rv->microcode ? rv->microcode : "?",
		 rv->kernel_release ? rv->kernel_release : "?", rv->flavor,
		 rv->emulated ? " under " : "", rv->emulated ? rv->emulated : "",
		 rv->strategy, rv->version ? rv->version : "?", rv->commit ? rv->commit : "?",
		 rv->date ? rv->date : "?");
}

/* "# provenance" lines for .gp and .dat files. */
static void prov_comments(FILE *f, const struct eb_rview *files, size_t n,
			  char *const *labels)
{
	char buf[512];

	for (size_t i = 0; i < n; i++) {
		provenance(buf, sizeof(buf), &files[i], labels[i]);
		fprintf(f, "# %s\n", buf);
	}
}

/* The caption: one line per file (at most 4), small, under the plot. */
static int prov_caption(FILE *f, const struct eb_rview *files, size_t n,
			char *const *labels)
{
	char buf[512];
	size_t i, shown = n < 4 ? n : 4;

	for (i = 0; i < shown; i++) {
		provenance(buf, sizeof(buf), &files[i], labels[i]);
		fprintf(f, "set label %zu ", 100 + i);
		gp_raw(f, buf);
		fprintf(f, " at screen 0.01, screen %.3f font \",8\" noenhanced\n",
			0.012 + 0.025 * (double)(shown - 1 - i));
	}
	if (n > shown)
		fprintf(f, "set label 199 \"(and %zu more files: see the .dat header)\" "
			"at screen 0.7, screen 0.012 font \",8\"\n", n - shown);
	/* Room for the caption below the x label. */
	fprintf(f, "set bmargin %zu\n", 4 + 1 + shown);
	return 0;
}

/* The apx/xcr0 mode in words, for legends and tick labels. */
static void mode_words(char *buf, size_t len, const char *apx, const char *xcr0)
{
	snprintf(buf, len, "APX %s%s", apx, strcmp(xcr0, "host") && strcmp(xcr0, "*") ?
		 ", guest XCR0 reduced" : "");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One ECDF block: raw samples when present, else the percentile points. */
static int write_ecdf(FILE *f, const struct eb_rentry *e)
{
	const struct eb_stats *s = &e->cycles;
	size_t i;

	if (e->raw) {
		double *v = malloc(e->nraw * sizeof(*v));

		if (!v)
			return -ENOMEM;
		memcpy(v, e->raw, e->nraw * sizeof(*v));
		qsort(v, e->nraw, sizeof(*v), cmp_double);
		for (i = 0; i <= ECDF_POINTS; i++) {
			double q = 100.0 * i / ECDF_POINTS;

			fprintf(f, "%.6g %.6g\n", eb_percentile_sorted(v, e->nraw, q), q / 100);
		}
		free(v);
	} else {
		const double x[] = { s->min, s->p1, s->p5, s->p25, s->median,
				     s->p75, s->p95, s->p99, s->max };
		const double y[] = { 0, .01, .05, .25, .5, .75, .95, .99, 1 };

		for (i = 0; i < sizeof(x) / sizeof(x[0]); i++)
			fprintf(f, "%.6g %.6g\n", x[i], y[i]);
	}
	fprintf(f, "\n\n");
	return 0;
}

struct curve {
	const struct eb_rentry *e;
	size_t file;
	size_t mode;	/* index of (apx, xcr0) among this figure's modes */
};

/*
 * Colour says which file (strategy), dash pattern which apx/xcr0 mode, so
 * "strategy x mode" reads off the legend without running out of colours.
 */
static void assign_modes(struct curve *c, size_t n)
{
	size_t i, j, next = 0;

	for (i = 0; i < n; i++) {
		c[i].mode = (size_t)-1;
		for (j = 0; j < i; j++) {
			if (!strcmp(c[j].e->apx, c[i].e->apx) &&
			    !strcmp(c[j].e->xcr0, c[i].e->xcr0)) {
				c[i].mode = c[j].mode;
				break;
			}
		}
		if (c[i].mode == (size_t)-1)
			c[i].mode = next++;
	}
}

static int write_test(const char *dir, const char *test, const char *stem,
		      const struct eb_rview *files, size_t nfiles,
		      char *const *labels, char *err, size_t errlen)
{
	struct curve *c = calloc(1, sizeof(*c));
	double xmin = INFINITY, xmax = -INFINITY, span, tick = 0, lo_all = INFINITY;
	double hi_all = -INFINITY;
	struct eb_outfile dat, gp;
	char path[4096], mode[16], words[64], note[512] = "";
	size_t n = 0, i, j, nemu = 0;
	bool degenerate, cut = false;
	int ret;

	for (i = 0; c && i < nfiles; i++) {
		for (j = 0; j < files[i].nentries; j++) {
			const struct eb_rentry *e = &files[i].entries[j];
			struct curve *nc;

			if (strcmp(e->test, test))
				continue;
			if (!e->has_cycles) {
				/* Never silent: the figure says what is missing. */
				size_t used = strlen(note);

				snprintf(note + used, sizeof(note) - used, "%snot drawn: %s %s (%s)",
					 used ? "; " : "", labels[i], e->status,
					 e->reason ? e->reason : "no reason given");
				continue;
			}
			nc = realloc(c, (n + 1) * sizeof(*c));
			if (!nc)
				break;
			c = nc;
			c[n].e = e;
			c[n].file = i;
			n++;
			/*
			 * Show the body, not the tail: exits interrupted by
			 * the host run to 100x the median and would squash
			 * every curve against the left edge.
			 */
			xmin = fmin(xmin, e->cycles.p1);
			xmax = fmax(xmax, fmin(e->cycles.p99, e->cycles.p75 +
					       3 * (e->cycles.p75 - e->cycles.p25)));
			lo_all = fmin(lo_all, e->cycles.min);
			hi_all = fmax(hi_all, e->cycles.max);
			tick = fmax(tick, e->tick);
			nemu += e->emulated;
		}
	}
	if (!c)
		return -ENOMEM;
	if (!n) {
		free(c);
		return -ENODATA;
	}
	assign_modes(c, n);
	/*
	 * All samples of every curve in one or two ticks: a p1..p99 range
	 * would be a sliver around one value (and the curves would stop
	 * short of 1).  Draw the whole range, a few ticks wide, and say so.
	 */
	degenerate = tick > 0 && xmax - xmin <= tick;
	if (degenerate) {
		xmin = lo_all - 1.5 * tick;
		xmax = hi_all + 1.5 * tick;
		degenerate = hi_all - lo_all <= 2 * tick;
		if (!degenerate) {
			xmin = lo_all;
			xmax = hi_all;
		}
	}
	cut = hi_all > xmax || lo_all < xmin;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, stem);
	ret = eb_outfile_open(&dat, path, err, errlen);
	if (ret) {
		free(c);
		return ret;
	}
	fprintf(dat.f, "# exitbench plot: %s, cycles per exit%s\n", test,
		nemu ? " (EMULATED rows: PVM CPL0, emulation cost, not exit timing)" : "");
	prov_comments(dat.f, files, nfiles, labels);
	fprintf(dat.f, "# blocks 0..%zu: ECDF (x cycles, y fraction); block %zu: median lo hi y\n\n",
		n - 1, n);
	for (i = 0; i < n && !ret; i++) {
		eb_report_mode(mode, sizeof(mode), c[i].e->apx, c[i].e->xcr0);
		fprintf(dat.f, "# %s apx=%s xcr0=%s%s\n", labels[c[i].file], c[i].e->apx,
			c[i].e->xcr0, c[i].e->emulated ? " emulated" : "");
		ret = write_ecdf(dat.f, c[i].e);
	}
	/* Medians with their CIs, staggered around y = 0.5 to stay apart. */
	for (i = 0; i < n && !ret; i++)
		fprintf(dat.f, "%.6g %.6g %.6g %.4f\n", c[i].e->cycles.median,
			c[i].e->cycles.median_ci_lo, c[i].e->cycles.median_ci_hi,
			0.5 + 0.03 * ((double)i - (double)(n - 1) / 2));
	ret = eb_outfile_finish(&dat, ret, err, errlen);
	if (ret) {
		free(c);
		return ret;
	}

	snprintf(path, sizeof(path), "%s/%s.gp", dir, stem);
	ret = eb_outfile_open(&gp, path, err, errlen);
	if (ret) {
		free(c);
		return ret;
	}
	span = xmax > xmin ? xmax - xmin : fmax(1, fabs(xmax) * 0.01);
	fprintf(gp.f, "# exitbench plot: latency distribution of '%s'.\n"
		"# Edit and re-render with: gnuplot %s.gp\n", test, stem);
	prov_comments(gp.f, files, nfiles, labels);
	fprintf(gp.f, "set title ");
	gp_raw(gp.f, test);
	fprintf(gp.f, " . \"%s (ECDF; bars: median, 95%% CI)\" noenhanced\n",
		nemu == n ? ": EMULATED cycles per exit (PVM CPL0: emulation cost, not exit timing)" :
		nemu ? ": cycles per exit, some EMULATED (PVM CPL0)" : ": cycles per exit");
	if (files[0].emulated) {
		/* A host under QEMU TCG: every number is emulation. */
		fprintf(gp.f, "set title ");
		gp_raw(gp.f, test);
		fprintf(gp.f, " . \": cycles per exit (ECDF; bars: median, 95%% CI)\\n"
			"the whole host is emulated by %s: numbers are not hardware timing\" noenhanced\n",
			files[0].emulated);
	}
	if (degenerate)
		fprintf(gp.f, "set xlabel \"cycles per exit: all samples in 2 ticks "
			"(tick %g), %g..%g: a step\"\n",
			tick, lo_all, hi_all);
	else
		fprintf(gp.f, "set xlabel \"TSC cycles per exit (%s)\"\n", cut ?
			"p1 to min(p99, p75 + 3 IQR); curves go on off the range" : "all samples");
	fprintf(gp.f, "set ylabel \"fraction of samples\"\n"
		"set key outside right top font \",9\" noenhanced\nset grid\n"
		"set xrange [%.6g:%.6g]\nset yrange [0:1.02]\n",
		xmin - 0.05 * span, xmax + 0.05 * span);
	if (degenerate)
		fprintf(gp.f, "set xtics %g\n", tick);
	if (xmax >= 1e5)
		fprintf(gp.f, "set format x \"%%.0f\"\n");
	if (note[0]) {
		fprintf(gp.f, "set label 98 ");
		gp_raw(gp.f, note);
		fprintf(gp.f, " at graph 0.01, graph 0.97 font \",9\" tc rgb 'red' noenhanced\n");
	}
	prov_caption(gp.f, files, nfiles, labels);
	fprintf(gp.f, "do for [t in \"pngcairo svg\"] {\n"
		"  if (t eq \"svg\") { set terminal svg size 1100,600 dynamic enhanced background rgb 'white'; "
		"set output \"%s.svg\" } \\\n"
		"  else { set terminal pngcairo size 1100,600 enhanced; set output \"%s.png\" }\n"
		"  plot \\\n", stem, stem);
	for (i = 0; i < n; i++) {
		const struct eb_rentry *e = c[i].e;
		char title[224], few[96] = "";

		/* One or two ticks: a step, which the legend says in numbers. */
		if (e->tick > 0 && e->cycles.max - e->cycles.min <= 2 * e->tick)
			snprintf(few, sizeof(few), " [only %g..%g, tick %g]",
				 e->cycles.min, e->cycles.max, e->tick);
		mode_words(words, sizeof(words), e->apx, e->xcr0);
		snprintf(title, sizeof(title), "%s, %s%s%s%s", labels[c[i].file], words,
			 e->raw ? "" : " (percentiles)", e->emulated ? " [EMULATED]" : "", few);
		/* Percentile points are too sparse for steps: join them. */
		fprintf(gp.f, "    \"%s.dat\" index %zu using 1:2 with %s lw 2 lc %zu dt %zu title ",
			stem, i, c[i].e->raw ? "steps" : "lines", c[i].file + 1, c[i].mode + 1);
		gp_raw(gp.f, title);
		fprintf(gp.f, ", \\\n");
	}
	for (i = 0; i < n; i++)
		fprintf(gp.f, "    \"%s.dat\" index %zu every ::%zu::%zu using 1:4:2:3 "
			"with xerrorbars pt 7 ps 0.8 lc %zu notitle%s\n", stem, n, i, i,
			c[i].file + 1, i + 1 < n ? ", \\" : "");
	fprintf(gp.f, "  set output\n}\n");
	free(c);
	ret = eb_outfile_commit(&gp, err, errlen);
	if (ret)
		return ret;
	return 0;
}

int eb_plot_tests(const char *dir, const struct eb_rview *files, size_t nfiles,
		  char *const *labels, struct eb_plot_list *out,
		  char *err, size_t errlen)
{
	size_t i, j, k;
	int ret;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < nfiles; i++) {
		for (j = 0; j < files[i].nentries; j++) {
			const char *test = files[i].entries[j].test;
			char **ns, *stem;
			bool seen = false;

			/* First occurrence of this test in any file only. */
			for (k = 0; k < i && !seen; k++)
				seen = eb_rview_find_test(&files[k], test);
			for (k = 0; k < j && !seen; k++)
				seen = !strcmp(files[i].entries[k].test, test);
			if (seen)
				continue;
			stem = make_stem(test);
			if (!stem)
				return -ENOMEM;
			ret = write_test(dir, test, stem, files, nfiles, labels, err, errlen);
			if (ret == -ENODATA) {
				free(stem);
				continue;	/* skipped everywhere: nothing to draw */
			}
			if (ret) {
				free(stem);
				return ret;
			}
			ns = realloc(out->stems, (out->n + 1) * sizeof(*ns));
			if (!ns) {
				free(stem);
				return -ENOMEM;
			}
			out->stems = ns;
			out->stems[out->n++] = stem;
		}
	}
	return 0;
}

static int cmp_abs_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x < y) - (x > y);
}

/* The bar's extent: the delta and its CI, whichever reaches further. */
static double bar_extent(const struct eb_cmp *m)
{
	double v = fabs(m->delta_pct);

	if (isfinite(m->shift_lo) && isfinite(m->shift_hi) && m->base_median) {
		v = fmax(v, fabs(100 * m->shift_lo / m->base_median));
		v = fmax(v, fabs(100 * m->shift_hi / m->base_median));
	}
	return v;
}

/*
 * One outlier (a +25% row among +-1% ones) would set the scale for all:
 * when the largest bar is over 3x the next one, cut the y axis at 1.5x
 * the next one (at least twice the threshold) and print the cut bars'
 * values at the edge.  Returns the limit, or 0 for no cut.
 */
static double overview_limit(const struct eb_ctable *t, double thr_pct)
{
	double *v = calloc(t->nrows * t->ncands + 1, sizeof(*v)), lim = 0;
	size_t i, k, n = 0;

	if (!v)
		return 0;
	for (i = 0; i < t->nrows; i++)
		for (k = 0; k < t->ncands; k++)
			if (t->rows[i].cells[k].state == EB_CELL_OK &&
			    t->rows[i].cells[k].cmp.base_median)
				v[n++] = bar_extent(&t->rows[i].cells[k].cmp);
	qsort(v, n, sizeof(*v), cmp_abs_desc);
	if (n >= 3 && v[1] > 0 && v[0] > 3 * v[1])
		lim = fmax(1.5 * v[1], isfinite(thr_pct) ? 2 * thr_pct : 0);
	free(v);
	return lim;
}

int eb_plot_overview(const char *dir, const struct eb_ctable *t,
		     char *err, size_t errlen)
{
	struct eb_outfile dat, gp;
	char path[4096], mode[16], words[64], buf[512];
	size_t i, k, rows = 0, ncut = 0, nunres = 0;
	bool modes = false, *drawn;
	double thr_pct, lim;
	int ret;

	/* Label rows "test/mode" only when the modes differ. */
	for (i = 1; i < t->nrows; i++)
		modes |= strcmp(t->rows[i].apx, t->rows[0].apx) ||
			 strcmp(t->rows[i].xcr0, t->rows[0].xcr0);

	snprintf(path, sizeof(path), "%s/overview.dat", dir);
	ret = eb_outfile_open(&dat, path, err, errlen);
	if (ret)
		return ret;
	fprintf(dat.f, "# exitbench plot: delta vs %s, %% of its median: the numbers of "
		"exitbench compare\n", t->labels[0]);
	for (k = 0; k <= t->ncands; k++) {
		provenance(buf, sizeof(buf), k ? t->cands[k - 1] : t->base, t->labels[k]);
		fprintf(dat.f, "# %s\n", buf);
	}
	fprintf(dat.f, "# row");
	for (k = 0; k < t->ncands; k++)
		fprintf(dat.f, " %s:delta,lo,hi", t->labels[k + 1]);
	fprintf(dat.f, "\n");
	for (i = 0; i < t->nrows; i++) {
		const struct eb_crow *r = &t->rows[i];
		bool any = false;

		for (k = 0; k < t->ncands; k++)
			any |= r->cells[k].state == EB_CELL_OK;
		if (!any)
			continue;
		eb_report_mode(mode, sizeof(mode), r->apx, r->xcr0);
		mode_words(words, sizeof(words), r->apx, r->xcr0);
		/* Readable ticks: "cpuid (APX on, guest XCR0 reduced)", emulated marked. */
		fprintf(dat.f, "\"%s%s%s%s%s\"", r->test, r->b && r->b->emulated ? " [EMU]" : "",
			modes ? "\\n(" : "", modes ? words : "", modes ? ")" : "");
		for (k = 0; k < t->ncands; k++) {
			const struct eb_cmp *m = &r->cells[k].cmp;

			if (r->cells[k].state != EB_CELL_OK || !m->base_median) {
				fprintf(dat.f, " ? ? ?");
				continue;
			}
			/* Unresolved: the bar without whiskers (no CI exists). */
			if (!isfinite(m->shift_lo) || !isfinite(m->shift_hi)) {
				nunres++;
				fprintf(dat.f, " %.4f %.4f %.4f", m->delta_pct, m->delta_pct,
					m->delta_pct);
				continue;
			}
			fprintf(dat.f, " %.4f %.4f %.4f", m->delta_pct,
				100 * m->shift_lo / m->base_median,
				100 * m->shift_hi / m->base_median);
		}
		fprintf(dat.f, "\n");
		rows++;
	}
	ret = eb_outfile_commit(&dat, err, errlen);
	if (ret)
		return ret;
	if (!rows)
		return fail(err, errlen, "no test was measured in both %s and a candidate",
			    t->base->path);

	snprintf(path, sizeof(path), "%s/overview.gp", dir);
	ret = eb_outfile_open(&gp, path, err, errlen);
	if (ret)
		return ret;
	thr_pct = t->thr.percent ? t->thr.value : NAN;
	lim = overview_limit(t, thr_pct);
	fprintf(gp.f, "# exitbench plot: delta per test vs the baseline with its 95%% CI,\n"
		"# the numbers of exitbench compare.  Re-render with: gnuplot overview.gp\n");
	for (k = 0; k <= t->ncands; k++) {
		provenance(buf, sizeof(buf), k ? t->cands[k - 1] : t->base, t->labels[k]);
		fprintf(gp.f, "# %s\n", buf);
	}
	fprintf(gp.f, "set title \"cycles per exit vs %s: bars delta, whiskers 95%% CI (%s)%s\" noenhanced\n"
		"set ylabel \"delta, %% of %s median\" noenhanced\n",
		t->labels[0], t->rounds ? "paired t over rounds" : "Welch t over runs",
		nunres ? "\\nno whisker: unresolved (too few runs for a CI)" : "", t->labels[0]);
	fprintf(gp.f, 
		"set datafile missing \"?\"\n"
		"set style data histograms\n"
		"set style histogram errorbars gap 2 lw 1\n"
		"set style fill solid 0.6 border -1\n"
		"set boxwidth 0.9\nset grid ytics\nset key outside right top noenhanced\n"
		"set xtics rotate by -35 noenhanced font \",9\"\nset xzeroaxis lt -1\n"
		"set offsets 0, 0, graph 0.05, graph 0.05\n");
	/* Candidates with nothing compared: not drawn, and the figure says so. */
	drawn = calloc(t->ncands + 1, sizeof(*drawn));
	if (!drawn) {
		eb_outfile_abort(&gp);
		return -ENOMEM;
	}
	buf[0] = '\0';
	for (k = 0; k < t->ncands; k++) {
		for (i = 0; i < t->nrows && !drawn[k]; i++)
			drawn[k] = t->rows[i].cells[k].state == EB_CELL_OK;
		if (!drawn[k])
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%snot drawn: %s "
				 "(no test compared with %s)", strlen(buf) ? "; " : "",
				 t->labels[k + 1], t->labels[0]);
	}
	if (buf[0]) {
		fprintf(gp.f, "set label 98 ");
		gp_raw(gp.f, buf);
		fprintf(gp.f, " at graph 0.01, graph 0.97 tc rgb 'red' noenhanced\n");
	}
	if (lim > 0) {
		size_t row = 0;

		fprintf(gp.f, "# one bar would flatten the rest: the y axis is cut\n"
			"set yrange [%.4g:%.4g]\n", -lim, lim);
		for (i = 0; i < t->nrows; i++) {
			bool any = false;

			for (k = 0; k < t->ncands; k++)
				any |= t->rows[i].cells[k].state == EB_CELL_OK;
			if (!any)
				continue;
			for (k = 0; k < t->ncands; k++) {
				const struct eb_cmp *m = &t->rows[i].cells[k].cmp;
				double x = (double)row + ((double)k - (double)(t->ncands - 1) / 2) /
					   (double)(t->ncands + 2);

				if (t->rows[i].cells[k].state != EB_CELL_OK || bar_extent(m) <= lim)
					continue;
				ncut++;
				fprintf(gp.f, "set label %zu \"%+.1f%% (off scale)\" at first %.3f, first %.4g "
					"left front rotate by 90 tc rgb 'red' font \",9\" noenhanced\n", 200 + ncut,
					m->delta_pct, x + 0.25,
					(m->delta_pct > 0 ? 0.3 : -0.9) * lim);
			}
			row++;
		}
		fprintf(gp.f, "set label 97 \"y axis cut at +-%.3g%%: %zu bar(s) off scale, "
			"value printed beside\" at graph 0.99, graph 0.97 right tc rgb 'red' "
			"noenhanced\n", lim, ncut);
	}
	for (i = 0; i < t->nrows && !(t->rows[i].b && t->rows[i].b->emulated); i++)
		;
	if (i < t->nrows)
		fprintf(gp.f, "set label 96 \"[EMU]: EMULATED on this host (PVM CPL0): "
			"emulation cost, not exit timing\" at screen 0.01, screen %.3f "
			"font \",9\" tc rgb 'red' noenhanced\n",
			0.012 + 0.025 * (double)((t->ncands < 3 ? t->ncands : 3) + 1));
	provenance(buf, sizeof(buf), t->base, t->labels[0]);
	fprintf(gp.f, "set label 100 ");
	gp_raw(gp.f, buf);
	fprintf(gp.f, " at screen 0.01, screen 0.012 font \",8\" noenhanced\n");
	for (k = 0; k < t->ncands && k < 3; k++) {
		provenance(buf, sizeof(buf), t->cands[k], t->labels[k + 1]);
		fprintf(gp.f, "set label %zu ", 101 + k);
		gp_raw(gp.f, buf);
		fprintf(gp.f, " at screen 0.01, screen %.3f font \",8\" noenhanced\n",
			0.012 + 0.025 * (double)(k + 1));
	}
	fprintf(gp.f, "set bmargin %zu\n", 8 + (t->ncands < 3 ? t->ncands : 3));
	if (isfinite(thr_pct))
		fprintf(gp.f, "# verdict threshold: +-%g%%\n"
			"set arrow from graph 0, first %g to graph 1, first %g nohead dt 2 lc rgb 'gray40'\n"
			"set arrow from graph 0, first %g to graph 1, first %g nohead dt 2 lc rgb 'gray40'\n",
			thr_pct, thr_pct, thr_pct, -thr_pct, -thr_pct);
	fprintf(gp.f, "do for [t in \"pngcairo svg\"] {\n"
		"  if (t eq \"svg\") { set terminal svg size 1000,600 dynamic background rgb 'white'; "
		"set output \"overview.svg\" } \\\n"
		"  else { set terminal pngcairo size 1000,600; set output \"overview.png\" }\n"
		"  plot \\\n");
	for (k = 0, i = 0; k < t->ncands; k++) {
		if (!drawn[k])
			continue;
		fprintf(gp.f, "%s    \"overview.dat\" using %zu:%zu:%zu%s title ", i++ ? ", \\\n" : "",
			2 + 3 * k, 3 + 3 * k, 4 + 3 * k, ":xtic(1)");
		gp_raw(gp.f, t->labels[k + 1]);
	}
	fprintf(gp.f, "\n");
	free(drawn);
	fprintf(gp.f, "  set output\n}\n");
	ret = eb_outfile_commit(&gp, err, errlen);
	if (ret)
		return ret;
	return 0;
}

void eb_plot_list_free(struct eb_plot_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->stems[i]);
	free(l->stems);
	memset(l, 0, sizeof(*l));
}
