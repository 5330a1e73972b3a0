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

/* gnuplot strings in double quotes: escape what would end or expand them. */
static void gp_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		/* '_' and '^' are sub/superscripts in enhanced text mode. */
		if (*s == '_' || *s == '^' || *s == '@' || *s == '&' || *s == '{' || *s == '}')
			fputs("\\\\", f);
		fputc(*s, f);
	}
	fputc('"', f);
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
	double xmin = INFINITY, xmax = -INFINITY, span;
	struct eb_outfile dat, gp;
	char path[4096], mode[16];
	size_t n = 0, i, j;
	int ret;

	for (i = 0; c && i < nfiles; i++) {
		for (j = 0; j < files[i].nentries; j++) {
			const struct eb_rentry *e = &files[i].entries[j];
			struct curve *nc;

			if (strcmp(e->test, test) || !e->has_cycles)
				continue;
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
		}
	}
	if (!c)
		return -ENOMEM;
	if (!n) {
		free(c);
		return -ENODATA;
	}
	assign_modes(c, n);

	snprintf(path, sizeof(path), "%s/%s.dat", dir, stem);
	ret = eb_outfile_open(&dat, path, err, errlen);
	if (ret) {
		free(c);
		return ret;
	}
	fprintf(dat.f, "# exitbench plot: %s, cycles per exit\n"
		"# blocks 0..%zu: ECDF (x cycles, y fraction); block %zu: median lo hi y\n\n",
		test, n - 1, n);
	for (i = 0; i < n && !ret; i++) {
		eb_report_mode(mode, sizeof(mode), c[i].e->apx, c[i].e->xcr0);
		fprintf(dat.f, "# %s apx=%s xcr0=%s\n", labels[c[i].file], c[i].e->apx,
			c[i].e->xcr0);
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
	fprintf(gp.f, "set title ");
	gp_str(gp.f, test);
	fprintf(gp.f, " . \": cycles per exit (ECDF; bars: median, 95%% CI)\"\n"
		"set xlabel \"TSC cycles per exit (from p1 to p99 or p75 + 3 IQR, whichever is less)\"\n"
		"set ylabel \"fraction of samples\"\n"
		"set key outside right top font \",9\"\nset grid\n"
		"set xrange [%.6g:%.6g]\nset yrange [0:1]\n",
		xmin - 0.05 * span, xmax + 0.05 * span);
	fprintf(gp.f, "do for [t in \"pngcairo svg\"] {\n"
		"  if (t eq \"svg\") { set terminal svg size 1100,600 dynamic enhanced background rgb 'white'; "
		"set output \"%s.svg\" } \\\n"
		"  else { set terminal pngcairo size 1100,600 enhanced; set output \"%s.png\" }\n"
		"  plot \\\n", stem, stem);
	for (i = 0; i < n; i++) {
		char title[160];

		eb_report_mode(mode, sizeof(mode), c[i].e->apx, c[i].e->xcr0);
		snprintf(title, sizeof(title), "%s apx=%s%s%s", labels[c[i].file], mode,
			 c[i].e->raw ? "" : " (percentiles)", "");
		/* Percentile points are too sparse for steps: join them. */
		fprintf(gp.f, "    \"%s.dat\" index %zu using 1:2 with %s lw 2 lc %zu dt %zu title ",
			stem, i, c[i].e->raw ? "steps" : "lines", c[i].file + 1, c[i].mode + 1);
		gp_str(gp.f, title);
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

int eb_plot_overview(const char *dir, const struct eb_ctable *t,
		     char *err, size_t errlen)
{
	struct eb_outfile dat, gp;
	char path[4096], mode[16];
	size_t i, k, rows = 0;
	bool modes = false;
	double thr_pct;
	int ret;

	/* Label rows "test/mode" only when the modes differ. */
	for (i = 1; i < t->nrows; i++)
		modes |= strcmp(t->rows[i].apx, t->rows[0].apx) ||
			 strcmp(t->rows[i].xcr0, t->rows[0].xcr0);

	snprintf(path, sizeof(path), "%s/overview.dat", dir);
	ret = eb_outfile_open(&dat, path, err, errlen);
	if (ret)
		return ret;
	fprintf(dat.f, "# exitbench plot: median delta vs %s, %% of its median\n"
		"# row", t->labels[0]);
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
		if (modes)
			fprintf(dat.f, "\"%s/%s\"", r->test, mode);
		else
			fprintf(dat.f, "\"%s\"", r->test);
		for (k = 0; k < t->ncands; k++) {
			const struct eb_cmp *m = &r->cells[k].cmp;

			if (r->cells[k].state != EB_CELL_OK || !m->base_median) {
				fprintf(dat.f, " ? ? ?");
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
	fprintf(gp.f, "# exitbench plot: median delta per test vs the baseline, with the\n"
		"# 95%% CI of the shift.  Edit and re-render with: gnuplot overview.gp\n"
		"set title \"median cycles per exit vs %s (bars: delta, whiskers: 95%% CI)\" noenhanced\n"
		"set ylabel \"delta, %% of %s median\" noenhanced\n"
		"set datafile missing \"?\"\n"
		"set style data histograms\n"
		"set style histogram errorbars gap 2 lw 1\n"
		"set style fill solid 0.6 border -1\n"
		"set boxwidth 0.9\nset grid ytics\nset key outside right top noenhanced\n"
		"set xtics rotate by -35 noenhanced\nset xzeroaxis lt -1\n"
		"set offsets 0, 0, graph 0.05, graph 0.05\n",
		t->labels[0], t->labels[0]);
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
	for (k = 0; k < t->ncands; k++) {
		fprintf(gp.f, "    \"overview.dat\" using %zu:%zu:%zu%s title ",
			2 + 3 * k, 3 + 3 * k, 4 + 3 * k, k ? "" : ":xtic(1)");
		gp_str(gp.f, t->labels[k + 1]);
		fprintf(gp.f, "%s\n", k + 1 < t->ncands ? ", \\" : "");
	}
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
