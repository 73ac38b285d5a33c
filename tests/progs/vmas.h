/* SPDX-License-Identifier: GPL-2.0 */
/* Counting VMAs of the calling process from /proc/self/maps. */
#ifndef ANONMERGE_TEST_VMAS_H
#define ANONMERGE_TEST_VMAS_H

#include <stdio.h>

/* Number of VMAs that overlap [start, end). */
static inline int count_vmas(const void *start, const void *end)
{
	unsigned long s = (unsigned long)start, e = (unsigned long)end;
	unsigned long vs, ve;
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &vs, &ve) == 2 && vs < e && ve > s)
			n++;
	}
	fclose(f);
	return n;
}

#endif
