// SPDX-License-Identifier: GPL-2.0-only
/*
 * Rules across the results of one file: no two results for the same
 * (test, apx, xcr0, strategy, round), a bounded number of rows, and for a
 * `run --strategies` file the whole grid, every row once per (strategy,
 * round), which is what lets `compare FILE` pair rounds by sorting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "results_rules.h"

struct row {
	const char *test, *apx, *xcr0, *strategy;
	json_int_t round;
	size_t idx;
};

static int cmp_key(const struct row *a, const struct row *b)
{
	int d = strcmp(a->test, b->test);

	if (!d)
		d = strcmp(a->apx, b->apx);
	if (!d)
		d = strcmp(a->xcr0, b->xcr0);
	return d;
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int d = cmp_key(a, b);

	if (!d)
		d = strcmp(a->strategy, b->strategy);
	if (!d)
		d = (a->round > b->round) - (a->round < b->round);
	if (!d)
		d = (a->idx > b->idx) - (a->idx < b->idx);
	return d;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const struct rule switch_rules[] = {
	REQ("strategies", J_ARR, .nested = chk_strings),
	REQ("rounds", J_INT, RANGE(2, EB_LOAD_MAX_ROUNDS)),
	OPT("param", J_STR),
	OPT("order", J_STR),
	OPT("schedule", J_ARR),
	OPT("original", J_STR),
	OPT("restored", J_BOOL),
};

/* switch.strategies: 2.. unique, non-empty names; sorted into @names. */
static int check_strategies(struct chk *c, json_t *sw, const char **names,
			    size_t *ns)
{
	json_t *a = json_object_get(sw, "strategies");
	size_t n = json_array_size(a), i;

	if (n < 2 || n > EB_LOAD_MAX_STRATEGIES)
		return chk_fail_at(c, "strategies", "%zu names, expected 2 to %d", n,
			       EB_LOAD_MAX_STRATEGIES);
	for (i = 0; i < n; i++) {
		names[i] = json_string_value(json_array_get(a, i));
		if (!*names[i])
			return chk_fail_at(c, "strategies", "an empty name");
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n; i++)
		if (!strcmp(names[i], names[i - 1]))
			return chk_fail_at(c, "strategies", "'%.40s' given twice", names[i]);
	*ns = n;
	return 0;
}

int chk_rows(struct chk *c, json_t *doc)
{
	json_t *results = json_object_get(doc, "results");
	json_t *sw = json_object_get(doc, "switch"), *e;
	const char *names[EB_LOAD_MAX_STRATEGIES];
	size_t n = json_array_size(results), i, j, g, ns = 0, nrows = 0, old;
	json_int_t rounds = 0;
	struct row *rw;
	int r = 0;

	if (sw) {
		old = chk_push(c, "switch");
		r = APPLY(c, sw, switch_rules);
		if (!r)
			r = check_strategies(c, sw, names, &ns);
		rounds = json_integer_value(json_object_get(sw, "rounds"));
		if (!r && rounds % 2)
			r = chk_fail_at(c, "rounds", "%lld is odd (ABBA rounds come in pairs)",
				    (long long)rounds);
		chk_pop(c, old);
		if (r)
			return r;
	}
	rw = calloc(n, sizeof(*rw));
	if (!rw)
		return chk_fail(c, "out of memory");
	json_array_foreach(results, i, e) {
		json_t *s = json_object_get(e, "strategy"), *rd = json_object_get(e, "round");

		rw[i] = (struct row){
			.test = json_string_value(json_object_get(e, "test")),
			.apx = json_string_value(json_object_get(e, "apx")),
			.xcr0 = json_string_value(json_object_get(e, "xcr0")),
			.strategy = s ? json_string_value(s) : "",
			.round = rd ? json_integer_value(rd) : -1, .idx = i,
		};
		if (!sw)
			continue;
		old = chk_push(c, "results[%zu]", i);
		if (!s || !rd)
			r = chk_fail_at(c, s ? "round" : "strategy",
				    "missing (the file has \"switch\")");
		else if (!bsearch(&rw[i].strategy, names, ns, sizeof(*names), cmp_str))
			r = chk_fail_at(c, "strategy", "'%.40s' is not in switch.strategies",
				    rw[i].strategy);
		else if (rw[i].round >= rounds)
			r = chk_fail_at(c, "round", "%lld is not below switch.rounds (%lld)",
				    (long long)rw[i].round, (long long)rounds);
		chk_pop(c, old);
		if (r)
			goto out;
	}
	qsort(rw, n, sizeof(*rw), cmp_row);
	for (i = 0; i < n; i = g) {
		for (g = i + 1; g < n && !cmp_key(&rw[i], &rw[g]); g++)
			if (!strcmp(rw[g].strategy, rw[g - 1].strategy) &&
			    rw[g].round == rw[g - 1].round) {
				old = chk_push(c, "results[%zu]", rw[g].idx);
				r = chk_fail(c, "%.40s apx=%s xcr0=%s%s%.40s appears twice (also results[%zu])",
					 rw[g].test, rw[g].apx, rw[g].xcr0,
					 sw ? " strategy " : "", rw[g].strategy,
					 rw[g - 1].idx);
				chk_pop(c, old);
				goto out;
			}
		if (++nrows > EB_LOAD_MAX_ROWS) {
			r = chk_fail(c, "more than %d different (test, apx, xcr0) rows",
				 EB_LOAD_MAX_ROWS);
			goto out;
		}
		if (!sw)
			continue;
		/* the group is sorted by (strategy, round): walk the grid */
		for (j = 0; j < ns * (size_t)rounds; j++) {
			const char *s = names[j / (size_t)rounds];
			json_int_t rd = (json_int_t)(j % (size_t)rounds);

			if (i + j < g && !strcmp(rw[i + j].strategy, s) &&
			    rw[i + j].round == rd)
				continue;
			old = chk_push(c, "results");
			r = chk_fail(c, "no %.40s apx=%s xcr0=%s for strategy %.40s round %lld (every round runs every strategy)",
				 rw[i].test, rw[i].apx, rw[i].xcr0, s, (long long)rd);
			chk_pop(c, old);
			goto out;
		}
	}
out:
	free(rw);
	return r;
}

