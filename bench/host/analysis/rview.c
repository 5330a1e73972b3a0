// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reader of results files for the analysis commands (compare, gate, plot):
 * results_load() parses and validates the whole file (types, ranges,
 * statistics against each other and against raw), this extracts what the
 * comparison needs.  The checks left here are the analysis's own (one
 * entry per test, apx, xcr0); the casts below are safe because the loader
 * bounded every number first.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "results.h"
#include "rview.h"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static char *dup_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static double get_num(json_t *obj, const char *key, double dflt)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : dflt;
}

static const char *const stat_keys[] = {
	"n", "min", "p1", "p5", "p25", "median", "p75", "p95", "p99", "max",
	"mean", "stddev", "mad",
};

static int load_stats(json_t *o, struct eb_stats *s)
{
	double v[sizeof(stat_keys) / sizeof(stat_keys[0])];
	json_t *ci = json_object_get(o, "median_ci");
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		json_t *x = json_object_get(o, stat_keys[i]);

		if (!json_is_number(x))
			return -1;
		v[i] = json_number_value(x);
	}
	if (!json_is_array(ci) || json_array_size(ci) != 2 ||
	    !json_is_number(json_array_get(ci, 0)) ||
	    !json_is_number(json_array_get(ci, 1)) || v[0] < 1)
		return -1;
	s->n = (size_t)v[0];
	s->min = v[1]; s->p1 = v[2]; s->p5 = v[3]; s->p25 = v[4];
	s->median = v[5]; s->p75 = v[6]; s->p95 = v[7]; s->p99 = v[8];
	s->max = v[9]; s->mean = v[10]; s->stddev = v[11]; s->mad = v[12];
	s->median_ci_lo = json_number_value(json_array_get(ci, 0));
	s->median_ci_hi = json_number_value(json_array_get(ci, 1));
	s->outliers_low = (size_t)get_num(o, "outliers_low", 0);
	s->outliers_high = (size_t)get_num(o, "outliers_high", 0);
	return 0;
}

static bool standin_as_apx;

void eb_rview_set_standin_as_apx(bool on)
{
	standin_as_apx = on;
}

/* A stand-in row's "apx" as the APX mode it stands in for. */
static void standin_rename(struct eb_rentry *e)
{
	const char *as = !strcmp(e->apx, "standin") ? "on" :
			 !strcmp(e->apx, "standin-off") ? "off" : NULL;
	char *s = as ? strdup(as) : NULL;

	if (s) {
		free(e->apx);
		e->apx = s;
	}
}

static int load_entry(json_t *r, size_t idx, struct eb_rentry *e,
		      char *err, size_t errlen)
{
	json_t *raw = json_object_get(r, "raw"), *cyc = json_object_get(r, "cycles");
	size_t i;

	e->test = dup_str(r, "test");
	e->apx = dup_str(r, "apx");
	e->xcr0 = dup_str(r, "xcr0");
	e->status = dup_str(r, "status");
	e->reason = dup_str(r, "reason");
	if (!e->test || !e->apx || !e->xcr0 || !e->status)
		return fail(err, errlen, "results[%zu]: missing test/apx/xcr0/status", idx);
	if (standin_as_apx)
		standin_rename(e);
	e->batch = (unsigned int)get_num(r, "batch", 1);
	e->emulated = json_is_true(json_object_get(r, "emulated"));
	e->loop = json_is_number(json_object_get(r, "overhead_cycles")) ?
		  json_number_value(json_object_get(r, "overhead_cycles")) : NAN;
	e->loop_cpl = json_is_integer(json_object_get(r, "overhead_cpl")) ?
		      (int)json_integer_value(json_object_get(r, "overhead_cpl")) : -1;
	if (e->batch < 1)
		return fail(err, errlen, "results[%zu] (%s): batch < 1", idx, e->test);
	if (strcmp(e->status, "ok"))
		return 0;
	if (!json_is_object(cyc) || load_stats(cyc, &e->cycles))
		return fail(err, errlen, "results[%zu] (%s): status ok but no valid \"cycles\" statistics",
			    idx, e->test);
	e->has_cycles = true;
	if (!raw)
		return 0;
	if (!json_is_array(raw) || json_array_size(raw) == 0)
		return fail(err, errlen, "results[%zu] (%s): \"raw\" is not a non-empty array", idx, e->test);
	e->nraw = json_array_size(raw);
	e->raw = malloc(e->nraw * sizeof(*e->raw));
	if (!e->raw)
		return -ENOMEM;
	for (i = 0; i < e->nraw; i++) {
		json_t *x = json_array_get(raw, i);

		if (!json_is_number(x))
			return fail(err, errlen, "results[%zu] (%s): raw[%zu] is not a number",
				    idx, e->test, i);
		/* Raw samples time a whole batch; statistics are per exit. */
		e->raw[i] = json_number_value(x) / e->batch;
	}
	return 0;
}

