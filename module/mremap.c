// SPDX-License-Identifier: GPL-2.0
/*
 * Merging after mremap().
 *
 * A moved anonymous VMA keeps the pgoff (and its pages their index) of its
 * old address, so stock Linux can never merge it with the VMAs around its
 * new place.  After a successful mremap() that moved or grew a faulted VMA
 * next to an anonymous neighbour with equal attributes, the VMA is offered
 * to the line's merge with the choice of rebasing its pgoff to be linear
 * with either neighbour (and re-homing it or them); the plan engine
 * decides, and refuses a rebase that would wrap.
 *
 * The hook is on the syscall's return, not inside move_vma(): the page
 * tables have been moved by the stock code (its PMD-level fast path stays
 * in use) and nothing is half done; the module then takes mmap_lock for
 * write again and re-checks everything.
 *
 * The rebase is opt-in (rebase_moved=1).  A faulted VMA moved by stock
 * keeps the pgoff of its old address, which stays linear there: moved
 * back home, stock's VMA joins fresh mappings next to it again.  Once
 * rebased (and merged into its new neighbour) it cannot: found by review,
 * a move, a move back and an mmap() next to it end with one VMA more than
 * stock.  No local check can tell whether a VMA will return, so by default
 * a moved VMA merges only where its pgoff is already linear (re-homing
 * alone, e.g. a VMA moved back next to where it came from).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmap_lock.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/static_call.h>

#include "anonmerge.h"
#include "ibt_audit.h"
#include "mergeable.h"

DEFINE_STATIC_CALL_NULL(am_orig_sys_mremap, am_sys_mremap);

static bool rebase_moved;
module_param(rebase_moved, bool, 0644);
MODULE_PARM_DESC(rebase_moved,
		 "Also merge VMAs moved by mremap() by rebasing their page offsets; they can then not rejoin their old address as stock's would (default off)");

void am_mremap_bind(void)
{
	am_bind_call(am_orig_sys_mremap, AM_SYM_SYS_MREMAP);
}

/*
 * A faulted neighbour that touches @vma and whose attributes the merge
 * could accept, not already joinable by stock (same anon_vma, linear);
 * without @rebase only a linear one.
 */
static bool could_join(struct vm_area_struct *vma, struct vm_area_struct *nb,
		       const struct am_attrs *attrs, bool rebase)
{
	struct vm_area_struct *lo, *hi;
	bool linear;

	if (!nb || !nb->anon_vma || am_vma_matches(nb, attrs) == AM_MATCH_NO)
		return false;
	lo = nb->vm_end == vma->vm_start ? nb : vma;
	hi = lo == nb ? vma : nb;
	if (lo->vm_end != hi->vm_start)
		return false;
	linear = lo->vm_pgoff + vma_pages(lo) == hi->vm_pgoff;
	return linear ? nb->anon_vma != vma->anon_vma : rebase;
}

/* The VMA at @addr if a merge could follow its move; needs mmap_lock. */
static struct vm_area_struct *moved_vma(struct mm_struct *mm,
					unsigned long addr, bool rebase)
{
	VMA_ITERATOR(vmi, mm, addr);
	struct vm_area_struct *vma = find_vma(mm, addr), *prev;
	struct am_attrs attrs;

	if (!vma || vma->vm_start > addr || !vma->anon_vma ||
	    !am_vma_plain_anon(vma))
		return NULL;
	am_attrs_of(vma, &attrs);
	prev = vma_prev(&vmi);
	if (could_join(vma, prev, &attrs, rebase) ||
	    could_join(vma, find_vma(mm, vma->vm_end), &attrs, rebase))
		return vma;
	return NULL;
}

/*
 * A look under the read lock, so that the write lock is only taken again
 * when a merge can follow.
 */
static bool worth_a_look(struct mm_struct *mm, unsigned long addr,
			 bool rebase)
{
	bool found;

	if (mmap_read_lock_killable(mm))
		return false;
	am_stat_attempt();
	found = moved_vma(mm, addr, rebase);
	mmap_read_unlock(mm);
	return found;
}

