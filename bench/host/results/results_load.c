// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading results files back.  One validator for every consumer, so that
 * a truncated, foreign or too-new file is refused the same way everywhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "outfile.h"
#include "results.h"

#define LOAD_FAIL(code, ...)						\
	do {								\
		snprintf(err, errlen, __VA_ARGS__);			\
		r = (code);						\
		goto fail;						\
	} while (0)

/* Members every schema-1 reader may rely on, and their JSON types. */
static const struct {
	const char *key;
	json_type type;
} required[] = {
	{ "exitbench", JSON_OBJECT },
	{ "date", JSON_STRING },
	{ "status", JSON_STRING },
	{ "host", JSON_OBJECT },
	{ "kvm", JSON_OBJECT },
	{ "config", JSON_OBJECT },
	{ "results", JSON_ARRAY },
};

/* Files pass through gzread, so gzip-compressed results load the same. */
static size_t gz_read_cb(void *buf, size_t len, void *data)
{
	int n = gzread((gzFile)data, buf, (unsigned int)len);

	return n < 0 ? (size_t)-1 : (size_t)n;
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
	json_error_t jerr;
	gzFile gz;
	const char *schema, *slash, *name;
	json_t *doc, *v, *res;
	size_t i;
	long major;
	char *end;
	int r;

	*out = NULL;
	r = results_refuse_partial(path, err, errlen);
	if (r)
		return r;
	errno = 0;
	gz = gzopen(path, "rb");
	if (!gz) {
		r = errno ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-r));
		return r;
	}
	doc = json_load_callback(gz_read_cb, gz, JSON_REJECT_DUPLICATES, &jerr);
	gzclose(gz);
	if (!doc) {
		snprintf(err, errlen,
			 "%s: not a valid results file (truncated or not JSON): line %d: %s",
			 path, jerr.line, jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(doc))
		LOAD_FAIL(-EPROTO, "%s: not an exitbench results file (top level is not an object)",
			  path);
	schema = json_string_value(json_object_get(doc, "schema"));
	if (!schema)
		LOAD_FAIL(-EPROTO, "%s: not an exitbench results file (no \"schema\")",
			  path);
	slash = strrchr(schema, '/');
	if (!slash || (size_t)(slash - schema) != strlen(EB_SCHEMA_NAME) ||
	    strncmp(schema, EB_SCHEMA_NAME, slash - schema))
		LOAD_FAIL(-EPROTO, "%s: foreign schema \"%s\" (expected %s)",
			  path, schema, EB_SCHEMA);
	errno = 0;
	major = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || major < 1)
		LOAD_FAIL(-EPROTO, "%s: malformed schema version \"%s\"", path,
			  schema);
	if (major > EB_SCHEMA_MAJOR)
		LOAD_FAIL(-EPROTONOSUPPORT,
			  "%s: schema %s is newer than this exitbench reads (%s): upgrade exitbench",
			  path, schema, EB_SCHEMA);

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		v = json_object_get(doc, required[i].key);
		if (!v || json_typeof(v) != required[i].type)
			LOAD_FAIL(-EPROTO, "%s: malformed: missing or mistyped \"%s\"",
				  path, required[i].key);
	}
	if (!json_is_string(json_object_get(json_object_get(doc, "kvm"),
					    "flavor")))
		LOAD_FAIL(-EPROTO, "%s: malformed: missing \"kvm.flavor\"", path);
	json_array_foreach(json_object_get(doc, "results"), i, res) {
		name = json_string_value(json_object_get(res, "test"));
		if (!json_is_object(res) || !name ||
		    !json_is_string(json_object_get(res, "status")))
			LOAD_FAIL(-EPROTO, "%s: malformed: results[%zu] lacks \"test\" or \"status\"",
				  path, i);
		if (!strcmp(json_string_value(json_object_get(res, "status")),
			    "ok") &&
		    !json_is_object(json_object_get(res, "cycles")))
			LOAD_FAIL(-EPROTO, "%s: malformed: results[%zu] (%s) is ok but has no \"cycles\"",
				  path, i, name);
	}
	*out = doc;
	return 0;
fail:
	json_decref(doc);
	return r;
}
