// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU placement and guest-memory binding with hwloc; see topology.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hwloc.h>

#include "topology.h"

struct eb_topology {
	hwloc_topology_t topo;
	hwloc_bitmap_t allowed;	/* online, allowed by cgroup and affinity */
	char source[256];	/* "this host" or the XML path */
	bool thissystem;
};

int eb_topo_open(const char *xml, struct eb_topology **out)
{
	struct eb_topology *t;
	hwloc_bitmap_t bound;
	int ret = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	if (hwloc_topology_init(&t->topo) < 0)
		goto err_free;
	/*
	 * Keep CPUs outside our cgroup in the topology so that "not allowed"
	 * can be told apart from "does not exist" in error messages.
	 */
	hwloc_topology_set_flags(t->topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if (xml && hwloc_topology_set_xml(t->topo, xml) < 0) {
		ret = errno ? -errno : -EINVAL;
		goto err_destroy;
	}
	if (hwloc_topology_load(t->topo) < 0) {
		ret = errno ? -errno : -EINVAL;
		goto err_destroy;
	}
	snprintf(t->source, sizeof(t->source), "%s", xml ? xml : "this host");
	t->thissystem = hwloc_topology_is_thissystem(t->topo);

	t->allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(t->topo));
	bound = hwloc_bitmap_alloc();
	if (!t->allowed || !bound)
		goto err_bitmaps;
	hwloc_bitmap_and(t->allowed, t->allowed,
			 hwloc_topology_get_topology_cpuset(t->topo));
	/* A `taskset` around exitbench narrows the choice too. */
	if (t->thissystem &&
	    hwloc_get_cpubind(t->topo, bound, HWLOC_CPUBIND_PROCESS) == 0)
		hwloc_bitmap_and(t->allowed, t->allowed, bound);
	hwloc_bitmap_free(bound);
	*out = t;
	return 0;

err_bitmaps:
	hwloc_bitmap_free(bound);
	hwloc_bitmap_free(t->allowed);
err_destroy:
	hwloc_topology_destroy(t->topo);
err_free:
	free(t);
	return ret;
}

void eb_topo_close(struct eb_topology *t)
{
	if (!t)
		return;
	hwloc_bitmap_free(t->allowed);
	hwloc_topology_destroy(t->topo);
	free(t);
}

int eb_topo_check_cpu(struct eb_topology *t, int cpu)
{
	if (cpu < 0 || !hwloc_bitmap_isset(hwloc_topology_get_complete_cpuset(t->topo), cpu))
		return -ENOENT;
	if (!hwloc_bitmap_isset(hwloc_topology_get_topology_cpuset(t->topo), cpu))
		return -ENODEV;
	if (!hwloc_bitmap_isset(t->allowed, cpu))
		return -EPERM;
	return 0;
}

void eb_topo_online_list(struct eb_topology *t, char *buf, size_t len)
{
	hwloc_bitmap_list_snprintf(buf, len,
				   hwloc_topology_get_topology_cpuset(t->topo));
}

static double hint_busy(const struct eb_topo_hints *h, int cpu)
{
	if (!h || !h->busy || cpu < 0 || cpu >= h->ncpus)
		return -1;
	return h->busy[cpu];
}

static bool hint_isolated(const struct eb_topo_hints *h, int cpu)
{
	return h && h->isolated && cpu >= 0 && cpu < h->ncpus && h->isolated[cpu];
}

static bool hint_taken(const struct eb_topo_hints *h, int cpu)
{
	return h && h->taken && cpu >= 0 && cpu < h->ncpus && h->taken[cpu];
}

static hwloc_obj_t core_of(struct eb_topology *t, hwloc_obj_t pu)
{
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_CORE, pu);

	return core ? core : pu;	/* no core level: each PU is its own */
}

/*
 * Score a candidate CPU; lower is better.  The weights encode an order of
 * preference rather than a model: an isolated CPU beats everything; then
 * load on the CPU and its SMT siblings (another benchmark's vCPU spinning
 * there costs more than anything else); then a core other than CPU 0's
 * (CPU 0 takes most device interrupts and timers); then a core that
 * leaves a CPU for the VMM's other threads.
 */
