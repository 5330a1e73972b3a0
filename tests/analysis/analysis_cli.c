// SPDX-License-Identifier: GPL-2.0-only
/* Temporary driver for the analysis subcommands until bench/host/main.c lands. */
#include <stdio.h>
#include <string.h>

#include "cmd_analysis.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: analysis-cli compare|gate ...\n");
		return 2;
	}
	if (!strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plot"))
		return cmd_plot(argc - 1, argv + 1);
	if (!strcmp(argv[1], "gate"))
		return cmd_gate(argc - 1, argv + 1);
	fprintf(stderr, "analysis-cli: unknown command %s\n", argv[1]);
	return 2;
}
