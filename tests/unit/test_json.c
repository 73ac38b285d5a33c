// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of anonmergectl's JSON writer: nesting, commas, escaping,
 * arrays, pretty mode, and failing cleanly (nothing printed) when nested
 * deeper than JSON_MAX_DEPTH or left unbalanced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

static int failures;

/* Run @fn with stdout captured (the writer prints there by design). */
static void expect(const char *name, void (*fn)(void), int want_rc,
		   const char *want)
{
	static char got[1024];
	FILE *f = tmpfile();
	int saved = dup(1), rc;
	size_t n;

	fflush(stdout);
	dup2(fileno(f), 1);
	fn();
	rc = json_finish();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = 0;
	fclose(f);
	if (rc != want_rc || strcmp(got, want)) {
		printf("FAIL %s\n  want rc %d: %s\n  got  rc %d: %s\n", name,
		       want_rc, want, rc, got);
		failures++;
	} else {
		printf("ok %s\n", name);
	}
}

static void nested(void)
{
	json_begin_object(NULL);
	json_u64("a", 1);
	json_str("s", "q\"b\\n\n");
	json_begin_object("o");
	json_u64("x", 18446744073709551615ULL);
	json_str("y", "");
	json_end_object();
	json_u64("z", 0);
	json_end_object();
}

static void arrays(void)
{
	json_begin_object(NULL);
	json_begin_array("l");
	json_str(NULL, "a");
	json_str(NULL, "b");
	json_end_array();
	json_begin_array("e");
	json_end_array();
	json_begin_object("eo");
	json_end_object();
	json_end_object();
}

static void top_null(void)
{
	json_null(NULL);
}

static void pretty(void)
{
	json_set_pretty(1);
	arrays();
	json_set_pretty(0);
}

/* Nest until the writer refuses; it must refuse exactly past the limit. */
static void too_deep(void)
{
	int i, refused = -1;

	for (i = 0; i < 3 * JSON_MAX_DEPTH; i++)
		if (json_begin_object(i ? "k" : NULL) && refused < 0)
			refused = i;
	json_u64("x", 1);
	for (i = 0; i < 3 * JSON_MAX_DEPTH; i++)
		json_end_object();
	if (refused != JSON_MAX_DEPTH) {
		fprintf(stderr, "%s: refused at %d, want %d\n", __func__, refused,
			JSON_MAX_DEPTH);
		failures++;
	}
}

static void deepest(void)
{
	int i;

	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_begin_array(NULL);
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		json_end_array();
}

static void unbalanced(void)
{
	json_begin_object(NULL);
	json_u64("a", 1);
}

static void error_after_failure(void)
{
	json_begin_object(NULL);
	json_str("error", "x");
	json_end_object();
}

int main(void)
{
	expect("nested", nested, 0,
	       "{\"a\":1,\"s\":\"q\\\"b\\\\n\\u000a\",\"o\":{\"x\":18446744073709551615,\"y\":\"\"},\"z\":0}\n");
	expect("arrays", arrays, 0,
	       "{\"l\":[\"a\",\"b\"],\"e\":[],\"eo\":{}}\n");
	expect("null", top_null, 0, "null\n");
	expect("pretty", pretty, 0,
	       "{\n    \"l\": [\n        \"a\",\n        \"b\"\n    ],\n    \"e\": [],\n    \"eo\": {}\n}\n");
	expect("too deep", too_deep, -1, "");
	expect("deepest allowed", deepest, 0,
	       "[[[[[[[[]]]]]]]]\n");
	expect("unbalanced", unbalanced, -1, "");
	/* A failed document leaves the writer ready for the error object. */
	expect("after a failure", error_after_failure, 0,
	       "{\"error\":\"x\"}\n");
	printf("%s test_json\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
