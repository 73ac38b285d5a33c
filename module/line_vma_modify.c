// SPDX-License-Identifier: GPL-2.0
/*
 * The mm/vma.c front end (6.12 and later: Debian 13, bookworm-backports,
 * sid).
 *
 * Every merge of an existing range (mprotect, mlock, mseal, madvise, prctl
 * names, mbind, userfaultfd) enters mm/vma.c through one of the four
 * vma_modify_*() functions, which build their struct vma_merge_struct from
 * the VMA as it is at the call (VMG_VMA_STATE(): vma->anon_vma and
 * vma_pgoff_offset()) and run vma_merge_existing_range().  Each is
 * redirected to a wrapper that describes the merge to the plan engine
 * (sides as that function chooses them; the model is am_predict_sides()),
 * lets it re-home what makes the merge join more, and then calls the
 * original, which sees the re-homed VMAs: no argument is rewritten.
 *
 * mmap() hole fills (mmap.c) and mremap() moves (mremap.c) are offered
 * afterwards through the same original with the VMA's own attributes, as
 * on 6.1.  brk and copy_vma() are left to stock: brk only expands an
 * unfaulted range, and copy_vma() places pages that have not moved yet.
 *
 * Checked against Debian's 6.12.117 and 7.2.13 mm/vma.c and mm/vma.h:
 * vma_modify() and the vma_modify_*() family (6.12 l.1437-1530, 7.2
 * l.1668-1761), VMG_VMA_STATE() (6.12 vma.h l.129-147).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#ifdef AM_FE_VMA_MODIFY

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/static_call.h>
#include <linux/stringify.h>
#include <linux/swap.h>
#include <linux/version.h>

#include "anonmerge.h"
#include "ibt_audit.h"
#include "kcalls.h"
#include "mergeable.h"
#include "plan.h"

/* Beyond the symbols every line needs (symbols.c). */
static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_MERGE_EXISTING] = { "vma_modify_flags" },
#ifdef AM_VMA_MODIFY_NAME
	[AM_SYM_MERGE_EXISTING_NAME] = { "vma_modify_name" },
#else
	[AM_SYM_MERGE_EXISTING_NAME] = { "vma_modify_flags_name" },
#endif
	[AM_SYM_MERGE_EXISTING_POLICY] = { "vma_modify_policy" },
	[AM_SYM_MERGE_EXISTING_UFFD] = { "vma_modify_flags_uffd" },
	[AM_SYM_PTE_OFFSET_MAP_LOCK] = { __stringify(AM_PTE_MAP_LOCK_SYM) },
#ifdef AM_SWAP_ADDRESS_SPACES
	[AM_SYM_SWAPPER_SPACES] = { "swapper_spaces" },
#else
	[AM_SYM_SWAP_CACHE_GET_FOLIO] = { "swap_cache_get_folio" },
#endif
};

/*
 * The prototypes of the private mm/vma.h (6.12.117 l.289-341, 7.2.13
 * l.359-438).  6.18+ passes VMA flags as a bitmap type, by pointer, and
 * vma_modify_flags() writes the sticky flags it kept back through it.
 */
#ifdef AM_HAVE_VMA_FLAGS_T
#define am_new_flags_t vma_flags_t *
#define am_uffd_flags_t const vma_flags_t *
#define am_new_flags_legacy(f) vma_flags_to_legacy(*(f))
#else
#define am_new_flags_t unsigned long
#define am_uffd_flags_t unsigned long
#define am_new_flags_legacy(f) (f)
#endif

typedef struct vm_area_struct *(vma_modify_flags_t)(struct vma_iterator *vmi,
		struct vm_area_struct *prev, struct vm_area_struct *vma,
		unsigned long start, unsigned long end,
		am_new_flags_t new_flags);
#ifdef AM_VMA_MODIFY_NAME
typedef struct vm_area_struct *(vma_modify_name_t)(struct vma_iterator *vmi,
		struct vm_area_struct *prev, struct vm_area_struct *vma,
		unsigned long start, unsigned long end,
		struct anon_vma_name *new_name);
