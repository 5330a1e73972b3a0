// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE	/* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

int eb_outfile_open(struct eb_outfile *of, const char *path)
{
	int fd, ret;

	memset(of, 0, sizeof(*of));
	of->path = strdup(path);
	if (!of->path || asprintf(&of->tmp, "%s.tmp.XXXXXX", path) < 0) {
		of->tmp = NULL;
		ret = -ENOMEM;
		goto err_free;
	}
	fd = mkstemp(of->tmp);
	if (fd < 0) {
		ret = -errno;
		goto err_free;
	}
	/* mkstemp makes it 0600; results are ordinary files. */
	fchmod(fd, 0644 & ~umask(umask(0)));
	of->f = fdopen(fd, "w");
	if (!of->f) {
		ret = -errno;
		close(fd);
		unlink(of->tmp);
		goto err_free;
	}
	return 0;
err_free:
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
	return ret;
}

int eb_outfile_commit(struct eb_outfile *of)
{
	int ret = 0;

	if (fflush(of->f) || ferror(of->f) || fsync(fileno(of->f)))
		ret = errno ? -errno : -EIO;
	if (fclose(of->f) && !ret)
		ret = -errno;
	of->f = NULL;
	if (!ret && rename(of->tmp, of->path))
		ret = -errno;
	if (ret)
		unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
	return ret;
}

void eb_outfile_abort(struct eb_outfile *of)
{
	if (of->f)
		fclose(of->f);
	if (of->tmp)
		unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
}
