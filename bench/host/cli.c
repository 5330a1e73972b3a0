// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "outfile.h"

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

/*
 * Digits only, no sign, space or leading zero: strtoull alone would take
 * " 5", "+5", "010" (as 8 in base 0) and "0x10".  @hex also allows 0x...
 */
static int parse_u64(const char *s, bool hex, uint64_t min, uint64_t max,
		     uint64_t *out)
{
	const char *digits = s;
	unsigned long long v;
	int base = 10;
	char *end;

	if (!s || !*s)
		return -EINVAL;
	if (hex && (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))) {
		digits = s + 2;
		base = 16;
		if (!*digits || strspn(digits, "0123456789abcdefABCDEF") !=
				strlen(digits))
			return -EINVAL;
	} else if (strspn(s, "0123456789") != strlen(s) ||
		   (s[0] == '0' && s[1])) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoull(digits, &end, base);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int eb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_u64(s, false, min, max, out);
}

int eb_parse_u64_hex(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return parse_u64(s, true, min, max, out);
}

int eb_parse_double(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	/*
	 * Decimal only: strtod would also take leading space, "0x1p4",
	 * "inf" and "nan".
	 */
	if (!s || !*s || strspn(s, "0123456789.eE+-") != strlen(s) ||
	    !strpbrk(s, "0123456789"))
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

/* Well-formed UTF-8 (no overlong forms, surrogates or code points > 10FFFF). */
static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned int n, cp;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0)
			n = 1, cp = *s & 0x1f;
		else if ((*s & 0xf0) == 0xe0)
			n = 2, cp = *s & 0x0f;
		else if ((*s & 0xf8) == 0xf0)
			n = 3, cp = *s & 0x07;
		else
			return false;
		for (unsigned int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

/* @s with every byte outside printable ASCII as \xNN, cut to fit @len. */
static void escape(char *buf, size_t len, const char *s)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = c;
		else
			o += snprintf(buf + o, len - o, "\\x%02x", c);
	}
	buf[o] = '\0';
}

int eb_check_text(const char *cmd, const char *what, const char *s)
{
	char shown[128];

	if (!s || utf8_valid((const unsigned char *)s))
		return 0;
	escape(shown, sizeof(shown), s);
	eb_error("%s: %s '%s' is not valid UTF-8: results files hold text only (rename it)",
		 cmd, what, shown);
	return EB_EXIT_USAGE;
}

int eb_check_args_text(const char *cmd, int argc, char **argv)
{
	char what[64];

	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');

		/* Name the option the bad bytes belong to, where there is one. */
		if (!strncmp(argv[i], "--", 2) && eq)
			snprintf(what, sizeof(what), "the value of %.*s",
				 (int)(eq - argv[i] > 40 ? 40 : eq - argv[i]), argv[i]);
		else if (i && !strncmp(argv[i - 1], "--", 2) &&
			 !strchr(argv[i - 1], '='))
			snprintf(what, sizeof(what), "the value of %.40s", argv[i - 1]);
		else
			snprintf(what, sizeof(what), "argument %d", i);
		if (eb_check_text(cmd, what, argv[i]))
			return EB_EXIT_USAGE;
	}
	return 0;
}

int eb_check_out(const char *cmd, const char *path, bool mkdirs,
		 bool claim_stdout)
{
	char err[512];

	if (eb_check_text(cmd, "output path", path))
		return EB_EXIT_USAGE;
	if (eb_outfile_check(path, mkdirs, err, sizeof(err))) {
		eb_error("%s: %s", cmd, err);
		return EB_EXIT_USAGE;
	}
	if (claim_stdout && !strcmp(path, "-") && eb_outfile_claim_stdout()) {
		eb_error("%s: cannot keep stdout for the output: %s", cmd,
			 strerror(errno));
		return EB_EXIT_FAIL;
	}
	return 0;
}

bool eb_env_wait(void)
{
	const char *v = getenv("EXITBENCH_WAIT");

	return v && !strcmp(v, "1");
}

void eb_say_waiting(const char *msg)
{
	eb_warn("%s", msg);
}