#else
typedef struct vm_area_struct *(vma_modify_name_t)(struct vma_iterator *vmi,
		struct vm_area_struct *prev, struct vm_area_struct *vma,
		unsigned long start, unsigned long end,
		unsigned long new_flags, struct anon_vma_name *new_name);
#endif
typedef struct vm_area_struct *(vma_modify_policy_t)(struct vma_iterator *vmi,
		struct vm_area_struct *prev, struct vm_area_struct *vma,
		unsigned long start, unsigned long end,
		struct mempolicy *new_pol);
typedef struct vm_area_struct *(vma_modify_uffd_t)(struct vma_iterator *vmi,
		struct vm_area_struct *prev, struct vm_area_struct *vma,
		unsigned long start, unsigned long end,
		am_uffd_flags_t new_flags, struct vm_userfaultfd_ctx new_ctx,
		bool give_up_on_oom);
typedef pte_t *(pte_offset_map_lock_t)(struct mm_struct *mm, pmd_t *pmd,
				       unsigned long addr, spinlock_t **ptlp);
#ifndef AM_SWAP_ADDRESS_SPACES
typedef struct folio *(swap_cache_get_folio_t)(swp_entry_t entry);
#endif
static_assert(__same_type(&AM_PTE_MAP_LOCK_SYM,
			  (pte_offset_map_lock_t *)NULL));

DEFINE_STATIC_CALL_NULL(am_orig_vma_modify_flags, vma_modify_flags_t);
DEFINE_STATIC_CALL_NULL(am_orig_vma_modify_name, vma_modify_name_t);
DEFINE_STATIC_CALL_NULL(am_orig_vma_modify_policy, vma_modify_policy_t);
DEFINE_STATIC_CALL_NULL(am_orig_vma_modify_uffd, vma_modify_uffd_t);
DEFINE_STATIC_CALL_NULL(am_pte_offset_map_lock_call, pte_offset_map_lock_t);
#ifndef AM_SWAP_ADDRESS_SPACES
DEFINE_STATIC_CALL_NULL(am_swap_cache_get_folio, swap_cache_get_folio_t);
#endif

/* ---- compat helpers (compat.h) ---- */

/* pte_offset_map_lock(): its out-of-line part is not exported. */
pte_t *am_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp)
{
	return static_call(am_pte_offset_map_lock_call)(mm, pmd, addr, ptlp);
}

#define AM_SWAP_ADDRESS_SPACE_SHIFT 14

/*
 * The swap-cache folio for @entry, referenced, without side effects.
 *
 * With swapper_spaces (AM_SWAP_ADDRESS_SPACES): a plain page-cache
 * lookup, as 6.1's line does.  swap_cache_get_folio() (6.12.117 mm/swap_state.c
 * l.351-392) would clear PG_readahead and count a readahead hit even
 * without a VMA, so later swap-ins would read ahead differently from
 * stock; swap_address_space() and swap_cache_index() of mm/swap.h
 * (l.27-50), private, split the offset.
 *
 * With the swap table (6.18+, no swapper_spaces):
 * swap_cache_get_folio(entry) (7.2.13 mm/swap_state.c l.75-103) has no
 * readahead side effect, but may return a folio that has left the swap
 * cache or caches other entries; callers check that, as
 * folio_matches_swap_entry() (mm/swap.h l.279-290) does.  Ours look unlocked
 * (the PTE lock is held), so the check here is a filter; collect and
 * verify re-check what they rely on under the folio lock.
 *
 * Either way the device is pinned against swapoff, as both require.
 */
struct folio *am_swap_cache_folio(swp_entry_t entry)
{
	struct swap_info_struct *si;
	struct folio *folio;

