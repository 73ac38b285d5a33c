// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel line 6.1 (Debian 12 "bookworm"): every merge of an existing range
 * goes through vma_merge() (mm/mmap.c), whose prototype is public in
 * <linux/mm.h>, so the module redirects it to a wrapper of the same type.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#ifdef AM_LINE_6_1

#include <linux/mm.h>
#include <linux/static_call.h>

#include "anonmerge.h"

static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_KALLSYMS_LOOKUP_NAME] = { "kallsyms_lookup_name" },
	[AM_SYM_MERGE_EXISTING] = { "vma_merge" },
	[AM_SYM_MMAP_REGION] = { "mmap_region" },
	[AM_SYM_MREMAP_MOVE] = { "move_vma" },
	[AM_SYM_ANON_VMA_CHAIN_CACHEP] = { "anon_vma_chain_cachep", true },
	[AM_SYM_AVTREE_INSERT] = { "anon_vma_interval_tree_insert" },
	[AM_SYM_AVTREE_REMOVE] = { "anon_vma_interval_tree_remove" },
	[AM_SYM_PUT_ANON_VMA] = { "__put_anon_vma" },
	[AM_SYM_SWAP_CACHE_GET_FOLIO] = { "swap_cache_get_folio" },
	[AM_SYM_MIGRATION_ENTRY_WAIT] = { "migration_entry_wait" },
};

DEFINE_STATIC_CALL_NULL(am_orig_vma_merge, vma_merge);

/* Same prototype as vma_merge() in 6.1 <linux/mm.h>. */
static struct vm_area_struct *
am_vma_merge(struct mm_struct *mm, struct vm_area_struct *prev,
	     unsigned long addr, unsigned long end, unsigned long vm_flags,
	     struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff,
	     struct mempolicy *policy, struct vm_userfaultfd_ctx uffd_ctx,
	     struct anon_vma_name *anon_name)
{
	struct vm_area_struct *ret;

	am_wrapper_enter();
	am_stat_attempt();
	ret = static_call(am_orig_vma_merge)(mm, prev, addr, end, vm_flags,
					     anon_vma, file, pgoff, policy,
					     uffd_ctx, anon_name);
	am_wrapper_exit();
	return ret;
}

static void line_bind_calls(void)
{
	static_call_update(am_orig_vma_merge,
			   (typeof(&vma_merge))am_sym_addr(AM_SYM_MERGE_EXISTING));
}

static struct am_hook line_hooks[] = {
	{ .sym = AM_SYM_MERGE_EXISTING, .wrapper = am_vma_merge },
};

static const struct am_line line_6_1 = {
	.name = "6.1",
	.id = ANONMERGE_LINE_6_1,
	.symbols = line_symbols,
	.hooks = line_hooks,
	.nr_hooks = ARRAY_SIZE(line_hooks),
	.bind_calls = line_bind_calls,
};

const struct am_line *const am_this_line = &line_6_1;

#endif /* AM_LINE_6_1 */
