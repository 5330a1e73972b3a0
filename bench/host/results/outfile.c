// SPDX-License-Identifier: GPL-2.0-only
/*
 * Atomic output files; see outfile.h for the rules.  The order of the
 * steps in eb_outfile_commit() is what makes a file that has its name
 * complete: content, fsync, first byte, fdatasync, name.
 */
#define _GNU_SOURCE	/* O_TMPFILE, fopencookie */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

/* Paths in messages are cut here: an error line stays one line. */
#define SHOW	200

/* Where "-" goes: fd 1, or the real stdout after eb_outfile_claim_stdout(). */
static int stdout_fd = STDOUT_FILENO;

__attribute__((format(printf, 4, 5)))
static int fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

static bool no_tmpfile(void)
{
	const char *v = getenv(EB_OUTFILE_NO_TMPFILE_ENV);

	return v && !strcmp(v, "1");
}

/* What O_TMPFILE returns where the filesystem (or kernel) lacks it. */
static bool tmpfile_unsupported(int e)
{
	return e == EOPNOTSUPP || e == EISDIR || e == EINVAL;
}

static const char *kind(mode_t m)
{
	if (S_ISLNK(m))
		return "a symbolic link";
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

/* Refuse @m (lstat of the target) unless it is a regular file. */
static int refuse_kind(const char *path, mode_t m, char *err, size_t errlen)
{
	if (S_ISREG(m))
		return 0;
	return fail(S_ISDIR(m) ? -EISDIR : S_ISLNK(m) ? -ELOOP : -EEXIST,
		    err, errlen,
		    "%.*s: is %s; exitbench writes only a new or a regular file%s",
		    SHOW, path, kind(m),
		    S_ISLNK(m) ? " (give the path it points to)" :
		    S_ISDIR(m) ? " (give a file name)" :
		    " (use '-' for stdout)");
}

/* The checks that need no directory access. */
static int check_path(const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path);
	const char *base = strrchr(path, '/');
	struct stat st;

	base = base ? base + 1 : path;
	if (!len)
		return fail(-EINVAL, err, errlen, "empty output path");
	if (len >= PATH_MAX)
		return fail(-ENAMETOOLONG, err, errlen,
			    "%.40s...: output path too long (%zu bytes, at most %d)",
			    path, len, PATH_MAX - 1);
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail(-EISDIR, err, errlen,
			    "%.*s: names a directory; give a file name", SHOW, path);
	if (strlen(base) > NAME_MAX)
		return fail(-ENAMETOOLONG, err, errlen,
			    "%.40s...: file name too long (%zu bytes, at most %d)",
			    base, strlen(base), NAME_MAX);
	if (!lstat(path, &st))
		return refuse_kind(path, st.st_mode, err, errlen);
	if (errno != ENOENT)
		return fail(-errno, err, errlen, "cannot write %.*s: %s", SHOW,
			    path, strerror(errno));
	return 0;
}

/* @path's directory ("." or "/" when it has none), malloc'ed. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, slash - path);
}

static int mkdir_p(char *dir)
{
	char *slash;

	if (!*dir || !strcmp(dir, "/") || !access(dir, F_OK))
		return 0;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir))
			return -errno;
		*slash = '/';
	}
	if (mkdir(dir, 0777) && errno != EEXIST)
		return -errno;
	return 0;
}

static int dir_error(const char *path, const char *dir, int e, char *err,
		     size_t errlen)
{
	struct stat st;

	/* procfs and the like answer ENOENT for a directory that exists. */
	if (e == ENOENT && stat(dir, &st))
		return fail(-e, err, errlen,
			    "cannot write %.*s: directory %.*s does not exist",
			    SHOW, path, SHOW, dir);
	return fail(-e, err, errlen,
		    "cannot write %.*s: cannot create a file in %.*s: %s",
		    SHOW, path, SHOW, dir, strerror(e));
}

/* ---- named temporaries, and the signals that must not leave them ---- */

static const int term_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
	SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGPOLL, SIGPWR, SIGSTKFLT,
	SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS,
};

static volatile sig_atomic_t live;
static int live_dirfd = -1;
static char live_name[64];
static bool replaced[_NSIG];

static void unlink_live_and_die(int sig)
{
	if (live)
		unlinkat(live_dirfd, live_name, 0);
	signal(sig, SIG_DFL);
	raise(sig);	/* delivered, by default, once this handler returns */
}

