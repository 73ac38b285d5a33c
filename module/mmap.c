// SPDX-License-Identifier: GPL-2.0
/*
 * Merging after mmap().
 *
 * A new anonymous mapping that fills a hole between two VMAs joins them
 * in stock only where their anon_vmas allow.  mmap_region() is wrapped:
 * after the stock code placed (and perhaps already merged) the mapping,
 * the VMA at the returned address is offered to the line's merge with its
 * own attributes (am_line.offer_vma), which re-homes only when that makes
 * the stock merge join more.  A new mapping is never rebased: its pgoff
 * is the address-derived one that every later neighbour will match.
 *
 * mmap_region() has the same prototype on every line: public in
 * <linux/mm.h> up to 6.12, private in mm/vma.h since (7.2.13 l.462).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/static_call.h>

#include "anonmerge.h"
#include "ibt_audit.h"
#include "mergeable.h"

typedef unsigned long (am_mmap_region_t)(struct file *file,
					 unsigned long addr,
					 unsigned long len,
					 vm_flags_t vm_flags,
					 unsigned long pgoff,
					 struct list_head *uf);

DEFINE_STATIC_CALL_NULL(am_orig_mmap_region, am_mmap_region_t);

void am_mmap_bind(void)
{
	am_bind_call(am_orig_mmap_region, AM_SYM_MMAP_REGION);
}

/* Wraps mmap_region(); do_mmap() holds mmap_lock for write. */
unsigned long am_mmap_region(struct file *file, unsigned long addr,
			     unsigned long len, vm_flags_t vm_flags,
			     unsigned long pgoff, struct list_head *uf)
{
	struct vm_area_struct *vma;
	unsigned long ret;
	int srcu;

	srcu = am_wrapper_enter();
	ret = static_call(am_orig_mmap_region)(file, addr, len, vm_flags,
					       pgoff, uf);
	if (!IS_ERR_VALUE(ret) && !file &&
	    am_mode_get() != ANONMERGE_MODE_OFF) {
		am_stat_attempt();
		/* The new mapping, possibly already expanded into prev. */
		vma = find_vma(current->mm, ret);
		if (vma && vma->vm_start <= ret && am_vma_plain_anon(vma))
			am_this_line->offer_vma(vma, ANONMERGE_MERGE_NEW_RANGE,
						false);
	}
	am_wrapper_exit(srcu);
	return ret;
}
