// SPDX-License-Identifier: GPL-2.0-only
/*
 * What one event the kernel's apx_* statistics count costs on this CPU,
 * where it can be measured at all: the stand-in's 16-register store, load
 * and clear sequences, timed natively.  XSETBV cannot be (privileged, and
 * it exits in a guest): its cost is reported as unavailable, never made up.
 */
#ifndef EXITBENCH_HOST_UNITCOST_H
#define EXITBENCH_HOST_UNITCOST_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

struct unitcost {
	bool valid;
	double store16, load16, clear16;	/* TSC cycles per sequence */
	unsigned int reps, samples;
};

/* Measure here, now (a few ms).  0 or -ENOMEM. */
int unitcost_measure(struct unitcost *u);

/* The results' "unit_costs" object (results/README.md). */
json_t *unitcost_json(const struct unitcost *u, int cpu, const char *emulated);

#endif
