// SPDX-License-Identifier: GPL-2.0-only
/*
 * Noise control glue for `exitbench run`; see noise.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcond.h"
#include "noise.h"

/* How long to watch the CPUs' load before choosing one. */
#define HINT_WINDOW_MS 200
/* An SMT sibling busier than this during the run is worth a warning. */
#define SIBLING_BUSY 0.10

int eb_parse_cpu(const char *s, int *cpu)
{
	char *end;
	long v;

	if (!strcmp(s, "auto")) {
		*cpu = EB_CPU_AUTO;
		return 0;
	}
	/* Decimal digits only: strtol would take " 1", "+1" and "01". */
	if (!*s || strspn(s, "0123456789") != strlen(s) || (s[0] == '0' && s[1]))
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -EINVAL;
	*cpu = (int)v;
	return 0;
}

int eb_parse_precision(const char *s, double *p)
{
	char *end;
	double v;

	/* Decimal only: strtod would take " 1", "0x1p-4", "inf". */
	if (strspn(s, "0123456789.eE+-%") != strlen(s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '%') {
		v /= 100;
		end++;
	}
	if (*end || !(v >= 0 && v < 1))
		return -EINVAL;
	*p = v;
	return 0;
}

__attribute__((format(printf, 2, 3)))
static void add_warning(struct eb_noise *n, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_array_append_new(n->warnings, json_string(buf));
}

/*
 * Without hwloc: @cpu must be in our affinity mask; auto takes the highest
 * allowed CPU (away from CPU 0).  Other threads go to the rest of the mask.
 */
static int place_without_hwloc(struct eb_noise *n, int cpu, const bool *taken,
			       char *err, size_t len)
{
	struct eb_placement *p = &n->place;
	cpu_set_t mask, others;
	int first = -1, last = -1, o = 0;

	if (sched_getaffinity(0, sizeof(mask), &mask)) {
		snprintf(err, len, "--cpu: sched_getaffinity: %s", strerror(errno));
		return -errno;
	}
	if (cpu == EB_CPU_AUTO) {
		for (int i = CPU_SETSIZE - 1; i >= 0 && cpu < 0; i--)
			if (CPU_ISSET(i, &mask) && !(taken && taken[i]))
				cpu = i;
		if (cpu < 0)
			return -ENOSPC;
	} else if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &mask)) {
		snprintf(err, len, "--cpu %d: not one of this process's CPUs (%s)", cpu,
			 n->topo_error);
		return -ENOENT;
	}
	memset(p, 0, sizeof(*p));
	p->cpu = cpu;
	p->automatic = n->opts.cpu && !strcmp(n->opts.cpu, "auto");
	p->package = p->numa_node = p->mem_node = -1;
	snprintf(p->why, sizeof(p->why), "%s (without hwloc)",
		 p->automatic ? "auto: highest allowed CPU" : "--cpu");
	snprintf(p->mem_bind, sizeof(p->mem_bind), "not bound: no hwloc topology");
	/* Other threads: the rest of the mask as a cpulist, else the same CPU. */
	others = mask;
	if (CPU_COUNT(&mask) > 1)
		CPU_CLR(cpu, &others);
	for (int i = 0; i <= CPU_SETSIZE; i++) {
		bool in = i < CPU_SETSIZE && CPU_ISSET(i, &others);

		if (in && first < 0)
			first = i;
		if (in)
			last = i;
		if (!in && first >= 0) {
			o += snprintf(p->others + o, sizeof(p->others) - o,
				      first == last ? "%s%d" : "%s%d-%d", o ? "," : "",
				      first, last);
			if ((size_t)o >= sizeof(p->others))
				break;
			first = -1;
		}
	}
	sched_setaffinity(0, sizeof(others), &others);
	n->pinned = true;
	return 0;
}

static int cpu_error(struct eb_noise *n, int cpu, int ret, char *err, size_t len)
{
	char online[128];

	eb_topo_online_list(n->topo, online, sizeof(online));
	switch (ret) {
	case -ENOENT:
		snprintf(err, len, "--cpu %d: no such CPU (online CPUs: %s)", cpu, online);
		break;
	case -ENODEV:
		snprintf(err, len, "--cpu %d: CPU %d is offline (online CPUs: %s)",
			 cpu, cpu, online);
		break;
	case -EPERM:
		snprintf(err, len, "--cpu %d: CPU %d is not in this process's allowed CPUs (taskset or cgroup)",
			 cpu, cpu);
		break;
	case -ENOSPC:
		snprintf(err, len, "--cpu auto: no usable CPU found");
		break;
	default:
		snprintf(err, len, "--cpu: %s", strerror(-ret));
		break;
	}
	return ret;
}

static int place(struct eb_noise *n, int cpu, const struct eb_topo_hints *h,
		 char *err, size_t len)
{
	int ret;

	if (!n->topo)
		return place_without_hwloc(n, cpu, h->taken, err, len);
	ret = eb_topo_place(n->topo, cpu, h, &n->place);
	return ret == -ENOSPC ? ret : ret ? cpu_error(n, cpu, ret, err, len) : 0;
}

