// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CLI layer: subcommands (one builtin-<cmd>.c each) and the only
 * code that prints errors and chooses exit codes.
 * Exit codes: 0 ok, 1 run/test failure or I/O error, 2 usage error.
 */
#ifndef EB_HOST_CLI_H
#define EB_HOST_CLI_H

#include <stdbool.h>
#include <stdint.h>

#define EB_EXIT_OK	0
#define EB_EXIT_FAIL	1
#define EB_EXIT_USAGE	2

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_selftest(int argc, char **argv);

/* "exitbench: error: <msg>" on stderr, one line. */
void eb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void eb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Strict number parsing for options: 0, or -EINVAL / -ERANGE.  Integers
 * are decimal digits without sign, space or leading zero ("010" is
 * refused, not read as 8); _hex also takes 0x...; doubles are decimal.
 */
int eb_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int eb_parse_u64_hex(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int eb_parse_double(const char *s, double min, double max, double *out);

/*
 * Refuse (one line, returns EB_EXIT_USAGE) a string that cannot be stored
 * in a results file as it is: not UTF-8.  @what names it ("--kvm-dev").
 */
int eb_check_text(const char *cmd, const char *what, const char *s);
/* The same for every argument, which "command_line" records. */
int eb_check_args_text(const char *cmd, int argc, char **argv);

/*
 * Before anything is measured: refuse an output @path that outfile.h
 * would not write (one line, EB_EXIT_USAGE).  With @claim_stdout and
 * "-", the command's other output moves to stderr.
 */
int eb_check_out(const char *cmd, const char *path, bool mkdirs,
		 bool claim_stdout);

/*
 * After getopt_long() returned '?' or ':' (@c; optstring starts with ':'):
 * print which option was wrong; returns EB_EXIT_USAGE.
 */
int eb_usage_error(const char *cmd, char **argv, int c);

/* "CMD: bad value 'VAL' for OPT: WANT"; returns EB_EXIT_USAGE. */
int eb_bad_value(const char *cmd, const char *opt, const char *val,
		 const char *want);

/*
 * After the getopt_long() loop: 0 when no operand is left, else names the
 * first one and returns EB_EXIT_USAGE.
 */
int eb_no_operands(const char *cmd, int argc, char **argv);

/* --wait's default: $EXITBENCH_WAIT=1 (test harnesses, scripts). */
bool eb_env_wait(void);
/* The noise layer's "waiting for a CPU" message, as a warning. */
void eb_say_waiting(const char *msg);

#endif /* EB_HOST_CLI_H */
