/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal streaming JSON writer for anonmergectl -j (stdout only). */
#ifndef ANONMERGE_JSON_H
#define ANONMERGE_JSON_H

#include <stdint.h>

void json_begin_object(const char *key);
void json_end_object(void);
void json_str(const char *key, const char *value);
void json_u64(const char *key, uint64_t value);
void json_finish(void);

#endif
