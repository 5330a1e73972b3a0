// SPDX-License-Identifier: GPL-2.0-only
/*
 * Renderings of a comparison table (ctable.h): an email-ready plain-text
 * table (at most 72 columns, cover-letter style "old -> new delta%"),
 * markdown, CSV (one line per row and candidate) and JSON.
 */
#ifndef EXITBENCH_REPORT_H
#define EXITBENCH_REPORT_H

#include <stdio.h>

#include "ctable.h"

#define EB_REPORT_WIDTH 72

enum eb_report_format {
	EB_FMT_TEXT,
	EB_FMT_MARKDOWN,
	EB_FMT_CSV,
	EB_FMT_JSON,
};

/* "text", "markdown" (or "md"), "csv", "json"; -EINVAL otherwise. */
int eb_report_format_parse(const char *s, enum eb_report_format *out);

/* Write @t to @f; 0, or -EIO when writing failed. */
int eb_report_write(FILE *f, const struct eb_ctable *t, enum eb_report_format fmt);

/* The machine-readable renderings, report_data.c (used by eb_report_write). */
int eb_report_csv(FILE *f, const struct eb_ctable *t);
int eb_report_json(FILE *f, const struct eb_ctable *t);

/* "off" / "on" apx plus ",r" for a reduced guest XCR0: the short row mode. */
void eb_report_mode(char *buf, size_t len, const char *apx, const char *xcr0);

/* A p-value for humans: "0.032", "4.1e-09", or "<1e-16" below double's reach. */
const char *eb_report_p(char *buf, size_t len, double p);

#endif /* EXITBENCH_REPORT_H */