/* A switch file's strategy list and rounds into @rv. */
static int load_switch(json_t *root, struct eb_rview *rv)
{
	json_t *sw = json_object_get(root, "switch"), *names, *v;
	size_t i;

	if (!json_is_object(sw))
		return 0;
	names = json_object_get(sw, "strategies");
	rv->rounds = (size_t)json_integer_value(json_object_get(sw, "rounds"));
	rv->strategies = calloc(json_array_size(names) + 1, sizeof(*rv->strategies));
	if (!rv->strategies)
		return -ENOMEM;
	json_array_foreach(names, i, v) {
		rv->strategies[i] = strdup(json_is_string(v) ? json_string_value(v) : "?");
		if (!rv->strategies[i])
			return -ENOMEM;
		rv->nstrategies++;
	}
	return 0;
}

/*
 * Another round of an entry already loaded (one strategy of a switch
 * file): one more run.  An entry whose first round failed takes its
 * statistics from the first round that ran.
 */
static int add_round(json_t *r, size_t idx, struct eb_rentry *e, size_t cap,
		     char *err, size_t errlen)
{
	json_t *med = json_object_get(json_object_get(r, "cycles"), "median");
	int round = (int)json_integer_value(json_object_get(r, "round"));
	struct eb_rentry fresh;
	int ret;

	if (!json_is_string(json_object_get(r, "status")) ||
	    strcmp(json_string_value(json_object_get(r, "status")), "ok"))
		return 0;
	if (!e->has_cycles) {
		memset(&fresh, 0, sizeof(fresh));
		ret = load_entry(r, idx, &fresh, err, errlen);
		if (!ret)
			ret = eb_rview_load_runs(r, &fresh, err, errlen);
		if (ret)
			return ret;
		free(e->test); free(e->apx); free(e->xcr0); free(e->status);
		free(e->reason); free(e->raw); free(e->runs);
		*e = fresh;
		e->runs = realloc(e->runs, cap * sizeof(*e->runs));
		if (!e->runs)
			return -ENOMEM;
		e->runs[0].round = round;
		return 0;
	}
	if (!json_is_number(med) || e->nruns >= cap)
		return fail(err, errlen, "results[%zu] (%s): round %d without cycles.median",
			    idx, e->test, round);
	e->runs[e->nruns].median = json_number_value(med);
	e->runs[e->nruns].raw = NULL;
	e->runs[e->nruns].nraw = 0;
	e->runs[e->nruns++].round = round;
	return 0;
}

static int load_root(json_t *root, struct eb_rview *rv, const char *only,
		     char *err, size_t errlen)
{
	json_t *host, *cpu, *kernel, *kvm, *results, *config, *exb;
	size_t i;
	int ret;

	host = json_object_get(root, "host");
	cpu = json_object_get(host, "cpu");
	kernel = json_object_get(host, "kernel");
	kvm = json_object_get(root, "kvm");
	config = json_object_get(root, "config");
	exb = json_object_get(root, "exitbench");
	results = json_object_get(root, "results");
	if (!json_is_object(host) || !json_is_object(cpu) || !json_is_object(kvm))
		return fail(err, errlen, "missing \"host\", \"host.cpu\" or \"kvm\"");
	if (!json_is_array(results))
		return fail(err, errlen, "missing \"results\" array");

	rv->date = dup_str(root, "date");
	rv->version = dup_str(exb, "version");
	rv->commit = dup_str(exb, "commit");
	rv->hostname = dup_str(host, "hostname");
	rv->cpu_vendor = dup_str(cpu, "vendor");
	rv->cpu_model_name = dup_str(cpu, "model_name");
	rv->microcode = dup_str(cpu, "microcode");
	rv->cpu_family = (int)get_num(cpu, "family", -1);
	rv->cpu_model = (int)get_num(cpu, "model", -1);
	rv->cpu_stepping = (int)get_num(cpu, "stepping", -1);
	rv->kernel_release = dup_str(kernel, "release");
	rv->tsc_khz = get_num(host, "tsc_khz", 0);
	rv->flavor = dup_str(kvm, "flavor");
	rv->module = dup_str(kvm, "module");
	rv->strategy = dup_str(kvm, "strategy");
	rv->emulated = dup_str(kvm, "emulated");
	rv->samples = (size_t)get_num(config, "samples", 0);
	eb_rview_load_file_runs(root, rv);
	if (!rv->hostname || !rv->cpu_model_name || !rv->flavor || !rv->strategy)
		return fail(err, errlen, "missing host.hostname, host.cpu.model_name, "
			    "kvm.flavor or kvm.strategy");

	if (load_switch(root, rv))
		return -ENOMEM;
	if (only) {
		free(rv->strategy);
		rv->strategy = strdup(only);
		if (!rv->strategy)
			return -ENOMEM;
	}
	rv->entries = calloc(json_array_size(results) + 1, sizeof(*rv->entries));
	if (!rv->entries)
		return -ENOMEM;
	for (i = 0; i < json_array_size(results); i++) {
		json_t *r = json_array_get(results, i);
		struct eb_rentry *e = &rv->entries[rv->nentries], *had;

		if (!json_is_object(r))
			return fail(err, errlen, "results[%zu] is not an object", i);
		if (only && strcmp(only, json_string_value(json_object_get(r, "strategy")) ?
				   json_string_value(json_object_get(r, "strategy")) : ""))
			continue;
		rv->standin |= !strncmp(json_string_value(json_object_get(r, "apx")) ?: "",
					"standin", 7);
		rv->nentries++;
		ret = load_entry(r, i, e, err, errlen);
		if (!ret)
			ret = eb_rview_load_runs(r, e, err, errlen);
		if (ret)
			return ret;
		had = (struct eb_rentry *)eb_rview_find(rv, e->test, e->apx, e->xcr0);
		if (only && had != e) {
			/* Another round: the entry's next run. */
			rv->nentries--;
			free(e->test); free(e->apx); free(e->xcr0); free(e->status);
			free(e->reason); free(e->raw); free(e->runs);
			memset(e, 0, sizeof(*e));
			ret = add_round(r, i, had, rv->rounds + 1, err, errlen);
			if (ret)
				return ret;
			continue;
		}
		if (only && e->runs) {
			e->runs = realloc(e->runs, (rv->rounds + 1) * sizeof(*e->runs));
			if (!e->runs)
				return -ENOMEM;
			e->runs[0].round = (int)json_integer_value(json_object_get(r, "round"));
		}
		for (size_t k = 0; !only && k < e->nruns; k++)
			e->runs[k].round = -1;
		if (had != e)
			return fail(err, errlen, "results[%zu]: %s apx=%s xcr0=%s appears twice%s",
				    i, e->test, e->apx, e->xcr0, rv->nstrategies ?
				    " (a one-boot --strategies file: 'exitbench compare FILE')" : "");
	}
	if (only && !rv->nentries)
		return fail(err, errlen, "no result of strategy '%s'", only);
	return 0;
}

