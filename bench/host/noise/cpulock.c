// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-CPU locks between exitbench processes; see cpulock.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cpulock.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * A directory every user's exitbench can create locks in (sticky and
 * world-writable, like /tmp), so that root's and a user's runs see each
 * other where both can use it.
 */
static bool usable_dir(const char *dir)
{
	if (!mkdir(dir, 01777))
		chmod(dir, 01777);	/* mkdir's mode went through the umask */
	return !access(dir, W_OK | X_OK);
}

static int lock_dir(char *buf, size_t len)
{
	const char *env = getenv(EB_CPULOCK_DIR_ENV);

	if (env && *env) {
		if (mkdir(env, 0777) && errno != EEXIST)
			return -errno;
		snprintf(buf, len, "%s", env);
		return 0;
	}
	if (usable_dir(EB_CPULOCK_DIR)) {
		snprintf(buf, len, "%s", EB_CPULOCK_DIR);
		return 0;
	}
	if (usable_dir(EB_CPULOCK_DIR_FALLBACK)) {
		snprintf(buf, len, "%s", EB_CPULOCK_DIR_FALLBACK);
		return 0;
	}
	return -EACCES;
}

/* This process's command line, arguments joined by spaces, printable. */
static void self_command(char *buf, size_t len)
{
	char raw[512];
	size_t n = 0, o = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t r = read(fd, raw, sizeof(raw) - 1);

		n = r > 0 ? (size_t)r : 0;
		close(fd);
	}
	size_t i = 0;

	while (n && !raw[n - 1])
		n--;
	/* The program's base name: its directory says nothing to the reader. */
	for (size_t j = 0; j < n && raw[j]; j++)
		if (raw[j] == '/')
			i = j + 1;
	for (; i < n && o + 1 < len; i++) {
		unsigned char c = (unsigned char)raw[i];

		buf[o++] = !c ? ' ' : (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	buf[o] = '\0';
	if (!o)
		snprintf(buf, len, "exitbench");
}

/* "pid N (COMMAND)" from the holder's lock file. */
static void describe_holder(int fd, char *holder, size_t len)
{
	char buf[320], *tab, *nl;
	ssize_t n = 0;

	/* The holder writes its name right after taking the lock. */
	for (int i = 0; i < 20; i++) {
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0 && memchr(buf, '\n', n))
			break;
		usleep(10000);
	}
	buf[n > 0 ? n : 0] = '\0';
	tab = strchr(buf, '\t');
	nl = strchr(buf, '\n');
	if (!tab || !nl || nl < tab) {
		snprintf(holder, len, "a process that did not record its name");
		return;
	}
	*tab = *nl = '\0';
	snprintf(holder, len, "pid %s (%s)", buf, tab + 1);
}

static void record_self(int fd)
{
	char cmd[200], line[256];
	int n;

	self_command(cmd, sizeof(cmd));
	n = snprintf(line, sizeof(line), "%d\t%s\n", (int)getpid(), cmd);
	/* Best effort: a read-only lock file still locks. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, line, n, 0) != n)
		ftruncate(fd, 0);
}

int eb_cpulock_take(int cpu, bool wait, struct eb_cpulock *l,
		    char *holder, size_t holderlen)
{
	char dir[200];
	double t0;
	int fd, r;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	r = lock_dir(dir, sizeof(dir));
	if (r) {
		const char *env = getenv(EB_CPULOCK_DIR_ENV);

		if (env && *env)
			snprintf(holder, holderlen, "lock directory %s ($%s): %s",
				 env, EB_CPULOCK_DIR_ENV, strerror(-r));
		else
			snprintf(holder, holderlen, "no directory for CPU locks (%s, %s): %s",
				 EB_CPULOCK_DIR, EB_CPULOCK_DIR_FALLBACK, strerror(-r));
		return r;
	}
	snprintf(l->path, sizeof(l->path), "%s/cpu%d.lock", dir, cpu);
	fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EACCES)
		fd = open(l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(holder, holderlen, "%s: %s", l->path, strerror(errno));
		return r;
	}
	fchmod(fd, 0666);	/* another user's run must open it too */
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK) {
			r = -errno;
			snprintf(holder, holderlen, "%s: flock: %s", l->path,
				 strerror(errno));
			close(fd);
			return r;
		}
		describe_holder(fd, holder, holderlen);
		if (!wait) {
			close(fd);
			return -EBUSY;
		}
		t0 = now_s();
		while (flock(fd, LOCK_EX)) {
			if (errno == EINTR)
				continue;
			r = -errno;
			snprintf(holder, holderlen, "%s: flock: %s", l->path,
				 strerror(errno));
			close(fd);
			return r;
		}
		l->waited_s = now_s() - t0;
	}
	record_self(fd);
	l->fd = fd;
	l->cpu = cpu;
	return 0;
}

void eb_cpulock_release(struct eb_cpulock *l)
{
	if (l && l->fd >= 0) {
		close(l->fd);	/* drops the flock */
		l->fd = -1;
	}
}
