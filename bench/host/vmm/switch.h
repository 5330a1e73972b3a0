// SPDX-License-Identifier: GPL-2.0-only
/*
 * The switchable kernel's contract (kernel-patches/v6.12/switchable):
 * /sys/module/kvm/parameters/apx_strategy is writable; writing a strategy
 * name selects the strategy that the NEXT KVM_CREATE_VM gets, and the VM
 * keeps it for life; reading it gives the strategy new VMs get.  A kernel
 * with one strategy makes the parameter read-only (0444).
 */
#ifndef EB_HOST_SWITCH_H
#define EB_HOST_SWITCH_H

#include <stddef.h>
#include <jansson.h>

#include "rounds.h"

#define EB_APX_STRATEGY_PARAM	"/sys/module/kvm/parameters/apx_strategy"
/* Test hook: another file stands in for the parameter (recorded in results). */
#define EB_APX_STRATEGY_PARAM_ENV	"EXITBENCH_APX_STRATEGY_PARAM"

struct eb_run_state;

/* The parameter's path: $EXITBENCH_APX_STRATEGY_PARAM or the sysfs file. */
const char *switch_param_path(void);

/*
 * 0 if @path exists and is writable, with its value in @val.  Otherwise
 * -ENOENT (absent) or -EACCES (read-only; @val holds its value, if
 * readable) and a one-line explanation in @err.
 */
int switch_probe(const char *path, char *val, size_t len, char *err,
		 size_t errlen);
/* Read the parameter (trailing newline dropped): 0 or -errno. */
int switch_read(const char *path, char *val, size_t len);
/* Write @name: 0 or -errno (-EINVAL: the kernel does not know the name). */
int switch_write(const char *path, const char *name);

/*
 * Run every selected test on a fresh VM per (round, strategy), in the
 * order of eb_rounds_schedule(), appending the results tagged with
 * "strategy" (as read back after KVM_CREATE_VM), "strategy_requested",
 * "round" and "position" to @results.  Returns the top-level "switch"
 * object, or NULL with @err set when a strategy could not be selected.
 */
json_t *switch_run_rounds(struct eb_run_state *st, const char *path,
			  const char *orig, json_t *results, char *err,
			  size_t errlen);

#endif /* EB_HOST_SWITCH_H */
