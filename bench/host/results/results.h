// SPDX-License-Identifier: GPL-2.0-only
/*
 * Results files, schema `exitbench-result/1` (results/README.md is the
 * authoritative description; keep the two in step).  Written with jansson,
 * atomically; read back by results_load(), which every consumer (show,
 * compare, gate, plot) uses so that validation lives in one place.
 */
#ifndef EB_HOST_RESULTS_H
#define EB_HOST_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "hostinfo.h"
#include "stats.h"

#define EB_SCHEMA_NAME		"exitbench-result"
#define EB_SCHEMA_MAJOR		1
#define EB_SCHEMA		"exitbench-result/1"

/* The envelope: schema, exitbench version/commit, date, host, kvm. */
json_t *results_new(const struct eb_host *h, int argc, char **argv);
/* Add/refresh what is known only once the VM exists (TSC, guest). */
void results_set_vm_info(json_t *doc, const struct eb_host *h);

/* The stats object used for "cycles", "ns", "oneway.exit", ... */
json_t *results_stats_json(const struct eb_stats *s);

/*
 * Write @doc to @path atomically (outfile.h: "-" is stdout; a symlink,
 * directory or device is refused; nothing that looks complete is left
 * behind if the process dies).  Creates missing parent directories when
 * @mkdirs.  Returns 0 or -errno with a one-line message in @err.
 */
int results_write(json_t *doc, const char *path, bool mkdirs,
		  char *err, size_t errlen);

/*
 * Fail early, before anything is measured, if @path cannot be written:
 * the same refusals as results_write, and the directory must take a
 * new file.
 */
int results_check_writable(const char *path, bool mkdirs, char *err,
			   size_t errlen);

/* results/local/<UTC timestamp>-<host>.json, relative to the cwd. */
void results_default_path(char *buf, size_t len, const char *hostname);

/*
 * Load and validate a results file.  Refuses (with a one-line reason in
 * @err, naming @path) a file that does not parse (e.g. truncated), whose
 * schema is missing or of another tool, or of a newer major version, or
 * that lacks required members.  Returns 0 with *@out (caller json_decref)
 * or -EINVAL (unreadable / not JSON), -EPROTO (foreign or malformed),
 * -EPROTONOSUPPORT (newer schema), -errno (I/O).
 */
int results_load(const char *path, json_t **out, char *err, size_t errlen);

#endif /* EB_HOST_RESULTS_H */
