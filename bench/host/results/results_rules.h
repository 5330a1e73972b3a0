// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rule engine of the results loader: a rule is one member of one
 * object (key, JSON types, required, range, allowed strings, nested
 * check); chk_apply() runs a table of them.  The tables are in
 * results_check.c, the rules across results in results_rows.c.
 * Every failure writes "FILE: results[3].cycles.median: why" and
 * returns -EPROTO.
 */
#ifndef EB_HOST_RESULTS_RULES_H
#define EB_HOST_RESULTS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* Where the check is, and what it has learnt on the way. */
struct chk {
	const char *file;
	char *err;
	size_t errlen;
	char path[256];		/* where we are, e.g. results[3].cycles */
	size_t plen;
	json_int_t batch;	/* of the result being checked */
	double tsc_khz;		/* host.tsc_khz, 0 if null */
};

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
	int (*nested)(struct chk *c, json_t *v);
};

#define RANGE(lo, hi)	.ranged = true, .min = (lo), .max = (hi)
#define REQ(k, t, ...)	{ .key = (k), .types = (t), .required = true, __VA_ARGS__ }
#define OPT(k, t, ...)	{ .key = (k), .types = (t), __VA_ARGS__ }

#define APPLY(c, obj, rules) chk_apply(c, obj, rules, sizeof(rules) / sizeof(rules[0]))

__attribute__((format(printf, 2, 3)))
int chk_fail(struct chk *c, const char *fmt, ...);
/* Fail naming @key inside the current object. */
__attribute__((format(printf, 3, 4)))
int chk_fail_at(struct chk *c, const char *key, const char *fmt, ...);
/* Enter a member (".key" or "[i]"); returns the length to go back to. */
__attribute__((format(printf, 2, 3)))
size_t chk_push(struct chk *c, const char *fmt, ...);
void chk_pop(struct chk *c, size_t old);
int chk_apply(struct chk *c, json_t *obj, const struct rule *rules, size_t n);
/* Every element of an array: strings. */
int chk_strings(struct chk *c, json_t *a);
/* Tolerance of comparisons between two printed numbers of one file. */
double chk_slack(double a, double b);
unsigned int chk_type(json_t *v);
const char *chk_type_name(unsigned int t);

/* results_rows.c: no duplicate results; with "switch", the whole grid. */
int chk_rows(struct chk *c, json_t *doc);

#endif /* EB_HOST_RESULTS_RULES_H */
