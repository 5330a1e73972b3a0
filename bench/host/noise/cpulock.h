// SPDX-License-Identifier: GPL-2.0-only
/*
 * One exitbench per CPU: a run or selftest pinned to a CPU holds an
 * exclusive flock(2) on EB_CPULOCK_DIR/cpuN.lock for as long as it lives
 * (the kernel drops it when the process dies, however it dies).  The file
 * holds "PID<TAB>COMMAND" of the holder, so that a second one can say who
 * has the CPU.  Advisory: it keeps exitbench processes apart, nothing else.
 */
#ifndef EXITBENCH_CPULOCK_H
#define EXITBENCH_CPULOCK_H

#include <stdbool.h>
#include <stddef.h>

/* Where the locks live: $EXITBENCH_LOCK_DIR, else these, first usable. */
#define EB_CPULOCK_DIR_ENV	"EXITBENCH_LOCK_DIR"
#define EB_CPULOCK_DIR		"/run/exitbench"
#define EB_CPULOCK_DIR_FALLBACK	"/tmp/exitbench-locks"

struct eb_cpulock {
	int fd;
	int cpu;
	double waited_s;	/* time spent blocked before it was ours */
	char path[256];
};

/*
 * Take CPU @cpu's lock.  Without @wait, -EBUSY when another process holds
 * it, with "pid N (COMMAND)" in @holder.  With @wait, blocks until it is
 * free.  Other failures: -errno with the reason in @holder.
 */
int eb_cpulock_take(int cpu, bool wait, struct eb_cpulock *l,
		    char *holder, size_t holderlen);
void eb_cpulock_release(struct eb_cpulock *l);

#endif /* EXITBENCH_CPULOCK_H */
