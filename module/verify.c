// SPDX-License-Identifier: GPL-2.0
/*
 * ANONMERGE_IOC_VERIFY: an independent check of the invariants the module
 * must keep, run by the tests after every scenario.  For one process:
 *
 * - every mapped anonymous page (and every swap-cache folio behind a swap
 *   PTE) has an anon_vma that is in its VMA's anon_vma_chain, and an index
 *   equal to linear_page_index() of its address;
 * - every such page is found from the rmap side: an interval-tree lookup
 *   of its index in its anon_vma - the lookup rmap_walk_anon() does
 *   (mm/rmap.c 6.1.192 l.2422-2460), with the kernel's own
 *   anon_vma_interval_tree_iter_first/next - yields this VMA.  That also
 *   catches a VMA whose interval was keyed with a stale or wrapping pgoff;
 * - every VMA's pgoff range does not wrap;
 * - every VMA's chain links back to the VMA and contains vma->anon_vma,
 *   all with one root;
 * - for an anon_vma whose tree holds only this process's VMAs,
 *   num_active_vmas equals the number of VMAs using it.
 *
 * It takes mmap_lock for read, so it sees no half-done re-home (those hold
 * mmap_lock for write), and, per VMA, the root of its anon_vmas for read,
 * as rmap walkers do, before the page tables (anon_vma -> PTL, the order
 * of mm/rmap.c).  A folio whose anon_vma is not in the VMA's chain is never
 * dereferenced: it may be freed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/rmap.h>
#include <linux/sched/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "anonmerge.h"
#include "compat.h"
#include "kcalls.h"
#include "walk.h"

#define VERIFY_OK 0

struct verify {
	struct vm_area_struct *vma;
	struct anonmerge_verify *out;
};

static bool in_chain(struct vm_area_struct *vma, struct anon_vma *anon_vma)
{
	struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == anon_vma)
			return true;
	return false;
}

/* Does rmap, looking up @pgoff in @anon_vma's tree, find @vma? */
static bool rmap_finds(struct anon_vma *anon_vma, pgoff_t pgoff,
		       struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;

	for (avc = static_call(am_avtree_iter_first)(&anon_vma->rb_root,
						     pgoff, pgoff);
	     avc; avc = static_call(am_avtree_iter_next)(avc, pgoff, pgoff))
		if (avc->vma == vma)
			return true;
	return false;
}

/* @page of @folio is mapped (or would be, from swap) at @addr. */
static void check_page(struct verify *v, struct folio *folio,
		       struct page *page, unsigned long addr)
{
	struct anon_vma *anon_vma = am_folio_anon_vma(folio);
	pgoff_t pgoff = folio->index + folio_page_idx(folio, page);

	if (pgoff != linear_page_index(v->vma, addr))
		v->out->bad_index++;
	if (!anon_vma)
		return;
	if (!in_chain(v->vma, anon_vma)) {
		v->out->bad_anon_vma++;
		v->out->bad_rmap++;
	} else if (anon_vma->root != v->vma->anon_vma->root) {
		v->out->bad_rmap++;	/* a tree we do not hold the lock of */
	} else if (!rmap_finds(anon_vma, pgoff, v->vma)) {
		v->out->bad_rmap++;
	}
}

static int verify_mapped(void *priv, struct page *page, unsigned long addr)
{
	struct verify *v = priv;
	struct folio *folio = page_folio(page);

	if (!folio_test_anon(folio))
		return VERIFY_OK;	/* zero page */
	if (folio_test_ksm(folio)) {
		v->out->skipped++;	/* KSM rmap goes through its own tree */
		return VERIFY_OK;
	}
	v->out->pages++;
	check_page(v, folio, page, addr);
	return VERIFY_OK;
}

static void verify_swap(struct verify *v, swp_entry_t entry,
			unsigned long addr)
{
	struct folio *folio = am_swap_cache_folio(entry);

	if (!folio)
		return;
	if (folio_test_anon(folio) && !folio_test_ksm(folio) &&
	    !folio_test_large(folio) && folio_test_swapcache(folio)) {
		v->out->swapcache++;
		check_page(v, folio, &folio->page, addr);
	}
	folio_put(folio);
}

static int verify_pte(void *priv, pte_t pte, unsigned long addr)
{
	struct verify *v = priv;
	swp_entry_t entry;
	unsigned long pfn;

	if (pte_none(pte))
		return VERIFY_OK;
	if (pte_present(pte)) {
		pfn = pte_pfn(pte);
		if (pte_special(pte) || is_zero_pfn(pfn) || !pfn_valid(pfn))
			return VERIFY_OK;
		return verify_mapped(v, pfn_to_page(pfn), addr);
	}
	switch (am_pte_leaf(pte, &entry)) {
	case AM_LEAF_SWAP:
		verify_swap(v, entry, addr);
		break;
	case AM_LEAF_MIGRATION:
	case AM_LEAF_DEVICE:
		v->out->skipped++;
		break;
	default:
		break;
	}
	return VERIFY_OK;
}

