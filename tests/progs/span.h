/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The span of side-by-side regions a scenario program lays out, and the
 * checks on it: VMA count against the module's or stock's expectation
 * for the current mode, PMD mappings with -H, and rmap health.
 */
#ifndef ANONMERGE_TEST_SPAN_H
#define ANONMERGE_TEST_SPAN_H

#include "memcheck.h"

static size_t region;		/* bytes per region */
static char *span;		/* first region */
static int nregions;
static unsigned int mode = ANONMERGE_MODE_OFF;
static int thp;			/* -H: 2 MiB regions */
static int expect_refusal;	/* -S: the module must refuse (stock count) */

#define R(i) (span + (size_t)(i) * region)

static inline size_t span_len(void)
{
	return nregions * region;
}

static inline int span_vmas(void)
{
	return count_vmas(span, R(nregions));
}

static inline void expect_vmas(const char *when, int merged, int stock)
{
	int want = mode == ANONMERGE_MODE_ON && !expect_refusal ? merged :
								  stock;

	CHECK(span_vmas() == want, "%s: %d VMAs (module %d, stock %d), got %d",
	      when, want, merged, stock, span_vmas());
	/* With -H the scenario is only worth its name with PMD mappings. */
	if (thp)
		CHECK(smaps_kb(span, nregions * region, "AnonHugePages") > 0,
		      "%s: %ld kB PMD-mapped THP", when,
		      smaps_kb(span, nregions * region, "AnonHugePages"));
}

static inline void health(const char *when)
{
	rmap_health(span, nregions * region, 0, when);
}

/* -m off|dry-run|on */
static inline unsigned int parse_mode(const char *arg)
{
	if (!strcmp(arg, "on"))
		return ANONMERGE_MODE_ON;
	if (!strcmp(arg, "dry-run"))
		return ANONMERGE_MODE_DRY_RUN;
	return ANONMERGE_MODE_OFF;
}

#endif
