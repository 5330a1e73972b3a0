// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading results files back.  One validator for every consumer (show,
 * compare, compare FILE, gate, plot, scripts/matrix through them), so
 * that a truncated, foreign, too-new or corrupt file is refused the same
 * way everywhere: results_read() bounds sizes and decodes, the schema
 * string is checked here, results_check() applies the per-field rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "results.h"
#include "results_int.h"

/* "NAME/MAJOR" with MAJOR a plain decimal without sign, space or zeros. */
static int schema_major(const char *s, const char *name, long *major)
{
	size_t n = strlen(name);
	const char *p;
	long v = 0;

	if (strncmp(s, name, n) || s[n] != '/')
		return -1;
	p = s + n + 1;
	if (*p < '1' || *p > '9')
		return -2;
	for (; *p; p++) {
		if (*p < '0' || *p > '9' || v > 100000)
			return -2;
		v = v * 10 + (*p - '0');
	}
	*major = v;
	return 0;
}

static int check_schema(json_t *doc, const char *path, char *err, size_t errlen)
{
	json_t *v = json_is_object(doc) ? json_object_get(doc, "schema") : NULL;
	const char *schema;
	long major;
	int r;

	if (!json_is_object(doc)) {
		snprintf(err, errlen, "%s: not an exitbench results file (top level is not an object)",
			 path);
		return -EPROTO;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "%s: not an exitbench results file (%s \"schema\")",
			 path, v ? "non-string" : "no");
		return -EPROTO;
	}
	schema = json_string_value(v);
	r = schema_major(schema, EB_SCHEMA_NAME, &major);
	if (r == -1 && !schema_major(schema, "exitbench-selftest", &major)) {
		snprintf(err, errlen, "%s: a self-test report (%.40s), not a results file",
			 path, schema);
		return -EPROTO;
	}
	if (r == -1) {
		snprintf(err, errlen, "%s: foreign schema \"%.60s\" (expected %s)",
			 path, schema, EB_SCHEMA);
		return -EPROTO;
	}
	if (r) {
		snprintf(err, errlen, "%s: malformed schema version \"%.60s\" (expected %s)",
			 path, schema, EB_SCHEMA);
		return -EPROTO;
	}
	if (major > EB_SCHEMA_MAJOR) {
		snprintf(err, errlen,
			 "%s: schema %.40s is newer than this exitbench reads (%s): upgrade exitbench",
			 path, schema, EB_SCHEMA);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/*
 * An output file whose writer died before naming it (outfile.h): refused
 * by its name and by its content, a NUL first byte, either of which
 * alone would do.  0, or -EPROTO with @err set.
 */
static int results_refuse_partial(const char *path, char *err, size_t errlen)
{
	unsigned char c = 1;
	struct stat st;
	int fd;

	/* Regular files only: a pipe's first byte is the gzip reader's. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
		    pread(fd, &c, 1, 0) != 1)
			c = 1;
		close(fd);
	}
	if (!eb_outfile_is_tmp_name(path) && c)
		return 0;
	snprintf(err, errlen, "%s: an unfinished exitbench temporary file (%s), not a results file",
		 path, c ? "its name" : "it begins with a NUL byte");
	return -EPROTO;
}

int results_load(const char *path, json_t **out, char *err, size_t errlen)
{
	json_t *doc;
	int r;

	*out = NULL;
	r = results_refuse_partial(path, err, errlen);
	if (r)
		return r;
	r = results_read(path, &doc, err, errlen);
	if (r)
		return r;
	r = check_schema(doc, path, err, errlen);
	if (!r)
		r = results_check(doc, path, err, errlen);
	if (r) {
		json_decref(doc);
		return r;
	}
	*out = doc;
	return 0;
}
