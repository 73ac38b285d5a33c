// SPDX-License-Identifier: GPL-2.0
/* Unit test of anonmergectl's JSON writer: nesting, commas, escaping. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"

int main(void)
{
	static const char want[] =
		"{\"a\":1,\"s\":\"q\\\"b\\\\n\\u000a\",\"o\":{\"x\":18446744073709551615,\"y\":\"\"},\"z\":0}\n";
	char got[256];
	FILE *f = tmpfile();
	int saved = dup(1);
	size_t n;

	/* Capture stdout: the writer prints there by design. */
	fflush(stdout);
	dup2(fileno(f), 1);
	json_begin_object(NULL);
	json_u64("a", 1);
	json_str("s", "q\"b\\n\n");
	json_begin_object("o");
	json_u64("x", 18446744073709551615ULL);
	json_str("y", "");
	json_end_object();
	json_u64("z", 0);
	json_end_object();
	json_finish();
	fflush(stdout);
	dup2(saved, 1);
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = 0;
	if (strcmp(got, want)) {
		printf("FAIL test_json\n  want %s  got  %s", want, got);
		return 1;
	}
	printf("PASS test_json\n");
	return 0;
}