static double score_cpu(struct eb_topology *t, hwloc_obj_t pu,
			const struct eb_topo_hints *h)
{
	hwloc_obj_t core = core_of(t, pu);
	double s = 0, b;
	int sib;

	if (!hint_isolated(h, pu->os_index))
		s += 10000;
	hwloc_bitmap_foreach_begin(sib, core->cpuset) {
		b = hint_busy(h, sib);
		if (sib != (int)pu->os_index && b > 0)
			s += 1000 * b;
	} hwloc_bitmap_foreach_end();
	if (hwloc_bitmap_isset(core->cpuset, 0))
		s += 500;
	if (hwloc_bitmap_isincluded(t->allowed, core->cpuset))
		s += 200;
	b = hint_busy(h, pu->os_index);
	if (b > 0)
		s += 1000 * b;
	return s;
}

static int choose_cpu(struct eb_topology *t, const struct eb_topo_hints *h)
{
	double best_score = 0, s;
	int cpu, best = -1;

	hwloc_bitmap_foreach_begin(cpu, t->allowed) {
		hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, cpu);

		if (!pu || hint_taken(h, cpu))
			continue;
		s = score_cpu(t, pu, h);
		if (best < 0 || s < best_score) {
			best = cpu;
			best_score = s;
		}
	} hwloc_bitmap_foreach_end();
	return best;
}

static void describe_choice(struct eb_topology *t, struct eb_placement *p,
			    const struct eb_topo_hints *h)
{
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, p->cpu);
	hwloc_obj_t core = core_of(t, pu);
	double b = hint_busy(h, p->cpu);
	int n;

	n = snprintf(p->why, sizeof(p->why), "auto: %s, %s, %s",
		     hint_isolated(h, p->cpu) ? "isolated" : "not isolated",
		     hwloc_bitmap_isset(core->cpuset, 0) ? "core of CPU 0" :
		     "not CPU 0's core",
		     p->nsiblings ? "has SMT siblings" : "no SMT sibling");
	if (b >= 0 && n > 0 && (size_t)n < sizeof(p->why))
		snprintf(p->why + n, sizeof(p->why) - n, ", %.0f%% busy before the run",
			 100 * b);
}

int eb_topo_place(struct eb_topology *t, int cpu,
		  const struct eb_topo_hints *hints, struct eb_placement *p)
{
	hwloc_obj_t pu, core, pkg;
	hwloc_bitmap_t others;
	int ret, sib;

	memset(p, 0, sizeof(*p));
	p->mem_node = -1;
	snprintf(p->mem_bind, sizeof(p->mem_bind), "not bound yet");
	if (cpu == EB_CPU_AUTO) {
		cpu = choose_cpu(t, hints);
		if (cpu < 0)
			return -ENOSPC;
		p->automatic = true;
	} else {
		ret = eb_topo_check_cpu(t, cpu);
		if (ret)
			return ret;
		snprintf(p->why, sizeof(p->why), "--cpu %d", cpu);
	}
	pu = hwloc_get_pu_obj_by_os_index(t->topo, cpu);
	if (!pu)
		return -ENODEV;
	p->cpu = cpu;
	core = core_of(t, pu);
	p->core = core->logical_index;
	pkg = hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, pu);
	p->package = pkg ? (int)pkg->logical_index : -1;
	p->numa_node = hwloc_bitmap_weight(pu->nodeset) == 1 ?
		       hwloc_bitmap_first(pu->nodeset) : -1;
	hwloc_bitmap_foreach_begin(sib, core->cpuset) {
		if (sib != cpu && p->nsiblings < EB_TOPO_MAX_SIBLINGS)
			p->siblings[p->nsiblings++] = sib;
	} hwloc_bitmap_foreach_end();
	eb_topo_update_siblings(p, hints);
	if (p->automatic)
		describe_choice(t, p, hints);

	/*
	 * The VMM's other threads (main loop, watchdog) go anywhere allowed
	 * except the vCPU's core; failing that anywhere but the vCPU's CPU.
	 */
	others = hwloc_bitmap_dup(t->allowed);
	if (!others)
		return -ENOMEM;
	hwloc_bitmap_andnot(others, others, core->cpuset);
	if (hwloc_bitmap_iszero(others)) {
		hwloc_bitmap_copy(others, t->allowed);
		hwloc_bitmap_clr(others, cpu);
	}
	if (hwloc_bitmap_iszero(others))
		hwloc_bitmap_copy(others, t->allowed);
	hwloc_bitmap_list_snprintf(p->others, sizeof(p->others), others);
	hwloc_bitmap_free(others);
	return 0;
}

void eb_topo_update_siblings(struct eb_placement *p,
			     const struct eb_topo_hints *hints)
{
	for (int i = 0; i < p->nsiblings; i++)
		p->sibling_busy[i] = hint_busy(hints, p->siblings[i]);
}