	si = static_call(am_get_swap_device)(entry);
	if (!si)
		return NULL;
#ifdef AM_SWAP_ADDRESS_SPACES
	{
		struct address_space **spaces = (struct address_space **)
			am_sym_addr(AM_SYM_SWAPPER_SPACES);
		pgoff_t offset = swp_offset(entry);

		folio = filemap_get_folio(&spaces[swp_type(entry)][offset >>
						AM_SWAP_ADDRESS_SPACE_SHIFT],
					  offset &
					  (BIT(AM_SWAP_ADDRESS_SPACE_SHIFT) - 1));
		if (IS_ERR(folio))
			folio = NULL;
	}
#else
	folio = static_call(am_swap_cache_get_folio)(entry);
	/*
	 * A large folio caches a run of entries from folio->swap on: it
	 * must come back (collect refuses it), never be taken for "not
	 * cached".
	 */
	if (folio && (!folio_test_swapcache(folio) ||
		      entry.val - folio->swap.val >= folio_nr_pages(folio))) {
		folio_put(folio);
		folio = NULL;
	}
#endif
	put_swap_device(si);
	return folio;
}

void am_vma_start_write(struct vm_area_struct *vma)
{
	vma_start_write(vma);
}

/* ---- the merge of an existing range ---- */

/*
 * The participants vma_merge_existing_range() looks at for [@start, @end)
 * of @vma with @attrs (6.12.117 mm/vma.c l.669-720, 7.2.13 l.808-864):
 * nothing unless the range touches an edge of @vma; prev only when the
 * range starts @vma and prev ends there; next (the VMA after @vma) only
 * when the range ends @vma and next starts there.  False when the module
 * has nothing to do with this call.
 */
static bool modify_roles(struct am_request *req, struct vm_area_struct *prev,
			 struct vm_area_struct *vma, unsigned long start,
			 unsigned long end, const struct am_attrs *attrs)
{
	bool left_side = start == vma->vm_start;
	bool right_side = end == vma->vm_end;
	struct vm_area_struct *next;

	if (attrs->file || (attrs->vm_flags & VM_SPECIAL) ||
	    !am_vma_plain_anon(vma) || (!left_side && !right_side))
		return false;
	memset(req, 0, sizeof(*req));
	req->vma[AM_OWNER] = vma;
	req->start = start;
	req->end = end;
	req->kind = ANONMERGE_MERGE_EXISTING;
	req->predict = am_predict_sides;
	/* vma_pgoff_offset() of mm/vma.h */
	req->pgoffs[0] = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	req->nr_pgoffs = 1;
	if (left_side && prev && prev != vma && prev->vm_end == start)
		am_add_side(req, AM_PREV, prev, attrs);
	if (right_side) {
		next = find_vma(vma->vm_mm, vma->vm_end);
		if (next && next->vm_start == end)
			am_add_side(req, AM_NEXT, next, attrs);
	}
	req->softdirty_tracked = am_softdirty_tracked(req, attrs->vm_flags);
	req->guard_regions = am_guard_regions(req, attrs->vm_flags);
	return req->vma[AM_PREV] || req->vma[AM_NEXT];
}

/*
 * One redirected vma_modify_*() call: the merge it asks for, as the
 * wrapper's arguments describe it, and whether a plan re-homed for it.
 */
struct modify_call {
	struct am_request req;
	struct am_attrs attrs;	/* what the merge compares neighbours with */
	bool planned;
	int srcu;
};

/* Enter a wrapper: the attributes start as @vma's own (VMG_VMA_STATE()). */
static void modify_enter(struct modify_call *c, struct vm_area_struct *vma)
{
	c->srcu = am_wrapper_enter();
	c->planned = false;
	am_attrs_of(vma, &c->attrs);
}

/*
 * With c->attrs set to the call's new values: plan, and re-home what the
 * plan needs, before the original runs.
 */
static void modify_plan(struct modify_call *c, struct vm_area_struct *prev,
			struct vm_area_struct *vma, unsigned long start,
			unsigned long end)
{
	am_stat_attempt();
	if (am_mode_get() == ANONMERGE_MODE_OFF)
		return;
	/* The callers hold it; per-VMA-lock paths never reach vma_modify(). */
	lockdep_assert_held_write(&vma->vm_mm->mmap_lock);
	c->planned = modify_roles(&c->req, prev, vma, start, end, &c->attrs) &&
		     am_plan_run(&c->req);
}

/*
 * After the original returned @ret (the merged VMA, @vma itself, or an
 * error): the verdict on a planned merge.  Returns @ret.
 */