/* A PMD-mapped folio: every one of its pages. */
static int verify_pmd_leaf(void *priv, struct page *page, unsigned long addr)
{
	struct folio *folio = page_folio(page);
	long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr; i++)
		verify_mapped(priv, folio_page(folio, i), addr + i * PAGE_SIZE);
	return VERIFY_OK;
}

static int verify_pmd_swap(void *priv, pmd_t pmd, unsigned long addr)
{
	struct verify *v = priv;

	v->out->skipped++;
	return VERIFY_OK;
}

static const struct am_walk_ops verify_ops = {
	.pte = verify_pte,
	.pmd_leaf = verify_pmd_leaf,
	.pmd_swap = verify_pmd_swap,
	.err_race = -EAGAIN,
	.err_bad = -EFAULT,
	.ok = VERIFY_OK,
};

static bool chain_ok(struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc;
	struct anon_vma *root = vma->anon_vma->root;

	if (!in_chain(vma, vma->anon_vma))
		return false;
	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->vma != vma || avc->anon_vma->root != root)
			return false;
	return true;
}

/* num_active_vmas of @anon_vma, when only this mm can use it. */
static bool accounting_ok(struct anon_vma *anon_vma, struct mm_struct *mm)
{
	unsigned long active = 0;
	bool only_this_mm = true;
	struct rb_node *node;

	for (node = rb_first_cached(&anon_vma->rb_root); node;
	     node = rb_next(node)) {
		struct anon_vma_chain *avc =
			rb_entry(node, struct anon_vma_chain, rb);

		only_this_mm &= avc->vma->vm_mm == mm;
		active += avc->vma->anon_vma == anon_vma;
	}
	/* Other processes' VMAs count too: not ours to check then. */
	return !only_this_mm || active == anon_vma->num_active_vmas;
}

/* The last page offset does not wrap around. */
static bool pgoff_ok(struct vm_area_struct *vma)
{
	return vma->vm_pgoff + vma_pages(vma) - 1 >= vma->vm_pgoff;
}

static int verify_vma(struct vm_area_struct *vma, struct anonmerge_verify *out)
{
	struct verify v = { .vma = vma, .out = out };
	struct anon_vma *root = vma->anon_vma->root;
	int err;

	out->vmas++;
	if (!pgoff_ok(vma))
		out->bad_pgoff++;
	down_read(&root->rwsem);
	/* The tree is walked only when it is the one whose lock we hold. */
	if (!chain_ok(vma) || !accounting_ok(vma->anon_vma, vma->vm_mm))
		out->bad_vma++;
	err = am_walk_vma(vma, &verify_ops, &v);
	up_read(&root->rwsem);
	return err;
}

static int verify_mm(struct mm_struct *mm, struct anonmerge_verify *out)
{
	VMA_ITERATOR(vmi, mm, out->start);
	unsigned long end = out->len ? out->start + out->len : TASK_SIZE_MAX;
	struct vm_area_struct *vma;
	int err = 0;

	if (mmap_read_lock_killable(mm))
		return -EINTR;
	for_each_vma_range(vmi, vma, end) {
		/* hugetlb indexes count huge pages: not ours to check. */
		if (!vma->anon_vma ||
		    (vma->vm_flags & (VM_SHARED | VM_HUGETLB)))
			continue;
		err = verify_vma(vma, out);
		if (err)
			break;
	}
	mmap_read_unlock(mm);
	return err;
}

/*
 * The mm of @task, if the caller may read its memory layout as
 * /proc/PID/maps allows: mm_access() of kernel/fork.c (6.1.192
 * l.1424-1443), not exported - the access check and the mm taken under
 * exec_update_lock, so that an exec in between cannot swap the mm.
 */
static struct mm_struct *verify_mm_access(struct task_struct *task, int *err)
{
	struct mm_struct *mm;

	if (down_read_killable(&task->signal->exec_update_lock)) {
		*err = -EINTR;
		return NULL;
	}
	mm = get_task_mm(task);
	if (mm && mm != current->mm &&
	    !static_call(am_ptrace_may_access)(task, PTRACE_MODE_READ_FSCREDS)) {
		mmput(mm);
		mm = NULL;
		*err = -EACCES;
	} else if (!mm) {
		*err = -EINVAL;	/* kernel thread or exiting */
	}
	up_read(&task->signal->exec_update_lock);
	return mm;
}

int am_verify(struct anonmerge_verify *req)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int err = 0;

	if (req->flags || req->start + req->len < req->start)
		return -EINVAL;
	if (!req->pid) {
		task = get_task_struct(current);
	} else {
		pid = find_get_pid(req->pid);
		task = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
		put_pid(pid);
		if (!task)
			return -ESRCH;
	}
	mm = verify_mm_access(task, &err);
	put_task_struct(task);
	if (!mm)
		return err;
	err = verify_mm(mm, req);
	mmput(mm);
	return err;
}
