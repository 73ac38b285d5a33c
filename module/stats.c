// SPDX-License-Identifier: GPL-2.0
/*
 * Counters behind ANONMERGE_IOC_GET_STATS.  They are bumped with mmap_lock
 * held by the task doing the merge, so contention is per-mm at worst;
 * atomics are plenty and keep snapshots simple.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/string.h>

#include "anonmerge.h"

static_assert(ANONMERGE_NR_MERGE_KINDS <= ANONMERGE_MAX_MERGE_KINDS);
static_assert(ANONMERGE_NR_REFUSALS <= ANONMERGE_MAX_REFUSALS);

static atomic64_t stat_attempts;
static atomic64_t stat_candidates;
static atomic64_t stat_dry_run;
static atomic64_t stat_pages_rehomed;
static atomic64_t stat_merges[ANONMERGE_NR_MERGE_KINDS];
static atomic64_t stat_refusals[ANONMERGE_NR_REFUSALS];

void am_stat_attempt(void)
{
	atomic64_inc(&stat_attempts);
}

void am_stat_candidate(void)
{
	atomic64_inc(&stat_candidates);
}

void am_stat_dry_run(void)
{
	atomic64_inc(&stat_dry_run);
}

void am_stat_merge(unsigned int kind)
{
	if (!WARN_ON_ONCE(kind >= ANONMERGE_NR_MERGE_KINDS))
		atomic64_inc(&stat_merges[kind]);
}

void am_stat_refuse(unsigned int reason)
{
	if (!WARN_ON_ONCE(reason >= ANONMERGE_NR_REFUSALS))
		atomic64_inc(&stat_refusals[reason]);
}

void am_stat_pages_rehomed(unsigned long nr)
{
	atomic64_add(nr, &stat_pages_rehomed);
}

void am_stats_snapshot(struct anonmerge_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->nr_merge_kinds = ANONMERGE_NR_MERGE_KINDS;
	out->nr_refusals = ANONMERGE_NR_REFUSALS;
	out->attempts = atomic64_read(&stat_attempts);
	out->candidates = atomic64_read(&stat_candidates);
	out->dry_run_would_merge = atomic64_read(&stat_dry_run);
	out->pages_rehomed = atomic64_read(&stat_pages_rehomed);
	for (i = 0; i < ANONMERGE_NR_MERGE_KINDS; i++)
		out->merges[i] = atomic64_read(&stat_merges[i]);
	for (i = 0; i < ANONMERGE_NR_REFUSALS; i++)
		out->refusals[i] = atomic64_read(&stat_refusals[i]);
}
