// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal TAP helpers for the noise-control unit tests: each CHECK is one
 * TAP line naming the expression, so a failure says what broke.
 */
#ifndef EXITBENCH_TESTS_CHECK_H
#define EXITBENCH_TESTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_n, check_failed;

#define CHECK(cond, ...) do {						\
	int ok_ = !!(cond);						\
	printf("%sok %d - ", ok_ ? "" : "not ", ++check_n);		\
	printf(__VA_ARGS__);						\
	printf("%s\n", ok_ ? "" : " (failed: " #cond ")");		\
	if (!ok_)							\
		check_failed++;						\
} while (0)

/* Print the plan last (TAP allows it) and exit 1 if any check failed. */
static inline int check_done(void)
{
	printf("1..%d\n", check_n);
	return check_failed ? 1 : 0;
}

/* Skip the whole program with a reason (meson: exit 77). */
#define CHECK_SKIP_ALL(...) do {					\
	printf("1..0 # SKIP ");						\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	exit(77);							\
} while (0)

#endif /* EXITBENCH_TESTS_CHECK_H */
