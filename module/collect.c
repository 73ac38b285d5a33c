// SPDX-License-Identifier: GPL-2.0
/*
 * Collecting the folios of a VMA before its re-home.
 *
 * Every anonymous folio mapped by the VMA, and every swap-cache folio
 * behind one of its swap PTEs, is trylocked (under the page-table lock,
 * never sleeping) and referenced.  While the module holds those locks no
 * reclaim, migration or split can start on them, and with mmap_lock held
 * for write (plus the VMA write lock on 6.4+) nothing else changes the
 * page tables, so the rmap change that follows cannot meet a surprise.
 *
 * Holding many folio locks at once is unusual; it cannot deadlock because
 * every one is only ever trylocked: a folio somebody else holds refuses the
 * re-home instead of waiting.  Reclaim and migration that meet one of ours
 * skip it (trylock) or wait for the few milliseconds a re-home takes.
 *
 * A large folio is taken only when every one of its pages is mapped by this
 * VMA: part of it mapped by another VMA of the same anon_vma (the rest
 * moved away by mremap) would lose that part to rmap when the folio's
 * anon_vma changes.  Within one mm an anonymous page is mapped at most once
 * (KSM aside, which is refused), so "all pages here" means "nowhere else".
 *
 * Anything the module cannot settle refuses the whole re-home: migration
 * entries, device entries, KSM folios, pinned folios, large folios not
 * wholly mapped here, large swap-cache folios, a folio lock somebody else
 * holds, or more pages than am_max_rehome_pages.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include <uapi/linux/anonmerge.h>

#include "collect.h"
#include "compat.h"
#include "rehome.h"
#include "walk.h"

/* Does the large @folio lie wholly inside the VMA's page offsets? */
static bool folio_inside_vma(struct folio *folio, struct vm_area_struct *vma)
{
	pgoff_t first = folio->index;
	pgoff_t last = first + folio_nr_pages(folio) - 1;

	return first >= vma->vm_pgoff &&
	       last < vma->vm_pgoff + vma_pages(vma);
}

/* Room for @nr_pages more pages in one more slot? */
static bool set_has_room(struct am_folio_set *set, unsigned long nr_pages)
{
	return set->nr < set->max &&
	       set->nr_pages + nr_pages <= am_max_rehome_pages;
}

/* The previous large folio must have had all its pages mapped here. */
static int finish_last(struct am_folio_set *set)
{
	struct folio *folio = set->last;

	if (folio && folio_test_large(folio) &&
	    set->last_seen != folio_nr_pages(folio))
		return ANONMERGE_REFUSE_LARGE_FOLIO;
	return AM_OK;
}

/* Lock @folio (referenced by the caller or by its mapping) and keep it. */
static int add_folio(struct am_folio_set *set, struct folio *folio)
{
	if (folio_test_ksm(folio))
		return ANONMERGE_REFUSE_KSM;
	if (folio_test_large(folio) && !folio_inside_vma(folio, set->vma))
		return ANONMERGE_REFUSE_LARGE_FOLIO;
	if (folio_maybe_dma_pinned(folio))
		return ANONMERGE_REFUSE_PINNED;
	if (!set_has_room(set, folio_nr_pages(folio)))
		return ANONMERGE_REFUSE_TOO_MANY_PAGES;
	if (!folio_trylock(folio))
		return ANONMERGE_REFUSE_FOLIO_BUSY;
	/* Stable now: mapping only changes under the folio lock. */
	if (am_folio_anon_vma(folio) != set->src) {
		folio_unlock(folio);
		return ANONMERGE_REFUSE_RACE;
	}
	folio_get(folio);
	set->folios[set->nr++] = folio;
	set->nr_pages += folio_nr_pages(folio);
	return AM_OK;
}

/* @nr pages of @page's folio are mapped here, from @page on. */
static int collect_mapped(struct am_folio_set *set, struct page *page,
			  unsigned long nr)
{
	struct folio *folio = page_folio(page);
	int ret;

	/* The pages of a large folio sit at consecutive addresses. */
	if (folio == set->last) {
		set->last_seen += nr;
		return AM_OK;
	}
	ret = finish_last(set);
	if (ret != AM_OK)
		return ret;
	set->last = folio;
	set->last_seen = nr;
	/*
	 * A non-anonymous page in an anonymous VMA is the (huge) zero page:
	 * it has no reverse map to move.  KSM folios count as anonymous.
	 */
	if (!folio_test_anon(folio)) {
		set->last = NULL;
		return AM_OK;
	}
	return add_folio(set, folio);
}

