// SPDX-License-Identifier: GPL-2.0
/*
 * The counters behind ANONMERGE_IOC_GET_STATS and /sys/kernel/mm/anonmerge/.
 *
 * Every mmap, mprotect and mremap in the system passes through a hook that
 * counts an attempt, so the counters are per CPU: a shared atomic would put
 * one cache line in every such call system-wide.  Readers sum the CPUs; a
 * sum taken while counters move is a snapshot of some recent moment per
 * counter, which is all a statistic needs (64-bit loads do not tear on the
 * only architecture the module builds for).
 *
 * The bump functions are notrace: the attempt counter is the callback of
 * the counting ftrace hooks (hooks.c), which must not recurse into ftrace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/percpu.h>
#include <linux/string.h>

#include "anonmerge.h"

static_assert(ANONMERGE_NR_MERGE_KINDS <= ANONMERGE_MAX_MERGE_KINDS);
static_assert(ANONMERGE_NR_REFUSALS <= ANONMERGE_MAX_REFUSALS);

struct am_stats_cpu {
	u64 attempts;
	u64 candidates;
	u64 dry_run;
	u64 pages_rehomed;
	u64 merges[ANONMERGE_NR_MERGE_KINDS];
	u64 refusals[ANONMERGE_NR_REFUSALS];
};

static DEFINE_PER_CPU(struct am_stats_cpu, am_stats);

#define AM_NAME(id, name) name,
const char *const am_merge_kind_names[] = { ANONMERGE_MERGE_KINDS(AM_NAME) };
const char *const am_refusal_names[] = { ANONMERGE_REFUSALS(AM_NAME) };
#undef AM_NAME

void notrace am_stat_attempt(void)
{
	this_cpu_inc(am_stats.attempts);
}

void notrace am_stat_candidate(void)
{
	this_cpu_inc(am_stats.candidates);
}

void notrace am_stat_dry_run(void)
{
	this_cpu_inc(am_stats.dry_run);
}

void notrace am_stat_merge(unsigned int kind)
{
	if (!WARN_ON_ONCE(kind >= ANONMERGE_NR_MERGE_KINDS))
		this_cpu_inc(am_stats.merges[kind]);
}

void notrace am_stat_refuse(unsigned int reason)
{
	if (!WARN_ON_ONCE(reason >= ANONMERGE_NR_REFUSALS))
		this_cpu_inc(am_stats.refusals[reason]);
}

void notrace am_stat_pages_rehomed(unsigned long nr)
{
	this_cpu_add(am_stats.pages_rehomed, nr);
}

/* The sum over every CPU of the counter at byte @offset of the struct. */
static u64 sum_cpus(size_t offset)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(u64 *)((char *)per_cpu_ptr(&am_stats, cpu) + offset);
	return sum;
}

#define SUM(field) sum_cpus(offsetof(struct am_stats_cpu, field))

u64 am_stat_read(enum am_stat_counter which, unsigned int index)
{
	switch (which) {
	case AM_STAT_ATTEMPTS:
		return SUM(attempts);
	case AM_STAT_CANDIDATES:
		return SUM(candidates);
	case AM_STAT_DRY_RUN:
		return SUM(dry_run);
	case AM_STAT_PAGES_REHOMED:
		return SUM(pages_rehomed);
	case AM_STAT_MERGES:
		if (index < ANONMERGE_NR_MERGE_KINDS)
			return SUM(merges[index]);
		break;
	case AM_STAT_REFUSALS:
		if (index < ANONMERGE_NR_REFUSALS)
			return SUM(refusals[index]);
		break;
	}
	return 0;
}

void am_stats_snapshot(struct anonmerge_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->size = sizeof(*out);
	out->nr_merge_kinds = ANONMERGE_NR_MERGE_KINDS;
	out->nr_refusals = ANONMERGE_NR_REFUSALS;
	out->attempts = am_stat_read(AM_STAT_ATTEMPTS, 0);
	out->candidates = am_stat_read(AM_STAT_CANDIDATES, 0);
	out->dry_run_would_merge = am_stat_read(AM_STAT_DRY_RUN, 0);
	out->pages_rehomed = am_stat_read(AM_STAT_PAGES_REHOMED, 0);
	for (i = 0; i < ANONMERGE_NR_MERGE_KINDS; i++)
		out->merges[i] = am_stat_read(AM_STAT_MERGES, i);
	for (i = 0; i < ANONMERGE_NR_REFUSALS; i++)
		out->refusals[i] = am_stat_read(AM_STAT_REFUSALS, i);
}
