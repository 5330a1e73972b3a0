// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules a results file must meet before any subcommand reads a
 * number from it (results/README.md, "What the loader guarantees").
 *
 * Members are checked from tables: key, JSON types allowed, required or
 * not, numeric range, allowed strings, and a function for what is nested.
 * A new member is one line; members not in a table are ignored, as the
 * schema's compatibility rule says.  Cross-member rules (statistics in
 * order, consistent with raw samples, the --strategies grid) are small
 * functions after the tables.  The first broken rule ends the check with
 * "FILE: results[3].cycles.median: what is wrong".
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "results_int.h"
#include "stats.h"

struct ctx {
	const char *file;
	char *err;
	size_t errlen;
	char path[256];		/* where we are, e.g. results[3].cycles */
	size_t plen;
	json_int_t batch;	/* of the result being checked */
	double tsc_khz;		/* host.tsc_khz, 0 if null */
};

__attribute__((format(printf, 2, 3)))
static int fail(struct ctx *c, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s: %s", c->file,
		 c->plen ? c->path : "(top level)", what);
	return -EPROTO;
}

/* Enter a member (".key" or "[i]"); returns the length to go back to. */
__attribute__((format(printf, 2, 3)))
static size_t push(struct ctx *c, const char *fmt, ...)
{
	size_t old = c->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		c->plen = old + (size_t)n < sizeof(c->path) ?
			  old + (size_t)n : sizeof(c->path) - 1;
	return old;
}

static void pop(struct ctx *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

#define J_STR	0x01u
#define J_INT	0x02u
#define J_REAL	0x04u
#define J_NUM	(J_INT | J_REAL)
#define J_BOOL	0x08u
#define J_NULL	0x10u
#define J_OBJ	0x20u
#define J_ARR	0x40u

struct rule {
	const char *key;
	unsigned int types;
	bool required;
	bool ranged;
	double min, max;
	const char *const *choices;	/* NULL-terminated */
	int (*nested)(struct ctx *c, json_t *v);
};

#define RANGE(lo, hi)	.ranged = true, .min = (lo), .max = (hi)
#define REQ(k, t, ...)	{ .key = (k), .types = (t), .required = true, __VA_ARGS__ }
#define OPT(k, t, ...)	{ .key = (k), .types = (t), __VA_ARGS__ }

static unsigned int jtype(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING: return J_STR;
	case JSON_INTEGER: return J_INT;
	case JSON_REAL: return J_REAL;
	case JSON_TRUE: case JSON_FALSE: return J_BOOL;
	case JSON_NULL: return J_NULL;
	case JSON_OBJECT: return J_OBJ;
	case JSON_ARRAY: return J_ARR;
	}
	return 0;
}

static const char *jtype_name(unsigned int t)
{
	switch (t) {
	case J_STR: return "a string";
	case J_INT: return "an integer";
	case J_REAL: return "a real number";
	case J_BOOL: return "a boolean";
	case J_NULL: return "null";
	case J_OBJ: return "an object";
	case J_ARR: return "an array";
	}
	return "?";
}

static void want_names(unsigned int types, char *buf, size_t len)
{
	static const unsigned int order[] = { J_OBJ, J_ARR, J_STR, J_INT,
					      J_BOOL, J_NULL };
	size_t n = 0;

	buf[0] = '\0';
	if ((types & J_NUM) == J_NUM)
		n += (size_t)snprintf(buf + n, len - n, "a number");
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && n < len; i++) {
		if (!(types & order[i]) ||
		    (order[i] == J_INT && (types & J_NUM) == J_NUM))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? " or " : "",
				      jtype_name(order[i]));
	}
}

static int check_value(struct ctx *c, const struct rule *r, json_t *v)
{
	unsigned int t = jtype(v);
	char want[80];
	double x;

	if (!(t & r->types)) {
		want_names(r->types, want, sizeof(want));
		return fail(c, "%s, expected %s", jtype_name(t), want);
	}
	if (r->ranged && (t & J_NUM)) {
		x = json_number_value(v);
		if (!(x >= r->min && x <= r->max))
			return fail(c, "%.15g is out of range (%.15g to %.15g)",
				    x, r->min, r->max);
	}
	if (r->choices && t == J_STR) {
		const char *s = json_string_value(v);
		size_t i;

		for (i = 0; r->choices[i]; i++)
			if (!strcmp(s, r->choices[i]))
				break;
		if (!r->choices[i])
			return fail(c, "\"%.60s\" is not a known value", s);
	}
	if (r->nested && (t & (J_OBJ | J_ARR)))
		return r->nested(c, v);
	return 0;
}