int eb_topo_bind_thread(struct eb_topology *t, pid_t tid,
			const struct eb_placement *p, bool others)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int ret = 0;

	if (!set)
		return -ENOMEM;
	if (others)
		hwloc_bitmap_list_sscanf(set, p->others);
	else
		hwloc_bitmap_only(set, p->cpu);
	if (tid == 0)
		ret = hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD);
	else
		ret = hwloc_set_proc_cpubind(t->topo, tid, set, HWLOC_CPUBIND_THREAD);
	if (ret < 0)
		ret = errno ? -errno : -EINVAL;
	hwloc_bitmap_free(set);
	return ret;
}

void eb_topo_bind_memory(struct eb_topology *t, struct eb_placement *p,
			 void *addr, size_t len)
{
	int nnodes = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_NUMANODE);
	hwloc_bitmap_t want, where;

	want = hwloc_bitmap_alloc();
	where = hwloc_bitmap_alloc();
	if (!want || !where) {
		snprintf(p->mem_bind, sizeof(p->mem_bind), "not bound: out of memory");
		goto out;
	}
	if (!t->thissystem) {
		snprintf(p->mem_bind, sizeof(p->mem_bind),
			 "not bound: topology is not this host's (%.100s)", t->source);
		goto out;
	}
	if (p->numa_node < 0) {
		snprintf(p->mem_bind, sizeof(p->mem_bind),
			 "not bound: CPU %d has no single local NUMA node", p->cpu);
	} else if (nnodes <= 1) {
		snprintf(p->mem_bind, sizeof(p->mem_bind),
			 "not needed: one NUMA node");
	} else {
		hwloc_bitmap_only(want, p->numa_node);
		/* MIGRATE: the VMM has already written the guest image. */
		if (hwloc_set_area_membind(t->topo, addr, len, want, HWLOC_MEMBIND_BIND,
					   HWLOC_MEMBIND_BYNODESET |
					   HWLOC_MEMBIND_MIGRATE) < 0)
			snprintf(p->mem_bind, sizeof(p->mem_bind),
				 "not bound: %s", strerror(errno));
		else
			snprintf(p->mem_bind, sizeof(p->mem_bind),
				 "bound to node %d", p->numa_node);
	}
	/* Record where the pages actually are, whatever the binding said. */
	if (hwloc_get_area_memlocation(t->topo, addr, len, where,
				       HWLOC_MEMBIND_BYNODESET) == 0 &&
	    hwloc_bitmap_weight(where) == 1)
		p->mem_node = hwloc_bitmap_first(where);
out:
	hwloc_bitmap_free(want);
	hwloc_bitmap_free(where);
}

/* Number of objects of @type, or -1 when hwloc does not know the level. */
static json_t *count_json(struct eb_topology *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->topo, type);

	return n > 0 ? json_integer(n) : json_null();
}

static json_t *cpulist_json(hwloc_const_bitmap_t set)
{
	char buf[256];

	hwloc_bitmap_list_snprintf(buf, sizeof(buf), set);
	return json_string(buf);
}

static json_t *summary_json(struct eb_topology *t)
{
	hwloc_bitmap_t offline = hwloc_bitmap_dup(hwloc_topology_get_complete_cpuset(t->topo));
	hwloc_obj_t pkg = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, 0);
	const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
	unsigned int smt = 1;
	hwloc_obj_t core = NULL;
	json_t *j;

	if (!offline)
		return NULL;
	hwloc_bitmap_andnot(offline, offline, hwloc_topology_get_topology_cpuset(t->topo));
	while ((core = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_CORE, core))) {
		unsigned int w = hwloc_bitmap_weight(core->cpuset);

		if (w > smt)
			smt = w;
	}
	j = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:o, s:o, s:o, s:s*}",
		      "source", t->source,
		      "hwloc", HWLOC_VERSION,
		      "packages", count_json(t, HWLOC_OBJ_PACKAGE),
		      "cores", count_json(t, HWLOC_OBJ_CORE),
		      "pus", count_json(t, HWLOC_OBJ_PU),
		      "numa_nodes", count_json(t, HWLOC_OBJ_NUMANODE),
		      "threads_per_core", smt,
		      "online", cpulist_json(hwloc_topology_get_topology_cpuset(t->topo)),
		      "offline", cpulist_json(offline),
		      "allowed", cpulist_json(t->allowed),
		      "cpu_model", model);
	hwloc_bitmap_free(offline);
	return j;
}

