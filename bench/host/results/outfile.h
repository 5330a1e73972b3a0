// SPDX-License-Identifier: GPL-2.0-only
/*
 * Output files, written atomically: every file exitbench writes (results,
 * selftest reports, compare -o, gate --junit, plot data) goes through here.
 *
 * The target is "-" (stdout, written in place) or a path that is absent
 * or a regular file; a symlink, directory, device, FIFO or socket is
 * refused, so that --out /dev/null never replaces the device.  Content is
 * written to an unnamed O_TMPFILE in the target's directory and linked
 * (or renamed over an existing file) only once complete and fsynced: a
 * killed writer leaves no name behind.  Where O_TMPFILE is unsupported a
 * named temporary EB_OUTFILE_TMP_PREFIX "<pid>.<n>" is used instead; it is
 * unlinked on every catchable termination signal, and its first byte is
 * NUL until just before the rename, so that neither its name nor its
 * content passes for a finished file (results_refuse_partial()).
 */
#ifndef EXITBENCH_OUTFILE_H
#define EXITBENCH_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The name of every temporary this code can leave (only on SIGKILL). */
#define EB_OUTFILE_TMP_PREFIX	".exitbench-tmp."

/*
 * Test aids (tests/reliability): seconds to sleep once the content is
 * complete and before it gets its name (a line on stderr says when), and
 * "1" to behave as if the filesystem had no O_TMPFILE.
 */
#define EB_OUTFILE_PAUSE_ENV	"EXITBENCH_TEST_PAUSE_BEFORE_LINK"
#define EB_OUTFILE_NO_TMPFILE_ENV "EXITBENCH_TEST_NO_TMPFILE"

struct eb_outfile {
	FILE *f;		/* write here between open and commit */
	char *path;		/* the target */
	char *dir, *base;	/* its directory and last component */
	char *tmp;		/* a named temporary (dir/base), or NULL */
	int fd, dirfd;
	bool direct;		/* "-": stdout, written in place */
	bool anon;		/* an O_TMPFILE, not linked yet */
	unsigned char first;	/* the first byte, held back (NUL on disk) */
	size_t written;
	int err;		/* the first write error (errno), 0 if none */
};

/*
 * Can @path be an output?  Refuses what open would refuse, and a
 * directory that cannot take a new file, before anything is measured.
 * Creates missing parent directories when @mkdirs.  0 or -errno with a
 * one-line reason in @err.
 */
int eb_outfile_check(const char *path, bool mkdirs, char *err, size_t errlen);

/* 0 or -errno (reason in @err); on success write to of->f. */
int eb_outfile_open(struct eb_outfile *of, const char *path,
		    char *err, size_t errlen);

/*
 * Flush, fsync and give the file its name.  0 or -errno with the reason
 * in @err: the first write error (e.g. ENOSPC) rather than a later one.
 * Nothing is left behind on failure.
 */
int eb_outfile_commit(struct eb_outfile *of, char *err, size_t errlen);

/* Drop what was written; the target is untouched. */
void eb_outfile_abort(struct eb_outfile *of);

/*
 * Commit when @ret is 0, else abort; returns 0 or -errno with @err set.
 * A recorded write error is reported in preference to @ret, which is
 * often a bare -EIO from a caller that saw ferror().
 */
int eb_outfile_finish(struct eb_outfile *of, int ret, char *err,
		      size_t errlen);

/*
 * For a command whose output file is "-": keep the real stdout for that
 * file and point fd 1 at stderr, so that the command's tables and
 * messages do not mix with the file.  Call before anything is printed.
 */
int eb_outfile_claim_stdout(void);

/* The file name of an exitbench temporary (not necessarily one of ours). */
bool eb_outfile_is_tmp_name(const char *path);

#endif /* EXITBENCH_OUTFILE_H */
