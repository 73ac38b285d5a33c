// SPDX-License-Identifier: GPL-2.0
/* The page-table walk of walk.h. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "compat.h"
#include "walk.h"

struct walk {
	struct mm_struct *mm;
	const struct am_walk_ops *ops;
	void *priv;
};

static int walk_pte_range(struct walk *w, pmd_t *pmd, unsigned long addr,
			  unsigned long end)
{
	spinlock_t *ptl;	/* the PTE table's lock */
	pte_t *start, *pte;
	int ret = w->ops->ok;

	start = am_pte_offset_map_lock(w->mm, pmd, addr, &ptl);
	if (!start)
		return w->ops->err_race;
	for (pte = start; addr < end; pte++, addr += PAGE_SIZE) {
		ret = w->ops->pte(w->priv, ptep_get(pte), addr);
		if (ret != w->ops->ok)
			break;
	}
	pte_unmap_unlock(start, ptl);
	return ret;
}

static int walk_pmd(struct walk *w, pmd_t *pmd, unsigned long addr,
		    unsigned long end)
{
	pmd_t val = READ_ONCE(*pmd);
	spinlock_t *ptl;	/* the PMD's lock */
	int ret;

	if (pmd_none(val))
		return w->ops->ok;
	if (am_pmd_nonpresent(val))
		return w->ops->pmd_swap(w->priv, val, addr);
	if (pmd_trans_huge(val) || am_pmd_devmap(val)) {
		/* Reclaim may split it under us: look again under its lock. */
		ptl = pmd_lock(w->mm, pmd);
		val = *pmd;
		if (pmd_trans_huge(val)) {
			ret = w->ops->pmd_leaf(w->priv, pmd_page(val), addr);
			spin_unlock(ptl);
			return ret;
		}
		spin_unlock(ptl);
		if (pmd_none(val))
			return w->ops->ok;
		if (!pmd_present(val))
			return w->ops->pmd_swap(w->priv, val, addr);
	}
	if (pmd_bad(val))
		return w->ops->err_bad;
	return walk_pte_range(w, pmd, addr, end);
}

static int walk_pud(struct walk *w, pud_t *pud, unsigned long addr,
		    unsigned long end)
{
	pmd_t *pmd = pmd_offset(pud, addr);
	unsigned long next;
	int ret;

	do {
		next = pmd_addr_end(addr, end);
		ret = walk_pmd(w, pmd, addr, next);
		if (ret != w->ops->ok)
			return ret;
	} while (pmd++, addr = next, addr != end);
	return w->ops->ok;
}

static int walk_p4d(struct walk *w, p4d_t *p4d, unsigned long addr,
		    unsigned long end)
{
	pud_t *pud = pud_offset(p4d, addr);
	unsigned long next;
	int ret;

	do {
		next = pud_addr_end(addr, end);
		if (pud_none(*pud))
			continue;
		/* Anonymous memory is never PUD-mapped. */
		if (pud_trans_huge(*pud) || am_pud_devmap(*pud) || pud_bad(*pud))
			return w->ops->err_bad;
		ret = walk_pud(w, pud, addr, next);
		if (ret != w->ops->ok)
			return ret;
	} while (pud++, addr = next, addr != end);
	return w->ops->ok;
}

static int walk_pgd(struct walk *w, pgd_t *pgd, unsigned long addr,
		    unsigned long end)
{
	p4d_t *p4d = p4d_offset(pgd, addr);
	unsigned long next;
	int ret;

	do {
		next = p4d_addr_end(addr, end);
		if (p4d_none(*p4d))
			continue;
		if (p4d_bad(*p4d))
			return w->ops->err_bad;
		ret = walk_p4d(w, p4d, addr, next);
		if (ret != w->ops->ok)
			return ret;
	} while (p4d++, addr = next, addr != end);
	return w->ops->ok;
}

int am_walk_vma(struct vm_area_struct *vma, const struct am_walk_ops *ops,
		void *priv)
{
	struct walk w = { .mm = vma->vm_mm, .ops = ops, .priv = priv };
	unsigned long addr = vma->vm_start, end = vma->vm_end, next;
	pgd_t *pgd = pgd_offset(w.mm, addr);
	int ret;

	do {
		next = pgd_addr_end(addr, end);
		if (pgd_none(*pgd))
			continue;
		if (pgd_bad(*pgd))
			return ops->err_bad;
		ret = walk_pgd(&w, pgd, addr, next);
		if (ret != ops->ok)
			return ret;
	} while (pgd++, addr = next, addr != end);
	return ops->ok;
}