static int apply(struct ctx *c, json_t *obj, const struct rule *rules,
		 size_t n)
{
	size_t old;
	json_t *v;
	int ret;

	for (size_t i = 0; i < n; i++) {
		v = json_object_get(obj, rules[i].key);
		if (!v && !rules[i].required)
			continue;
		old = push(c, "%s%s", c->plen ? "." : "", rules[i].key);
		ret = v ? check_value(c, &rules[i], v) : fail(c, "missing");
		pop(c, old);
		if (ret)
			return ret;
	}
	return 0;
}

#define APPLY(c, obj, rules) apply(c, obj, rules, sizeof(rules) / sizeof(rules[0]))

/* Every element of an array: strings. */
static int strings(struct ctx *c, json_t *a)
{
	size_t i, old;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			continue;
		old = push(c, "[%zu]", i);
		fail(c, "%s, expected a string", jtype_name(jtype(v)));
		pop(c, old);
		return -EPROTO;
	}
	return 0;
}

/*
 * Tolerance of comparisons between numbers of one file: the writer
 * prints 10 significant digits (JSON_REAL_PRECISION(10)), so values that
 * were equal or ordered stay so to within a few parts in 10^10.
 */
static double slack(double a, double b)
{
	double m = fmax(fabs(a), fabs(b));

	return 1e-9 * (m > 1 ? m : 1);
}

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

/* Fail naming @key inside the current object. */
__attribute__((format(printf, 3, 4)))
static int fail_at(struct ctx *c, const char *key, const char *fmt, ...)
{
	char what[200];
	size_t old = push(c, "%s%s", c->plen ? "." : "", key);
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r = fail(c, "%s", what);
	pop(c, old);
	return r;
}

static int check_stats(struct ctx *c, json_t *s)
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
		if (x < prev - slack(x, prev))
			return fail_at(c, order_keys[i], "%.15g is below %s (%.15g)",
				       x, order_keys[i - 1], prev);
	}
	min = num(s, "min");
	max = num(s, "max");
	range = max - min;
	n = json_integer_value(json_object_get(s, "n"));
	x = num(s, "mean");
	if (x < min - slack(x, min) || x > max + slack(x, max))
		return fail_at(c, "mean", "%.15g lies outside min..max", x);
	/* a sample standard deviation never exceeds the range (n >= 2) */
	x = num(s, "stddev");
	if (x > range + slack(x, range) || (n == 1 && x != 0))
		return fail_at(c, "stddev", "%.15g is larger than the data allow", x);
	x = num(s, "mad");
	if (x > range + slack(x, range))
		return fail_at(c, "mad", "%.15g is larger than max - min", x);
	lo = (double)json_integer_value(json_object_get(s, "outliers_low"));
	hi = (double)json_integer_value(json_object_get(s, "outliers_high"));
	if (lo > (double)n)
		return fail_at(c, "outliers_low", "%.15g is more than n", lo);
	if (lo + hi > (double)n)
		return fail_at(c, "outliers_high", "%.15g, with outliers_low more than n", hi);
	ci = json_object_get(s, "median_ci");
	if (json_array_size(ci) != 2 || !json_is_number(json_array_get(ci, 0)) ||
	    !json_is_number(json_array_get(ci, 1)))
		return fail_at(c, "median_ci", "not [lo, hi]");
	lo = json_number_value(json_array_get(ci, 0));
	hi = json_number_value(json_array_get(ci, 1));
	/* a bootstrap median is a median of the data: inside min..max */
	if (lo > hi || lo < min - slack(lo, min) || hi > max + slack(hi, max))
		return fail_at(c, "median_ci", "[%.15g, %.15g] is not an interval within min..max",
			       lo, hi);
	return 0;
}

