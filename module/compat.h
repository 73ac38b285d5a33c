/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where kernel differences are decided, from feature probes
 * only: module/probe.sh reads the kernel headers at build time (-D flags
 * from Kbuild), the rest is #ifdef here, and what headers
 * cannot say (private symbols) is probed by name at load (symbols.c).  No
 * code tests a version number.
 *
 * AM_FE_VMA_MERGE   6.1: merges go through the public vma_merge()
 *                   (line_6_1.c).
 * AM_FE_VMA_MODIFY  6.12+: merges go through mm/vma.c's vma_modify_*()
 *                   (line_vma_modify.c).
 * Neither: line_none.c, the module refuses to load.
 */
#ifndef ANONMERGE_COMPAT_H
#define ANONMERGE_COMPAT_H

#include <linux/ftrace.h>

/*
 * Setting the resume address from an ftrace callback: 6.1 spells it
 * ftrace_instruction_pointer_set(), 6.3+ ftrace_regs_set_instruction_pointer()
 * (ftrace_regs became opaque in 6.14, so no direct pt_regs access).
 */
#ifdef ftrace_regs_set_instruction_pointer
#define am_ftrace_set_ip(fregs, ip) ftrace_regs_set_instruction_pointer(fregs, ip)
#else
#define am_ftrace_set_ip(fregs, ip) ftrace_instruction_pointer_set(fregs, ip)
#endif

#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#ifdef AM_HAVE_SOFTLEAF
#include <linux/leafops.h>	/* 6.19+: softleaf_t replaces swapops */
#endif

/*
 * What a non-present, non-none page-table entry holds.  The swapops
 * helpers of 6.1/6.12 became the softleaf API in 6.19.
 */
enum am_leaf {
	AM_LEAF_NONE,		/* no page: a PTE marker (uffd-wp, guard) */
	AM_LEAF_SWAP,		/* a swap entry, returned in *swap */
	AM_LEAF_MIGRATION,
	AM_LEAF_DEVICE,		/* device-private or device-exclusive */
	AM_LEAF_OTHER,		/* hwpoison and anything unknown */
};

#ifdef AM_HAVE_SOFTLEAF
static inline enum am_leaf am_pte_leaf(pte_t pte, swp_entry_t *swap)
{
	softleaf_t entry = softleaf_from_pte(pte);

	if (softleaf_is_none(entry) || softleaf_is_marker(entry))
		return AM_LEAF_NONE;
	if (softleaf_is_migration(entry))
		return AM_LEAF_MIGRATION;
	if (softleaf_is_device_private(entry) ||
	    softleaf_is_device_exclusive(entry))
		return AM_LEAF_DEVICE;
	if (!softleaf_is_swap(entry))
		return AM_LEAF_OTHER;
	*swap = entry;
	return AM_LEAF_SWAP;
}

/* A non-present PMD: only migration and device-private entries exist. */
static inline bool am_pmd_nonpresent(pmd_t pmd)
{
	return !pmd_none(pmd) && !pmd_present(pmd);
}

static inline bool am_pmd_migration(pmd_t pmd)
{
	return pmd_is_migration_entry(pmd);
}

/* DAX devmap PMDs/PUDs are gone since 6.16. */
#define am_pmd_devmap(pmd) false
#define am_pud_devmap(pud) false
#else
static inline enum am_leaf am_pte_leaf(pte_t pte, swp_entry_t *swap)
{
	swp_entry_t entry = pte_to_swp_entry(pte);

	if (is_pte_marker_entry(entry))
		return AM_LEAF_NONE;
	if (is_migration_entry(entry))
		return AM_LEAF_MIGRATION;
	if (is_device_private_entry(entry) || is_device_exclusive_entry(entry))
		return AM_LEAF_DEVICE;
	if (non_swap_entry(entry))
		return AM_LEAF_OTHER;
	*swap = entry;
	return AM_LEAF_SWAP;
}

static inline bool am_pmd_nonpresent(pmd_t pmd)
{
	return is_swap_pmd(pmd);
}

static inline bool am_pmd_migration(pmd_t pmd)
{
	return is_pmd_migration_entry(pmd);
}