static int load_path(const char *path, const char *only, struct eb_rview *out,
		     char *err, size_t errlen)
{
	char msg[256];
	json_t *root;
	int ret;

	memset(out, 0, sizeof(*out));
	/* Parsing and schema checks live in one place for every reader. */
	ret = results_load(path, &root, err, errlen);
	if (ret)
		return ret;
	out->path = strdup(path);
	ret = out->path ? load_root(root, out, only, msg, sizeof(msg)) : -ENOMEM;
	json_decref(root);
	if (ret) {
		snprintf(err, errlen, "%s: %s", path, ret == -ENOMEM ? "out of memory" : msg);
		eb_rview_free(out);
	}
	return ret;
}

int eb_rview_load(const char *path, struct eb_rview *out, char *err, size_t errlen)
{
	return load_path(path, NULL, out, err, errlen);
}

int eb_rview_load_strategy(const char *path, const char *strategy,
			   struct eb_rview *out, char *err, size_t errlen)
{
	return load_path(path, strategy, out, err, errlen);
}

void eb_rview_free(struct eb_rview *rv)
{
	size_t i;

	for (i = 0; i < rv->nentries && rv->entries; i++) {
		struct eb_rentry *e = &rv->entries[i];

		free(e->test); free(e->apx); free(e->xcr0);
		free(e->status); free(e->reason); free(e->raw); free(e->runs);
	}
	free(rv->entries);
	free(rv->path); free(rv->date); free(rv->version); free(rv->commit);
	free(rv->hostname); free(rv->cpu_vendor); free(rv->cpu_model_name);
	free(rv->microcode); free(rv->kernel_release); free(rv->flavor);
	free(rv->module); free(rv->strategy); free(rv->emulated);
	for (i = 0; i < rv->nstrategies; i++)
		free(rv->strategies[i]);
	free(rv->strategies);
	memset(rv, 0, sizeof(*rv));
}

const struct eb_rentry *eb_rview_find(const struct eb_rview *rv, const char *test,
				      const char *apx, const char *xcr0)
{
	size_t i;

	for (i = 0; i < rv->nentries; i++) {
		const struct eb_rentry *e = &rv->entries[i];

		if (e->test && !strcmp(e->test, test) && !strcmp(e->apx, apx) &&
		    !strcmp(e->xcr0, xcr0))
			return e;
	}
	return NULL;
}

bool eb_rview_find_test(const struct eb_rview *rv, const char *test)
{
	size_t i;

	for (i = 0; i < rv->nentries; i++)
		if (rv->entries[i].test && !strcmp(rv->entries[i].test, test))
			return true;
	return false;
}