static json_t *placement_json(const struct eb_placement *p)
{
	json_t *sibs = json_array();

	if (!sibs)
		return NULL;
	for (int i = 0; i < p->nsiblings; i++) {
		json_t *b = p->sibling_busy[i] < 0 ? json_null() :
			    json_real(p->sibling_busy[i]);

		json_array_append_new(sibs, json_pack("{s:i, s:o}", "cpu",
						      p->siblings[i], "busy", b));
	}
	return json_pack("{s:i, s:s, s:s, s:i, s:o, s:o, s:o, s:s, s:{s:o, s:s}}",
			 "cpu", p->cpu,
			 "requested", p->automatic ? "auto" : "explicit",
			 "why", p->why,
			 "core", p->core,
			 "package", p->package < 0 ? json_null() : json_integer(p->package),
			 "numa_node", p->numa_node < 0 ? json_null() :
				      json_integer(p->numa_node),
			 "smt_siblings", sibs,
			 "other_threads_cpus", p->others,
			 "guest_memory",
			 "node", p->mem_node < 0 ? json_null() : json_integer(p->mem_node),
			 "binding", p->mem_bind);
}

json_t *eb_topo_json(struct eb_topology *t, const struct eb_placement *p)
{
	return json_pack("{s:o, s:o*}", "summary", summary_json(t),
			 "placement", p ? placement_json(p) : NULL);
}

/* ---- hints from the running host ---- */

struct cpu_times {
	unsigned long long busy, total;
};

/* Per-CPU jiffies from /proc/stat; returns the number of CPUs read. */
static int read_proc_stat(struct cpu_times *ct, int ncpus)
{
	FILE *f = fopen("/proc/stat", "re");
	char line[512];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[10] = { 0 }, total = 0;
		int cpu;

		if (strncmp(line, "cpu", 3) || line[3] < '0' || line[3] > '9')
			continue;
		if (sscanf(line + 3, "%d %llu %llu %llu %llu %llu %llu %llu %llu",
			   &cpu, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			   &v[7]) < 5 || cpu < 0 || cpu >= ncpus)
			continue;
		for (int i = 0; i < 8; i++)	/* guest time is inside user */
			total += v[i];
		ct[cpu].total = total;
		ct[cpu].busy = total - v[3] - v[4];	/* minus idle, iowait */
		n++;
	}
	fclose(f);
	return n;
}

static void read_cpulist(const char *path, bool *mark, int ncpus)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char buf[1024];
	FILE *f;
	int cpu;

	if (!set)
		return;
	f = fopen(path, "re");
	if (f && fgets(buf, sizeof(buf), f) && buf[0] != '\n' &&
	    hwloc_bitmap_list_sscanf(set, buf) == 0) {
		hwloc_bitmap_foreach_begin(cpu, set) {
			if (cpu < ncpus)
				mark[cpu] = true;
		} hwloc_bitmap_foreach_end();
	}
	if (f)
		fclose(f);
	hwloc_bitmap_free(set);
}

int eb_topo_default_hints(unsigned int window_ms, struct eb_topo_hints *h)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	int ncpus = conf > 0 ? (int)conf : 1;
	struct cpu_times *a, *b;
	struct timespec ts = {
		.tv_sec = window_ms / 1000,
		.tv_nsec = (window_ms % 1000) * 1000000L,
	};
	double *busy;
	bool *iso;

	memset(h, 0, sizeof(*h));
	a = calloc(ncpus, sizeof(*a));
	b = calloc(ncpus, sizeof(*b));
	busy = calloc(ncpus, sizeof(*busy));
	iso = calloc(ncpus, sizeof(*iso));
	if (!a || !b || !busy || !iso) {
		free(a);
		free(b);
		free(busy);
		free(iso);
		return -ENOMEM;
	}
	for (int i = 0; i < ncpus; i++)
		busy[i] = -1;
	if (read_proc_stat(a, ncpus) > 0) {
		nanosleep(&ts, NULL);
		read_proc_stat(b, ncpus);
		for (int i = 0; i < ncpus; i++) {
			unsigned long long dt = b[i].total - a[i].total;

			if (b[i].total && dt)
				busy[i] = (double)(b[i].busy - a[i].busy) / dt;
		}
	}
	read_cpulist("/sys/devices/system/cpu/isolated", iso, ncpus);
	read_cpulist("/sys/devices/system/cpu/nohz_full", iso, ncpus);
	free(a);
	free(b);
	h->ncpus = ncpus;
	h->busy = busy;
	h->isolated = iso;
	return 0;
}

void eb_topo_hints_free(struct eb_topo_hints *h)
{
	free((void *)h->busy);
	free((void *)h->isolated);
	memset(h, 0, sizeof(*h));
}
