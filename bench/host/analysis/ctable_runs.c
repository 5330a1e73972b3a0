// SPDX-License-Identifier: GPL-2.0-only
/*
 * The comparison table over repeated runs: files grouped by strategy,
 * one median per run, Welch's t test per row (compare_runs.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctable.h"
#include "runlevel.h"

static bool same_strategy(const struct eb_rview *a, const struct eb_rview *b)
{
	return !strcmp(a->strategy, b->strategy);
}

static size_t count_runs(const struct eb_rentry *const *e, size_t n)
{
	size_t runs = 0;

	for (size_t i = 0; i < n; i++)
		runs += e[i]->nruns;
	return runs;
}

/* Every run's median (or, @by_file, each file's mean run median). */
static size_t collect(const struct eb_rentry *const *e, size_t n, double *v,
		      double *tick, bool by_file)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		double sum = 0;

		for (size_t j = 0; j < e[i]->nruns; j++) {
			sum += e[i]->runs[j].median;
			if (!by_file)
				v[m++] = e[i]->runs[j].median;
		}
		if (by_file)
			v[m++] = sum / (double)e[i]->nruns;
		if (e[i]->tick > *tick)
			*tick = e[i]->tick;
	}
	return m;
}

int eb_ctable_cell_runs(struct eb_ccell *c, const struct eb_rentry *const *b,
			size_t nb, const struct eb_rentry *const *k, size_t nk,
			const struct eb_threshold *thr)
{
	size_t rb = count_runs(b, nb), rk = count_runs(k, nk);
	double *vb = malloc((rb + 1) * sizeof(*vb));
	double *vk = malloc((rk + 1) * sizeof(*vk));
	double tick = 0;
	int ret = -ENOMEM;

	/*
	 * The top level with replication decides (Kalibera and Jones): runs
	 * of one process share its time and conditions, so with two or more
	 * files (processes, boots) on each side the unit is the file.
	 */
	bool by_file = nb >= 2 && nk >= 2 && (rb > nb || rk > nk);

	if (vb && vk) {
		rb = collect(b, nb, vb, &tick, by_file);
		rk = collect(k, nk, vk, &tick, by_file);
		ret = eb_runlevel_compare(vb, rb, vk, rk, tick, thr, &c->cmp);
		c->cmp.by_file = by_file;
	}
	free(vb);
	free(vk);
	return ret;
}

/* The entries of @group for the row, and whether any was emulated. */
static size_t group_entries(const struct eb_ctable *t, size_t group,
			    const struct eb_crow *r, const struct eb_rentry **out,
			    int *emulated)
{
	size_t i, n = 0;

	for (i = 0; i < t->nfiles; i++) {
		const struct eb_rentry *e;

		if (t->group[i] != group)
			continue;
		e = eb_rview_find(&t->files[i], r->test, r->apx, r->xcr0);
		if (!e || !e->has_cycles || !e->nruns)
			continue;
		out[n++] = e;
		*emulated |= e->emulated ? 2 : 1;
	}
	return n;
}

static int fill_runs_cell(struct eb_ctable *t, struct eb_crow *r, size_t k,
			  const struct eb_rentry **eb, const struct eb_rentry **ec)
{
	struct eb_ccell *c = &r->cells[k];
	int emu_b = 0, emu_c = 0;
	size_t nb, nc;

	c->e = eb_rview_find(t->cands[k], r->test, r->apx, r->xcr0);
	nb = group_entries(t, 0, r, eb, &emu_b);
	nc = group_entries(t, k + 1, r, ec, &emu_c);
	if (!nb) {
		c->state = EB_CELL_NO_BASE;	/* the report says why from the entries */
		return 0;
	}
	if (!nc) {
		c->state = EB_CELL_NO_CAND;
		return 0;
	}
	/* Mixed emulated/native within or across groups: no comparison. */
	if ((emu_b | emu_c) == 3) {
		c->state = EB_CELL_MISMATCH;
		snprintf(c->why, sizeof(c->why), "not comparable: emulated in %s only",
			 emu_b == 2 && emu_c == 1 ? "old" : emu_b == 1 && emu_c == 2 ?
			 "new" : "some runs");
		return 0;
	}
	c->state = EB_CELL_OK;
	return eb_ctable_cell_runs(c, eb, nb, ec, nc, &t->thr);
}

