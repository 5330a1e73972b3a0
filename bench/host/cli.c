// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void eb_error(const char *fmt, ...)
{
	va_list ap;

	fputs("exitbench: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void eb_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("exitbench: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int eb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int eb_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v != v)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int eb_usage_error(const char *cmd, char **argv, int c)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		eb_error("%s: option %s needs a value", cmd, arg);
	else
		eb_error("%s: unknown option %s (try 'exitbench %s --help')",
			 cmd, arg, cmd);
	return EB_EXIT_USAGE;
}

int eb_bad_value(const char *cmd, const char *opt, const char *val,
		 const char *want)
{
	eb_error("%s: bad value '%s' for %s: %s", cmd, val, opt, want);
	return EB_EXIT_USAGE;
}

int eb_no_operands(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	eb_error("%s: unexpected argument '%s' (try 'exitbench %s --help')",
		 cmd, argv[optind], cmd);
	return EB_EXIT_USAGE;
}