/* ---- the raw samples against the statistics made from them ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int check_raw(struct ctx *c, json_t *e)
{
	static const double pct[] = { 0, 1, 5, 25, 50, 75, 95, 99, 100 };
	json_t *raw = json_object_get(e, "raw"), *cy = json_object_get(e, "cycles");
	size_t n = json_array_size(raw), i, old;
	double *v, sum = 0, got, want, tick;
	int r = 0;

	if (!json_is_object(cy))
		return fail_at(c, "raw", "present without cycles statistics");
	if ((json_int_t)n != json_integer_value(json_object_get(cy, "n")))
		return fail_at(c, "raw", "%zu samples, but cycles.n is %lld", n,
			       (long long)json_integer_value(json_object_get(cy, "n")));
	v = malloc(n * sizeof(*v));
	if (!v)
		return fail(c, "out of memory");
	for (i = 0; i < n; i++) {
		json_t *x = json_array_get(raw, i);

		if (!json_is_integer(x) || json_integer_value(x) < 0 ||
		    (double)json_integer_value(x) > EB_LOAD_MAX_CYCLES) {
			old = push(c, ".raw[%zu]", i);
			r = json_is_integer(x) ?
				fail(c, "%lld is out of range (0 to %.15g)",
				     (long long)json_integer_value(x), EB_LOAD_MAX_CYCLES) :
				fail(c, "%s, expected an integer (TSC cycles)",
				     jtype_name(jtype(x)));
			pop(c, old);
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
	old = push(c, ".cycles");
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		want = eb_percentile_sorted(v, n, pct[i]);
		got = num(cy, order_keys[i]);
		if (fabs(got - want) > tick + slack(got, want)) {
			r = fail_at(c, order_keys[i], "%.15g, but the raw samples give %.15g",
				    got, want);
			break;
		}
	}
	want = sum / (double)n;
	got = num(cy, "mean");
	if (!r && fabs(got - want) > tick + slack(got, want))
		r = fail_at(c, "mean", "%.15g, but the raw samples give %.15g", got, want);
	pop(c, old);
out:
	free(v);
	return r;
}

/* ---- one result ---- */

static const char *const apx_modes[] = { "off", "on", NULL };
static const char *const xcr0_modes[] = { "host", "reduced", NULL };
static const char *const result_status[] = { "ok", "skipped", "failed",
					     "timeout", NULL };

static int check_oneway(struct ctx *c, json_t *o);

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

static int check_oneway(struct ctx *c, json_t *o)
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

static int check_result(struct ctx *c, json_t *e)
{
	json_t *cy, *ns, *v;
	double m, x, o;
	int r;

	c->batch = 1;
	r = APPLY(c, e, result_rules);
	if (r)
		return r;
	if (!json_string_length(json_object_get(e, "test")))
		return fail_at(c, "test", "empty");
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
		return fail_at(c, "reason", "missing (status is not ok)");
	if (!strcmp(json_string_value(json_object_get(e, "status")), "ok") && !cy)
		return fail_at(c, "cycles", "missing (status is ok)");
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
			return fail_at(c, "ns.median", "%.15g, but cycles.median and host.tsc_khz give %.15g",
				       x, o);
	}
	v = json_object_get(e, "net_median_cycles");
	if (json_is_number(v) && json_is_number(json_object_get(e, "overhead_cycles"))) {
		x = json_number_value(v);
		o = json_number_value(json_object_get(e, "overhead_cycles"));
		if (fabs(x - (m - o)) > 1e-9 * (fabs(m) + fabs(o) + fabs(x)) + 1e-9)
			return fail_at(c, "net_median_cycles",
				       "%.15g, but cycles.median - overhead_cycles is %.15g",
				       x, m - o);
	}
	return 0;
}

static int check_results(struct ctx *c, json_t *a)
{
	size_t i, old;
	json_t *e;
	int r;

	if (!json_array_size(a))
		return fail(c, "empty: no test results");
	json_array_foreach(a, i, e) {
		old = push(c, "[%zu]", i);
		r = json_is_object(e) ? check_result(c, e) :
			fail(c, "%s, expected an object", jtype_name(jtype(e)));
		pop(c, old);
		if (r)
			return r;
	}
	return 0;
}

/* ---- the envelope ---- */

static int check_date(struct ctx *c, json_t *d)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	const char *s = json_string_value(d);
	size_t i;

	for (i = 0; pat[i] && s[i]; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			break;
	if (pat[i] || s[i])
		return fail_at(c, "date", "\"%.40s\" is not YYYY-MM-DDTHH:MM:SSZ", s);
	return 0;
}

static const struct rule exitbench_rules[] = {
	REQ("version", J_STR),
	REQ("commit", J_STR),
};

static int check_exitbench(struct ctx *c, json_t *o)
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

static int check_cpu(struct ctx *c, json_t *o)
{
	return APPLY(c, o, cpu_rules);
}

static const struct rule kernel_rules[] = {
	OPT("release", J_STR),
	OPT("version", J_STR),
};

static int check_kernel(struct ctx *c, json_t *o)
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

static int check_host(struct ctx *c, json_t *o)
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

static int check_kvm(struct ctx *c, json_t *o)
{
	return APPLY(c, o, kvm_rules);
}

