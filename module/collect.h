/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The folios of one VMA, each locked and referenced, collected before any
 * rmap change so that the change itself cannot fail half way.
 */
#ifndef ANONMERGE_COLLECT_H
#define ANONMERGE_COLLECT_H

#include <linux/mm_types.h>

struct am_folio_set {
	struct vm_area_struct *vma;
	struct anon_vma *src;		/* every folio's current anon_vma */
	struct folio **folios;
	unsigned int nr;
	unsigned int max;
	unsigned long nr_pages;
	struct folio *last;		/* folio of the previous page seen */
	unsigned long last_seen;	/* its pages seen mapped in the VMA */
};

extern unsigned int am_max_rehome_pages;

int am_folios_collect(struct am_folio_set *set);
void am_folios_release(struct am_folio_set *set);

#endif /* ANONMERGE_COLLECT_H */
