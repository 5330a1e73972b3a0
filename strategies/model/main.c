// SPDX-License-Identifier: GPL-2.0-only
/*
 * eb-model: the command line of the strategy model.
 *
 *   eb-model check [--variants|--only-variants] [--vendor V] [--level L]
 *                  [--depth N] [--brief] [NAME...]
 *   eb-model table [--check] README | --print
 *   eb-model show NAME [--vendor V] [--level L]
 *   eb-model placement NAME
 *   eb-model mutate [--strict] [NAME...]
 *   eb-model predict [--json] [--vendor V] [NAME]
 *   eb-model list
 *
 * `check` compares every verdict with what the strategy's model.c expects
 * and exits 1 on any mismatch, so the same command is the test.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "mutate.h"
#include "predict.h"
#include "table.h"

static const char *const vendor_names[NR_VENDORS] = { "vmx", "svm" };
static const char *const level_names[NR_LEVELS] = { "noapx", "apx", "mapxf" };
static const char *const level_text[NR_LEVELS] = {
	"host without APX", "host APX, kernel without APX", "host APX, kernel built -mapxf",
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: eb-model check [--variants|--only-variants] [--vendor vmx|svm]\n"
		"                      [--level noapx|apx|mapxf] [--depth N] [--brief] [NAME...]\n"
		"       eb-model table [--check] README.md | eb-model table --print\n"
		"       eb-model show NAME [--vendor vmx|svm] [--level noapx|apx|mapxf]\n"
		"       eb-model placement NAME\n"
		"       eb-model mutate [--strict] [NAME...]\n"
		"       eb-model predict [--json] [--vendor vmx|svm] [NAME]\n"
		"       eb-model list\n"
		"check explores every event sequence of each strategy model under each\n"
		"setting and prints PASS or the violations with a shortest sequence;\n"
		"it exits 1 when a verdict differs from the one the model expects.\n");
}

static int lookup(const char *const *names, int n, const char *s, const char *what)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	fprintf(stderr, "eb-model: unknown %s '%s'\n", what, s);
	return -1;
}

/* "PASS" or the violation names, comma-separated, into buf. */
static const char *kinds_str(char *buf, size_t len, uint32_t mask)
{
	size_t n = 0;

	if (mask == PASS || !mask) {
		snprintf(buf, len, "PASS");
		return buf;
	}
	buf[0] = '\0';
	for (int k = 0; k < NR_VIO_KINDS; k++)
		if (mask & (1u << k))
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "",
				      vio_name(1u << k));
	return buf;
}

struct opts {
	int vendor, level;	/* -1: all */
	uint32_t depth;
	bool brief;
};

struct totals {
	unsigned settings, passed, failed, unexpected;
	uint64_t states;
	double seconds;
};

static int check_one(const struct strategy *st, enum vendor v, enum level l,
		     const struct opts *o, struct totals *t)
{
	struct setting set = { .vendor = v, .host_apx = l != LVL_NOAPX,
			       .kernel_apx = l == LVL_MAPXF };
	uint32_t want = st->expect[v][l], got;
	struct explore_result r;
	char buf[256];
	struct machine m;
	bool ok;
	int ret;

	ret = machine_init(&m, st, set);
	if (ret)
		return ret;
	ret = explore(&m, o->depth, &r);
	if (ret)
		return ret;
	got = r.found_mask ? r.found_mask : PASS;
	ok = got == want;
	for (int k = 0; k < NR_VIO_KINDS; k++)
		if ((r.found_mask & (1u << k)) && (!r.found[k].trace || !r.found[k].depth))
			ok = false;	/* a violation must come with its sequence */
	t->settings++;
	t->states += r.states;
	t->seconds += r.seconds;
	if (r.found_mask)
		t->failed++;
	else
		t->passed++;
	if (!ok)
		t->unexpected++;

	printf("  %s  %-30s %s%s\n", vendor_names[v], level_text[l],
	       r.found_mask ? "FAIL" : "PASS", ok ? "  (as expected)" : "  UNEXPECTED");
	if (r.found_mask)
		print_wrapped(stdout, "      found:", kinds_str(buf, sizeof(buf), got));
	if (!ok)
		print_wrapped(stdout, "      model.c expects:", kinds_str(buf, sizeof(buf), want));
	printf("      %llu states, %llu transitions, depth %u, %.2f ms\n",
	       (unsigned long long)r.states, (unsigned long long)r.transitions,
	       r.max_depth, r.seconds * 1e3);
	if (r.bounded)
		printf("      incomplete: stopped at --depth %u before the fixpoint\n", o->depth);
	for (int k = 0; k < NR_VIO_KINDS && !o->brief; k++) {
		if (!(r.found_mask & (1u << k)))
			continue;
		printf("    [%s]\n", vio_name(1u << k));
		print_trace(stdout, &m, &r.found[k]);
	}
	explore_free(&r);
	return 0;
}

