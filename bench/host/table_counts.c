// SPDX-License-Identifier: GPL-2.0-only
/*
 * The APX event counts of a results file (apx_counts, results/README.md)
 * and what they predict.  A difference between two rows of the same test
 * (stand-in or APX on against off; in a run --strategies file, each
 * strategy against the first, per round) is predicted as
 *	sum over counters of (per-exit count difference) x (unit cost)
 * with the unit costs the run measured (unit_costs): only when every
 * counter that differs has one.  An XSETBV cannot be timed here, so a
 * difference that needs it says so instead of showing a number.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "table.h"

static const struct {
	const char *counter, *unit;
} units[] = {
	{ "apx_egpr_stores", "egpr_store16" },
	{ "apx_egpr_loads", "egpr_load16" },
	{ "apx_egpr_clears", "egpr_clear16" },
	{ "apx_xsetbv", "xsetbv" },
	{ "apx_path_switches", "path_switch" },
	{ "apx_dispatch", "dispatch" },
};

static const char *str(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : dflt;
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * A counter's column heading, at most 7 characters so that six columns
 * fit 72: the last word of its name (apx_egpr_stores: stores), but for
 * the two whose last word is longer.
 */
static const char *count_label(const char *name)
{
	const char *u = strrchr(name, '_');

	if (!strcmp(name, "apx_path_switches"))
		return "paths";
	if (!strcmp(name, "apx_dispatch"))
		return "disp";
	return u ? u + 1 : name;
}

/* test + mode suffix in at most 18 characters, the suffix kept whole */
static void test_label(char *buf, size_t len, json_t *r)
{
	const char *sfx = table_mode_suffix(str(r, "apx", "off"));
	int room = 18 - (int)strlen(sfx);

	snprintf(buf, len, "%.*s%s", room, str(r, "test", "?"), sfx);
}

static void counts_table(FILE *f, json_t *results)
{
	json_t *r, *names = NULL, *per, *v;
	const char *name;
	size_t i;

	json_array_foreach(results, i, r) {
		per = json_object_get(json_object_get(r, "apx_counts"), "per_exit");
		if (json_object_size(per)) {
			names = per;
			break;
		}
	}
	if (!names)
		return;
	fprintf(f, "\nAPX events per exit (kernel apx_* statistics, timed loop):\n");
	fprintf(f, "%-18s%6s", "test", "exits");
	json_object_foreach(names, name, v)
		fprintf(f, " %7.7s", count_label(name));
	fputc('\n', f);
	json_array_foreach(results, i, r) {
		json_t *c = json_object_get(r, "apx_counts");
		char t[40];

		per = json_object_get(c, "per_exit");
		if (!json_is_object(per))
			continue;
		test_label(t, sizeof(t), r);
		fprintf(f, "%-18s%6.0f", t, num(c, "exits"));
		json_object_foreach(names, name, v) {
			json_t *x = json_object_get(per, name);

			if (json_is_number(x))
				fprintf(f, " %7.3f", json_number_value(x));
			else
				fprintf(f, " %7s", "-");
		}
		fputc('\n', f);
	}
}

/* The row of (test, apx, xcr0[, strategy, round]) that ran ok, or NULL. */
static json_t *find(json_t *results, json_t *like, const char *apx,
		    const char *strategy, json_t *round)
{
	json_t *r;
	size_t i;

	json_array_foreach(results, i, r) {
		if (strcmp(str(r, "status", ""), "ok") ||
		    strcmp(str(r, "test", ""), str(like, "test", "?")) ||
		    strcmp(str(r, "apx", ""), apx) ||
		    strcmp(str(r, "xcr0", ""), str(like, "xcr0", "?")))
			continue;
		if (strategy && strcmp(str(r, "strategy", ""), strategy))
			continue;
		if (round && !json_equal(json_object_get(r, "round"), round))
			continue;
		return r;
	}
	return NULL;
}

/*
 * Predicted per-exit difference b - a from the counts, or NAN with @why
 * naming the first counter that differs and has no measured unit cost.
 */
static double predict(json_t *uc, json_t *a, json_t *b, const char **why)
{
	json_t *pa = json_object_get(json_object_get(a, "apx_counts"), "per_exit");
	json_t *pb = json_object_get(json_object_get(b, "apx_counts"), "per_exit");
	double sum = 0;

	*why = NULL;
	if (!json_is_object(pa) || !json_is_object(pb)) {
		*why = "no counts";
		return NAN;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double d = num(pb, units[i].counter) - num(pa, units[i].counter);
		double u = num(uc, units[i].unit);

		if (isnan(d) || fabs(d) < 1e-9)
			continue;
		if (isnan(u)) {
			*why = units[i].unit;
			return NAN;
		}
		sum += d * u;
	}
	return sum;
}

/* One line: predicted and measured b - a, or why there is no prediction. */
static void line(FILE *f, json_t *uc, json_t *a, json_t *b, const char *vs,
		 double measured)
{
	const char *why;
	double p = predict(uc, a, b, &why);
	char t[40], first[96], text[160];

	test_label(t, sizeof(t), b);
	if (!why) {
		fprintf(f, "%-17s %-11s %9.1f %9.1f\n", t, vs, p, measured);
		return;
	}
	snprintf(first, sizeof(first), "%-17s %-11s %9s %9.1f ", t, vs, "-", measured);
	snprintf(text, sizeof(text), "(%s unmeasured)", why);
	table_wrap(f, first, text, 50);
}

void table_counts_print(FILE *f, json_t *doc)
{
	json_t *results = json_object_get(doc, "results");
	json_t *uc = json_object_get(doc, "unit_costs");
	json_t *sw = json_object_get(json_object_get(doc, "switch"), "strategies");
	const char *base = json_string_value(json_array_get(sw, 0));
	bool header = false;
	json_t *r;
	size_t i;

	counts_table(f, results);
	if (!json_is_object(uc) || json_object_get(uc, "unavailable"))
		return;
	json_array_foreach(results, i, r) {
		const char *apx = str(r, "apx", "off");
		json_t *a = NULL, *cy = json_object_get(r, "cycles");
		double measured = NAN;
		const char *vs;

		if (strcmp(str(r, "status", ""), "ok") || !json_object_get(r, "apx_counts"))
			continue;
		if (base) {
			/* each strategy against the first, in the same round */
			if (!strcmp(str(r, "strategy", ""), base))
				continue;
			a = find(results, r, apx, base, json_object_get(r, "round"));
			vs = base;
		} else if (!strcmp(apx, "on") || !strcmp(apx, "standin")) {
			a = find(results, r, !strcmp(apx, "on") ? "off" : "standin-off",
				 NULL, NULL);
			vs = !strcmp(apx, "on") ? "apx off" : "si0";
		}
		if (!a)
			continue;
		measured = num(cy, "median") - num(json_object_get(a, "cycles"), "median");
		if (!header) {
			fprintf(f, "\nPredicted per-exit difference (counts x unit costs) and the\n"
				"measured one (difference of the medians), TSC cycles:\n");
			fprintf(f, "%-17s %-11s %9s %9s\n", "test", "vs", "predicted",
				"measured");
			header = true;
		}
		if (base) {
			char v[40];

			snprintf(v, sizeof(v), "%s r%lld", vs,
				 (long long)json_integer_value(json_object_get(r, "round")));
			line(f, uc, a, r, v, measured);
		} else {
			line(f, uc, a, r, vs, measured);
		}
	}
	if (header)
		table_wrap(f, "unit costs: ", str(uc, "how", "?"), 4);
}
