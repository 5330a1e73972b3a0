// SPDX-License-Identifier: GPL-2.0-only
/*
 * exitbench compare FILE, FILE from `exitbench run --strategies`: each
 * strategy against the first one (the baseline) within the file, paired
 * by round.  Every round ran all strategies back to back on fresh VMs in
 * one boot, so the per-round differences of medians only see the noise
 * between neighbouring minutes, not boot-to-boot drift; the CI of their
 * mean (paired Student t over rounds) is what goes to the mailing list.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_analysis.h"
#include "compare.h"
#include "results.h"
#include "rounds.h"

static const char *sget(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/*
 * One result, as far as the comparison cares.  results_load() has
 * checked that every (test, apx, xcr0) has exactly one result per
 * (strategy, round), with strategy in switch.strategies and round below
 * switch.rounds: so the rows can be grouped by sorting, and each group
 * fills a strategies x rounds grid exactly.
 */
struct wrow {
	json_t *e;
	size_t idx, first;	/* first: index of the row's first result */
	size_t s;		/* index in switch.strategies */
	size_t round;
};

static int cmp_key(const struct wrow *a, const struct wrow *b)
{
	int d = strcmp(sget(a->e, "test"), sget(b->e, "test"));

	if (!d)
		d = strcmp(sget(a->e, "apx"), sget(b->e, "apx"));
	if (!d)
		d = strcmp(sget(a->e, "xcr0"), sget(b->e, "xcr0"));
	return d;
}

static int cmp_by_key(const void *pa, const void *pb)
{
	const struct wrow *a = pa, *b = pb;
	int d = cmp_key(a, b);

	return d ? d : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Groups in the order their first result appears; inside, by grid cell. */
static int cmp_by_first(const void *pa, const void *pb)
{
	const struct wrow *a = pa, *b = pb;

	if (a->first != b->first)
		return a->first > b->first ? 1 : -1;
	if (a->s != b->s)
		return a->s > b->s ? 1 : -1;
	return (a->round > b->round) - (a->round < b->round);
}

/* Returns -1 when there was nothing to compare, else 1 for a verdict
 * other than "same", 0 for "same". */
static int print_row(json_t *key, const char *cand, const double *bm,
		     const double *cm, size_t rounds, double *b, double *c,
		     const struct eb_threshold *thr)
{
	struct eb_paired p;
	size_t n = 0;
	double th;
	const char *verdict;

	for (size_t r = 0; r < rounds; r++) {
		if (isnan(bm[r]) || isnan(cm[r]))
			continue;
		b[n] = bm[r];
		c[n++] = cm[r];
	}
	printf("%-17s %-3s %-11s ", sget(key, "test"), sget(key, "apx"), cand);
	if (eb_paired_rounds(b, c, n, EB_CMP_ALPHA, &p)) {
		printf("n/a: %zu round(s) where both ran ok, need 2\n", n);
		return -1;
	}
	th = eb_threshold_cycles(thr, p.base_mean);
	if (p.lo > 0 && p.mean >= th)
		verdict = "slower";
	else if (p.hi < 0 && -p.mean >= th)
		verdict = "faster";
	else
		verdict = "same";
	printf("%9.1f %+8.1f %+6.2f%% [%+.1f, %+.1f] %2zu %s\n", p.base_mean,
	       p.mean, p.base_mean ? 100 * p.mean / p.base_mean : 0.0,
	       p.lo, p.hi, p.n, verdict);
	return strcmp(verdict, "same") != 0;
}

/* Index of @name in @names (the loader has checked it is there). */
static size_t strategy_index(json_t *names, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v)
		if (!strcmp(json_string_value(v), name))
			return i;
	return 0;
}

int eb_compare_within(const char *path, const struct eb_threshold *thr)
{
	json_t *doc, *sw, *names, *results, *e;
	char err[512];
	size_t i, j, g, ns, rounds, n, compared = 0, flagged = 0;
	double *med = NULL, *b = NULL, *c = NULL;
	struct wrow *rw = NULL;
	double chance;
	int rc = 2;

	if (results_load(path, &doc, err, sizeof(err))) {
		eb_analysis_error("compare", "%s", err);
		return 2;
	}
	sw = json_object_get(doc, "switch");
	names = json_object_get(sw, "strategies");
	results = json_object_get(doc, "results");
	if (!sw) {
		eb_analysis_error("compare", "%s was not made by 'exitbench run --strategies': give a baseline and a candidate file",
				  path);
		json_decref(doc);
		return 2;
	}
	ns = json_array_size(names);
	rounds = (size_t)json_integer_value(json_object_get(sw, "rounds"));
	n = json_array_size(results);
	rw = calloc(n, sizeof(*rw));
	med = malloc(ns * rounds * sizeof(*med));
	b = malloc(rounds * sizeof(*b));
	c = malloc(rounds * sizeof(*c));
	if (!rw || !med || !b || !c) {
		eb_analysis_error("compare", "out of memory");
		goto out;
	}
	json_array_foreach(results, i, e) {
		rw[i].e = e;
		rw[i].idx = i;
		rw[i].s = strategy_index(names, sget(e, "strategy"));
		rw[i].round = (size_t)json_integer_value(json_object_get(e, "round"));
	}
	/* Group by (test, apx, xcr0); rows in first-seen order. */
	qsort(rw, n, sizeof(*rw), cmp_by_key);
	for (i = 0; i < n; i = g) {
		for (g = i + 1; g < n && !cmp_key(&rw[i], &rw[g]); g++)
			;
		for (j = i; j < g; j++)
			rw[j].first = rw[i].idx;
	}
	qsort(rw, n, sizeof(*rw), cmp_by_first);

	printf("%s: within one boot, %zu rounds (ABBA), baseline %s\n",
	       path, rounds, json_string_value(json_array_get(names, 0)));
	printf("per-round medians of cycles per exit, paired by round; mean\n"
	       "difference with its paired-t 95%% CI over rounds (n)\n\n");
	printf("%-17s %-3s %-11s %9s %8s %7s %s\n", "test", "apx", "strategy",
	       "baseline", "delta", "%", "95% CI  n verdict");
	/* each group is one full strategies x rounds grid, in cell order */
	for (i = 0; i + ns * rounds <= n; i += ns * rounds) {
		for (j = 0; j < ns * rounds; j++) {
			e = rw[i + j].e;
			med[j] = strcmp(sget(e, "status"), "ok") ? NAN :
				json_number_value(json_object_get(
					json_object_get(e, "cycles"), "median"));
		}
		for (j = 1; j < ns; j++) {
			int v = print_row(rw[i].e,
					  json_string_value(json_array_get(names, j)),
					  med, med + j * rounds, rounds, b, c, thr);

			compared += v >= 0;
			flagged += v > 0;
		}
	}
	/* Many rows at 95% each: say how many verdicts chance alone gives. */
	chance = EB_CMP_ALPHA * (double)compared;
	printf("\n%zu comparison%s at 95%%: about %.1f verdict%s other than \"same\" expected by chance alone; %zu given\n",
	       compared, compared == 1 ? "" : "s", chance,
	       chance == 1.0 ? "" : "s", flagged);
	rc = 0;
out:
	free(rw);
	free(med);
	free(b);
	free(c);
	json_decref(doc);
	return rc;
}
