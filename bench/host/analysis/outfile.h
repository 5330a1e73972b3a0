// SPDX-License-Identifier: GPL-2.0-only
/*
 * Atomic output files: write to a temporary file in the target directory,
 * then fsync and rename over the target, so that a file that exists is
 * complete and a failed run leaves nothing behind.
 */
#ifndef EXITBENCH_OUTFILE_H
#define EXITBENCH_OUTFILE_H

#include <stdio.h>

struct eb_outfile {
	FILE *f;
	char *tmp, *path;
};

/* 0 or -errno; on success write to of->f. */
int eb_outfile_open(struct eb_outfile *of, const char *path);
/* Flush, fsync, rename into place; 0 or -errno (the temp file is removed). */
int eb_outfile_commit(struct eb_outfile *of);
/* Drop the temporary file. */
void eb_outfile_abort(struct eb_outfile *of);

#endif /* EXITBENCH_OUTFILE_H */
