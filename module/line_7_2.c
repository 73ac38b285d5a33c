// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel line 7.2 (Debian "sid"): merges of
 * existing ranges enter mm/vma.c through the vma_modify_*() family.  Their
 * prototypes live in the private mm/vma.h, so until the merge work for this
 * line lands the hooks only count calls; nothing here calls into them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#ifdef AM_LINE_7_2

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/static_call.h>
#include <linux/swap.h>

#include "anonmerge.h"
#include "kcalls.h"

/* Beyond the symbols every line needs (symbols.c). */
static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_MERGE_EXISTING] = { "vma_modify_flags" },
	[AM_SYM_MERGE_EXISTING_NAME] = { "vma_modify_name" },
	[AM_SYM_MERGE_EXISTING_POLICY] = { "vma_modify_policy" },
	[AM_SYM_MERGE_EXISTING_UFFD] = { "vma_modify_flags_uffd" },
	[AM_SYM_PTE_OFFSET_MAP_LOCK] = { "pte_offset_map_lock" },
	[AM_SYM_SWAP_CACHE_GET_FOLIO] = { "swap_cache_get_folio" },
};

/*
 * <linux/mm.h> and mm/swap.h (private), 7.2.13: the swap-table design
 * looks the swap cache up by entry only.
 */
typedef pte_t *(pte_offset_map_lock_t)(struct mm_struct *mm, pmd_t *pmd,
				     unsigned long addr, spinlock_t **ptlp);
typedef struct folio *(swap_cache_get_folio_t)(swp_entry_t entry);
static_assert(__same_type(&pte_offset_map_lock,
			  (pte_offset_map_lock_t *)NULL));

DEFINE_STATIC_CALL_NULL(am_pte_offset_map_lock_call, pte_offset_map_lock_t);
DEFINE_STATIC_CALL_NULL(am_swap_cache_get_folio, swap_cache_get_folio_t);

/* ---- compat helpers (compat.h) ---- */

/* pte_offset_map_lock() is an unexported function since 7.x. */
pte_t *am_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp)
{
	return static_call(am_pte_offset_map_lock_call)(mm, pmd, addr, ptlp);
}

/*
 * swap_cache_get_folio() (mm/swap_state.c 7.2.13 l.75-103) wants the swap
 * device pinned by its caller, and may return a folio that has left the
 * swap cache or now caches another entry: callers must check that, as
 * folio_matches_swap_entry() (mm/swap.h l.279) does under the folio lock.
 * Ours look unlocked (the PTE lock is held), so the check here is a
 * filter; verify and collect re-check what they rely on.
 */
struct folio *am_swap_cache_folio(swp_entry_t entry)
{
	struct swap_info_struct *si;
	struct folio *folio;

	si = static_call(am_get_swap_device)(entry);
	if (!si)
		return NULL;
	folio = static_call(am_swap_cache_get_folio)(entry);
	put_swap_device(si);
	if (folio && (!folio_test_swapcache(folio) ||
		      folio->swap.val != entry.val)) {
		folio_put(folio);
		folio = NULL;
	}
	return folio;
}

void am_vma_start_write(struct vm_area_struct *vma)
{
	vma_start_write(vma);	/* __vma_start_write() is exported */
}

static struct am_hook line_hooks[] = {
	{ .sym = AM_SYM_MERGE_EXISTING, .count = am_stat_attempt },
	{ .sym = AM_SYM_MERGE_EXISTING_NAME, .count = am_stat_attempt },
	{ .sym = AM_SYM_MERGE_EXISTING_POLICY, .count = am_stat_attempt },
	{ .sym = AM_SYM_MERGE_EXISTING_UFFD, .count = am_stat_attempt },
};

static void line_bind_calls(void)
{
	static_call_update(am_pte_offset_map_lock_call,
			   (pte_offset_map_lock_t *)
			   am_sym_addr(AM_SYM_PTE_OFFSET_MAP_LOCK));
	static_call_update(am_swap_cache_get_folio,
			   (swap_cache_get_folio_t *)
			   am_sym_addr(AM_SYM_SWAP_CACHE_GET_FOLIO));
}

static const struct am_line line_7_2 = {
	.name = "7.2",
	.id = ANONMERGE_LINE_7_2,
	.symbols = line_symbols,
	.hooks = line_hooks,
	.nr_hooks = ARRAY_SIZE(line_hooks),
	.features = ANONMERGE_FEAT_STATS | ANONMERGE_FEAT_VERIFY,
	.bind_calls = line_bind_calls,
};

const struct am_line *const am_this_line = &line_7_2;

#endif /* AM_LINE_7_2 */
