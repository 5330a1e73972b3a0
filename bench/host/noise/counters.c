// SPDX-License-Identifier: GPL-2.0-only
/*
 * libpfm4 + perf_event_open counters; see counters.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <perfmon/pfmlib_perf_event.h>

#include "counters.h"

enum { HOST, GUEST };

struct eb_event {
	char name[64];		/* as the user wrote it */
	char pfm[160];		/* libpfm4's canonical spelling */
	struct perf_event_attr attr;
	bool software;
	int fd[2];		/* [HOST] host or combined, [GUEST] guest or -1 */
	bool split;
};

struct eb_counters {
	int n;
	struct eb_event ev[EB_COUNTERS_MAX];
	bool opened, hw_ok;
	char hw_status[200];
};

/* Always counted: the disturbance detectors and the CPU time base. */
static const char *const always[] = {
	"task-clock", "context-switches", "cpu-migrations",
};

static int pfm_init_once(void)
{
	static int state = 1;	/* 1: not yet; else the pfm_initialize result */

	if (state == 1)
		state = pfm_initialize();
	return state;
}

static int encode(struct eb_event *e, const char *name, char *err, size_t errlen)
{
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int ret;

	memset(e, 0, sizeof(*e));
	e->fd[HOST] = e->fd[GUEST] = -1;
	snprintf(e->name, sizeof(e->name), "%s", name);
	memset(&arg, 0, sizeof(arg));
	arg.attr = &e->attr;
	arg.size = sizeof(arg);
	arg.fstr = &fstr;
	/* Count user and kernel: the exit's cost is mostly host kernel. */
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3,
					PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(err, errlen, "%s event '%s' (libpfm4: %s)",
			 ret == PFM_ERR_NOTFOUND ? "unknown" : "bad", name,
			 pfm_strerror(ret));
		return ret == PFM_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	}
	snprintf(e->pfm, sizeof(e->pfm), "%s", fstr ? fstr : name);
	free(fstr);
	e->attr.size = sizeof(e->attr);
	e->attr.disabled = 1;
	e->attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			      PERF_FORMAT_TOTAL_TIME_RUNNING;
	e->software = e->attr.type == PERF_TYPE_SOFTWARE;
	return 0;
}

static bool have_event(const struct eb_counters *c, const struct perf_event_attr *a)
{
	for (int i = 0; i < c->n; i++)
		if (c->ev[i].attr.type == a->type && c->ev[i].attr.config == a->config)
			return true;
	return false;
}

static int add_event(struct eb_counters *c, const char *name, char *err, size_t errlen)
{
	struct eb_event e;
	int ret;

	ret = encode(&e, name, err, errlen);
	if (ret)
		return ret;
	if (have_event(c, &e.attr))
		return 0;
	if (c->n == EB_COUNTERS_MAX) {
		snprintf(err, errlen, "too many events (at most %d with the software ones)",
			 EB_COUNTERS_MAX);
		return -E2BIG;
	}
	c->ev[c->n++] = e;
	return 0;
}

int eb_counters_new(const char *events, struct eb_counters **out,
		    char *err, size_t errlen)
{
	struct eb_counters *c;
	char *list = NULL, *p, *tok;
	int ret;

	ret = pfm_init_once();
	if (ret != PFM_SUCCESS) {
		snprintf(err, errlen, "libpfm4 initialisation failed: %s", pfm_strerror(ret));
		return -ENODEV;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	snprintf(c->hw_status, sizeof(c->hw_status), "unavailable (not opened)");
	if (events) {
		list = strdup(events);
		if (!list) {
			ret = -ENOMEM;
			goto err_free;
		}
	}
	for (p = list; p && (tok = strsep(&p, ","));) {
		if (!*tok) {
			snprintf(err, errlen, "empty event name in '%s'", events);
			ret = -EINVAL;
			goto err_free;
		}
		ret = add_event(c, tok, err, errlen);
		if (ret)
			goto err_free;
	}
	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		ret = add_event(c, always[i], err, errlen);
		if (ret)
			goto err_free;
	}
	free(list);
	*out = c;
	return 0;

err_free:
	free(list);
	free(c);
	return ret;
}


int eb_counters_count(const struct eb_counters *c)
{
	return c->n;
}

const char *eb_counters_name(const struct eb_counters *c, int i)
{
	return c->ev[i].name;
}

const char *eb_counters_pfm_name(const struct eb_counters *c, int i)
{
	return c->ev[i].pfm;
}