static struct vm_area_struct *modify_exit(struct modify_call *c,
					  struct vm_area_struct *ret)
{
	if (c->planned)
		am_plan_account(&c->req, IS_ERR_OR_NULL(ret) ? NULL : ret);
	am_wrapper_exit(c->srcu);
	return ret;
}

static struct vm_area_struct *
am_vma_modify_flags(struct vma_iterator *vmi, struct vm_area_struct *prev,
		    struct vm_area_struct *vma, unsigned long start,
		    unsigned long end, am_new_flags_t new_flags)
{
	struct modify_call c;

	modify_enter(&c, vma);
	c.attrs.vm_flags = am_new_flags_legacy(new_flags);
	modify_plan(&c, prev, vma, start, end);
	return modify_exit(&c, static_call(am_orig_vma_modify_flags)(vmi, prev,
					vma, start, end, new_flags));
}

#ifdef AM_VMA_MODIFY_NAME
static struct vm_area_struct *
am_vma_modify_name(struct vma_iterator *vmi, struct vm_area_struct *prev,
		   struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, struct anon_vma_name *new_name)
{
	struct modify_call c;

	modify_enter(&c, vma);
	c.attrs.anon_name = new_name;
	modify_plan(&c, prev, vma, start, end);
	return modify_exit(&c, static_call(am_orig_vma_modify_name)(vmi, prev,
					vma, start, end, new_name));
}
#else
static struct vm_area_struct *
am_vma_modify_name(struct vma_iterator *vmi, struct vm_area_struct *prev,
		   struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, unsigned long new_flags,
		   struct anon_vma_name *new_name)
{
	struct modify_call c;

	modify_enter(&c, vma);
	c.attrs.vm_flags = new_flags;
	c.attrs.anon_name = new_name;
	modify_plan(&c, prev, vma, start, end);
	return modify_exit(&c, static_call(am_orig_vma_modify_name)(vmi, prev,
					vma, start, end, new_flags, new_name));
}
#endif

static struct vm_area_struct *
am_vma_modify_policy(struct vma_iterator *vmi, struct vm_area_struct *prev,
		     struct vm_area_struct *vma, unsigned long start,
		     unsigned long end, struct mempolicy *new_pol)
{
	struct modify_call c;

	modify_enter(&c, vma);
	c.attrs.policy = new_pol;
	modify_plan(&c, prev, vma, start, end);
	return modify_exit(&c, static_call(am_orig_vma_modify_policy)(vmi,
					prev, vma, start, end, new_pol));
}

/*
 * With give_up_on_oom (uffd release) a merge that fails to allocate is
 * given up and the range stays as it is: after a re-home that is still a
 * valid state (the VMA simply uses the donor's anon_vma), counted as race.
 * Runs on the uffd owner's mm, which is vma->vm_mm, not necessarily
 * current's.
 */
static struct vm_area_struct *
am_vma_modify_uffd(struct vma_iterator *vmi, struct vm_area_struct *prev,
		   struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, am_uffd_flags_t new_flags,
		   struct vm_userfaultfd_ctx new_ctx, bool give_up_on_oom)
{
	struct modify_call c;

	modify_enter(&c, vma);
	c.attrs.vm_flags = am_new_flags_legacy(new_flags);
	c.attrs.uffd_ctx = new_ctx;
	modify_plan(&c, prev, vma, start, end);
	return modify_exit(&c, static_call(am_orig_vma_modify_uffd)(vmi, prev,
					vma, start, end, new_flags, new_ctx,
					give_up_on_oom));
}

/*
 * am_line.offer_vma: the whole of @vma to vma_modify_flags() with its own
 * flags, as mprotect() of all of it to its current protection would do if
 * mprotect_fixup() did not return early; only after a re-home (otherwise
 * stock would not have called it, and nothing changes).  The iterator
 * must point into @vma (vma_merge_existing_range() asserts it).
 */
