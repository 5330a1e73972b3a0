// SPDX-License-Identifier: GPL-2.0-only
/* exitbench show FILE: the table of a results file. */
#include <getopt.h>
#include <stdio.h>

#include "cli.h"
#include "results.h"
#include "table.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: exitbench show FILE\n"
"\n"
"Print the table of a results file (schema " EB_SCHEMA "), as 'run' does.\n"
"Refuses truncated, foreign, newer-schema or corrupt files (results/\n"
"README.md, \"What the loader guarantees\") with one line and exit 2.\n"
"\n"
"  -h, --help   this help\n"
"\n"
"Exit status: 0 printed, 2 bad usage or a file refused.\n");
}

int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	json_t *doc;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return EB_EXIT_OK;
		}
		return eb_usage_error("show", argv, c);
	}
	if (argc - optind != 1) {
		eb_error("show: expected one results file (try 'exitbench show --help')");
		return EB_EXIT_USAGE;
	}
	if (results_load(argv[optind], &doc, err, sizeof(err))) {
		eb_error("show: %s", err);
		return EB_EXIT_USAGE;	/* bad input */
	}
	table_print(stdout, doc);
	json_decref(doc);
	return EB_EXIT_OK;
}
