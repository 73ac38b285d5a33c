// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel line 6.12 (Debian 13 "trixie", bookworm-backports): merges of
 * existing ranges enter mm/vma.c through the vma_modify_*() family.  Their
 * prototypes live in the private mm/vma.h, so until the merge work for this
 * line lands the hooks only count calls; nothing here calls into them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#ifdef AM_LINE_6_12

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/static_call.h>
#include <linux/swap.h>

#include "anonmerge.h"
#include "kcalls.h"

/* Beyond the symbols every line needs (symbols.c). */
static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_MERGE_EXISTING] = { "vma_modify_flags" },
	[AM_SYM_MERGE_EXISTING_NAME] = { "vma_modify_flags_name" },
	[AM_SYM_MERGE_EXISTING_POLICY] = { "vma_modify_policy" },
	[AM_SYM_MERGE_EXISTING_UFFD] = { "vma_modify_flags_uffd" },
	[AM_SYM_PTE_OFFSET_MAP_LOCK] = { "__pte_offset_map_lock" },
	[AM_SYM_SWAPPER_SPACES] = { "swapper_spaces" },
};

/* <linux/mm.h> and mm/swap.h (private), 6.12.117. */
typedef pte_t *(pte_offset_map_lock_t)(struct mm_struct *mm, pmd_t *pmd,
				     unsigned long addr, spinlock_t **ptlp);
static_assert(__same_type(&__pte_offset_map_lock,
			  (pte_offset_map_lock_t *)NULL));

DEFINE_STATIC_CALL_NULL(am_pte_offset_map_lock_call, pte_offset_map_lock_t);

/* ---- compat helpers (compat.h) ---- */

/* pte_offset_map_lock() of <linux/mm.h>, whose body is not exported. */
pte_t *am_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp)
{
	return static_call(am_pte_offset_map_lock_call)(mm, pmd, addr, ptlp);
}

/*
 * swap_cache_get_folio() (mm/swap_state.c 6.12.117 l.351-392) without its
 * readahead bookkeeping: it clears PG_readahead and counts a readahead hit
 * even without a VMA, so later swap-ins would read ahead differently from
 * stock.  swap_address_space() and swap_cache_index() of mm/swap.h (l.27-50),
 * private; the device is pinned against swapoff as that function's callers
 * must (l.349).
 */
#define AM_SWAP_ADDRESS_SPACE_SHIFT 14

struct folio *am_swap_cache_folio(swp_entry_t entry)
{
	struct address_space **spaces =
		(struct address_space **)am_sym_addr(AM_SYM_SWAPPER_SPACES);
	pgoff_t offset = swp_offset(entry);
	struct swap_info_struct *si;
	struct folio *folio;

	si = static_call(am_get_swap_device)(entry);
	if (!si)
		return NULL;
	folio = filemap_get_folio(&spaces[swp_type(entry)][offset >>
						AM_SWAP_ADDRESS_SPACE_SHIFT],
				  offset & (BIT(AM_SWAP_ADDRESS_SPACE_SHIFT) - 1));
	put_swap_device(si);
	return IS_ERR(folio) ? NULL : folio;
}

void am_vma_start_write(struct vm_area_struct *vma)
{
	vma_start_write(vma);
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
}

static const struct am_line line_6_12 = {
	.name = "6.12",
	.id = ANONMERGE_LINE_6_12,
	.symbols = line_symbols,
	.hooks = line_hooks,
	.nr_hooks = ARRAY_SIZE(line_hooks),
	.features = ANONMERGE_FEAT_STATS | ANONMERGE_FEAT_VERIFY,
	.bind_calls = line_bind_calls,
};

const struct am_line *const am_this_line = &line_6_12;

#endif /* AM_LINE_6_12 */
