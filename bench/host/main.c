// SPDX-License-Identifier: GPL-2.0-only
/* exitbench: dispatch to a builtin-<command>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_analysis.h"
#include "eb_config.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "time VM exits, write a results file, print a table" },
	{ "list", cmd_list, "list the tests and what this host can measure" },
	{ "show", cmd_show, "print the table of a results file" },
	{ "compare", cmd_compare, "compare results files test by test" },
	{ "gate", cmd_gate, "pass/fail a candidate against a baseline (CI)" },
	{ "plot", cmd_plot, "plot results files with gnuplot" },
	{ "selftest", cmd_selftest, "find the smallest effect this host resolves" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: exitbench [--version] [--help] <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'exitbench <command> --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EB_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EB_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("exitbench %s (%s)\n", EB_VERSION, EB_GIT_COMMIT);
		return EB_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	eb_error("unknown command '%s' (try 'exitbench --help')", argv[1]);
	return EB_EXIT_USAGE;
}
