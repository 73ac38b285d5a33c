/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Re-homing: moving every page of a VMA whose anon_vma is exclusively
 * owned by this mm onto the anon_vma of a neighbour (and, for a moved VMA,
 * rebasing its pgoff), so that the stock merge code finds them compatible.
 *
 * A merge plan moves up to three VMAs ("movers").  All of them are
 * prepared first (checks and allocations for all, then every folio of all
 * locked); only when all are ready is any of them applied, under the
 * anon_vma locks, where nothing can fail.  So a plan is applied whole or
 * not at all.
 */
#ifndef ANONMERGE_REHOME_H
#define ANONMERGE_REHOME_H

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/rmap.h>

#include "collect.h"

/* Returned instead of an ANONMERGE_REFUSE_* reason when all went well. */
#define AM_OK (-1)

#define AM_MAX_MOVERS 3

struct am_anon_vma_put;

struct am_mover {
	struct vm_area_struct *vma;
	/* A VMA already on the target anon_vma (@vma itself: only pgoff). */
	struct vm_area_struct *donor;
	pgoff_t new_pgoff;
	/* Filled in by am_mover_check() and am_mover_collect(): */
	struct anon_vma *src;
	struct am_folio_set set;
	struct list_head avcs;		/* links for the donor's chain */
	struct am_anon_vma_put *put;	/* for src's last reference */
	struct anon_vma_chain *old_avc;	/* freed after the locks */
	bool src_emptied;
	bool skipped;			/* test_skip_folio hit this one */
	bool leak_src;			/* test_skip_vma_lock: never free src */
};

bool am_anon_vma_exclusive(struct vm_area_struct *vma);
int am_mover_quick_check(struct vm_area_struct *vma,
			 struct vm_area_struct *donor);
int am_mover_check(struct am_mover *m);
int am_mover_collect(struct am_mover *m);
void am_mover_release(struct am_mover *m);
int am_movers_apply(struct am_mover *movers, unsigned int nr);

#endif /* ANONMERGE_REHOME_H */
