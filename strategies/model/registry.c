// SPDX-License-Identifier: GPL-2.0-only
/* The strategies and the variants (test fixtures) the checker knows. */
#include <string.h>

#include "model.h"

extern const struct strategy strategy_baseline, strategy_xsave_live,
	strategy_early_xcr0, strategy_cond_swap, strategy_dual_exit,
	strategy_xcr0_first;
extern const struct strategy variant_xsetbv_then_egpr, variant_egpr_then_xsetbv,
	variant_paolo_order, variant_unconditional_push2,
	variant_early_xcr0_no_final, variant_outside_fastpath,
	variant_nmi_after_exit, variant_spec_branch;

/* Same order as DESIGN.md's table. */
const struct strategy *const strategies[] = {
	&strategy_baseline,
	&strategy_xsave_live,
	&strategy_early_xcr0,
	&strategy_cond_swap,
	&strategy_dual_exit,
	&strategy_xcr0_first,
	NULL
};

const struct strategy *const variants[] = {
	&variant_xsetbv_then_egpr,
	&variant_unconditional_push2,
	&variant_early_xcr0_no_final,
	&variant_outside_fastpath,
	&variant_nmi_after_exit,
	&variant_spec_branch,
	&variant_paolo_order,
	&variant_egpr_then_xsetbv,
	NULL
};

const struct strategy *strategy_find(const char *name)
{
	for (int i = 0; strategies[i]; i++)
		if (!strcmp(strategies[i]->name, name))
			return strategies[i];
	for (int i = 0; variants[i]; i++)
		if (!strcmp(variants[i]->name, name))
			return variants[i];
	return NULL;
}
