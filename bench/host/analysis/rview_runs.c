// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run-level part of a results file as the analysis commands see it:
 * each entry's runs (exitbench run --repeat; one run for older files),
 * the TSC tick, and whether a delay was injected (--inject-delay).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runlevel.h"
#include "rview.h"

__attribute__((format(printf, 3, 4)))
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The tick of the entry's raw samples, for files that do not record it. */
static double raw_tick(const struct eb_rentry *e)
{
	uint64_t *x, g;
	size_t i;

	x = malloc(e->nraw * sizeof(*x));
	if (!x)
		return 0;
	for (i = 0; i < e->nraw; i++)
		x[i] = (uint64_t)llround(e->raw[i] * e->batch);
	g = eb_tsc_tick(x, e->nraw, NULL);
	free(x);
	return (double)g / e->batch;
}

int eb_rview_load_runs(json_t *r, struct eb_rentry *e, char *err, size_t errlen)
{
	json_t *runs = json_object_get(r, "runs"), *run;
	json_t *tick = json_object_get(json_object_get(r, "tsc_tick"), "per_exit");
	size_t i;

	if (!e->has_cycles)
		return 0;
	e->tick = json_is_number(tick) ? json_number_value(tick) :
		  e->raw ? raw_tick(e) : 0;
	if (!json_is_array(runs)) {
		e->runs = calloc(1, sizeof(*e->runs));
		if (!e->runs)
			return -ENOMEM;
		e->nruns = 1;
		e->runs[0].median = e->cycles.median;
		e->runs[0].raw = e->raw;
		e->runs[0].nraw = e->nraw;
		return 0;
	}
	e->runs = calloc(json_array_size(runs) + 1, sizeof(*e->runs));
	if (!e->runs)
		return -ENOMEM;
	json_array_foreach(runs, i, run) {
		json_t *status = json_object_get(run, "status");
		json_t *med = json_object_get(json_object_get(run, "cycles"), "median");
		json_t *range = json_object_get(run, "raw_range");
		struct eb_rrun *rr = &e->runs[e->nruns];

		if (json_is_string(status) && strcmp(json_string_value(status), "ok"))
			continue;
		if (!json_is_number(med) || !isfinite(json_number_value(med)))
			return bad(err, errlen, "results (%s): runs[%zu] has no cycles.median",
				   e->test, i);
		rr->median = json_number_value(med);
		if (e->raw && json_array_size(range) == 2) {
			json_int_t off = json_integer_value(json_array_get(range, 0));
			json_int_t n = json_integer_value(json_array_get(range, 1));

			if (off < 0 || n < 0 || (size_t)(off + n) > e->nraw)
				return bad(err, errlen, "results (%s): runs[%zu].raw_range outside raw",
					   e->test, i);
			rr->raw = e->raw + off;
			rr->nraw = (size_t)n;
		}
		e->nruns++;
	}
	if (!e->nruns)
		return bad(err, errlen, "results (%s): status ok but no run is ok", e->test);
	return 0;
}

void eb_rview_load_file_runs(json_t *root, struct eb_rview *rv)
{
	json_t *config = json_object_get(root, "config");
	json_t *rep = json_object_get(config, "repeat");
	json_t *inj = json_object_get(config, "inject_delay_cycles");
	json_t *tick = json_object_get(json_object_get(root, "tsc_tick"), "cycles");

	rv->repeat = json_is_integer(rep) && json_integer_value(rep) > 0 ?
		     (size_t)json_integer_value(rep) : 1;
	if (!json_is_number(inj))
		inj = json_object_get(json_object_get(root, "inject_delay"),
				      "requested_cycles");
	rv->inject_delay = json_is_number(inj) ? json_number_value(inj) : 0;
	rv->tick = json_is_number(tick) ? json_number_value(tick) : 0;
}