static int check_strategy(const struct strategy *st, const struct opts *o, struct totals *t)
{
	printf("== %s%s\n", st->negative ? "variant (negative) " : st->why ? "variant " : "",
	       st->name);
	print_wrapped(stdout, "  ", st->summary);
	print_wrapped(stdout, "  ", st->why ? st->why : st->source);
	for (int v = 0; v < NR_VENDORS; v++) {
		if (o->vendor >= 0 && o->vendor != v)
			continue;
		for (int l = 0; l < NR_LEVELS; l++) {
			int ret;

			if (o->level >= 0 && o->level != l)
				continue;
			if (!st->expect[v][l]) {
				if (!st->why) {
					fprintf(stderr, "eb-model: %s has no expectation for %s/%s\n",
						st->name, vendor_names[v], level_names[l]);
					return -EINVAL;
				}
				continue;	/* variant: not checked there */
			}
			ret = check_one(st, v, l, o, t);
			if (ret)
				return ret;
		}
	}
	printf("\n");
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "variants", no_argument, NULL, 'V' },
		{ "only-variants", no_argument, NULL, 'O' },
		{ "vendor", required_argument, NULL, 'v' },
		{ "level", required_argument, NULL, 'l' },
		{ "depth", required_argument, NULL, 'd' },
		{ "brief", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct opts o = { .vendor = -1, .level = -1, .depth = UINT32_MAX };
	struct totals t = { 0 };
	bool with_real = true, with_variants = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'V': with_variants = true; break;
		case 'O': with_variants = true; with_real = false; break;
		case 'v':
			o.vendor = lookup(vendor_names, NR_VENDORS, optarg, "vendor");
			if (o.vendor < 0)
				return 2;
			break;
		case 'l':
			o.level = lookup(level_names, NR_LEVELS, optarg, "level");
			if (o.level < 0)
				return 2;
			break;
		case 'd': {
			char *end;
			unsigned long d = strtoul(optarg, &end, 10);

			if (*end || !d || d > UINT32_MAX) {
				fprintf(stderr, "eb-model: --depth wants a positive number, got '%s'\n",
					optarg);
				return 2;
			}
			o.depth = (uint32_t)d;
			break;
		}
		case 'b': o.brief = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			const struct strategy *st = strategy_find(argv[i]);

			if (!st) {
				fprintf(stderr, "eb-model: unknown strategy '%s' (see: eb-model list)\n",
					argv[i]);
				return 2;
			}
			ret = check_strategy(st, &o, &t);
			if (ret)
				goto err;
		}
	} else {
		for (int i = 0; with_real && strategies[i]; i++) {
			ret = check_strategy(strategies[i], &o, &t);
			if (ret)
				goto err;
		}
		for (int i = 0; with_variants && variants[i]; i++) {
			ret = check_strategy(variants[i], &o, &t);
			if (ret)
				goto err;
		}
	}
	printf("%u settings checked: %u pass, %u fail, %u unexpected; %llu states in %.1f ms\n",
	       t.settings, t.passed, t.failed, t.unexpected, (unsigned long long)t.states,
	       t.seconds * 1e3);
	return t.unexpected ? 1 : 0;
err:
	fprintf(stderr, "eb-model: check failed: %s\n", strerror(-ret));
	return 1;
}

