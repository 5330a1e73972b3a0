// SPDX-License-Identifier: GPL-2.0-only
/*
 * The comparison table of a one-boot `run --strategies` file: every
 * strategy a group (eb_rview_load_strategy(), each round one run), each
 * cell recomputed as a paired comparison over rounds.  Pairing by round
 * is what the interleaving buys: neighbouring minutes of one boot share
 * their drift, which the per-round difference cancels.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctable.h"
#include "rounds.h"
#include "runlevel.h"

/* The median of round @round in @e's runs, or NAN. */
static double round_median(const struct eb_rentry *e, int round)
{
	for (size_t i = 0; i < e->nruns; i++)
		if (e->runs[i].round == round)
			return e->runs[i].median;
	return NAN;
}

static void pair_cell(const struct eb_ctable *t, const struct eb_rentry *b,
		      struct eb_ccell *c, double *vb, double *vc)
{
	const struct eb_rentry *k = c->e;
	struct eb_cmp *m = &c->cmp;
	struct eb_paired p;
	double tick = fmax(b->tick, k->tick), hw;
	size_t n = 0;

	for (size_t i = 0; i < b->nruns; i++) {
		double x = round_median(k, b->runs[i].round);

		if (isnan(x))
			continue;
		vb[n] = b->runs[i].median;
		vc[n++] = x;
	}
	memset(m, 0, sizeof(*m));
	m->runs_base = m->runs_cand = m->n_base = m->n_cand = n;
	m->u = NAN;
	m->tick = tick;
	if (eb_paired_rounds(vb, vc, n, EB_CMP_ALPHA, &p)) {
		double sb = 0, sc = 0;

		for (size_t i = 0; i < n; i++) {
			sb += vb[i];
			sc += vc[i];
		}
		m->base_median = n ? sb / (double)n : b->cycles.median;
		m->cand_median = n ? sc / (double)n : k->cycles.median;
		m->delta = m->shift = m->cand_median - m->base_median;
		m->delta_pct = m->base_median ? 100 * m->delta / m->base_median : NAN;
		m->shift_lo = m->shift_hi = m->p = NAN;
		m->verdict = EB_UNRESOLVED;
		snprintf(m->why, sizeof(m->why), "%zu round%s where both ran ok: need 2",
			 n, n == 1 ? "" : "s");
		return;
	}
	m->base_median = p.base_mean;
	m->cand_median = p.base_mean + p.mean;
	m->delta = m->shift = p.mean;
	m->delta_pct = p.base_mean ? 100 * p.mean / p.base_mean : NAN;
	m->shift_lo = p.lo;
	m->shift_hi = p.hi;
	m->p = p.p;
	m->threshold_cycles = eb_threshold_cycles(&t->thr, m->base_median);
	if (!(p.hi > p.lo)) {
		/*
		 * Every round gave the same difference (medians in whole
		 * ticks do that with few rounds): the t interval has zero
		 * width, which says nothing about the spread.
		 */
		m->verdict = EB_UNRESOLVED;
		m->shift_lo = m->shift_hi = m->p = NAN;
		snprintf(m->why, sizeof(m->why), "all %zu rounds differ equally: "
			 "spread unknown", n);
		return;
	}
	/* As over runs: the CI widened to one tick must exclude 0. */
	hw = fmax((p.hi - p.lo) / 2, tick);
	m->verdict = EB_SAME;
	if (p.p < EB_CMP_ALPHA && fabs(p.mean) > hw && fabs(p.mean) >= m->threshold_cycles &&
	    fabs(p.mean) >= tick && p.mean != 0)
		m->verdict = p.mean > 0 ? EB_SLOWER : EB_FASTER;
}

int eb_ctable_pair_rounds(struct eb_ctable *t, size_t rounds)
{
	double *vb = malloc((rounds + 1) * sizeof(*vb));
	double *vc = malloc((rounds + 1) * sizeof(*vc));
	size_t i, k;

	if (!vb || !vc) {
		free(vb);
		free(vc);
		return -ENOMEM;
	}
	t->rounds = true;
	t->nregressed = t->nimproved = t->nunresolved = 0;
	for (i = 0; i < t->nrows; i++) {
		for (k = 0; k < t->ncands; k++) {
			struct eb_ccell *c = &t->rows[i].cells[k];

			if (c->state != EB_CELL_OK || !t->rows[i].b || !c->e)
				continue;
			pair_cell(t, t->rows[i].b, c, vb, vc);
			t->nregressed += c->cmp.verdict == EB_SLOWER;
			t->nimproved += c->cmp.verdict == EB_FASTER;
			t->nunresolved += c->cmp.verdict == EB_UNRESOLVED;
		}
	}
	free(vb);
	free(vc);
	return 0;
}
