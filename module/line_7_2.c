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

#include "anonmerge.h"

static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_KALLSYMS_LOOKUP_NAME] = { "kallsyms_lookup_name" },
	[AM_SYM_MERGE_EXISTING] = { "vma_modify_flags" },
	[AM_SYM_MERGE_EXISTING_NAME] = { "vma_modify_name" },
	[AM_SYM_MERGE_EXISTING_POLICY] = { "vma_modify_policy" },
	[AM_SYM_MERGE_EXISTING_UFFD] = { "vma_modify_flags_uffd" },
	[AM_SYM_MMAP_REGION] = { "mmap_region" },
	[AM_SYM_MREMAP_MOVE] = { "do_mremap" },
	[AM_SYM_ANON_VMA_CHAIN_CACHEP] = { "anon_vma_chain_cachep" },
	[AM_SYM_AVTREE_INSERT] = { "anon_vma_interval_tree_insert" },
	[AM_SYM_AVTREE_REMOVE] = { "anon_vma_interval_tree_remove" },
	[AM_SYM_PUT_ANON_VMA] = { "__put_anon_vma" },
	[AM_SYM_SWAP_CACHE_GET_FOLIO] = { "swap_cache_get_folio" },
	[AM_SYM_MIGRATION_ENTRY_WAIT] = { "migration_entry_wait" },
};

static struct am_hook line_hooks[] = {
	{ .sym = AM_SYM_MERGE_EXISTING, .count = am_stat_attempt },
	{ .sym = AM_SYM_MERGE_EXISTING_NAME, .count = am_stat_attempt },
	{ .sym = AM_SYM_MERGE_EXISTING_POLICY, .count = am_stat_attempt },
	{ .sym = AM_SYM_MERGE_EXISTING_UFFD, .count = am_stat_attempt },
};

static void line_bind_calls(void)
{
}

static const struct am_line line_7_2 = {
	.name = "7.2",
	.id = ANONMERGE_LINE_7_2,
	.symbols = line_symbols,
	.hooks = line_hooks,
	.nr_hooks = ARRAY_SIZE(line_hooks),
	.features = ANONMERGE_FEAT_STATS,
	.bind_calls = line_bind_calls,
};

const struct am_line *const am_this_line = &line_7_2;

#endif /* AM_LINE_7_2 */