#define am_pmd_devmap(pmd) pmd_devmap(pmd)
#define am_pud_devmap(pud) pud_devmap(pud)
#endif

/*
 * Per-line helpers, implemented in the running line's line_*.c:
 * - map and lock the PTE table of @pmd at @addr (NULL if it went away,
 *   which 6.5+ allows);
 * - the folio in the swap cache for @entry, referenced, or NULL;
 * - write-lock a VMA against per-VMA-lock readers (no-op before 6.4).
 */
pte_t *am_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp);
struct folio *am_swap_cache_folio(swp_entry_t entry);
void am_vma_start_write(struct vm_area_struct *vma);

/* folio->mapping of an anonymous folio: the anon_vma plus a type bit. */
#ifdef FOLIO_MAPPING_ANON
#define AM_MAPPING_ANON FOLIO_MAPPING_ANON
#define AM_MAPPING_FLAGS FOLIO_MAPPING_FLAGS
#else
#define AM_MAPPING_ANON PAGE_MAPPING_ANON
#define AM_MAPPING_FLAGS PAGE_MAPPING_FLAGS
#endif

/* Mirrors folio_anon_vma() (mm/util.c), which is not exported. */
static inline struct anon_vma *am_folio_anon_vma(struct folio *folio)
{
	unsigned long mapping = (unsigned long)READ_ONCE(folio->mapping);

	if ((mapping & AM_MAPPING_FLAGS) != AM_MAPPING_ANON)
		return NULL;
	return (struct anon_vma *)(mapping - AM_MAPPING_ANON);
}

/*
 * The body of folio_move_anon_rmap() (6.8+) without its exclusivity
 * assertion; 6.1's page_move_anon_rmap() must not be used, as it also sets
 * PageAnonExclusive.  Caller holds the folio lock and both anon_vma roots.
 */
static inline void am_folio_set_anon_vma(struct folio *folio,
					 struct anon_vma *anon_vma)
{
	WRITE_ONCE(folio->mapping,
		   (struct address_space *)((unsigned long)anon_vma +
					    AM_MAPPING_ANON));
}

/*
 * Interleave policies place a new page by the VMA's pgoff plus the page's
 * offset in it (interleave_nid(), mm/mempolicy.c): a rebase would move
 * later faults to other nodes.  Weighted interleave (6.9+) likewise.
 */
static inline bool am_policy_uses_pgoff(struct mempolicy *pol)
{
#ifdef AM_HAVE_MPOL_WEIGHTED
	return pol->mode == MPOL_INTERLEAVE ||
	       pol->mode == MPOL_WEIGHTED_INTERLEAVE;
#else
	return pol->mode == MPOL_INTERLEAVE;
#endif
}

/*
 * VMA flags the merge ignores when it compares (is_mergeable_vma()):
 * VM_SOFTDIRTY, and since 6.18 the sticky VM_MAYBE_GUARD too (7.2.13
 * include/linux/mm.h l.630-643, VMA_IGNORE_MERGE_FLAGS).
 */
#ifdef VMA_IGNORE_MERGE_FLAGS
#define AM_MERGE_IGNORE_FLAGS (VM_SOFTDIRTY | VM_MAYBE_GUARD)
#else
#define AM_MERGE_IGNORE_FLAGS VM_SOFTDIRTY
#endif

/* 6.18+: the VMA may hold guard regions (MADV_GUARD_INSTALL). */
#ifdef VM_MAYBE_GUARD
#define AM_VM_MAYBE_GUARD VM_MAYBE_GUARD
#else
#define AM_VM_MAYBE_GUARD 0
#endif

#ifdef CONFIG_ANON_VMA_NAME
static inline struct anon_vma_name *am_vma_anon_name(struct vm_area_struct *vma)
{
	return vma->vm_file ? NULL : vma->anon_name;	/* anon_vma_name() */
}
#else
static inline struct anon_vma_name *am_vma_anon_name(struct vm_area_struct *vma)
{
	return NULL;
}
#endif

#endif /* ANONMERGE_COMPAT_H */