/*
 * Place the vCPU and take its CPU's lock (cpulock.h).  --cpu auto passes
 * over CPUs another exitbench holds; when it holds them all, or holds
 * --cpu N, refuse naming it, or with --wait block on the CPU that would
 * have been chosen.
 */
static int place_and_lock(struct eb_noise *n, int cpu, struct eb_topo_hints *h,
			  char *err, size_t len)
{
	const struct eb_noise_opts *o = &n->opts;
	char holder[256], held[320] = "", msg[400];
	int ncpus, ret, nheld = 0;
	bool *taken, block = false;

	/* Without load hints the arrays are unknown; room for every CPU. */
	if (!h->busy && !h->isolated)
		h->ncpus = CPU_SETSIZE;
	ncpus = h->ncpus > CPU_SETSIZE ? h->ncpus : CPU_SETSIZE;
	taken = calloc(ncpus, sizeof(*taken));
	if (!taken)
		return -ENOMEM;
	h->taken = taken;
	for (;;) {
		ret = place(n, cpu, h, err, len);
		if (ret == -ENOSPC && nheld) {
			if (!o->wait) {
				snprintf(err, len, "--cpu auto: every allowed CPU is in use by another exitbench (%s); --wait waits for one",
					 held);
				ret = -EBUSY;
				break;
			}
			memset(taken, 0, ncpus * sizeof(*taken));
			block = true;
			continue;
		}
		if (ret == -ENOSPC && n->topo)
			ret = cpu_error(n, cpu, ret, err, len);
		else if (ret == -ENOSPC)
			snprintf(err, len, "--cpu auto: no usable CPU found");
		if (ret)
			break;
		ret = eb_cpulock_take(n->place.cpu, false, &n->lock, holder,
				      sizeof(holder));
		if (ret == -EBUSY && cpu == EB_CPU_AUTO && !block) {
			size_t l = strlen(held);

			snprintf(held + l, sizeof(held) - l, "%sCPU %d: %s",
				 nheld++ ? "; " : "", n->place.cpu, holder);
			taken[n->place.cpu] = true;
			continue;
		}
		if (ret == -EBUSY && (o->wait || block)) {
			snprintf(msg, sizeof(msg), "CPU %d is in use by another exitbench, %s: waiting (--wait)",
				 n->place.cpu, holder);
			if (o->waiting)
				o->waiting(msg);
			ret = eb_cpulock_take(n->place.cpu, true, &n->lock, holder,
					      sizeof(holder));
		} else if (ret == -EBUSY) {
			snprintf(err, len, "--cpu %d: CPU %d is in use by another exitbench, %s; --wait waits for it, or choose another --cpu",
				 cpu, cpu, holder);
			break;
		}
		if (ret) {
			/* No lock directory (a bare initramfs): run, and say so. */
			add_warning(n, "CPU %d is not locked against other exitbench runs: %s",
				    n->place.cpu, holder);
			ret = 0;
			break;
		}
		n->locked = true;
		if (nheld) {
			size_t l = strlen(n->place.why);

			snprintf(n->place.why + l, sizeof(n->place.why) - l,
				 "; passed over CPUs in use by another exitbench");
		}
		break;
	}
	h->taken = NULL;
	free(taken);
	return ret;
}

int eb_noise_setup(struct eb_noise *n, const struct eb_noise_opts *o,
		   char *err, size_t errlen)
{
	struct eb_topo_hints hints = { 0 };
	int cpu = -1, ret;

	memset(n, 0, sizeof(*n));
	n->opts = *o;
	n->warnings = json_array();
	if (!n->warnings)
		return -ENOMEM;
	if (o->cpu && eb_parse_cpu(o->cpu, &cpu)) {
		snprintf(err, errlen, "--cpu '%s': expected a CPU number or 'auto'", o->cpu);
		return -EINVAL;
	}
	ret = eb_counters_new(o->events, &n->counters, err, errlen);
	if (ret) {
		/* @err names the event; say which option it came from. */
		char msg[256];

		snprintf(msg, sizeof(msg), "--events: %s", err);
		snprintf(err, errlen, "%s", msg);
		return ret;
	}
	ret = eb_topo_open(o->topology_xml, &n->topo);
	if (ret) {
		/* A bare initramfs may defeat hwloc: pin without it, and say so. */
		n->topo = NULL;
		snprintf(n->topo_error, sizeof(n->topo_error),
			 "hwloc could not read the topology: %s", strerror(-ret));
		add_warning(n, "%s; placement checked against the affinity mask only",
			    n->topo_error);
	}
	if (o->cpu) {
		/* Load hints only matter for the automatic choice. */
		if (n->topo && cpu == EB_CPU_AUTO)
			eb_topo_default_hints(HINT_WINDOW_MS, &hints);
		ret = place_and_lock(n, cpu, &hints, err, errlen);
		eb_topo_hints_free(&hints);
		if (ret)
			return ret;
		n->pinned = true;
		/* Keep the main thread (and the watchdog it runs) off the vCPU's core. */
		if (n->topo)
			eb_topo_bind_thread(n->topo, 0, &n->place, true);
	}
	n->hostcond = eb_hostcond_collect(o->sysroot, n->pinned ? n->place.cpu : 0);
	return n->hostcond ? 0 : -ENOMEM;
}