static void guard_one(int sig)
{
	struct sigaction old, sa = { .sa_handler = unlink_live_and_die };

	/* Ignored or handled elsewhere (the runner's SIGUSR1): not ours. */
	if (sigaction(sig, NULL, &old) || (old.sa_flags & SA_SIGINFO) ||
	    old.sa_handler != SIG_DFL)
		return;
	sigemptyset(&sa.sa_mask);
	replaced[sig] = !sigaction(sig, &sa, NULL);
}

/* From here until unguard(), a fatal signal unlinks @name in @dirfd. */
static void guard(int dirfd, const char *name)
{
	live = 0;
	live_dirfd = dirfd;
	snprintf(live_name, sizeof(live_name), "%s", name);
	live = 1;
	for (size_t i = 0; i < sizeof(term_signals) / sizeof(*term_signals); i++)
		guard_one(term_signals[i]);
	for (int sig = SIGRTMIN; sig <= SIGRTMAX; sig++)
		guard_one(sig);
}

static void unguard(void)
{
	live = 0;
	for (int sig = 1; sig < _NSIG; sig++)
		if (replaced[sig]) {
			signal(sig, SIG_DFL);
			replaced[sig] = false;
		}
}

/*
 * A fresh temporary name in @of's directory: the pid keeps writers apart,
 * the counter a stale name of a dead process that had the same pid.
 */
static void next_tmp_name(char *buf, size_t len, unsigned int n)
{
	snprintf(buf, len, EB_OUTFILE_TMP_PREFIX "%d.%u", (int)getpid(), n);
}

/* Create a named temporary (O_TMPFILE unsupported); fd or -errno. */
static int open_named(struct eb_outfile *of)
{
	char name[64];
	int fd = -1;

	for (unsigned int n = 0; fd < 0 && n < 1000; n++) {
		next_tmp_name(name, sizeof(name), n);
		guard(of->dirfd, name);
		fd = openat(of->dirfd, name,
			    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST) {
			fd = -errno;
			unguard();
			return fd;
		}
	}
	if (fd < 0) {
		unguard();
		return -EEXIST;
	}
	of->tmp = strdup(name);
	if (!of->tmp) {
		unlinkat(of->dirfd, name, 0);
		unguard();
		close(fd);
		return -ENOMEM;
	}
	return fd;
}

/* ---- the stream ---- */

/*
 * Writes loop over short writes and keep the first errno, which the
 * stdio and jansson layers above would otherwise lose (a short write
 * sets no errno).  The first byte goes to disk as NUL: see outfile.h.
 */
static ssize_t cookie_write(void *c, const char *buf, size_t len)
{
	struct eb_outfile *of = c;
	size_t done = 0;
	ssize_t w;

	if (of->err) {
		errno = of->err;
		return 0;
	}
	while (done < len) {
		if (!of->written && !of->direct) {
			of->first = (unsigned char)buf[0];
			w = write(of->fd, "", 1);
		} else {
			w = write(of->fd, buf + done, len - done);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			of->err = w < 0 ? errno : EIO;
			errno = of->err;
			return 0;
		}
		done += w;
		of->written += w;
	}
	return len;
}

static int cookie_close(void *c)
{
	struct eb_outfile *of = c;
	int r = of->fd >= 0 ? close(of->fd) : 0;

	of->fd = -1;
	return r;
}

static void release(struct eb_outfile *of)
{
	if (of->tmp) {
		unlinkat(of->dirfd, of->tmp, 0);
		unguard();
	}
	if (of->fd >= 0)
		close(of->fd);
	if (of->dirfd >= 0)
		close(of->dirfd);
	free(of->tmp);
	free(of->path);
	free(of->dir);
	memset(of, 0, sizeof(*of));
	of->fd = of->dirfd = -1;
}