static void line_offer_vma(struct vm_area_struct *vma, unsigned int kind,
			   bool rebase)
{
	VMA_ITERATOR(pvmi, vma->vm_mm, vma->vm_start);
	VMA_ITERATOR(vmi, vma->vm_mm, vma->vm_start);
	struct vm_area_struct *prev = vma_prev(&pvmi), *ret;
	struct am_request req;
	struct am_attrs attrs;
#ifdef AM_HAVE_VMA_FLAGS_T
	vma_flags_t flags;
	am_new_flags_t new_flags = &flags;
#else
	am_new_flags_t new_flags;
#endif

	lockdep_assert_held_write(&vma->vm_mm->mmap_lock);
	if (vma_find(&vmi, vma->vm_end) != vma)
		return;
	am_attrs_of(vma, &attrs);
	if (!modify_roles(&req, prev, vma, vma->vm_start, vma->vm_end, &attrs))
		return;
	req.kind = kind;
	if (rebase)
		am_offer_rebases(&req);
	if (!am_plan_run(&req))
		return;
	/*
	 * The flags as they are now that the plan write-locked the VMA: a
	 * guard install under the VMA read lock (7.2) sets a flag earlier.
	 */
#ifdef AM_HAVE_VMA_FLAGS_T
	flags = vma->flags;
#else
	new_flags = vma->vm_flags;
#endif
	ret = static_call(am_orig_vma_modify_flags)(&vmi, prev, vma,
						    vma->vm_start, vma->vm_end,
						    new_flags);
	am_plan_account(&req, IS_ERR_OR_NULL(ret) ? NULL : ret);
}

static void line_bind_calls(void)
{
	am_bind_call(am_orig_vma_modify_flags, AM_SYM_MERGE_EXISTING);
	am_bind_call(am_orig_vma_modify_name, AM_SYM_MERGE_EXISTING_NAME);
	am_bind_call(am_orig_vma_modify_policy, AM_SYM_MERGE_EXISTING_POLICY);
	am_bind_call(am_orig_vma_modify_uffd, AM_SYM_MERGE_EXISTING_UFFD);
	am_bind_call(am_pte_offset_map_lock_call, AM_SYM_PTE_OFFSET_MAP_LOCK);
#ifndef AM_SWAP_ADDRESS_SPACES
	am_bind_call(am_swap_cache_get_folio, AM_SYM_SWAP_CACHE_GET_FOLIO);
#endif
	am_mmap_bind();
	am_mremap_bind();
}

static struct am_hook line_hooks[] = {
	{ .sym = AM_SYM_MERGE_EXISTING, .wrapper = am_vma_modify_flags },
	{ .sym = AM_SYM_MERGE_EXISTING_NAME, .wrapper = am_vma_modify_name },
	{ .sym = AM_SYM_MERGE_EXISTING_POLICY, .wrapper = am_vma_modify_policy },
	{ .sym = AM_SYM_MERGE_EXISTING_UFFD, .wrapper = am_vma_modify_uffd },
	{ .sym = AM_SYM_MMAP_REGION, .wrapper = am_mmap_region },
	{ .sym = AM_SYM_SYS_MREMAP, .wrapper = am_sys_mremap },
};

/* The line's name and number are for reports only; no code tests them. */
static const struct am_line line_vma_modify = {
	.name = __stringify(LINUX_VERSION_MAJOR) "."
		__stringify(LINUX_VERSION_PATCHLEVEL),
	.id = LINUX_VERSION_MAJOR << 16 | LINUX_VERSION_PATCHLEVEL << 8,
	.symbols = line_symbols,
	.hooks = line_hooks,
	.nr_hooks = ARRAY_SIZE(line_hooks),
	.features = ANONMERGE_FEAT_STATS | ANONMERGE_FEAT_DRY_RUN |
		    ANONMERGE_FEAT_MERGE_EXISTING | ANONMERGE_FEAT_MERGE_NEW |
		    ANONMERGE_FEAT_MERGE_MREMAP | ANONMERGE_FEAT_VERIFY,
	.bind_calls = line_bind_calls,
	.offer_vma = line_offer_vma,
};

const struct am_line *const am_this_line = &line_vma_modify;

#endif /* AM_FE_VMA_MODIFY */
