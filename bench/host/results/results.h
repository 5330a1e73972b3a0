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
 * Bounds of what the loader accepts (results/README.md, "What the loader
 * guarantees"), checked while streaming, before anything is allocated
 * for the document.  Each is far above what `run` writes and low enough
 * that the parsed file stays within a few hundred MB.
 */
#define EB_LOAD_MAX_FILE	(256u << 20)	/* bytes on disk */
#define EB_LOAD_MAX_TEXT	(256u << 20)	/* bytes of JSON after gunzip */
#define EB_LOAD_MAX_VALUES	8000000u	/* JSON values in the document */
#define EB_LOAD_MAX_RAW		4000000u	/* raw samples of one result */
#define EB_LOAD_MAX_DEPTH	64		/* nesting */
/* Bounds of the per-field rules. */
#define EB_LOAD_MAX_N		1e9		/* samples behind one statistic */
#define EB_LOAD_MAX_CYCLES	1e15		/* ~2 days of a 5 GHz TSC */
#define EB_LOAD_MAX_ROWS	4096		/* distinct (test, apx, xcr0) */
#define EB_LOAD_MAX_STRATEGIES	64		/* switch.strategies */
#define EB_LOAD_MAX_ROUNDS	10000		/* switch.rounds */

/*
 * Load and validate a results file: every rule of results/README.md
 * ("What the loader guarantees"), so that a reader may use any member
 * those rules cover without checking it again.  Refuses with a one-line
 * reason in @err that names @path and the member ("a.json:
 * results[3].cycles.median: missing").  Returns 0 with *@out (caller
 * json_decref) or -EINVAL (not JSON, truncated), -EPROTO (foreign,
 * malformed, a rule broken, bad gzip), -EPROTONOSUPPORT (newer schema),
 * -EFBIG (beyond a bound), -errno (I/O).
 */
int results_load(const char *path, json_t **out, char *err, size_t errlen);

#endif /* EB_HOST_RESULTS_H */