int eb_ctable_build_runs(struct eb_ctable *t, const struct eb_rview *files,
			 size_t nfiles, const size_t *groups,
			 const struct eb_threshold *thr)
{
	size_t ngroups = 0, cap = 0, i, j, k;
	const struct eb_rentry **vb = NULL, **vc = NULL;
	int ret = -ENOMEM;

	memset(t, 0, sizeof(*t));
	t->runs = true;
	t->files = files;
	t->nfiles = nfiles;
	t->thr = *thr;
	t->group = calloc(nfiles, sizeof(*t->group));
	t->owned_cands = calloc(nfiles, sizeof(*t->owned_cands));
	t->labels = calloc(nfiles + 1, sizeof(*t->labels));
	if (!t->group || !t->owned_cands || !t->labels)
		return -ENOMEM;
	/* Groups in first-seen order; the first file's is the baseline. */
	for (i = 0; i < nfiles; i++) {
		for (j = 0; j < i; j++)
			if (groups ? groups[j] == groups[i] : same_strategy(&files[j], &files[i]))
				break;
		if (j < i) {
			t->group[i] = t->group[j];
			continue;
		}
		if (groups && groups[i] != ngroups)
			return -EINVAL;	/* groups must be numbered in order */
		t->group[i] = ngroups;
		if (ngroups)
			t->owned_cands[ngroups - 1] = &files[i];
		ngroups++;
	}
	if (ngroups < 2)
		return -EINVAL;
	for (k = 0; k < ngroups; k++) {
		const struct eb_rview *first = k ? t->owned_cands[k - 1] : &files[0];
		bool shared = false;

		/* Explicit groups may share a strategy: then name them by file. */
		for (j = 0; groups && j < ngroups; j++) {
			const struct eb_rview *o = j ? t->owned_cands[j - 1] : &files[0];

			shared |= j != k && !strcmp(o->strategy, first->strategy);
		}
		if (shared) {
			const char *b = strrchr(first->path, '/');
			size_t len;

			b = b ? b + 1 : first->path;
			len = strcspn(b, ".");
			t->labels[k] = strndup(b, len ? len : strlen(b));
		} else {
			t->labels[k] = strdup(first->strategy);
		}
		if (!t->labels[k])
			return -ENOMEM;
	}
	t->base = &files[0];
	t->cands = t->owned_cands;
	t->ncands = ngroups - 1;

	/* Rows: every (test, apx, xcr0) of any file, baseline files first. */
	for (k = 0; k < ngroups; k++) {
		for (i = 0; i < nfiles; i++) {
			if (t->group[i] != k)
				continue;
			for (j = 0; j < files[i].nentries; j++) {
				const struct eb_rentry *e = &files[i].entries[j];

				if (eb_ctable_have_row(t, e))
					continue;
				ret = eb_ctable_add_row(t, e->test, e->apx, e->xcr0, &cap);
				if (ret)
					return ret;
			}
		}
	}
	for (i = 0; i < t->nrows; i++)
		t->rows[i].b = eb_rview_find(t->base, t->rows[i].test, t->rows[i].apx,
					     t->rows[i].xcr0);

	vb = malloc(nfiles * sizeof(*vb));
	vc = malloc(nfiles * sizeof(*vc));
	ret = vb && vc ? 0 : -ENOMEM;
	for (i = 0; i < t->nrows && !ret; i++) {
		for (k = 0; k < t->ncands && !ret; k++) {
			struct eb_ccell *c = &t->rows[i].cells[k];

			ret = fill_runs_cell(t, &t->rows[i], k, vb, vc);
			if (ret || c->state != EB_CELL_OK)
				continue;
			t->ncompared++;
			t->nregressed += c->cmp.verdict == EB_SLOWER;
			t->nimproved += c->cmp.verdict == EB_FASTER;
			t->nunresolved += c->cmp.verdict == EB_UNRESOLVED;
		}
	}
	free(vb);
	free(vc);
	return ret;
}
