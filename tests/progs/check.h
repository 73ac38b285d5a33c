/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny TAP-style checks for the in-guest test programs: every CHECK prints
 * "ok"/"not ok" with its expression, and check_exit() turns the count of
 * failures into the exit status.
 */
#ifndef ANONMERGE_TEST_CHECK_H
#define ANONMERGE_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond, fmt, ...)						\
	do {								\
		check_count++;						\
		if (cond) {						\
			printf("ok %d - " fmt "\n", check_count,	\
			       ##__VA_ARGS__);				\
		} else {						\
			check_failures++;				\
			printf("not ok %d - " fmt " (%s:%d: %s)\n",	\
			       check_count, ##__VA_ARGS__, __FILE__,	\
			       __LINE__, #cond);			\
		}							\
	} while (0)

/* A syscall-style call that must fail with exactly this errno. */
#define CHECK_ERRNO(call, want, what)					\
	do {								\
		int __r;						\
		errno = 0;						\
		__r = (call);						\
		CHECK(__r == -1 && errno == (want),			\
		      "%s fails with %s (got %d, %s)", what, #want, __r,	\
		      strerror(errno));					\
	} while (0)

static inline int check_exit(void)
{
	printf("# %d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

static inline void die(const char *what)
{
	perror(what);
	exit(2);
}

#endif
