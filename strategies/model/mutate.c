// SPDX-License-Identifier: GPL-2.0-only
/*
 * Mutation check of the checker: break each strategy one step at a time
 * (delete the step, drop its runtime test, swap it with the next one) and
 * see whether exploring the settings the strategy claims finds a violation.
 * A passing verdict only means something if breaking the strategy makes it
 * fail; a mutant that survives is either a step the model does not need or
 * a hole in what the checker looks at, and is printed as such.  A mutant
 * that stays correct but changes the cost table counts as caught: the
 * committed-table test would fail.  Surviving swaps are equivalent orders
 * (early-xcr0's XSETBV and gated moves: either order is safe).
 */
#include <errno.h>
#include <string.h>

#include "mutate.h"

#define MAX_HOOK 16

enum mutation { MUT_DELETE, MUT_UNGUARD, MUT_SWAP, NR_MUTATIONS };

static const char *const mut_names[NR_MUTATIONS] = { "delete", "drop test", "swap with next" };

/* The hook pointers of a strategy, by position, and their names. */
static const struct step **hook_ptr(struct strategy *st, int h)
{
	const struct step **hooks[] = {
		&st->xfeat_load, &st->pre_entry, &st->asm_entry, &st->asm_exit,
		&st->post_exit, &st->xfeat_put, &st->xsetbv_exit, &st->svm_pre_entry,
		&st->svm_asm_entry, &st->svm_asm_exit, &st->svm_xsetbv_exit,
	};

	return h < (int)(sizeof(hooks) / sizeof(hooks[0])) ? hooks[h] : NULL;
}

static const char *const hook_names[] = {
	"xfeat_load", "pre_entry", "asm_entry", "asm_exit", "post_exit", "xfeat_put",
	"xsetbv_exit", "svm_pre_entry", "svm_asm_entry", "svm_asm_exit", "svm_xsetbv_exit",
};

static int length(const struct step *l)
{
	int n = 0;

	while (l && l[n].text)
		n++;
	return n;
}

static bool runtime_test(const struct step *s)
{
	return (s->cond[0] & 0x7f) >= C_RUNTIME || (s->cond[1] & 0x7f) >= C_RUNTIME ||
	       s->branches;
}

/* Builds the mutant's copy of one hook in buf; false if not applicable. */
static bool mutate_hook(const struct step *orig, int i, enum mutation mu,
			struct step buf[MAX_HOOK + 1])
{
	int n = length(orig), k = 0;

	if (n > MAX_HOOK)
		return false;
	switch (mu) {
	case MUT_DELETE:
		/* markers (the SPEC_CTRL restore, plain code) are not actions */
		if (orig[i].op == OP_NOP || orig[i].op == OP_SPEC_CTRL)
			return false;
		for (int j = 0; j < n; j++)
			if (j != i)
				buf[k++] = orig[j];
		break;
	case MUT_UNGUARD:
		if (!runtime_test(&orig[i]))
			return false;
		memcpy(buf, orig, n * sizeof(*buf));
		for (int c = 0; c < 2; c++)
			if ((buf[i].cond[c] & 0x7f) >= C_RUNTIME)
				buf[i].cond[c] = C_ALWAYS;
		buf[i].branches = 0;
		k = n;
		break;
	case MUT_SWAP:
		if (i + 1 >= n)
			return false;
		memcpy(buf, orig, n * sizeof(*buf));
		buf[i] = orig[i + 1];
		buf[i + 1] = orig[i];
		k = n;
		break;
	default:
		return false;
	}
	buf[k] = (struct step)STEP_END;
	return true;
}

/* Violations found in the settings the original claims (expect == PASS). */
static int verdict(const struct strategy *st, const struct strategy *claims, uint32_t *found)
{
	*found = 0;
	for (int v = 0; v < NR_VENDORS; v++) {
		for (int l = 0; l < NR_LEVELS; l++) {
			struct setting set = { .vendor = v, .host_apx = l != LVL_NOAPX,
					       .kernel_apx = l == LVL_MAPXF };
			struct explore_result r;
			struct machine m;
			int ret;

			if (claims->expect[v][l] != PASS)
				continue;
			ret = machine_init(&m, st, set);
			if (!ret)
				ret = explore(&m, UINT32_MAX, &r);
			if (ret)
				return ret;
			*found |= r.found_mask;
			explore_free(&r);
		}
	}
	return 0;
}

/* Does any cell of the cost table differ between the two? */
static bool cost_differs(const struct strategy *a, const struct strategy *b)
{
	for (int v = 0; v < NR_VENDORS; v++)
		for (int h = 0; h < 2; h++)
			for (int g = 0; g < 2; g++)
				for (int ek = 0; ek < NR_EXIT_KINDS; ek++) {
					struct setting set = { .vendor = v, .host_apx = h };
					struct cost ca, cb;
					int ra = cost_of(a, set, g, ek, &ca);
					int rb = cost_of(b, set, g, ek, &cb);

					if (ra != rb || (!ra && memcmp(&ca, &cb, sizeof(ca))))
						return true;
				}
	return false;
}

int mutate_strategy(FILE *f, const struct strategy *orig, struct mutate_totals *t)
{
	struct step buf[MAX_HOOK + 1];
	char what[160];
	int ret;

	unsigned before = t->mutants;

	for (int h = 0; hook_ptr((struct strategy *)orig, h); h++) {
		const struct step *hook = *hook_ptr((struct strategy *)orig, h);
		int n = length(hook);

		/* upstream's XCR0 switch, shared: mutated as baseline's own steps */
		if ((hook == upstream_xfeat_load || hook == upstream_xfeat_put) &&
		    strcmp(orig->name, "baseline"))
			continue;
		for (int i = 0; i < n; i++) {
			for (int mu = 0; mu < NR_MUTATIONS; mu++) {
				struct strategy mut = *orig;
				uint32_t found;

				if (!mutate_hook(hook, i, mu, buf))
					continue;
				*hook_ptr(&mut, h) = buf;
				ret = verdict(&mut, orig, &found);
				if (ret)
					return ret;
				t->mutants++;
				snprintf(what, sizeof(what), "%s %s[%d] (%s):", mut_names[mu],
					 hook_names[h], i, hook[i].c ? "C" : "asm");
				if (found) {
					char kinds[160];
					size_t k = 0;

					t->killed++;
					kinds[0] = '\0';
					for (int b = 0; b < NR_VIO_KINDS; b++)
						if (found & (1u << b))
							k += snprintf(kinds + k, k < sizeof(kinds) ?
								      sizeof(kinds) - k : 0, "%s%s",
								      k ? ", " : "", vio_name(1u << b));
					fprintf(f, "  killed    %-34s %s\n", what, kinds);
				} else if (cost_differs(&mut, orig)) {
					/* correct but slower: the cost table test catches it */
					t->killed++;
					fprintf(f, "  killed    %-34s cost table only\n", what);
				} else {
					if (mu != MUT_SWAP)
						t->strict_survivors++;
					fprintf(f, "  SURVIVED  %s\n", what);
					print_wrapped(f, "           ", hook[i].text);
				}
			}
		}
	}
	if (t->mutants == before)
		fprintf(f, "  (no steps of its own to break: upstream's XCR0 switch only)\n");
	return 0;
}
