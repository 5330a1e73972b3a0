// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the vCPU thread runs and where guest memory lives (hwloc).
 *
 * A 0.5% difference is a few cycles: an SMT sibling running a compiler, a
 * VMM thread sharing the core, or guest memory on the far NUMA node moves a
 * median by more than that.  This module picks (or checks) the vCPU's CPU,
 * keeps the VMM's other threads off that core, binds guest memory to the
 * CPU's node, and describes all of it for the results file.
 */
#ifndef EXITBENCH_TOPOLOGY_H
#define EXITBENCH_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

/* Sentinel for `--cpu auto`. */
#define EB_CPU_AUTO (-1)
/* SMT siblings we describe per core (8-way SMT is the largest shipped). */
#define EB_TOPO_MAX_SIBLINGS 8

struct eb_topology;

/*
 * Hints for the automatic choice, filled from the running host by
 * eb_topo_default_hints() and overridable by tests.  Arrays are indexed by
 * OS CPU number; NULL means "unknown".
 */
struct eb_topo_hints {
	int ncpus;		/* length of the arrays below */
	const double *busy;	/* fraction of time busy, 0..1, <0: unknown */
	const bool *isolated;	/* in isolcpus= or nohz_full= */
	const bool *taken;	/* held by another exitbench: never chosen */
};

struct eb_placement {
	int cpu;			/* OS index of the vCPU's CPU */
	bool automatic;			/* picked by --cpu auto */
	char why[160];			/* how it was picked */
	int core;			/* logical index of its core */
	int package;			/* logical index of its package, -1 unknown */
	int numa_node;			/* OS index of its NUMA node, -1 unknown */
	int nsiblings;			/* other PUs on the same core */
	int siblings[EB_TOPO_MAX_SIBLINGS];
	double sibling_busy[EB_TOPO_MAX_SIBLINGS];	/* <0: unknown */
	char others[128];	/* cpulist for the VMM's other threads */
	/* Guest memory, filled by eb_topo_bind_memory(). */
	int mem_node;		/* node the memory is on, -1 unknown */
	char mem_bind[160];	/* "bound to node N", or why not */
};

/*
 * Load the topology of this machine, or of the hwloc XML file @xml (tests;
 * NULL: this machine).  Returns 0 or -errno.
 */
int eb_topo_open(const char *xml, struct eb_topology **out);
void eb_topo_close(struct eb_topology *t);

/*
 * Check that @cpu can run the vCPU: 0, -ENOENT (no such CPU), -ENODEV
 * (exists but offline) or -EPERM (outside this process's allowed CPUs).
 */
int eb_topo_check_cpu(struct eb_topology *t, int cpu);

/* The online CPUs as a cpulist ("0-3,8"), for error messages. */
void eb_topo_online_list(struct eb_topology *t, char *buf, size_t len);

/*
 * Fill @p for @cpu, or choose one when @cpu is EB_CPU_AUTO (@hints may be
 * NULL then: no load or isolation information).  Returns the
 * eb_topo_check_cpu() error for an unusable CPU, -ENOSPC when no CPU is
 * usable, else 0.
 */
int eb_topo_place(struct eb_topology *t, int cpu,
		  const struct eb_topo_hints *hints, struct eb_placement *p);

/*
 * Hints from the running host: per-CPU busy fraction measured from
 * /proc/stat over @window_ms, and isolcpus/nohz_full from sysfs.  The
 * arrays are owned by @h; release with eb_topo_hints_free().
 */
int eb_topo_default_hints(unsigned int window_ms, struct eb_topo_hints *h);
void eb_topo_hints_free(struct eb_topo_hints *h);

/* Refresh p->sibling_busy from @hints (e.g. measured during the run). */
void eb_topo_update_siblings(struct eb_placement *p,
			     const struct eb_topo_hints *hints);

/* Bind thread @tid (0: caller) to p->cpu, or to p->others when @others. */
int eb_topo_bind_thread(struct eb_topology *t, pid_t tid,
			const struct eb_placement *p, bool others);

/*
 * Bind [@addr, @addr + @len) to the vCPU CPU's NUMA node, migrating pages
 * already touched, and record the outcome in p->mem_node/p->mem_bind.
 * A host that cannot bind is not an error: the reason is recorded.
 */
void eb_topo_bind_memory(struct eb_topology *t, struct eb_placement *p,
			 void *addr, size_t len);

/* JSON: {"summary": {...machine...}, "placement": {...}}; NULL on ENOMEM. */
json_t *eb_topo_json(struct eb_topology *t, const struct eb_placement *p);

#endif /* EXITBENCH_TOPOLOGY_H */