void eb_counters_encoding(const struct eb_counters *c, int i,
			  uint32_t *type, uint64_t *config)
{
	*type = c->ev[i].attr.type;
	*config = c->ev[i].attr.config;
}

static int perf_open(struct perf_event_attr *a, pid_t tid)
{
	int fd = syscall(SYS_perf_event_open, a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * Hardware event: host part (exclude_guest) and guest part (exclude_host).
 * A PMU that refuses the exclude bits gets one combined count instead.
 */
static int open_hw(struct eb_event *e, pid_t tid)
{
	struct perf_event_attr a = e->attr;
	int fd;

	a.exclude_guest = 1;
	a.exclude_host = 0;
	fd = perf_open(&a, tid);
	if (fd == -EINVAL || fd == -EOPNOTSUPP) {
		a.exclude_guest = 0;
		fd = perf_open(&a, tid);
		if (fd < 0)
			return fd;
		e->fd[HOST] = fd;
		return 0;
	}
	if (fd < 0)
		return fd;
	e->fd[HOST] = fd;
	a.exclude_guest = 0;
	a.exclude_host = 1;
	fd = perf_open(&a, tid);
	if (fd >= 0) {
		e->fd[GUEST] = fd;
		e->split = true;
	}
	return 0;
}

static void close_all(struct eb_counters *c)
{
	for (int i = 0; i < c->n; i++)
		for (int k = HOST; k <= GUEST; k++) {
			if (c->ev[i].fd[k] >= 0)
				close(c->ev[i].fd[k]);
			c->ev[i].fd[k] = -1;
		}
}

int eb_counters_open(struct eb_counters *c, pid_t tid)
{
	bool any_hw = false;
	int ret;

	/* Re-opening follows a new thread: drop the old thread's events. */
	close_all(c);
	c->hw_ok = true;
	for (int i = 0; i < c->n; i++) {
		struct eb_event *e = &c->ev[i];

		if (e->software) {
			struct perf_event_attr a = e->attr;

			a.exclude_guest = a.exclude_host = 0;
			ret = perf_open(&a, tid);
			if (ret < 0)
				return ret;
			e->fd[HOST] = ret;
			continue;
		}
		any_hw = true;
		if (!c->hw_ok)
			continue;
		ret = open_hw(e, tid);
		if (ret < 0) {
			/* One missing hardware event voids the set: no half tables. */
			c->hw_ok = false;
			snprintf(c->hw_status, sizeof(c->hw_status),
				 "unavailable (perf_event_open %s: %s)", e->name,
				 strerror(-ret));
		}
	}
	if (!c->hw_ok) {
		for (int i = 0; i < c->n; i++) {
			for (int k = HOST; k <= GUEST && !c->ev[i].software; k++) {
				if (c->ev[i].fd[k] >= 0)
					close(c->ev[i].fd[k]);
				c->ev[i].fd[k] = -1;
			}
		}
	} else if (any_hw) {
		snprintf(c->hw_status, sizeof(c->hw_status), "available");
	} else {
		c->hw_ok = false;
		snprintf(c->hw_status, sizeof(c->hw_status),
			 "unavailable (no hardware event asked for; see --events)");
	}
	c->opened = true;
	return 0;
}

void eb_counters_free(struct eb_counters *c)
{
	if (!c)
		return;
	close_all(c);
	free(c);
}

const char *eb_counters_hw_status(const struct eb_counters *c)
{
	return c->hw_status;
}

bool eb_counters_hw_available(const struct eb_counters *c)
{
	return c->hw_ok;
}

static int for_each_fd(struct eb_counters *c, unsigned long req)
{
	for (int i = 0; i < c->n; i++)
		for (int k = HOST; k <= GUEST; k++)
			if (c->ev[i].fd[k] >= 0 && ioctl(c->ev[i].fd[k], req, 0) < 0)
				return -errno;
	return 0;
}

int eb_counters_start(struct eb_counters *c)
{
	int ret = for_each_fd(c, PERF_EVENT_IOC_RESET);

	return ret ? ret : for_each_fd(c, PERF_EVENT_IOC_ENABLE);
}

/* Read one counter, extrapolating when it was multiplexed. */
static int read_fd(int fd, uint64_t *val, bool *scaled)
{
	uint64_t buf[3];	/* value, time enabled, time running */

	if (read(fd, buf, sizeof(buf)) != sizeof(buf))
		return errno ? -errno : -EIO;
	*val = buf[0];
	if (buf[2] && buf[2] < buf[1]) {
		*val = (uint64_t)((double)buf[0] * buf[1] / buf[2]);
		*scaled = true;
	}
	return 0;
}

int eb_counters_stop(struct eb_counters *c, struct eb_counts *out)
{
	int ret = for_each_fd(c, PERF_EVENT_IOC_DISABLE);

	memset(out, 0, sizeof(*out));
	out->n = c->n;
	if (ret)
		return ret;
	for (int i = 0; i < c->n; i++) {
		struct eb_event *e = &c->ev[i];

		if (e->fd[HOST] < 0)
			continue;
		ret = read_fd(e->fd[HOST], &out->v[i].host, &out->v[i].scaled);
		if (!ret && e->fd[GUEST] >= 0)
			ret = read_fd(e->fd[GUEST], &out->v[i].guest, &out->v[i].scaled);
		if (ret)
			return ret;
		out->v[i].split = e->split;
		out->v[i].valid = true;
	}
	return 0;
}

void eb_counts_add(struct eb_counts *acc, const struct eb_counts *add)
{
	acc->n = add->n;
	for (int i = 0; i < add->n; i++) {
		acc->v[i].host += add->v[i].host;
		acc->v[i].guest += add->v[i].guest;
		acc->v[i].split = add->v[i].split;
		acc->v[i].scaled |= add->v[i].scaled;
		acc->v[i].valid = add->v[i].valid;
	}
}

static int64_t sw_value(const struct eb_counters *c, const struct eb_counts *v,
			uint64_t config)
{
	for (int i = 0; i < c->n && i < v->n; i++)
		if (c->ev[i].attr.type == PERF_TYPE_SOFTWARE &&
		    c->ev[i].attr.config == config && v->v[i].valid)
			return v->v[i].host;
	return -1;
}

int64_t eb_counts_context_switches(const struct eb_counters *c,
				   const struct eb_counts *v)
{
	return sw_value(c, v, PERF_COUNT_SW_CONTEXT_SWITCHES);
}

int64_t eb_counts_migrations(const struct eb_counters *c,
			     const struct eb_counts *v)
{
	return sw_value(c, v, PERF_COUNT_SW_CPU_MIGRATIONS);
}

static json_t *per_exit(uint64_t val, uint64_t nexits)
{
	return nexits ? json_real((double)val / nexits) : json_null();
}

json_t *eb_counts_json(const struct eb_counters *c, const struct eb_counts *v,
		       uint64_t nexits)
{
	json_t *hw = json_object(), *sw = json_object(), *dist = json_array();
	int64_t cs = eb_counts_context_switches(c, v);
	int64_t mig = eb_counts_migrations(c, v);
	char buf[64];

	if (!hw || !sw || !dist)
		goto err;
	for (int i = 0; i < c->n && i < v->n; i++) {
		const struct eb_event *e = &c->ev[i];

		if (!v->v[i].valid)
			continue;
		if (e->software) {
			json_object_set_new(sw, e->name, json_integer(v->v[i].host));
			continue;
		}
		if (v->v[i].split)
			json_object_set_new(hw, e->name,
				json_pack("{s:I, s:I, s:o, s:o, s:b}",
					  "host", (json_int_t)v->v[i].host,
					  "guest", (json_int_t)v->v[i].guest,
					  "host_per_exit", per_exit(v->v[i].host, nexits),
					  "guest_per_exit", per_exit(v->v[i].guest, nexits),
					  "scaled", v->v[i].scaled));
		else
			json_object_set_new(hw, e->name,
				json_pack("{s:I, s:o, s:s, s:b}",
					  "total", (json_int_t)v->v[i].host,
					  "total_per_exit", per_exit(v->v[i].host, nexits),
					  "split", "unavailable (PMU refuses exclude_guest)",
					  "scaled", v->v[i].scaled));
	}
	if (mig > 0) {
		snprintf(buf, sizeof(buf), "%lld cpu migration(s)", (long long)mig);
		json_array_append_new(dist, json_string(buf));
	}
	if (cs > 0) {
		snprintf(buf, sizeof(buf), "%lld context switch(es)", (long long)cs);
		json_array_append_new(dist, json_string(buf));
	}
	return json_pack("{s:s, s:o, s:o, s:o}", "hardware", c->hw_status,
			 "events", hw, "software", sw, "disturbed", dist);
err:
	json_decref(hw);
	json_decref(sw);
	json_decref(dist);
	return NULL;
}