static int cmd_table(int argc, char **argv)
{
	bool check = false, differs = false;
	const char *readme = NULL;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--check"))
			check = true;
		else if (!strcmp(argv[i], "--print"))
			return table_write(stdout) || verdicts_write(stdout) ? 1 : 0;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "eb-model: table: unknown option %s\n", argv[i]);
			return 2;
		} else
			readme = argv[i];
	}
	if (!readme) {
		usage(stderr);
		return 2;
	}
	ret = table_update(readme, check, &differs);
	if (ret == -ENOMSG) {
		fprintf(stderr, "eb-model: %s lacks the markers of a generated section:\n"
			"  %s\n  %s\n  %s\n  %s\n", readme, TABLE_BEGIN, TABLE_END,
			VERDICT_BEGIN, VERDICT_END);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "eb-model: %s: %s\n", readme, strerror(-ret));
		return 1;
	}
	if (check && differs) {
		fprintf(stderr, "eb-model: the generated tables in %s are out of date; "
			"run strategies/model/table\n", readme);
		return 1;
	}
	printf("%s: generated tables %s\n", readme, check ? "up to date" :
	       differs ? "regenerated" : "already up to date");
	return 0;
}

static bool any_op(const struct step *l, bool (*pred)(uint8_t op))
{
	for (; l && l->text; l++)
		if (pred(l->op))
			return true;
	return false;
}

/*
 * --strict: fail unless every deletion of a step and every dropped runtime
 * test is caught (only reorderings may survive, as equivalent orders).
 */
static int cmd_mutate(int argc, char **argv)
{
	struct mutate_totals t = { 0 };
	bool strict = false;
	int first = 1, matched = 0, ret;

	if (argc > 1 && !strcmp(argv[1], "--strict")) {
		strict = true;
		first = 2;
	}
	for (int i = 0; strategies[i]; i++) {
		bool pick = first >= argc;

		for (int a = first; a < argc; a++)
			pick |= !strcmp(argv[a], strategies[i]->name);
		if (!pick)
			continue;
		matched++;
		printf("== %s\n", strategies[i]->name);
		ret = mutate_strategy(stdout, strategies[i], &t);
		if (ret) {
			fprintf(stderr, "eb-model: mutate: %s\n", strerror(-ret));
			return 1;
		}
	}
	if (!matched || matched < argc - first) {
		fprintf(stderr, "eb-model: mutate: unknown strategy among the names given\n");
		return 2;
	}
	printf("%u mutants, %u caught, %u survived (%u of them not reorderings)\n", t.mutants,
	       t.killed, t.mutants - t.killed, t.strict_survivors);
	return strict && t.strict_survivors ? 1 : 0;
}

static const char *yes(bool b)
{
	return b ? "yes" : "no";
}

static bool is_egpr(uint8_t op)
{
	return op == OP_EGPR_LOAD || op == OP_EGPR_SAVE || op == OP_EGPR_CLEAR;
}

static bool is_xsetbv(uint8_t op)
{
	return op == OP_XSETBV;
}

static bool is_exit_path(uint8_t op)
{
	return op == OP_SET_EXIT_PATH;
}

/*
 * Where the model puts its work, for comparing with the kernel series
 * (strategies/model/check-patches): one "key yes|no" per line.
 */