static int collect_swap(struct am_folio_set *set, swp_entry_t entry)
{
	struct folio *folio = am_swap_cache_folio(entry);
	int ret = AM_OK;

	/* Not cached: swap-in will use the VMA's anon_vma of that time. */
	if (!folio)
		return AM_OK;
	if (folio_test_large(folio)) {
		/* do_swap_page() maps large swap-cache folios without checks. */
		ret = ANONMERGE_REFUSE_SWAP;
	} else if (folio_test_ksm(folio)) {
		ret = ANONMERGE_REFUSE_KSM;
	} else if (!folio_trylock(folio)) {
		ret = ANONMERGE_REFUSE_FOLIO_BUSY;
	} else if (!folio_test_swapcache(folio) || !folio_test_anon(folio)) {
		/* Leaving the cache, or readahead never mapped: no rmap. */
		folio_unlock(folio);
	} else if (am_folio_anon_vma(folio) != set->src) {
		folio_unlock(folio);
		ret = ANONMERGE_REFUSE_SWAP;
	} else if (!set_has_room(set, 1)) {
		folio_unlock(folio);
		ret = ANONMERGE_REFUSE_TOO_MANY_PAGES;
	} else {
		/* Keep the lookup's reference. */
		set->folios[set->nr++] = folio;
		set->nr_pages++;
		return AM_OK;
	}
	folio_put(folio);
	return ret;
}

static int collect_pte(void *priv, pte_t pte, unsigned long addr)
{
	struct am_folio_set *set = priv;
	swp_entry_t entry;
	unsigned long pfn;

	if (pte_none(pte))
		return AM_OK;
	if (pte_present(pte)) {
		pfn = pte_pfn(pte);
		if (pte_special(pte) || is_zero_pfn(pfn))
			return AM_OK;
		if (!pfn_valid(pfn))
			return ANONMERGE_REFUSE_UNSUPPORTED;
		return collect_mapped(set, pfn_to_page(pfn), 1);
	}
	switch (am_pte_leaf(pte, &entry)) {
	case AM_LEAF_NONE:
		return AM_OK;	/* a PTE marker: no page */
	case AM_LEAF_MIGRATION:
		return ANONMERGE_REFUSE_MIGRATION;
	case AM_LEAF_DEVICE:
		return ANONMERGE_REFUSE_DEVICE;
	case AM_LEAF_OTHER:
		return ANONMERGE_REFUSE_UNSUPPORTED;	/* hwpoison */
	case AM_LEAF_SWAP:
		break;
	}
	return collect_swap(set, entry);
}

/* A PMD maps every page of its folio. */
static int collect_pmd_page(void *priv, struct page *page, unsigned long addr)
{
	return collect_mapped(priv, page, folio_nr_pages(page_folio(page)));
}

static int collect_pmd_swap(void *priv, pmd_t pmd, unsigned long addr)
{
	return am_pmd_migration(pmd) ? ANONMERGE_REFUSE_MIGRATION :
				       ANONMERGE_REFUSE_DEVICE;
}

static const struct am_walk_ops collect_ops = {
	.pte = collect_pte,
	.pmd_leaf = collect_pmd_page,
	.pmd_swap = collect_pmd_swap,
	.err_race = ANONMERGE_REFUSE_RACE,
	.err_bad = ANONMERGE_REFUSE_UNSUPPORTED,
	.ok = AM_OK,
};

/**
 * am_folios_collect - lock and reference every folio of set->vma
 * @set: vma, src (the VMA's anon_vma) and max filled in; folios
 *	allocated for max entries.
 *
 * Caller holds mmap_lock for write.  On failure everything collected so far
 * is released and the refusal reason returned; on success the caller must
 * call am_folios_release() when done.
 */
int am_folios_collect(struct am_folio_set *set)
{
	int ret;

	set->nr = 0;
	set->nr_pages = 0;
	set->last = NULL;
	set->last_seen = 0;
	ret = am_walk_vma(set->vma, &collect_ops, set);
	if (ret == AM_OK)
		ret = finish_last(set);
	if (ret != AM_OK)
		am_folios_release(set);
	return ret;
}

void am_folios_release(struct am_folio_set *set)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		folio_unlock(set->folios[i]);
		folio_put(set->folios[i]);
	}
	set->nr = 0;
}
