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

static bool same_row(json_t *a, json_t *b)
{
	return !strcmp(sget(a, "test"), sget(b, "test")) &&
	       !strcmp(sget(a, "apx"), sget(b, "apx")) &&
	       !strcmp(sget(a, "xcr0"), sget(b, "xcr0"));
}

/* Median cycles of row @key, strategy @s, round @r; NAN unless ok. */
static double round_median(json_t *results, json_t *key, const char *s,
			   json_int_t r)
{
	size_t i;
	json_t *e;

	json_array_foreach(results, i, e) {
		if (!same_row(e, key) || strcmp(sget(e, "strategy"), s) ||
		    json_integer_value(json_object_get(e, "round")) != r)
			continue;
		if (strcmp(sget(e, "status"), "ok"))
			return NAN;
		return json_number_value(json_object_get(
				json_object_get(e, "cycles"), "median"));
	}
	return NAN;
}

/* Returns -1 when there was nothing to compare, else 1 for a verdict
 * other than "same", 0 for "same". */
static int print_row(json_t *results, json_t *key, const char *base,
		     const char *cand, size_t rounds,
		     const struct eb_threshold *thr)
{
	double *b = calloc(rounds, sizeof(*b)), *c = calloc(rounds, sizeof(*c));
	struct eb_paired p;
	size_t n = 0;
	double th;
	const char *verdict;
	int ret = -1;

	if (!b || !c)
		goto out;
	for (size_t r = 0; r < rounds; r++) {
		double x = round_median(results, key, base, (json_int_t)r);
		double y = round_median(results, key, cand, (json_int_t)r);

		if (isnan(x) || isnan(y))
			continue;
		b[n] = x;
		c[n++] = y;
	}
	printf("%-17s %-3s %-11s ", sget(key, "test"), sget(key, "apx"), cand);
	if (eb_paired_rounds(b, c, n, EB_CMP_ALPHA, &p)) {
		printf("n/a: %zu round(s) where both ran ok, need 2\n", n);
		goto out;
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
	ret = strcmp(verdict, "same") != 0;
out:
	free(b);
	free(c);
	return ret;
}

int eb_compare_within(const char *path, const struct eb_threshold *thr)
{
	json_t *doc, *sw, *names, *results, *keys, *e;
	char err[512];
	size_t i, j, rounds, compared = 0, flagged = 0;
	const char *base;
	double chance;

	if (results_load(path, &doc, err, sizeof(err))) {
		eb_analysis_error("compare", "%s", err);
		return 2;
	}
	sw = json_object_get(doc, "switch");
	names = json_object_get(sw, "strategies");
	results = json_object_get(doc, "results");
	if (!json_is_array(names) || json_array_size(names) < 2) {
		eb_analysis_error("compare", "%s was not made by 'exitbench run --strategies': give a baseline and a candidate file",
				  path);
		json_decref(doc);
		return 2;
	}
	rounds = (size_t)json_integer_value(json_object_get(sw, "rounds"));
	base = json_string_value(json_array_get(names, 0));
	printf("%s: within one boot, %zu rounds (ABBA), baseline %s\n",
	       path, rounds, base);
	printf("per-round medians of cycles per exit, paired by round; mean\n"
	       "difference with its paired-t 95%% CI over rounds (n)\n\n");
	printf("%-17s %-3s %-11s %9s %8s %7s %s\n", "test", "apx", "strategy",
	       "baseline", "delta", "%", "95% CI  n verdict");
	/* Rows in first-seen order of (test, apx, xcr0). */
	keys = json_array();
	json_array_foreach(results, i, e) {
		json_t *k;
		bool seen = false;

		json_array_foreach(keys, j, k)
			seen |= same_row(k, e);
		if (!seen)
			json_array_append(keys, e);
	}
	json_array_foreach(keys, i, e) {
		for (j = 1; j < json_array_size(names); j++) {
			int v = print_row(results, e, base,
					  json_string_value(json_array_get(names, j)),
					  rounds, thr);

			compared += v >= 0;
			flagged += v > 0;
		}
	}
	/* Many rows at 95% each: say how many verdicts chance alone gives. */
	chance = EB_CMP_ALPHA * (double)compared;
	printf("\n%zu comparison%s at 95%%: about %.1f verdict%s other than \"same\" expected by chance alone; %zu given\n",
	       compared, compared == 1 ? "" : "s", chance,
	       chance == 1.0 ? "" : "s", flagged);
	json_decref(keys);
	json_decref(doc);
	return 0;
}
