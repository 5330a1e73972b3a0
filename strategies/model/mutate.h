// SPDX-License-Identifier: GPL-2.0-only
/* Mutation check: does breaking a strategy make the checker fail it? */
#ifndef EB_MODEL_MUTATE_H
#define EB_MODEL_MUTATE_H

#include "model.h"

struct mutate_totals {
	unsigned mutants, killed;
	unsigned strict_survivors;	/* surviving deletions or dropped tests */
};

/* Prints one line per mutant; returns 0 or -errno. */
int mutate_strategy(FILE *f, const struct strategy *st, struct mutate_totals *t);

#endif
