/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Re-homing: moving every page of a VMA whose anon_vma is exclusively
 * owned by it (and other VMAs of the same mm) onto the anon_vma of a
 * neighbour, so that the stock merge code finds the two compatible.
 */
#ifndef ANONMERGE_REHOME_H
#define ANONMERGE_REHOME_H

#include <linux/mm.h>
#include <linux/rmap.h>

/* Returned instead of an ANONMERGE_REFUSE_* reason when all went well. */
#define AM_OK (-1)

/*
 * Folios of one VMA, each locked and referenced, collected before any
 * rmap change so that the change itself cannot fail half way.
 */
struct am_folio_set {
	struct mm_struct *mm;
	struct vm_area_struct *vma;
	struct anon_vma *src;		/* every folio's current anon_vma */
	struct folio **folios;
	unsigned int nr;
	unsigned int max;
	unsigned long nr_pages;
	struct folio *last;		/* to see a large folio once */
};

extern unsigned int am_max_rehome_pages;

int am_folios_collect(struct am_folio_set *set);
void am_folios_release(struct am_folio_set *set);

bool am_anon_vma_exclusive(struct vm_area_struct *vma);
int am_rehome(struct vm_area_struct *vma, struct vm_area_struct *donor,
	      pgoff_t new_pgoff, bool dry_run);

#endif /* ANONMERGE_REHOME_H */
