// SPDX-License-Identifier: GPL-2.0-only
/*
 * Machine renderings of a comparison: CSV in long form (one line per row
 * and candidate, so spreadsheets and pandas need no reshaping) and JSON
 * (schema exitbench-compare/1) written with jansson.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "report.h"

static void csv_str(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.17g", v);
	else
		fputc(',', f);
}

static const char *state_name(const struct eb_ccell *c)
{
	switch (c->state) {
	case EB_CELL_OK: return "compared";
	case EB_CELL_NO_BASE: return "no-base";
	case EB_CELL_MISMATCH: return "emulated-in-one";
	default: return "no-candidate";
	}
}

int eb_report_csv(FILE *f, const struct eb_ctable *t)
{
	size_t i, k;

	fprintf(f, "test,apx,xcr0,emulated,base,candidate,state,base_n,cand_n,base_median,"
		"cand_median,delta,delta_pct,shift,shift_lo,shift_hi,u,p,raw,"
		"runs_base,runs_cand,threshold_cycles,verdict\n");
	for (i = 0; i < t->nrows; i++) {
		const struct eb_crow *r = &t->rows[i];

		for (k = 0; k < t->ncands; k++) {
			const struct eb_ccell *c = &r->cells[k];
			const struct eb_cmp *m = &c->cmp;

			csv_str(f, r->test);
			fputc(',', f);
			csv_str(f, r->apx);
			fputc(',', f);
			csv_str(f, r->xcr0);
			fprintf(f, ",%d,", r->b ? r->b->emulated : c->e ? c->e->emulated : 0);
			csv_str(f, t->labels[0]);
			fputc(',', f);
			csv_str(f, t->labels[k + 1]);
			fprintf(f, ",%s", state_name(c));
			if (c->state != EB_CELL_OK) {
				fprintf(f, ",,,,,,,,,,,,,,,,\n");
				continue;
			}
			fprintf(f, ",%zu,%zu", m->n_base, m->n_cand);
			csv_num(f, m->base_median);
			csv_num(f, m->cand_median);
			csv_num(f, m->delta);
			csv_num(f, m->delta_pct);
			csv_num(f, m->shift);
			csv_num(f, m->shift_lo);
			csv_num(f, m->shift_hi);
			csv_num(f, m->u);
			csv_num(f, m->p);
			fprintf(f, ",%d,%zu,%zu", m->raw, m->runs_base, m->runs_cand);
			csv_num(f, m->threshold_cycles);
			fprintf(f, ",%s\n", eb_verdict_name(m->verdict));
		}
	}
	return 0;
}

/* JSON has no NaN: absent values are null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *file_json(const struct eb_rview *rv, const char *label)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I}",
			 "label", str(label), "path", str(rv->path),
			 "strategy", str(rv->strategy), "kernel", str(rv->kernel_release),
			 "flavor", str(rv->flavor), "date", str(rv->date),
			 "hostname", str(rv->hostname), "samples", (json_int_t)rv->samples);
}

static json_t *cell_json(const struct eb_ctable *t, const struct eb_ccell *c, size_t k)
{
	const struct eb_cmp *m = &c->cmp;

	if (c->state != EB_CELL_OK)
		return json_pack("{s:o, s:s, s:o}", "candidate", str(t->labels[k + 1]),
				 "state", state_name(c),
				 "reason", str(c->why[0] ? c->why : c->e && c->state == EB_CELL_NO_CAND ?
					       (c->e->reason ? c->e->reason : c->e->status) : NULL));
	return json_pack("{s:o, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, "
			 "s:[o,o], s:o, s:o, s:b, s:o, s:s}",
			 "candidate", str(t->labels[k + 1]), "state", "compared",
			 "runs_base", (json_int_t)m->runs_base, "runs_cand", (json_int_t)m->runs_cand,
			 "base_n", (json_int_t)m->n_base, "cand_n", (json_int_t)m->n_cand,
			 "base_median", num(m->base_median), "cand_median", num(m->cand_median),
			 "delta", num(m->delta), "delta_pct", num(m->delta_pct),
			 "shift", num(m->shift), "shift_ci", num(m->shift_lo), num(m->shift_hi),
			 "u", num(m->u), "p", num(m->p), "raw", m->raw,
			 "threshold_cycles", num(m->threshold_cycles),
			 "verdict", eb_verdict_name(m->verdict));
}

/* The run-level facts of a compared cell: tick, and why it is unresolved. */
static json_t *cell_json_runs(const struct eb_ctable *t, const struct eb_ccell *c,
			      size_t k)
{
	json_t *j = cell_json(t, c, k);

	if (j && c->state == EB_CELL_OK) {
		json_object_set_new(j, "tick", num(c->cmp.tick));
		json_object_set_new(j, "method", json_string(t->rounds ?
			"paired t over rounds (one boot)" : c->cmp.by_file ?
			"Welch t over the files' mean run medians" :
			"Welch t over the run medians"));
		if (c->cmp.verdict == EB_UNRESOLVED)
			json_object_set_new(j, "unresolved", json_string(c->cmp.why));
	}
	return j;
}

int eb_report_json(FILE *f, const struct eb_ctable *t)
{
	json_t *root, *cands, *rows;
	size_t i, k;
	int ret = -ENOMEM;

	root = json_pack("{s:s, s:o, s:{s:f, s:b, s:f}, s:[], s:[], s:{s:I, s:I, s:I}}",
			 "schema", "exitbench-compare/1",
			 "base", file_json(t->base, t->labels[0]),
			 "threshold", "value", t->thr.value, "percent", t->thr.percent,
			 "alpha", EB_CMP_ALPHA, "candidates", "rows",
			 "summary", "compared", (json_int_t)t->ncompared,
			 "slower", (json_int_t)t->nregressed, "faster", (json_int_t)t->nimproved);
	if (root)
		json_object_set_new(json_object_get(root, "summary"), "unresolved",
				    json_integer((json_int_t)t->nunresolved));
	if (!root)
		return -ENOMEM;
	cands = json_object_get(root, "candidates");
	rows = json_object_get(root, "rows");
	for (k = 0; k < t->ncands; k++)
		if (json_array_append_new(cands, file_json(t->cands[k], t->labels[k + 1])))
			goto err_put;
	if (t->runs) {
		/* Over runs, "base"/"candidates" are each group's first file. */
		json_t *files = json_array();

		if (json_object_set_new(root, "runs", files))
			goto err_put;
		for (i = 0; i < t->nfiles; i++)
			if (json_array_append_new(files, file_json(&t->files[i],
								   t->labels[t->group[i]])))
				goto err_put;
	}
	for (i = 0; i < t->nrows; i++) {
		const struct eb_crow *r = &t->rows[i];
		json_t *cells = json_array(), *row;

		row = json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "test", r->test, "apx", r->apx,
				"xcr0", r->xcr0, "emulated", r->b ? r->b->emulated : false,
				"base_status", str(r->b ? r->b->status : NULL), "cells", cells);
		if (!row || json_array_append_new(rows, row))
			goto err_put;
		for (k = 0; k < t->ncands; k++)
			if (json_array_append_new(cells, cell_json_runs(t, &r->cells[k], k)))
				goto err_put;
	}
	ret = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) ? -EIO : 0;
	if (!ret)
		fputc('\n', f);
err_put:
	json_decref(root);
	return ret;
}