int eb_outfile_check(const char *path, bool mkdirs, char *err, size_t errlen)
{
	char *dir;
	int fd, r;

	if (!strcmp(path, "-"))
		return fcntl(stdout_fd, F_GETFD) < 0 ?
		       fail(-EBADF, err, errlen, "cannot write to stdout: it is closed") : 0;
	r = check_path(path, err, errlen);
	if (r)
		return r;
	dir = dir_of(path);
	if (!dir)
		return fail(-ENOMEM, err, errlen, "out of memory");
	if (mkdirs) {
		char *scratch = strdup(dir);

		r = scratch ? mkdir_p(scratch) : -ENOMEM;
		free(scratch);
		if (r) {
			r = fail(r, err, errlen, "cannot create directory %.*s: %s",
				 SHOW, dir, strerror(-r));
			goto out;
		}
	}
	/* The real test: create a file there (an unnamed one, where possible). */
	if (!no_tmpfile()) {
		fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			goto out;
		}
		if (!tmpfile_unsupported(errno)) {
			r = dir_error(path, dir, errno, err, errlen);
			goto out;
		}
	}
	{
		struct eb_outfile of = { .fd = -1 };

		of.dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (of.dirfd < 0) {
			r = dir_error(path, dir, errno, err, errlen);
			goto out;
		}
		fd = open_named(&of);
		if (fd < 0)
			r = dir_error(path, dir, -fd, err, errlen);
		else
			close(fd);
		release(&of);	/* unlinks the probe */
	}
out:
	free(dir);
	return r;
}

