// SPDX-License-Identifier: GPL-2.0-only
/*
 * Matching of results files row by row and the per-cell comparisons.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctable.h"

static bool streq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

__attribute__((format(printf, 4, 5)))
static void add_why(char *why, size_t len, int *count, const char *fmt, ...)
{
	size_t used = strlen(why);
	va_list ap;

	if (used && used + 2 < len) {
		strcpy(why + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	if (used < len)
		vsnprintf(why + used, len - used, fmt, ap);
	va_end(ap);
	(*count)++;
}

int eb_ctable_host_diff(const struct eb_rview *a, const struct eb_rview *b,
			char *why, size_t len)
{
	int n = 0;

	why[0] = '\0';
	if (!streq(a->hostname, b->hostname))
		add_why(why, len, &n, "host %s vs %s", a->hostname, b->hostname);
	if (!streq(a->cpu_model_name, b->cpu_model_name))
		add_why(why, len, &n, "CPU \"%s\" vs \"%s\"", a->cpu_model_name,
			b->cpu_model_name);
	if (a->cpu_family != b->cpu_family || a->cpu_model != b->cpu_model ||
	    a->cpu_stepping != b->cpu_stepping)
		add_why(why, len, &n, "CPU family/model/stepping %d/%d/%d vs %d/%d/%d",
			a->cpu_family, a->cpu_model, a->cpu_stepping,
			b->cpu_family, b->cpu_model, b->cpu_stepping);
	/*
	 * Per-boot TSC calibration wobbles by a few kHz; anything beyond
	 * 0.1% is a different clock and cycle counts stop being comparable.
	 */
	if (fabs(a->tsc_khz - b->tsc_khz) > 0.001 * fmax(a->tsc_khz, b->tsc_khz))
		add_why(why, len, &n, "TSC %.0f vs %.0f kHz", a->tsc_khz, b->tsc_khz);
	if (!streq(a->flavor, b->flavor))
		add_why(why, len, &n, "KVM flavor %s vs %s", a->flavor, b->flavor);
	if (!streq(a->emulated, b->emulated))
		add_why(why, len, &n, "emulation %s vs %s", a->emulated ? a->emulated : "none",
			b->emulated ? b->emulated : "none");
	return n;
}

static bool usable(const struct eb_rentry *e)
{
	return e && e->has_cycles;
}

static void fill_cell(struct eb_ccell *c, const struct eb_rentry *b,
		      const struct eb_threshold *thr, int *err)
{
	int ret;

	if (!usable(b)) {
		c->state = EB_CELL_NO_BASE;
		return;
	}
	if (!usable(c->e)) {
		c->state = EB_CELL_NO_CAND;
		return;
	}
	/* Emulation cost against hardware timing is no comparison. */
	if (b->emulated != c->e->emulated) {
		c->state = EB_CELL_MISMATCH;
		return;
	}
	c->state = EB_CELL_OK;
	/* The runs decide (ctable_runs.c): one run per side is unresolved. */
	ret = eb_ctable_cell_runs(c, &b, 1, &c->e, 1, thr);
	if (ret)
		*err = ret;
}

/* Label: the strategy, or the file name when strategies repeat. */
static char *make_label(const struct eb_rview *rv, const struct eb_rview *const *all,
			size_t nall)
{
	const char *base, *s = rv->strategy;
	size_t i, dup = 0, len;
	char *l;

	for (i = 0; i < nall; i++)
		dup += streq(all[i]->strategy, s);
	if (dup <= 1)
		return strdup(s);
	base = strrchr(rv->path, '/');
	base = base ? base + 1 : rv->path;
	len = strcspn(base, ".");
	l = strndup(base, len ? len : strlen(base));
	return l;
}

int eb_ctable_add_row(struct eb_ctable *t, const char *test, const char *apx,
		      const char *xcr0, size_t *cap)
{
	struct eb_crow *r;

	if (t->nrows == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;

		r = realloc(t->rows, ncap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		t->rows = r;
		*cap = ncap;
	}
	r = &t->rows[t->nrows];
	memset(r, 0, sizeof(*r));
	r->test = test;
	r->apx = apx;
	r->xcr0 = xcr0;
	r->cells = calloc(t->ncands, sizeof(*r->cells));
	if (!r->cells)
		return -ENOMEM;
	t->nrows++;
	return 0;
}

bool eb_ctable_have_row(const struct eb_ctable *t, const struct eb_rentry *e)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].test, e->test) && !strcmp(t->rows[i].apx, e->apx) &&
		    !strcmp(t->rows[i].xcr0, e->xcr0))
			return true;
	return false;
}

int eb_ctable_build(struct eb_ctable *t, const struct eb_rview *base,
		    const struct eb_rview *const *cands, size_t ncands,
		    const struct eb_threshold *thr)
{
	const struct eb_rview **all;
	size_t cap = 0, i, k;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->base = base;
	t->cands = cands;
	t->ncands = ncands;
	t->thr = *thr;
	t->labels = calloc(ncands + 1, sizeof(*t->labels));
	all = calloc(ncands + 1, sizeof(*all));
	if (!t->labels || !all) {
		free(all);
		return -ENOMEM;
	}
	all[0] = base;
	for (k = 0; k < ncands; k++)
		all[k + 1] = cands[k];
	for (k = 0; k <= ncands; k++) {
		t->labels[k] = make_label(all[k], all, ncands + 1);
		if (!t->labels[k]) {
			free(all);
			return -ENOMEM;
		}
	}
	free(all);

	/* Baseline order first, then rows only candidates have, in their order. */
	for (i = 0; i < base->nentries; i++) {
		const struct eb_rentry *e = &base->entries[i];

		ret = eb_ctable_add_row(t, e->test, e->apx, e->xcr0, &cap);
		if (ret)
			return ret;
		t->rows[t->nrows - 1].b = e;
	}
	for (k = 0; k < ncands; k++) {
		for (i = 0; i < cands[k]->nentries; i++) {
			const struct eb_rentry *e = &cands[k]->entries[i];

			if (eb_ctable_have_row(t, e))
				continue;
			ret = eb_ctable_add_row(t, e->test, e->apx, e->xcr0, &cap);
			if (ret)
				return ret;
		}
	}

	for (i = 0; i < t->nrows; i++) {
		struct eb_crow *r = &t->rows[i];

		for (k = 0; k < ncands; k++) {
			struct eb_ccell *c = &r->cells[k];

			c->e = eb_rview_find(cands[k], r->test, r->apx, r->xcr0);
			fill_cell(c, r->b, thr, &ret);
			if (ret)
				return ret;
			if (c->state != EB_CELL_OK)
				continue;
			t->ncompared++;
			t->nregressed += c->cmp.verdict == EB_SLOWER;
			t->nimproved += c->cmp.verdict == EB_FASTER;
			t->nunresolved += c->cmp.verdict == EB_UNRESOLVED;
		}
	}
	return 0;
}

void eb_ctable_free(struct eb_ctable *t)
{
	size_t i;

	for (i = 0; i < t->nrows; i++)
		free(t->rows[i].cells);
	free(t->rows);
	for (i = 0; t->labels && i <= t->ncands; i++)
		free(t->labels[i]);
	free(t->labels);
	free(t->group);
	free(t->owned_cands);
	memset(t, 0, sizeof(*t));
}
