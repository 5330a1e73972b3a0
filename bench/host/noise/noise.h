// SPDX-License-Identifier: GPL-2.0-only
/*
 * Noise control for one `exitbench run`: where the vCPU runs (topology.h),
 * what the host looks like before and after (hostcond.h), which counters
 * are taken (counters.h) and how long each test samples (adaptive.h).
 * The run loop calls these few functions; everything they learn ends up
 * under "noise" in the results file.
 */
#ifndef EXITBENCH_NOISE_H
#define EXITBENCH_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "adaptive.h"
#include "counters.h"
#include "cpulock.h"
#include "topology.h"

struct eb_noise_opts {
	const char *cpu;	/* "auto", a CPU number, or NULL: unpinned */
	const char *events;	/* --events list, NULL: software events only */
	double precision;	/* relative, 0: fixed --samples */
	double max_time;	/* seconds per test, for --precision */
	const char *topology_xml;	/* tests: hwloc XML instead of this host */
	const char *sysroot;	/* tests: read /sys and /proc under it */
	bool wait;		/* --wait: block on a CPU another exitbench holds */
	void (*waiting)(const char *msg);	/* told before blocking */
};

struct eb_noise {
	struct eb_noise_opts opts;
	struct eb_topology *topo;
	struct eb_placement place;
	bool pinned;		/* a CPU was chosen (opts.cpu != NULL) */
	struct eb_cpulock lock;	/* the vCPU's CPU, held while pinned */
	bool locked;
	struct eb_counters *counters;
	json_t *hostcond;
	json_t *warnings;	/* array of strings */
	struct eb_counts last;	/* counts of the last vCPU thread */
	int vcpu_cpu[2];	/* CPU it ran on at begin and end, -1 unknown */
	char topo_error[160];	/* why hwloc is unavailable (topo NULL) */
};

/* "auto" -> EB_CPU_AUTO, "N" -> N; -EINVAL for anything else. */
int eb_parse_cpu(const char *s, int *cpu);
/* "0.2%" or "0.002" -> 0.002; -EINVAL unless 0 <= p < 1. */
int eb_parse_precision(const char *s, double *p);

/*
 * Before the VM exists: place the vCPU, bind the calling (main) thread off
 * its core, snapshot the host, encode the counters.  On error @err holds a
 * one-line message naming the bad option ("--cpu 9: no such CPU ...").
 */
int eb_noise_setup(struct eb_noise *n, const struct eb_noise_opts *o,
		   char *err, size_t errlen);
void eb_noise_free(struct eb_noise *n);

/* The vCPU's CPU, or -1 when unpinned. */
int eb_noise_cpu(const struct eb_noise *n);
/* Bind guest RAM to the vCPU's NUMA node (call once the VM exists). */
void eb_noise_bind_guest_memory(struct eb_noise *n, void *hva, size_t len);

/*
 * Per-test counter window, called on the vCPU thread itself around its
 * KVM_RUN loop: open (re-open for each new thread) and start; then stop.
 */
void eb_noise_vcpu_begin(struct eb_noise *n);
void eb_noise_vcpu_end(struct eb_noise *n);	/* into n->last */

/* After the run: load average, SMT siblings' load, final warnings. */
void eb_noise_finish(struct eb_noise *n);

/* Warn (into n->warnings) when a test missed the asked precision. */
void eb_noise_note_precision(struct eb_noise *n, const char *test,
			     const struct eb_adaptive_cfg *cfg,
			     const struct eb_adaptive_result *res);

/* {"placement", "topology", "host", "counters", "sampling", "warnings"} */
json_t *eb_noise_json(const struct eb_noise *n);

#endif /* EXITBENCH_NOISE_H */