static const struct rule config_rules[] = {
	OPT("tests", J_ARR, .nested = strings),
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

static int check_config(struct ctx *c, json_t *o)
{
	return APPLY(c, o, config_rules);
}

static const char *const run_status[] = { "ok", "failed", NULL };

static const struct rule top_rules[] = {
	REQ("schema", J_STR),
	REQ("exitbench", J_OBJ, .nested = check_exitbench),
	OPT("command_line", J_ARR, .nested = strings),
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

/* ---- rows: no duplicates; with "switch", the whole grid ---- */

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
	REQ("strategies", J_ARR, .nested = strings),
	REQ("rounds", J_INT, RANGE(2, EB_LOAD_MAX_ROUNDS)),
	OPT("param", J_STR),
	OPT("order", J_STR),
	OPT("schedule", J_ARR),
	OPT("original", J_STR),
	OPT("restored", J_BOOL),
};

/* switch.strategies: 2.. unique, non-empty names; sorted into @names. */
static int check_strategies(struct ctx *c, json_t *sw, const char **names,
			    size_t *ns)
{
	json_t *a = json_object_get(sw, "strategies");
	size_t n = json_array_size(a), i;

	if (n < 2 || n > EB_LOAD_MAX_STRATEGIES)
		return fail_at(c, "strategies", "%zu names, expected 2 to %d", n,
			       EB_LOAD_MAX_STRATEGIES);
	for (i = 0; i < n; i++) {
		names[i] = json_string_value(json_array_get(a, i));
		if (!*names[i])
			return fail_at(c, "strategies", "an empty name");
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n; i++)
		if (!strcmp(names[i], names[i - 1]))
			return fail_at(c, "strategies", "'%.40s' given twice", names[i]);
	*ns = n;
	return 0;
}

static int check_rows(struct ctx *c, json_t *doc)
{
	json_t *results = json_object_get(doc, "results");
	json_t *sw = json_object_get(doc, "switch"), *e;
	const char *names[EB_LOAD_MAX_STRATEGIES];
	size_t n = json_array_size(results), i, j, g, ns = 0, nrows = 0, old;
	json_int_t rounds = 0;
	struct row *rw;
	int r = 0;

	if (sw) {
		old = push(c, "switch");
		r = APPLY(c, sw, switch_rules);
		if (!r)
			r = check_strategies(c, sw, names, &ns);
		rounds = json_integer_value(json_object_get(sw, "rounds"));
		if (!r && rounds % 2)
			r = fail_at(c, "rounds", "%lld is odd (ABBA rounds come in pairs)",
				    (long long)rounds);
		pop(c, old);
		if (r)
			return r;
	}
	rw = calloc(n, sizeof(*rw));
	if (!rw)
		return fail(c, "out of memory");
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
		old = push(c, "results[%zu]", i);
		if (!s || !rd)
			r = fail_at(c, s ? "round" : "strategy",
				    "missing (the file has \"switch\")");
		else if (!bsearch(&rw[i].strategy, names, ns, sizeof(*names), cmp_str))
			r = fail_at(c, "strategy", "'%.40s' is not in switch.strategies",
				    rw[i].strategy);
		else if (rw[i].round >= rounds)
			r = fail_at(c, "round", "%lld is not below switch.rounds (%lld)",
				    (long long)rw[i].round, (long long)rounds);
		pop(c, old);
		if (r)
			goto out;
	}
	qsort(rw, n, sizeof(*rw), cmp_row);
	for (i = 0; i < n; i = g) {
		for (g = i + 1; g < n && !cmp_key(&rw[i], &rw[g]); g++)
			if (!strcmp(rw[g].strategy, rw[g - 1].strategy) &&
			    rw[g].round == rw[g - 1].round) {
				old = push(c, "results[%zu]", rw[g].idx);
				r = fail(c, "%.40s apx=%s xcr0=%s%s%.40s appears twice (also results[%zu])",
					 rw[g].test, rw[g].apx, rw[g].xcr0,
					 sw ? " strategy " : "", rw[g].strategy,
					 rw[g - 1].idx);
				pop(c, old);
				goto out;
			}
		if (++nrows > EB_LOAD_MAX_ROWS) {
			r = fail(c, "more than %d different (test, apx, xcr0) rows",
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
			old = push(c, "results");
			r = fail(c, "no %.40s apx=%s xcr0=%s for strategy %.40s round %lld (every round runs every strategy)",
				 rw[i].test, rw[i].apx, rw[i].xcr0, s, (long long)rd);
			pop(c, old);
			goto out;
		}
	}
out:
	free(rw);
	return r;
}

int results_check(json_t *doc, const char *path, char *err, size_t errlen)
{
	struct ctx c = { .file = path, .err = err, .errlen = errlen };
	json_t *tsc;
	int r;

	tsc = json_object_get(json_object_get(doc, "host"), "tsc_khz");
	c.tsc_khz = json_is_integer(tsc) ? (double)json_integer_value(tsc) : 0;
	r = APPLY(&c, doc, top_rules);
	if (!r)
		r = check_date(&c, json_object_get(doc, "date"));
	if (!r)
		r = check_rows(&c, doc);
	return r;
}