/*
 * A move-only mremap() (MREMAP_FIXED, old_len == new_len) moves every VMA
 * of the source range since 6.17 (remap_move(), 7.2.13 mm/mremap.c
 * l.1923-2006), each piece landing at its offset from the source start,
 * gaps kept.  The pieces are noted before the call, as offsets, so that
 * each destination can be offered on its own; beyond AM_MREMAP_PIECES the
 * rest is refused (counted as unsupported).  Older kernels refuse such a
 * move (-EFAULT), so there is one piece, which is all they ever move.
 */
#define AM_MREMAP_PIECES 16

struct mremap_pieces {
	unsigned long off[AM_MREMAP_PIECES];
	unsigned int nr;
	unsigned int dropped;	/* pieces beyond the array */
};

/* Note the pieces of [addr, addr + len) under the read lock. */
static void note_pieces(struct mm_struct *mm, unsigned long addr,
			unsigned long len, struct mremap_pieces *p)
{
	VMA_ITERATOR(vmi, mm, addr);
	struct vm_area_struct *vma;

	p->nr = 0;
	p->dropped = 0;
	if (!len || addr + len < addr || mmap_read_lock_killable(mm))
		return;
	for_each_vma_range(vmi, vma, addr + len) {
		if (p->nr == AM_MREMAP_PIECES) {
			p->dropped++;
			continue;
		}
		p->off[p->nr++] = max(vma->vm_start, addr) - addr;
	}
	mmap_read_unlock(mm);
}

/* Offer the moved VMA that now holds @addr, if a merge can follow. */
static void offer_moved(struct mm_struct *mm, unsigned long addr, bool rebase)
{
	struct vm_area_struct *vma;

	if (!worth_a_look(mm, addr, rebase) || mmap_write_lock_killable(mm))
		return;
	/* Things may have changed in between: all checked again. */
	vma = moved_vma(mm, addr, rebase);
	if (vma)
		am_this_line->offer_vma(vma, ANONMERGE_MERGE_MREMAP, rebase);
	mmap_write_unlock(mm);
}

/*
 * Wraps __x64_sys_mremap(regs): mremap(addr, old_len, new_len, flags,
 * new_addr).  MREMAP_DONTUNMAP leaves the source VMA sharing the anon_vma
 * with the copy: left alone.  Each piece is looked up again by address:
 * an earlier offer may have merged it with its neighbour already.
 */
long am_sys_mremap(const struct pt_regs *regs)
{
	unsigned long addr = regs->di, len = PAGE_ALIGN(regs->si);
	bool move_only = (regs->r10 & MREMAP_FIXED) &&
			 len == PAGE_ALIGN(regs->dx);
	bool rebase = READ_ONCE(rebase_moved);
	struct mm_struct *mm = current->mm;
	struct mremap_pieces pieces;
	bool active;
	unsigned int i;
	long ret;
	int srcu;

	srcu = am_wrapper_enter();
	active = am_mode_get() != ANONMERGE_MODE_OFF &&
		 !(regs->r10 & MREMAP_DONTUNMAP);
	pieces.nr = 1;
	pieces.off[0] = 0;
	pieces.dropped = 0;
	if (active && move_only)
		note_pieces(mm, addr, len, &pieces);
	ret = static_call(am_orig_sys_mremap)(regs);
	if (!IS_ERR_VALUE(ret) && active) {
		for (i = 0; i < pieces.nr; i++)
			offer_moved(mm, ret + pieces.off[i], rebase);
		/* Each a candidate with its verdict, as plan.c counts. */
		for (i = 0; i < pieces.dropped; i++) {
			am_stat_candidate();
			am_stat_refuse(ANONMERGE_REFUSE_UNSUPPORTED);
		}
	}
	am_wrapper_exit(srcu);
	return ret;
}
