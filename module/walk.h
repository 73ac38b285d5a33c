/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A page-table walk over one VMA, open-coded because walk_page_range() is
 * neither exported nor (6.12+) callable indirectly.  The caller holds
 * mmap_lock; each PTE table is visited under its lock, each PMD leaf under
 * the PMD lock.
 */
#ifndef ANONMERGE_WALK_H
#define ANONMERGE_WALK_H

#include <linux/mm.h>

struct am_walk_ops {
	/* A PTE (present or not) at @addr; PTL held. */
	int (*pte)(void *priv, pte_t pte, unsigned long addr);
	/* A PMD-mapped page (the head) at @addr; PMD lock held. */
	int (*pmd_leaf)(void *priv, struct page *page, unsigned long addr);
	/* A non-present PMD (migration entry) at @addr. */
	int (*pmd_swap)(void *priv, pmd_t pmd, unsigned long addr);
	/* Returned when a table changed under the walk or is malformed. */
	int err_race, err_bad;
	/* The value that means "go on". */
	int ok;
};

int am_walk_vma(struct vm_area_struct *vma, const struct am_walk_ops *ops,
		void *priv);

#endif /* ANONMERGE_WALK_H */