void eb_noise_free(struct eb_noise *n)
{
	if (n->locked)
		eb_cpulock_release(&n->lock);
	eb_counters_free(n->counters);
	eb_topo_close(n->topo);
	json_decref(n->hostcond);
	json_decref(n->warnings);
	memset(n, 0, sizeof(*n));
}

int eb_noise_cpu(const struct eb_noise *n)
{
	return n->pinned ? n->place.cpu : -1;
}

void eb_noise_bind_guest_memory(struct eb_noise *n, void *hva, size_t len)
{
	if (n->pinned && n->topo)
		eb_topo_bind_memory(n->topo, &n->place, hva, len);
}

void eb_noise_vcpu_begin(struct eb_noise *n)
{
	/* Where the vCPU thread really runs: the proof that pinning held. */
	n->vcpu_cpu[0] = sched_getcpu();
	if (!n->counters)
		return;
	/* A new vCPU thread per command: the counters follow it. */
	if (eb_counters_open(n->counters, 0) == 0)
		eb_counters_start(n->counters);
}

void eb_noise_vcpu_end(struct eb_noise *n)
{
	n->vcpu_cpu[1] = sched_getcpu();
	memset(&n->last, 0, sizeof(n->last));
	if (n->counters)
		eb_counters_stop(n->counters, &n->last);
}

void eb_noise_note_precision(struct eb_noise *n, const char *test,
			     const struct eb_adaptive_cfg *cfg,
			     const struct eb_adaptive_result *res)
{
	if (cfg->precision <= 0 || res->stop == EB_STOP_PRECISION)
		return;
	add_warning(n, "%s: asked for +-%.3g%% but reached +-%.3g%% after %zu rounds (%s): this host is too noisy for that precision",
		    test, 100 * cfg->precision, 100 * res->rel_hw, res->rounds,
		    eb_stop_name(res->stop));
}

void eb_noise_finish(struct eb_noise *n)
{
	struct eb_topo_hints hints = { 0 };

	if (n->hostcond)
		eb_hostcond_after(n->hostcond, n->opts.sysroot);
	if (n->hostcond)
		eb_hostcond_warn(n->hostcond, n->warnings);
	if (!n->pinned) {
		add_warning(n, "the vCPU thread was not pinned (use --cpu auto or --cpu N): migrations add noise");
		return;
	}
	/* Were the SMT siblings quiet?  Measured now, after the run. */
	if (n->topo && n->place.nsiblings && eb_topo_default_hints(HINT_WINDOW_MS, &hints) == 0) {
		eb_topo_update_siblings(&n->place, &hints);
		for (int i = 0; i < n->place.nsiblings; i++)
			if (n->place.sibling_busy[i] > SIBLING_BUSY)
				add_warning(n, "SMT sibling CPU %d of the vCPU's CPU %d is %.0f%% busy: it shares the core's execution units",
					    n->place.siblings[i], n->place.cpu,
					    100 * n->place.sibling_busy[i]);
		eb_topo_hints_free(&hints);
	}
}

json_t *eb_noise_json(const struct eb_noise *n)
{
	json_t *topo = n->topo ? eb_topo_json(n->topo, n->pinned ? &n->place : NULL) : NULL;
	json_t *placement = NULL, *summary = NULL;

	if (topo) {
		placement = json_incref(json_object_get(topo, "placement"));
		summary = json_incref(json_object_get(topo, "summary"));
		json_decref(topo);
	} else {
		summary = json_pack("{s:s}", "unavailable", n->topo_error);
		if (n->pinned)
			placement = json_pack("{s:i, s:s, s:s, s:s}", "cpu", n->place.cpu,
					      "requested", n->place.automatic ? "auto" : "explicit",
					      "why", n->place.why,
					      "other_threads_cpus", n->place.others);
	}
	if (placement && n->locked)
		json_object_set_new(placement, "cpu_lock",
				    json_pack("{s:s, s:f}", "path", n->lock.path,
					      "waited_s", n->lock.waited_s));
	return json_pack("{s:o, s:o, s:O, s:{s:s, s:s*}, s:{s:f, s:f}, s:O}",
			 "placement", placement ? placement :
				      json_pack("{s:s}", "unpinned", "--cpu none"),
			 "topology", summary ? summary : json_null(),
			 "host", n->hostcond ? n->hostcond : json_null(),
			 "counters",
			 "hardware", n->counters ? eb_counters_hw_status(n->counters) :
				     "unavailable (not set up)",
			 "events", n->opts.events,
			 "sampling", "precision", n->opts.precision,
			 "max_time_s", n->opts.max_time,
			 "warnings", n->warnings);
}
