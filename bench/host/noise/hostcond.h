// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host conditions that move exit costs by more than the effects exitbench
 * is asked to resolve: frequency scaling and turbo, CPU isolation, SMT,
 * other KVM VMs, the kernel's mitigations, and load.  Everything is read
 * from /sys and /proc under a root directory (tests use a fake tree); a
 * missing file is recorded as "unknown", never an error, because exitbench
 * also runs in minimal initramfs images under QEMU.
 */
#ifndef EXITBENCH_HOSTCOND_H
#define EXITBENCH_HOSTCOND_H

#include <jansson.h>

/*
 * Snapshot for vCPU CPU @cpu, reading under @root (NULL: "/").  Call before
 * the VM exists so that "other VMs" does not count our own.  Returns a new
 * object (layout in results/README.md) or NULL on ENOMEM.
 */
json_t *eb_hostcond_collect(const char *root, int cpu);

/* Record the load average after the run into @hc ("loadavg_after"). */
void eb_hostcond_after(json_t *hc, const char *root);

/*
 * Append to the array @warnings one string per condition that makes the
 * numbers noisier or not comparable to a tuned host.  Unknown conditions
 * give no warning.  Returns the number of warnings appended.
 */
int eb_hostcond_warn(const json_t *hc, json_t *warnings);

/* Is @cpu in the cpulist @list ("0-3,8,10-11")?  1, 0, or -EINVAL. */
int eb_cpulist_has(const char *list, int cpu);

#endif /* EXITBENCH_HOSTCOND_H */
