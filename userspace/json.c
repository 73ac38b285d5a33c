// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer: tracks only whether the current object already
 * has a member, which is all that comma placement needs.
 */
#include <stdio.h>

#include "json.h"

#define JSON_MAX_DEPTH 8

static int depth;
static int has_member[JSON_MAX_DEPTH];

static void put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Comma and key for a new member of the current object, if any. */
static void begin_member(const char *key)
{
	if (depth > 0) {
		if (has_member[depth - 1])
			putchar(',');
		has_member[depth - 1] = 1;
	}
	if (key) {
		put_string(key);
		putchar(':');
	}
}

void json_begin_object(const char *key)
{
	begin_member(key);
	putchar('{');
	if (depth < JSON_MAX_DEPTH)
		has_member[depth] = 0;
	depth++;
}

void json_end_object(void)
{
	putchar('}');
	depth--;
}

void json_str(const char *key, const char *value)
{
	begin_member(key);
	put_string(value);
}

void json_u64(const char *key, uint64_t value)
{
	begin_member(key);
	printf("%llu", (unsigned long long)value);
}

void json_finish(void)
{
	putchar('\n');
	fflush(stdout);
}
