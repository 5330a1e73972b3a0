// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counters: libpfm4 encodes generic events whether or not the PMU can
 * count them, unknown names are refused by name, hardware counters that
 * cannot be opened are reported "unavailable" with the kernel's reason
 * (checked against a direct perf_event_open), and software events count
 * context switches caused on purpose.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/perf_event.h>

#include "check.h"
#include "counters.h"

/* What the kernel says to a plain cycles event on this thread. */
static int direct_cycles_errno(void)
{
	struct perf_event_attr a = {
		.size = sizeof(a), .type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES, .disabled = 1,
		.exclude_guest = 1,
	};
	int fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int main(void)
{
	struct eb_counters *c;
	struct eb_counts v;
	char err[256] = "";
	uint32_t type;
	uint64_t config;
	int ret, e;
	json_t *j;

	ret = eb_counters_new("cycles,instructions", &c, err, sizeof(err));
	CHECK(ret == 0, "cycles,instructions encode (%d %s)", ret, err);
	if (ret)
		return check_done();
	CHECK(eb_counters_count(c) == 5, "2 asked + 3 software events (%d)",
	      eb_counters_count(c));
	eb_counters_encoding(c, 0, &type, &config);
	CHECK(type == PERF_TYPE_HARDWARE && config == PERF_COUNT_HW_CPU_CYCLES,
	      "cycles -> type %u config %llu (%s)", type, (unsigned long long)config,
	      eb_counters_pfm_name(c, 0));
	CHECK(!strcmp(eb_counters_name(c, 2), "task-clock"), "task-clock always added");

	ret = eb_counters_open(c, 0);
	CHECK(ret == 0, "open on this thread (%d)", ret);
	e = direct_cycles_errno();
	if (e) {
		char want[128];

		snprintf(want, sizeof(want), "unavailable (perf_event_open cycles: %s)",
			 strerror(e));
		CHECK(!strcmp(eb_counters_hw_status(c), want) &&
		      !eb_counters_hw_available(c),
		      "hardware counters: %s", eb_counters_hw_status(c));
	} else {
		CHECK(eb_counters_hw_available(c), "hardware counters: %s",
		      eb_counters_hw_status(c));
	}

	/* Force context switches inside the window. */
	CHECK(eb_counters_start(c) == 0, "start");
	for (int i = 0; i < 20; i++)
		usleep(100);
	CHECK(eb_counters_stop(c, &v) == 0, "stop");
	CHECK(eb_counts_context_switches(c, &v) >= 20,
	      "20 sleeps counted as >= 20 context switches (%lld)",
	      (long long)eb_counts_context_switches(c, &v));
	j = eb_counts_json(c, &v, 20);
	CHECK(j && json_array_size(json_object_get(j, "disturbed")) >= 1,
	      "the window is flagged as disturbed");
	CHECK(j && json_integer_value(json_object_get(json_object_get(j, "software"),
						      "task-clock")) > 0,
	      "task-clock recorded");
	CHECK(j && !strcmp(json_string_value(json_object_get(j, "hardware")),
			   eb_counters_hw_status(c)), "JSON carries the hardware status");
	json_decref(j);

	/* A busy loop without sleeping: nothing flagged (pinned first). */
	{
		cpu_set_t set;
		volatile unsigned long x = 0;

		CPU_ZERO(&set);
		CPU_SET(sched_getcpu(), &set);
		sched_setaffinity(0, sizeof(set), &set);
		eb_counters_start(c);
		for (unsigned long i = 0; i < 1000000; i++)
			x += i;
		eb_counters_stop(c, &v);
		CHECK(eb_counts_migrations(c, &v) == 0, "pinned busy loop: no migration");
	}
	eb_counters_free(c);

	ret = eb_counters_new("cycles,no_such_event", &c, err, sizeof(err));
	CHECK(ret == -ENOENT && strstr(err, "unknown event 'no_such_event'"),
	      "unknown event refused: %s", err);
	ret = eb_counters_new("cycles,,instructions", &c, err, sizeof(err));
	CHECK(ret == -EINVAL && strstr(err, "empty event name"), "empty name refused: %s", err);
	ret = eb_counters_new(NULL, &c, err, sizeof(err));
	CHECK(ret == 0 && eb_counters_count(c) == 3, "no --events: software events only");
	if (!ret) {
		eb_counters_open(c, 0);
		CHECK(!eb_counters_hw_available(c) &&
		      strstr(eb_counters_hw_status(c), "no hardware event"),
		      "%s", eb_counters_hw_status(c));
		eb_counters_free(c);
	}
	return check_done();
}