static int cmd_placement(int argc, char **argv)
{
	const struct strategy *st = argc == 2 ? strategy_find(argv[1]) : NULL;
	const struct step *vmx_asm[] = { NULL, NULL }, *svm_asm[] = { NULL, NULL };
	const struct step *c_hooks[] = { NULL, NULL, NULL, NULL, NULL, NULL };
	bool c_egpr = false, c_xsetbv = false;
	/* inner C hooks: around the world switch, not upstream's switch */
	const struct step *inner[] = { st ? st->pre_entry : NULL, st ? st->post_exit : NULL,
				       st ? st->svm_pre_entry : NULL };

	if (!st) {
		fprintf(stderr, "eb-model: placement wants one known strategy name\n");
		return 2;
	}
	vmx_asm[0] = st->asm_entry;
	vmx_asm[1] = st->asm_exit;
	svm_asm[0] = st->svm_asm_entry ? st->svm_asm_entry : st->asm_entry;
	svm_asm[1] = st->svm_asm_exit ? st->svm_asm_exit : st->asm_exit;
	c_hooks[0] = st->xfeat_load;
	c_hooks[1] = st->pre_entry;
	c_hooks[2] = st->post_exit;
	c_hooks[3] = st->xfeat_put;
	c_hooks[4] = st->svm_pre_entry;
	c_hooks[5] = st->xsetbv_exit;
	for (int i = 0; i < 6; i++)
		c_egpr |= any_op(c_hooks[i], is_egpr);
	for (int i = 0; i < 3; i++)
		c_xsetbv |= any_op(inner[i], is_xsetbv);
	printf("asm-egpr-vmx %s\n", yes(any_op(vmx_asm[0], is_egpr) || any_op(vmx_asm[1], is_egpr)));
	printf("asm-egpr-svm %s\n", yes(any_op(svm_asm[0], is_egpr) || any_op(svm_asm[1], is_egpr)));
	printf("asm-xsetbv-vmx %s\n",
	       yes(any_op(vmx_asm[0], is_xsetbv) || any_op(vmx_asm[1], is_xsetbv)));
	printf("asm-xsetbv-svm %s\n",
	       yes(any_op(svm_asm[0], is_xsetbv) || any_op(svm_asm[1], is_xsetbv)));
	printf("c-egpr %s\n", yes(c_egpr));
	printf("c-inner-xsetbv %s\n", yes(c_xsetbv));
	printf("vmx-host-rip %s\n", yes(any_op(st->pre_entry, is_exit_path)));
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	struct setting set = { .vendor = VMX, .host_apx = true };
	const struct strategy *st = NULL;
	struct machine m;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vendor") && i + 1 < argc) {
			int v = lookup(vendor_names, NR_VENDORS, argv[++i], "vendor");

			if (v < 0)
				return 2;
			set.vendor = v;
		} else if (!strcmp(argv[i], "--level") && i + 1 < argc) {
			int l = lookup(level_names, NR_LEVELS, argv[++i], "level");

			if (l < 0)
				return 2;
			set.host_apx = l != LVL_NOAPX;
			set.kernel_apx = l == LVL_MAPXF;
		} else if (!(st = strategy_find(argv[i]))) {
			fprintf(stderr, "eb-model: unknown strategy '%s' (see: eb-model list)\n", argv[i]);
			return 2;
		}
	}
	if (!st) {
		usage(stderr);
		return 2;
	}
	if (machine_init(&m, st, set)) {
		fprintf(stderr, "eb-model: %s does not fit the model's program size\n", st->name);
		return 1;
	}
	printf("%s on %s: the run loop with its steps\n", st->name, vendor_names[set.vendor]);
	for (int i = 0; i < m.nprog; i++)
		printf("  %2d  %-4s %-28s %s\n", i, m.prog[i].c ? "C" : "asm", m.hook[i],
		       m.prog[i].text);
	return 0;
}

/* Per-exit counts as the kernel's apx_* statistics count them (predict.c). */
static int cmd_predict(int argc, char **argv)
{
	const struct strategy *st = NULL;
	int vendor = -1;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--vendor") && i + 1 < argc) {
			vendor = lookup(vendor_names, NR_VENDORS, argv[++i], "vendor");
			if (vendor < 0)
				return 2;
		} else if (argv[i][0] == '-' || st) {
			fprintf(stderr, "eb-model: predict: bad argument '%s'\n", argv[i]);
			return 2;
		} else if (!(st = strategy_find(argv[i]))) {
			fprintf(stderr, "eb-model: unknown strategy '%s' (see: eb-model list)\n",
				argv[i]);
			return 2;
		}
	}
	if (predict_write(stdout, json, st, vendor)) {
		fprintf(stderr, "eb-model: predict: a strategy does not fit the model\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "table"))
		return cmd_table(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "placement"))
		return cmd_placement(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mutate"))
		return cmd_mutate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "predict"))
		return cmd_predict(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list")) {
		for (int i = 0; strategies[i]; i++)
			printf("%-26s %s\n", strategies[i]->name, strategies[i]->summary);
		for (int i = 0; variants[i]; i++)
			printf("%-26s %s%s\n", variants[i]->name,
			       variants[i]->negative ? "[negative] " : "[order] ",
			       variants[i]->summary);
		return 0;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "eb-model: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
