// SPDX-License-Identifier: GPL-2.0
/*
 * JSON writer: tracks only whether each open object or array already has
 * a member, which is all that comma placement and indentation need.
 *
 * The document is built in memory and printed by json_finish() only when
 * it is complete and well formed, so a caller that fails half way (or
 * nests too deep) can still print one clean {"error": ...} object instead:
 * under -j, stdout always holds exactly one JSON value.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"

static FILE *doc;		/* the document being built, or NULL */
static char *doc_buf;
static size_t doc_len;
static int depth;
static int has_member[JSON_MAX_DEPTH];
static int pretty;
static int failed;		/* this document is lost: print nothing */

void json_set_pretty(int on)
{
	pretty = on;
}

/* The document to write into, opened on first use; NULL once it failed. */
static FILE *out(void)
{
	if (failed)
		return NULL;
	if (!doc) {
		doc = open_memstream(&doc_buf, &doc_len);
		if (!doc)
			failed = 1;
	}
	return doc;
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Pretty mode: a new line indented to @level, as bpftool -p does. */
static void new_line(FILE *f, int level)
{
	if (!pretty)
		return;
	fprintf(f, "\n%*s", 4 * level, "");
}

/* Comma, line break and key for a new member of the current container. */
static void begin_member(FILE *f, const char *key)
{
	if (depth > 0) {
		if (has_member[depth - 1])
			fputc(',', f);
		has_member[depth - 1] = 1;
		new_line(f, depth);
	}
	if (key) {
		put_string(f, key);
		fputs(pretty ? ": " : ":", f);
	}
}

static int begin_container(const char *key, char open)
{
	FILE *f = out();

	if (!f)
		return -1;
	/*
	 * has_member[] has one slot per open container: one more would
	 * write past it.  Losing the document is the clean way out; the
	 * caller's matching end calls then do nothing.
	 */
	if (depth >= JSON_MAX_DEPTH) {
		failed = 1;
		return -1;
	}
	begin_member(f, key);
	fputc(open, f);
	has_member[depth++] = 0;
	return 0;
}

static void end_container(char close)
{
	FILE *f = out();

	if (!f)
		return;
	if (depth == 0) {	/* unbalanced: not a document any more */
		failed = 1;
		return;
	}
	depth--;
	if (has_member[depth])
		new_line(f, depth);
	fputc(close, f);
}

int json_begin_object(const char *key)
{
	return begin_container(key, '{');
}

void json_end_object(void)
{
	end_container('}');
}

int json_begin_array(const char *key)
{
	return begin_container(key, '[');
}

void json_end_array(void)
{
	end_container(']');
}

void json_str(const char *key, const char *value)
{
	FILE *f = out();

	if (!f)
		return;
	begin_member(f, key);
	if (value)
		put_string(f, value);
	else
		fputs("null", f);
}

void json_u64(const char *key, uint64_t value)
{
	FILE *f = out();

	if (!f)
		return;
	begin_member(f, key);
	fprintf(f, "%llu", (unsigned long long)value);
}

void json_null(const char *key)
{
	FILE *f = out();

	if (!f)
		return;
	begin_member(f, key);
	fputs("null", f);
}

/*
 * Print the document and a newline if it is complete; either way start
 * afresh.  Returns 0, or -1 if nothing (or not all) could be printed.
 */
int json_finish(void)
{
	int err = failed || depth || !doc;

	if (doc && fclose(doc))
		err = 1;
	if (!err) {
		fwrite(doc_buf, 1, doc_len, stdout);
		putchar('\n');
		if (fflush(stdout) || ferror(stdout))
			err = 1;
	}
	free(doc_buf);
	doc = NULL;
	doc_buf = NULL;
	doc_len = 0;
	depth = 0;
	failed = 0;
	return err ? -1 : 0;
}
