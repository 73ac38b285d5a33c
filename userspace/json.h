/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal JSON writer for anonmergectl -j: one document at a time,
 * printed on stdout by json_finish() only if it was built whole.  Keys are
 * NULL for the top-level value and for array elements.
 */
#ifndef ANONMERGE_JSON_H
#define ANONMERGE_JSON_H

#include <stdint.h>

/* Objects and arrays nest at most this deep; deeper fails the document. */
#define JSON_MAX_DEPTH 8

void json_set_pretty(int pretty);
int json_begin_object(const char *key);
void json_end_object(void);
int json_begin_array(const char *key);
void json_end_array(void);
void json_str(const char *key, const char *value);
void json_u64(const char *key, uint64_t value);
void json_null(const char *key);
int json_finish(void);

#endif
