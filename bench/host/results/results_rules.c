// SPDX-License-Identifier: GPL-2.0-only
/* The rule engine of the results loader (results_rules.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "results_rules.h"

int chk_fail(struct chk *c, const char *fmt, ...)
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

size_t chk_push(struct chk *c, const char *fmt, ...)
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

void chk_pop(struct chk *c, size_t old)
{
	c->plen = old;
	c->path[old] = '\0';
}

unsigned int chk_type(json_t *v)
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

const char *chk_type_name(unsigned int t)
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
				      chk_type_name(order[i]));
	}
}

static int check_value(struct chk *c, const struct rule *r, json_t *v)
{
	unsigned int t = chk_type(v);
	char want[80];
	double x;

	if (!(t & r->types)) {
		want_names(r->types, want, sizeof(want));
		return chk_fail(c, "%s, expected %s", chk_type_name(t), want);
	}
	if (r->ranged && (t & J_NUM)) {
		x = json_number_value(v);
		if (!(x >= r->min && x <= r->max))
			return chk_fail(c, "%.15g is out of range (%.15g to %.15g)",
				    x, r->min, r->max);
	}
	if (r->choices && t == J_STR) {
		const char *s = json_string_value(v);
		size_t i;

		for (i = 0; r->choices[i]; i++)
			if (!strcmp(s, r->choices[i]))
				break;
		if (!r->choices[i])
			return chk_fail(c, "\"%.60s\" is not a known value", s);
	}
	if (r->nested && (t & (J_OBJ | J_ARR)))
		return r->nested(c, v);
	return 0;
}

int chk_apply(struct chk *c, json_t *obj, const struct rule *rules,
		 size_t n)
{
	size_t old;
	json_t *v;
	int ret;

	for (size_t i = 0; i < n; i++) {
		v = json_object_get(obj, rules[i].key);
		if (!v && !rules[i].required)
			continue;
		old = chk_push(c, "%s%s", c->plen ? "." : "", rules[i].key);
		ret = v ? check_value(c, &rules[i], v) : chk_fail(c, "missing");
		chk_pop(c, old);
		if (ret)
			return ret;
	}
	return 0;
}


/* Every element of an array: strings. */
int chk_strings(struct chk *c, json_t *a)
{
	size_t i, old;
	json_t *v;

	json_array_foreach(a, i, v) {
		if (json_is_string(v))
			continue;
		old = chk_push(c, "[%zu]", i);
		chk_fail(c, "%s, expected a string", chk_type_name(chk_type(v)));
		chk_pop(c, old);
		return -EPROTO;
	}
	return 0;
}

/*
 * Tolerance of comparisons between numbers of one file: the writer
 * prints 10 significant digits (JSON_REAL_PRECISION(10)), so values that
 * were equal or ordered stay so to within a few parts in 10^10.
 */
double chk_slack(double a, double b)
{
	double m = fmax(fabs(a), fabs(b));

	return 1e-9 * (m > 1 ? m : 1);
}

int chk_fail_at(struct chk *c, const char *key, const char *fmt, ...)
{
	char what[200];
	size_t old = chk_push(c, "%s%s", c->plen ? "." : "", key);
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	r = chk_fail(c, "%s", what);
	chk_pop(c, old);
	return r;
}