int eb_outfile_open(struct eb_outfile *of, const char *path, char *err,
		    size_t errlen)
{
	static const cookie_io_functions_t io = {
		.write = cookie_write, .close = cookie_close,
	};
	const char *base;
	int r;

	memset(of, 0, sizeof(*of));
	of->fd = of->dirfd = -1;
	if (!strcmp(path, "-")) {
		of->direct = true;
		of->fd = fcntl(stdout_fd, F_DUPFD_CLOEXEC, 3);
		if (of->fd < 0)
			return fail(-errno, err, errlen, "cannot write to stdout: %s",
				    strerror(errno));
		goto stream;
	}
	r = check_path(path, err, errlen);
	if (r)
		return r;
	base = strrchr(path, '/');
	of->path = strdup(path);
	of->dir = dir_of(path);
	if (!of->path || !of->dir) {
		release(of);
		return fail(-ENOMEM, err, errlen, "out of memory");
	}
	of->base = of->path + (base ? base + 1 - path : 0);
	/* Read access for the fsync of the rename; O_PATH does without it. */
	of->dirfd = open(of->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (of->dirfd < 0 && errno == EACCES)
		of->dirfd = open(of->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (of->dirfd < 0) {
		r = dir_error(path, of->dir, errno, err, errlen);
		release(of);
		return r;
	}
	if (!no_tmpfile()) {
		of->fd = openat(of->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC,
				0644);
		of->anon = of->fd >= 0;
		if (!of->anon && !tmpfile_unsupported(errno)) {
			r = dir_error(path, of->dir, errno, err, errlen);
			release(of);
			return r;
		}
	}
	if (!of->anon) {
		of->fd = open_named(of);
		if (of->fd < 0) {
			r = dir_error(path, of->dir, -of->fd, err, errlen);
			of->fd = -1;
			release(of);
			return r;
		}
	}
stream:
	of->f = fopencookie(of, "w", io);
	if (!of->f) {
		r = -errno;
		release(of);
		return fail(r, err, errlen, "out of memory");
	}
	return 0;
}

/* The test aid of outfile.h: the content is complete, the name not yet. */
static void test_pause(const struct eb_outfile *of)
{
	const char *v = getenv(EB_OUTFILE_PAUSE_ENV);
	struct timespec ts;
	double s;

	if (!v || (s = atof(v)) <= 0)
		return;
	fprintf(stderr, "exitbench: test: %s complete, pausing %g s before linking\n",
		of->path, s);
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Name an O_TMPFILE: link it, or link it aside and rename it over. */
static int link_anon(struct eb_outfile *of)
{
	char proc[64], name[64];
	int r;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", of->fd);
	r = linkat(AT_FDCWD, proc, of->dirfd, of->base, AT_SYMLINK_FOLLOW);
	if (r && errno == ENOENT && access("/proc/self/fd", F_OK))
		/* No /proc (a bare initramfs): needs CAP_DAC_READ_SEARCH. */
		r = linkat(of->fd, "", of->dirfd, of->base, AT_EMPTY_PATH);
	if (!r || errno != EEXIST)
		return r ? -errno : 0;
	/* The target exists: a name of our own first, then an atomic rename. */
	for (unsigned int n = 0; n < 1000; n++) {
		next_tmp_name(name, sizeof(name), n);
		guard(of->dirfd, name);
		r = linkat(AT_FDCWD, proc, of->dirfd, name, AT_SYMLINK_FOLLOW);
		if (r && errno == ENOENT && access("/proc/self/fd", F_OK))
			r = linkat(of->fd, "", of->dirfd, name, AT_EMPTY_PATH);
		if (!r)
			break;
		unguard();
		if (errno != EEXIST)
			return -errno;
	}
	if (r)
		return -EEXIST;
	r = renameat(of->dirfd, name, of->dirfd, of->base) ? -errno : 0;
	if (r)
		unlinkat(of->dirfd, name, 0);
	unguard();
	return r;
}

int eb_outfile_commit(struct eb_outfile *of, char *err, size_t errlen)
{
	struct stat st;
	int r = 0;

	if (fflush(of->f) && !of->err)
		of->err = errno ? errno : EIO;
	if (of->err) {
		r = -of->err;
		fail(r, err, errlen, "cannot write %.*s: %s", SHOW,
		     of->direct ? "stdout" : of->path, strerror(of->err));
		goto out;
	}
	if (of->direct) {
		/* A pipe or terminal has nothing to sync. */
		if (fsync(of->fd) && errno != EINVAL && errno != EROFS &&
		    errno != ENOTSUP)
			r = fail(-errno, err, errlen, "cannot write stdout: %s",
				 strerror(errno));
		goto out;
	}
	if (fsync(of->fd)) {
		r = fail(-errno, err, errlen, "cannot write %.*s: %s", SHOW,
			 of->path, strerror(errno));
		goto out;
	}
	test_pause(of);
	/* What was checked before the run may have changed since. */
	if (!lstat(of->path, &st)) {
		r = refuse_kind(of->path, st.st_mode, err, errlen);
		if (r)
			goto out;
	}
	if (of->written &&
	    (pwrite(of->fd, &of->first, 1, 0) != 1 || fdatasync(of->fd))) {
		r = fail(errno ? -errno : -EIO, err, errlen, "cannot write %.*s: %s",
			 SHOW, of->path, strerror(errno ? errno : EIO));
		goto out;
	}
	if (of->anon)
		r = link_anon(of);
	else if (renameat(of->dirfd, of->tmp, of->dirfd, of->base))
		r = -errno;
	if (r) {
		fail(r, err, errlen, "cannot create %.*s: %s", SHOW, of->path,
		     strerror(-r));
		goto out;
	}
	if (of->tmp) {
		free(of->tmp);
		of->tmp = NULL;
		unguard();
	}
	/* Make the name itself durable (not possible through O_PATH). */
	fsync(of->dirfd);
out:
	if (fclose(of->f) && !r)
		r = fail(-errno, err, errlen, "cannot write %.*s: %s", SHOW,
			 of->direct ? "stdout" : of->path, strerror(errno));
	of->f = NULL;
	release(of);
	return r;
}

void eb_outfile_abort(struct eb_outfile *of)
{
	if (of->f) {
		/* Whatever is still buffered is dropped, not written. */
		if (!of->err)
			of->err = ECANCELED;
		fclose(of->f);
	}
	release(of);
}

int eb_outfile_finish(struct eb_outfile *of, int ret, char *err,
		      size_t errlen)
{
	int e = of->err;
	const char *what = of->direct ? "stdout" : of->path;

	if (!ret)
		return eb_outfile_commit(of, err, errlen);
	if (e)
		ret = -e;
	fail(ret, err, errlen, "cannot write %.*s: %s", SHOW, what,
	     strerror(-ret));
	eb_outfile_abort(of);
	return ret;
}

int eb_outfile_claim_stdout(void)
{
	int fd;

	fflush(stdout);
	fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	stdout_fd = fd;
	return 0;
}

bool eb_outfile_is_tmp_name(const char *path)
{
	const char *base = strrchr(path, '/'), *t;
	size_t i;

	base = base ? base + 1 : path;
	if (!strncmp(base, EB_OUTFILE_TMP_PREFIX, strlen(EB_OUTFILE_TMP_PREFIX)) ||
	    !strncmp(base, ".exitbench-probe.", strlen(".exitbench-probe.")))
		return true;
	/* What earlier exitbench builds left: NAME.tmp.XXXXXX (mkstemp). */
	t = strstr(base, ".tmp.");
	if (!t || strlen(t + 5) != 6)
		return false;
	for (i = 5; i < 11; i++)
		if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'z') ||
		      (t[i] >= 'A' && t[i] <= 'Z')))
			return false;
	return true;
}
