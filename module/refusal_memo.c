// SPDX-License-Identifier: GPL-2.0
/*
 * A refused re-home has walked every page table entry of the VMA and
 * trylocked up to max_rehome_pages folios under the mmap write lock, all
 * for nothing.  Without a memory of it, every later mprotect() or
 * madvise() next to that VMA would pay the same again.
 *
 * The memo keeps, per VMA, the refusals that last (a KSM, pinned or
 * device page, a large folio mapped elsewhere, too many pages): the VMA
 * (pointer, bounds and anon_vma) and max_rehome_pages at the time.  While
 * all of them are unchanged and less than AM_REFUSAL_MEMO_MS have passed,
 * the VMA is refused without a walk.  A change of the VMA (split, merge,
 * mremap, munmap), its anon_vma or the limit forgets it at once; changes
 * the VMA does not show (a page unpinned, unmerged by KSM, split by
 * reclaim) are seen after the timeout.  Transient refusals (a busy folio
 * lock, a migration entry) are not remembered.
 *
 * A stale hit (the VMA freed and a new one allocated at the same address
 * with the same bounds) only refuses a merge: stock behaviour.  The keys
 * are never dereferenced.
 *
 * One small table for the whole system, under a spinlock: it is only
 * reached when a re-home is about to be tried, never on the plain
 * mmap/mprotect path.  Four ways per set, so that the two neighbours of
 * one merge rarely evict each other; a new entry replaces its own VMA's,
 * an expired one, or the one expiring first.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/spinlock.h>

#include <uapi/linux/anonmerge.h>

#include "collect.h"
#include "refusal_memo.h"

#define AM_REFUSAL_MEMO_SET_BITS 4
#define AM_REFUSAL_MEMO_WAYS 4
#define AM_REFUSAL_MEMO_MS 1000

struct memo_entry {
	const void *vma, *mm, *anon_vma;
	unsigned long start, end;
	unsigned int max_pages;
	unsigned long expires;		/* jiffies; 0: empty */
};

static struct memo_entry memo[1 << AM_REFUSAL_MEMO_SET_BITS]
			     [AM_REFUSAL_MEMO_WAYS];
static DEFINE_SPINLOCK(memo_lock);

static struct memo_entry *set_of(struct vm_area_struct *vma)
{
	return memo[hash_ptr(vma, AM_REFUSAL_MEMO_SET_BITS)];
}

static bool live(const struct memo_entry *e)
{
	return e->expires && time_before(jiffies, e->expires);
}

static bool is_lasting(int reason)
{
	switch (reason) {
	case ANONMERGE_REFUSE_KSM:
	case ANONMERGE_REFUSE_PINNED:
	case ANONMERGE_REFUSE_LARGE_FOLIO:
	case ANONMERGE_REFUSE_DEVICE:
	case ANONMERGE_REFUSE_TOO_MANY_PAGES:
	case ANONMERGE_REFUSE_UNSUPPORTED:
		return true;
	default:
		return false;
	}
}

bool am_refusal_remembered(struct vm_area_struct *vma)
{
	struct memo_entry *set = set_of(vma), *e;
	bool hit = false;

	spin_lock(&memo_lock);
	for (e = set; e < set + AM_REFUSAL_MEMO_WAYS && !hit; e++)
		hit = live(e) && e->vma == vma && e->mm == vma->vm_mm &&
		      e->anon_vma == vma->anon_vma &&
		      e->start == vma->vm_start && e->end == vma->vm_end &&
		      e->max_pages == READ_ONCE(am_max_rehome_pages);
	spin_unlock(&memo_lock);
	return hit;
}

/* The entry to (re)use for @vma in its set; memo_lock held. */
static struct memo_entry *victim(struct memo_entry *set,
				 struct vm_area_struct *vma)
{
	struct memo_entry *e, *oldest = set;

	for (e = set; e < set + AM_REFUSAL_MEMO_WAYS; e++) {
		if (e->vma == vma || !live(e))
			return e;
		if (time_before(e->expires, oldest->expires))
			oldest = e;
	}
	return oldest;
}

void am_refusal_remember(struct vm_area_struct *vma, int reason)
{
	struct memo_entry *e;

	if (!is_lasting(reason))
		return;
	spin_lock(&memo_lock);
	e = victim(set_of(vma), vma);
	e->vma = vma;
	e->mm = vma->vm_mm;
	e->anon_vma = vma->anon_vma;
	e->start = vma->vm_start;
	e->end = vma->vm_end;
	e->max_pages = READ_ONCE(am_max_rehome_pages);
	e->expires = jiffies + msecs_to_jiffies(AM_REFUSAL_MEMO_MS) ?: 1;
	spin_unlock(&memo_lock);
}
