// SPDX-License-Identifier: GPL-2.0
/*
 * Merging after mremap().
 *
 * A moved anonymous VMA keeps the pgoff (and its pages their index) of its
 * old address, so stock Linux can never merge it with the VMAs around its
 * new place.  After a successful mremap() that moved or grew a faulted,
 * exclusive VMA next to an anonymous neighbour with equal attributes, the
 * VMA is re-homed onto the neighbour's anon_vma with its pgoff rebased to
 * be linear with the neighbour's, and the line's merge primitive is called.
 *
 * The hook is on the syscall's return, not inside move_vma(): the page
 * tables have been moved by the stock code (its PMD-level fast path stays
 * in use) and nothing is half done; the module then takes mmap_lock for
 * write again and re-checks everything.  A neighbour on each side that is
 * linear with the first (a hole filled exactly) is re-homed too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mempolicy.h>
#include <linux/mm_inline.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/static_call.h>
#include <linux/userfaultfd_k.h>

#include "anonmerge.h"
#include "compat.h"
#include "rehome.h"

DEFINE_STATIC_CALL_NULL(am_orig_sys_mremap, am_sys_mremap);

void am_mremap_bind(void)
{
	static_call_update(am_orig_sys_mremap,
			   (am_sys_mremap_t *)am_sym_addr(AM_SYM_SYS_MREMAP));
}

/* Same flags (but soft-dirty), policy, uffd context and name; anonymous. */
static bool attrs_equal(struct vm_area_struct *a, struct vm_area_struct *b)
{
	return vma_is_anonymous(a) && vma_is_anonymous(b) &&
	       !((a->vm_flags ^ b->vm_flags) & ~VM_SOFTDIRTY) &&
	       !(a->vm_flags & VM_SPECIAL) &&
	       vma_policy(a) == vma_policy(b) &&
	       a->vm_userfaultfd_ctx.ctx == b->vm_userfaultfd_ctx.ctx &&
	       anon_vma_name_eq(am_vma_anon_name(a), am_vma_anon_name(b));
}

/* A neighbour the moved VMA could join: adjacent, equal, faulted. */
static bool can_join(struct vm_area_struct *vma, struct vm_area_struct *nb)
{
	return nb && nb->anon_vma && attrs_equal(vma, nb) &&
	       (nb->vm_end == vma->vm_start || nb->vm_start == vma->vm_end);
}

static int rehome_moved(struct vm_area_struct *vma, struct vm_area_struct *prev,
			struct vm_area_struct *next, bool dry_run)
{
	struct vm_area_struct *donor = prev ? prev : next;
	pgoff_t pgoff = prev ? prev->vm_pgoff + vma_pages(prev) :
			       next->vm_pgoff - vma_pages(vma);
	int ret = AM_OK;

	if (vma->anon_vma != donor->anon_vma || vma->vm_pgoff != pgoff)
		ret = am_rehome(vma, donor, pgoff, dry_run);
	/* A filled hole: next joins prev's anon_vma too. */
	if (ret == AM_OK && prev && next && next->anon_vma != prev->anon_vma)
		ret = am_rehome(next, prev, next->vm_pgoff, dry_run);
	return ret;
}

static struct vm_area_struct *vma_before(struct vm_area_struct *vma)
{
	VMA_ITERATOR(vmi, vma->vm_mm, vma->vm_start);

	return vma_prev(&vmi);
}

/*
 * The VMA at @addr and the neighbours it could join after a re-home;
 * false when there is nothing the module would do.  Needs mmap_lock.
 */
static bool find_candidate(struct mm_struct *mm, unsigned long addr,
			   struct vm_area_struct **vmap,
			   struct vm_area_struct **prevp,
			   struct vm_area_struct **nextp)
{
	struct vm_area_struct *vma = find_vma(mm, addr), *prev, *next;

	if (!vma || vma->vm_start > addr || !vma->anon_vma)
		return false;
	prev = vma_before(vma);
	next = find_vma(mm, vma->vm_end);
	if (!can_join(vma, prev))
		prev = NULL;
	if (!can_join(vma, next))
		next = NULL;
	/* Both only if next is linear with prev across the VMA. */
	if (prev && next && next->vm_pgoff != prev->vm_pgoff +
	    vma_pages(prev) + vma_pages(vma))
		next = NULL;
	if (!prev && !next)
		return false;
	if ((!prev || (prev->anon_vma == vma->anon_vma &&
		       prev->vm_pgoff + vma_pages(prev) == vma->vm_pgoff)) &&
	    (!next || (next->anon_vma == vma->anon_vma &&
		       vma->vm_pgoff + vma_pages(vma) == next->vm_pgoff)))
		return false;	/* stock merges this by itself */
	*vmap = vma;
	*prevp = prev;
	*nextp = next;
	return true;
}

/* With mmap_lock held for write. */
static void merge_moved(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma, *prev, *next;
	int mode = am_mode_get();
	int ret;

	if (!find_candidate(mm, addr, &vma, &prev, &next))
		return;
	am_stat_candidate();
	ret = rehome_moved(vma, prev, next, mode == ANONMERGE_MODE_DRY_RUN);
	if (ret != AM_OK) {
		am_stat_refuse(ret);
		return;
	}
	if (mode == ANONMERGE_MODE_DRY_RUN) {
		am_stat_dry_run();
		return;
	}
	if (am_this_line->merge_vma(mm, vma_before(vma), vma))
		am_stat_merge(ANONMERGE_MERGE_MREMAP);
	else
		am_stat_refuse(ANONMERGE_REFUSE_RACE);
}

/*
 * A look under the read lock, so that the write lock is only taken again
 * when a merge can follow.
 */
static bool candidate_after(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma, *prev, *next;
	bool found;

	if (mmap_read_lock_killable(mm))
		return false;
	am_stat_attempt();
	found = find_candidate(mm, addr, &vma, &prev, &next);
	mmap_read_unlock(mm);
	return found;
}

/*
 * Wraps __x64_sys_mremap(regs): mremap(addr, old_len, new_len, flags,
 * new_addr).  MREMAP_DONTUNMAP leaves the source VMA sharing the anon_vma
 * with the copy: left alone.
 */
long am_sys_mremap(const struct pt_regs *regs)
{
	struct mm_struct *mm = current->mm;
	long ret;

	am_wrapper_enter();
	ret = static_call(am_orig_sys_mremap)(regs);
	if (!IS_ERR_VALUE(ret) && !(regs->r10 & MREMAP_DONTUNMAP) &&
	    am_mode_get() != ANONMERGE_MODE_OFF && candidate_after(mm, ret) &&
	    !mmap_write_lock_killable(mm)) {
		/* Things may have changed in between: all checked again. */
		merge_moved(mm, ret);
		mmap_write_unlock(mm);
	}
	am_wrapper_exit();
	return ret;
}
