// SPDX-License-Identifier: GPL-2.0-only
/*
 * The human table, rendered from a results document so that `run` and
 * `show` print exactly the same thing.  At most 80 columns: it is pasted
 * into plain-text mail.
 */
#ifndef EB_HOST_TABLE_H
#define EB_HOST_TABLE_H

#include <stdio.h>
#include <jansson.h>

void table_print(FILE *f, json_t *doc);

/*
 * The kernel's APX event counts per exit (results' apx_counts), and, from
 * them and the measured unit costs, the predicted per-exit difference
 * beside the measured one (table_counts.c).  Nothing without counts.
 */
void table_counts_print(FILE *f, json_t *doc);

/* The test column's suffix for a result's APX mode: "/apx", "/si1", "/si0". */
const char *table_mode_suffix(const char *apx);

/* Print @text wrapped at 76 columns, continuation lines indented. */
void table_wrap(FILE *f, const char *first, const char *text, int indent);

#endif /* EB_HOST_TABLE_H */
