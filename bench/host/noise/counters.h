// SPDX-License-Identifier: GPL-2.0-only
/*
 * Performance counters on the vCPU thread around a measurement (libpfm4
 * names, perf_event_open), split into host and guest counts where the PMU
 * honours exclude_guest/exclude_host.  Hardware events are optional: where
 * there is no PMU (PVM here: ENOENT) the counters say "unavailable" with the
 * reason and the run goes on.  Software events (task-clock,
 * context-switches, cpu-migrations) are always counted, because a migration
 * or a context switch inside a timed test explains an outlier better than
 * any statistic can.
 */
#ifndef EXITBENCH_COUNTERS_H
#define EXITBENCH_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#define EB_COUNTERS_MAX 16

struct eb_counters;

/* One window's counts, as returned by eb_counters_stop(). */
struct eb_counts {
	int n;
	struct {
		uint64_t host, guest;	/* guest valid when split */
		bool split;		/* host/guest separated */
		bool scaled;		/* multiplexed: value extrapolated */
		bool valid;		/* event was counting */
	} v[EB_COUNTERS_MAX];
};

/*
 * Encode the comma-separated libpfm4 event list @events (NULL or "": none)
 * plus the always-on software events.  Nothing is opened yet.  Returns 0,
 * -ENOENT for an unknown event, -EINVAL for a malformed one, -E2BIG for too
 * many; @err then holds a one-line message naming the event.
 */
int eb_counters_new(const char *events, struct eb_counters **out,
		    char *err, size_t errlen);
void eb_counters_free(struct eb_counters *c);

int eb_counters_count(const struct eb_counters *c);
/* Name as given, libpfm4's canonical name, perf type and config. */
const char *eb_counters_name(const struct eb_counters *c, int i);
const char *eb_counters_pfm_name(const struct eb_counters *c, int i);
void eb_counters_encoding(const struct eb_counters *c, int i,
			  uint32_t *type, uint64_t *config);

/*
 * Open every event, disabled, on thread @tid (0: caller), closing those
 * opened before (the VMM starts a new vCPU thread per command).  A hardware event
 * that cannot be opened marks the hardware counters unavailable with the
 * errno as reason; that is not an error.  Returns -errno only when the
 * software events cannot be opened (perf_event_paranoid, seccomp).
 */
int eb_counters_open(struct eb_counters *c, pid_t tid);
/* "available", or "unavailable (<why>)". */
const char *eb_counters_hw_status(const struct eb_counters *c);
bool eb_counters_hw_available(const struct eb_counters *c);

/* Reset and enable / disable and read.  Cheap: a few ioctls and reads. */
int eb_counters_start(struct eb_counters *c);
int eb_counters_stop(struct eb_counters *c, struct eb_counts *out);
/* @acc += @add (rounds of one test). */
void eb_counts_add(struct eb_counts *acc, const struct eb_counts *add);

/* Software event values by name; -1 when not counted. */
int64_t eb_counts_context_switches(const struct eb_counters *c,
				   const struct eb_counts *v);
int64_t eb_counts_migrations(const struct eb_counters *c,
			     const struct eb_counts *v);

/*
 * Per-test JSON: {"hardware": status, "events": {...}, "software": {...},
 * "disturbed": [...]} with per-exit values for @nexits exits (0: omit).
 */
json_t *eb_counts_json(const struct eb_counters *c, const struct eb_counts *v,
		       uint64_t nexits);

#endif /* EXITBENCH_COUNTERS_H */
