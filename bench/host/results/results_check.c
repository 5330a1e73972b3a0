// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules a results file must meet before any subcommand reads a
 * number from it (results/README.md, "What the loader guarantees").
 *
 * Members are checked from tables (results_rules.h): key, JSON types
 * allowed, required or not, numeric range, allowed strings, and a
 * function for what is nested.  A new member is one line; members not in
 * a table are ignored, as the schema's compatibility rule says.  Rules
 * across members (statistics in order, consistent with raw samples) are
 * small functions beside their table; rules across results (duplicates,
 * the --strategies grid) are in results_rows.c.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "results_int.h"
#include "results_rules.h"
#include "stats.h"

/* ---- statistics objects: cycles, ns, oneway.exit, oneway.entry ---- */

static const char *const order_keys[] = {
	"min", "p1", "p5", "p25", "median", "p75", "p95", "p99", "max",
};

static const struct rule stats_rules[] = {
	REQ("n", J_INT, RANGE(1, EB_LOAD_MAX_N)),
	REQ("min", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("p1", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("p5", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("p25", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("median", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("p75", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("p95", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("p99", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("max", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("mean", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("stddev", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("mad", J_NUM, RANGE(0, EB_LOAD_MAX_CYCLES)),
	REQ("median_ci", J_ARR),
	REQ("outliers_low", J_INT, RANGE(0, EB_LOAD_MAX_N)),
	REQ("outliers_high", J_INT, RANGE(0, EB_LOAD_MAX_N)),
};

static double num(json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static int check_stats(struct chk *c, json_t *s)
{
	double prev, x, lo, hi, min, max, range;
	json_t *ci;
	json_int_t n;
	int r;

	r = APPLY(c, s, stats_rules);
	if (r)
		return r;
	for (size_t i = 1; i < sizeof(order_keys) / sizeof(order_keys[0]); i++) {
		prev = num(s, order_keys[i - 1]);
		x = num(s, order_keys[i]);
		if (x < prev - chk_slack(x, prev))
			return chk_fail_at(c, order_keys[i], "%.15g is below %s (%.15g)",
				       x, order_keys[i - 1], prev);
	}
	min = num(s, "min");
	max = num(s, "max");
	range = max - min;
	n = json_integer_value(json_object_get(s, "n"));
	x = num(s, "mean");
	if (x < min - chk_slack(x, min) || x > max + chk_slack(x, max))
		return chk_fail_at(c, "mean", "%.15g lies outside min..max", x);
	/* a sample standard deviation never exceeds the range (n >= 2) */
	x = num(s, "stddev");
	if (x > range + chk_slack(x, range) || (n == 1 && x != 0))
		return chk_fail_at(c, "stddev", "%.15g is larger than the data allow", x);
	x = num(s, "mad");
	if (x > range + chk_slack(x, range))
		return chk_fail_at(c, "mad", "%.15g is larger than max - min", x);
	lo = (double)json_integer_value(json_object_get(s, "outliers_low"));
	hi = (double)json_integer_value(json_object_get(s, "outliers_high"));
	if (lo > (double)n)
		return chk_fail_at(c, "outliers_low", "%.15g is more than n", lo);
	if (lo + hi > (double)n)
		return chk_fail_at(c, "outliers_high", "%.15g, with outliers_low more than n", hi);
	ci = json_object_get(s, "median_ci");
	if (json_array_size(ci) != 2 || !json_is_number(json_array_get(ci, 0)) ||
	    !json_is_number(json_array_get(ci, 1)))
		return chk_fail_at(c, "median_ci", "not [lo, hi]");
	lo = json_number_value(json_array_get(ci, 0));
	hi = json_number_value(json_array_get(ci, 1));
	/* a bootstrap median is a median of the data: inside min..max */
	if (lo > hi || lo < min - chk_slack(lo, min) || hi > max + chk_slack(hi, max))
		return chk_fail_at(c, "median_ci", "[%.15g, %.15g] is not an interval within min..max",
			       lo, hi);
	return 0;
}

/* ---- the raw samples against the statistics made from them ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int check_raw(struct chk *c, json_t *e)
{
	static const double pct[] = { 0, 1, 5, 25, 50, 75, 95, 99, 100 };
	json_t *raw = json_object_get(e, "raw"), *cy = json_object_get(e, "cycles");
	size_t n = json_array_size(raw), i, old;
	double *v, sum = 0, got, want, tick;
	int r = 0;

	if (!json_is_object(cy))
		return chk_fail_at(c, "raw", "present without cycles statistics");
	if ((json_int_t)n != json_integer_value(json_object_get(cy, "n")))
		return chk_fail_at(c, "raw", "%zu samples, but cycles.n is %lld", n,
			       (long long)json_integer_value(json_object_get(cy, "n")));
	v = malloc(n * sizeof(*v));
	if (!v)
		return chk_fail(c, "out of memory");
	for (i = 0; i < n; i++) {
		json_t *x = json_array_get(raw, i);

		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    (double)json_integer_value(x) > EB_LOAD_MAX_CYCLES) {
			old = chk_push(c, ".raw[%zu]", i);
			r = json_is_integer(x) ?
				chk_fail(c, "%lld is out of range (0 to %.15g)",
				     (long long)json_integer_value(x), EB_LOAD_MAX_CYCLES) :
				chk_fail(c, "%s, expected an integer (TSC cycles)",
				     chk_type_name(chk_type(x)));
			chk_pop(c, old);
			goto out;
		}
		/* statistics are per exit: each sample timed a whole batch */
		v[i] = (double)json_integer_value(x) / (double)c->batch;
		sum += v[i];
	}
	qsort(v, n, sizeof(*v), cmp_double);
	/*
	 * The loader recomputes with the writer's own percentile rule, so an
	 * honest file agrees to print precision; one TSC tick per sample
	 * (1/batch per exit) of slack on top covers any rounding a writer
	 * may do, and is still far below any edit that changes a sample.
	 */
	tick = 1.0 / (double)c->batch;
	old = chk_push(c, ".cycles");
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		want = eb_percentile_sorted(v, n, pct[i]);
		got = num(cy, order_keys[i]);
		if (fabs(got - want) > tick + chk_slack(got, want)) {
			r = chk_fail_at(c, order_keys[i], "%.15g, but the raw samples give %.15g",
				    got, want);
			break;
		}
	}
	want = sum / (double)n;
	got = num(cy, "mean");
	if (!r && fabs(got - want) > tick + chk_slack(got, want))
		r = chk_fail_at(c, "mean", "%.15g, but the raw samples give %.15g", got, want);
	chk_pop(c, old);
out:
	free(v);
	return r;
}

/* ---- one result ---- */

static const char *const apx_modes[] = { "off", "on", "standin-off", "standin", NULL };
static const char *const xcr0_modes[] = { "host", "reduced", NULL };
static const char *const result_status[] = { "ok", "skipped", "failed",
					     "timeout", NULL };

static int check_oneway(struct chk *c, json_t *o);

static const struct rule result_rules[] = {
	REQ("test", J_STR),
	REQ("apx", J_STR, .choices = apx_modes),
	REQ("xcr0", J_STR, .choices = xcr0_modes),
	REQ("status", J_STR, .choices = result_status),
	OPT("reason", J_STR),
	OPT("description", J_STR),
	OPT("samples", J_INT, RANGE(0, EB_LOAD_MAX_N)),
	OPT("batch", J_INT, RANGE(1, 1000000)),
	OPT("warmup", J_INT, RANGE(0, EB_LOAD_MAX_N)),
	OPT("cpl", J_INT, RANGE(0, 3)),
	OPT("guest_cpl", J_INT, RANGE(0, 3)),
	OPT("emulated", J_BOOL),
	OPT("note", J_STR),
	OPT("warning", J_STR),
	OPT("warmup_discarded", J_INT, RANGE(0, EB_LOAD_MAX_N)),
	OPT("cycles", J_OBJ, .nested = check_stats),
	OPT("ns", J_OBJ | J_NULL, .nested = check_stats),
	OPT("overhead_cycles", J_NUM | J_NULL, RANGE(0, EB_LOAD_MAX_CYCLES)),
	OPT("overhead_cpl", J_INT, RANGE(0, 3)),
	OPT("net_median_cycles", J_NUM | J_NULL,
	  RANGE(-EB_LOAD_MAX_CYCLES, EB_LOAD_MAX_CYCLES)),
	OPT("kvm_exits", J_INT | J_NULL, RANGE(0, 9.2e18)),
	OPT("oneway", J_OBJ, .nested = check_oneway),
	OPT("raw", J_ARR),
	OPT("strategy", J_STR),
	OPT("strategy_requested", J_STR),
	OPT("round", J_INT, RANGE(0, EB_LOAD_MAX_ROUNDS - 1)),
	OPT("position", J_INT, RANGE(0, EB_LOAD_MAX_STRATEGIES - 1)),
	OPT("guest_apx", J_OBJ),
	OPT("xcr0_detail", J_OBJ),
	OPT("regcheck", J_OBJ),
	OPT("counters", J_OBJ),
	OPT("sampling", J_OBJ),
	OPT("exception", J_OBJ),
};

static int check_oneway(struct chk *c, json_t *o)
{
	static const struct rule split[] = {
		REQ("exit", J_OBJ, .nested = check_stats),
		REQ("entry", J_OBJ, .nested = check_stats),
	};
	static const struct rule unavailable[] = {
		REQ("unavailable", J_STR),
	};

	return json_object_get(o, "unavailable") ? APPLY(c, o, unavailable) :
						    APPLY(c, o, split);
}

static int check_result(struct chk *c, json_t *e)
{
	json_t *cy, *ns, *v;
	double m, x, o;
	int r;

	c->batch = 1;
	r = APPLY(c, e, result_rules);
	if (r)
		return r;
	if (!json_string_length(json_object_get(e, "test")))
		return chk_fail_at(c, "test", "empty");
	if (json_is_integer(json_object_get(e, "batch")))
		c->batch = json_integer_value(json_object_get(e, "batch"));
	cy = json_object_get(e, "cycles");
	/*
	 * Not ok: a reason, and nothing else required.  A result measured
	 * and then failed by the register check keeps its cycles and raw:
	 * those obey the same rules as an ok result's.
	 */
	if (strcmp(json_string_value(json_object_get(e, "status")), "ok") &&
	    !json_is_string(json_object_get(e, "reason")))
		return chk_fail_at(c, "reason", "missing (status is not ok)");
	if (!strcmp(json_string_value(json_object_get(e, "status")), "ok") && !cy)
		return chk_fail_at(c, "cycles", "missing (status is ok)");
	if (json_object_get(e, "raw") && (r = check_raw(c, e)))
		return r;
	if (!cy)
		return 0;
	m = num(cy, "median");
	ns = json_object_get(e, "ns");
	if (json_is_object(ns) && c->tsc_khz > 0) {
		x = num(ns, "median");
		o = m * 1e6 / c->tsc_khz;
		/* relative: ns = cycles * 1e6 / tsc_khz, both at 10 digits */
		if (fabs(x - o) > 1e-6 * fmax(fabs(o), 1e-3))
			return chk_fail_at(c, "ns.median", "%.15g, but cycles.median and host.tsc_khz give %.15g",
				       x, o);
	}
	v = json_object_get(e, "net_median_cycles");
	if (json_is_number(v) && json_is_number(json_object_get(e, "overhead_cycles"))) {
		x = json_number_value(v);
		o = json_number_value(json_object_get(e, "overhead_cycles"));
		if (fabs(x - (m - o)) > 1e-9 * (fabs(m) + fabs(o) + fabs(x)) + 1e-9)
			return chk_fail_at(c, "net_median_cycles",
				       "%.15g, but cycles.median - overhead_cycles is %.15g",
				       x, m - o);
	}
	return 0;
}

static int check_results(struct chk *c, json_t *a)
{
	size_t i, old;
	json_t *e;
	int r;

	if (!json_array_size(a))
		return chk_fail(c, "empty: no test results");
	json_array_foreach(a, i, e) {
		old = chk_push(c, "[%zu]", i);
		r = json_is_object(e) ? check_result(c, e) :
			chk_fail(c, "%s, expected an object", chk_type_name(chk_type(e)));
		chk_pop(c, old);
		if (r)
			return r;
	}
	return 0;
}

/* ---- the envelope ---- */

static int check_date(struct chk *c, json_t *d)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	const char *s = json_string_value(d);
	size_t i;

	for (i = 0; pat[i] && s[i]; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			break;
	if (pat[i] || s[i])
		return chk_fail_at(c, "date", "\"%.40s\" is not YYYY-MM-DDTHH:MM:SSZ", s);
	return 0;
}

static const struct rule exitbench_rules[] = {
	REQ("version", J_STR),
	REQ("commit", J_STR),
};

static int check_exitbench(struct chk *c, json_t *o)
{
	return APPLY(c, o, exitbench_rules);
}

static const struct rule cpu_rules[] = {
	OPT("vendor", J_STR),
	REQ("model_name", J_STR),
	OPT("family", J_INT, RANGE(0, 65535)),
	OPT("model", J_INT, RANGE(0, 65535)),
	OPT("stepping", J_INT, RANGE(0, 65535)),
	OPT("microcode", J_STR),
};

static int check_cpu(struct chk *c, json_t *o)
{
	return APPLY(c, o, cpu_rules);
}

static const struct rule kernel_rules[] = {
	OPT("release", J_STR),
	OPT("version", J_STR),
};

static int check_kernel(struct chk *c, json_t *o)
{
	return APPLY(c, o, kernel_rules);
}

static const struct rule host_rules[] = {
	REQ("hostname", J_STR),
	REQ("cpu", J_OBJ, .nested = check_cpu),
	OPT("kernel", J_OBJ, .nested = check_kernel),
	OPT("hypervisor", J_STR),
	/* 1 kHz .. 100 GHz: a TSC outside that is not a clock */
	OPT("tsc_khz", J_INT | J_NULL, RANGE(1, 1e8)),
	OPT("tsc_khz_source", J_STR),
};

static int check_host(struct chk *c, json_t *o)
{
	return APPLY(c, o, host_rules);
}

static const char *const flavors[] = { "vmx", "svm", "pvm", "unknown", NULL };

static const struct rule kvm_rules[] = {
	REQ("flavor", J_STR, .choices = flavors),
	OPT("flavor_source", J_STR),
	OPT("module", J_STR),
	OPT("params", J_OBJ),
	REQ("strategy", J_STR),
	OPT("emulated", J_STR | J_NULL),
	OPT("guest", J_OBJ),
};

static int check_kvm(struct chk *c, json_t *o)
{
	return APPLY(c, o, kvm_rules);
}

static const struct rule config_rules[] = {
	OPT("tests", J_ARR, .nested = chk_strings),
	OPT("samples", J_INT, RANGE(1, EB_LOAD_MAX_N)),
	OPT("batch", J_INT, RANGE(1, 1000000)),
	OPT("warmup", J_INT, RANGE(0, EB_LOAD_MAX_N)),
	OPT("cpu", J_INT, RANGE(-1, 1 << 20)),
	OPT("cpl", J_INT, RANGE(-1, 3)),
	OPT("raw", J_BOOL),
	OPT("timeout_s", J_NUM, RANGE(0, 1e9)),
	OPT("seed", J_INT),
	OPT("apx", J_STR),
	OPT("xcr0", J_STR),
	OPT("kvm_dev", J_STR),
};

static int check_config(struct chk *c, json_t *o)
{
	return APPLY(c, o, config_rules);
}

static const char *const run_status[] = { "ok", "failed", NULL };

static const struct rule top_rules[] = {
	REQ("schema", J_STR),
	REQ("exitbench", J_OBJ, .nested = check_exitbench),
	OPT("command_line", J_ARR, .nested = chk_strings),
	REQ("date", J_STR),
	REQ("status", J_STR, .choices = run_status),
	OPT("vms_created", J_INT, RANGE(0, 1e9)),
	REQ("host", J_OBJ, .nested = check_host),
	REQ("kvm", J_OBJ, .nested = check_kvm),
	REQ("config", J_OBJ, .nested = check_config),
	OPT("apx", J_OBJ),
	OPT("noise", J_OBJ),
	OPT("switch", J_OBJ),
	/* last: its rules read host.tsc_khz */
	REQ("results", J_ARR, .nested = check_results),
};

int results_check(json_t *doc, const char *path, char *err, size_t errlen)
{
	struct chk c = { .file = path, .err = err, .errlen = errlen };
	json_t *tsc;
	int r;

	tsc = json_object_get(json_object_get(doc, "host"), "tsc_khz");
	c.tsc_khz = json_is_integer(tsc) ? (double)json_integer_value(tsc) : 0;
	r = APPLY(&c, doc, top_rules);
	if (!r)
		r = check_date(&c, json_object_get(doc, "date"));
	if (!r)
		r = chk_rows(&c, doc);
	return r;
}
