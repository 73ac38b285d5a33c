// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel line 6.1 (Debian 12 "bookworm").
 *
 * Every merge of an existing range (mprotect, madvise, mlock, mbind,
 * userfaultfd, prctl) and of a moved or grown range (mremap) goes through
 * vma_merge() (mm/mmap.c), whose prototype is public: the module redirects
 * it to a wrapper that models the merge exactly as vma_merge() decides it,
 * lets the plan engine re-home what makes it join more, and calls the
 * original.
 *
 * mmap() filling a hole between two VMAs merges through vma_expand(), which
 * is notrace on 6.1: mmap_region() is wrapped instead, and after it returns
 * the new VMA is offered to vma_merge() with its own attributes.  A VMA
 * moved or grown by mremap() is offered the same way after the syscall
 * (mremap.c), with the choice of rebasing its pgoff.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#ifdef AM_FE_VMA_MERGE

#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mempolicy.h>
#include <linux/static_call.h>
#include <linux/swap.h>

#include "anonmerge.h"
#include "ibt_audit.h"
#include "kcalls.h"
#include "mergeable.h"
#include "plan.h"

/* Beyond the symbols every line needs (symbols.c). */
static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_MERGE_EXISTING] = { "vma_merge" },
	[AM_SYM_SWAPPER_SPACES] = { "swapper_spaces" },
};

/* The prototypes in <linux/mm.h> and mm/swap.h (private), 6.1.192. */
typedef struct vm_area_struct *(vma_merge_t)(struct mm_struct *mm,
		struct vm_area_struct *prev, unsigned long addr,
		unsigned long end, unsigned long vm_flags,
		struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff,
		struct mempolicy *policy, struct vm_userfaultfd_ctx uffd_ctx,
		struct anon_vma_name *anon_name);
static_assert(__same_type(&vma_merge, (vma_merge_t *)NULL));
static_assert(__same_type(&mmap_region, &am_mmap_region));

DEFINE_STATIC_CALL_NULL(am_orig_vma_merge, vma_merge_t);

/* ---- compat helpers (compat.h) ---- */

pte_t *am_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp)
{
	return pte_offset_map_lock(mm, pmd, addr, ptlp);
}

/*
 * swap_cache_get_folio() (mm/swap_state.c 6.1.192 l.328-370) without its
 * readahead bookkeeping: a lookup of ours must not clear PG_readahead or
 * count a readahead hit, or later swap-ins would read ahead differently
 * from stock.  swap_address_space() of mm/swap.h (l.25-30), private.
 */
#define AM_SWAP_ADDRESS_SPACE_SHIFT 14

struct folio *am_swap_cache_folio(swp_entry_t entry)
{
	struct address_space **spaces =
		(struct address_space **)am_sym_addr(AM_SYM_SWAPPER_SPACES);
	struct swap_info_struct *si;
	struct folio *folio;

	si = static_call(am_get_swap_device)(entry);
	if (!si)
		return NULL;
	folio = filemap_get_folio(&spaces[swp_type(entry)][swp_offset(entry) >>
						AM_SWAP_ADDRESS_SPACE_SHIFT],
				  swp_offset(entry));
	put_swap_device(si);
	return folio;
}

void am_vma_start_write(struct vm_area_struct *vma)
{
	/* No per-VMA locks before 6.4: mmap_lock excludes every fault. */
}

/* ---- the model of vma_merge() ---- */

struct merge_args {
	struct mm_struct *mm;
	struct vm_area_struct *prev;
	unsigned long addr, end, vm_flags;
	struct anon_vma *anon_vma;
	struct file *file;
	pgoff_t pgoff;
	struct mempolicy *policy;
	struct vm_userfaultfd_ctx uffd_ctx;
	struct anon_vma_name *anon_name;
};

/* A vma_merge() call about to happen, as a plan request. */
struct vma_merge_request {
	struct am_request req;
	struct merge_args a;
};

/*
 * Find the participants of vma_merge(@vr->a) as vma_merge() finds prev,
 * mid and next; false when the module has nothing to do with this call.
 */
static bool vma_merge_roles(struct vma_merge_request *vr)
{
	const struct merge_args *a = &vr->a;
	struct am_request *req = &vr->req;
	struct vm_area_struct *mid, *next, *owner = NULL;
	struct am_attrs attrs = {
		.vm_flags = a->vm_flags, .file = a->file,
		.policy = a->policy, .uffd_ctx = a->uffd_ctx,
		.anon_name = a->anon_name,
	};

	if (a->file || (a->vm_flags & VM_SPECIAL))
		return false;
	next = find_vma(a->mm, a->prev ? a->prev->vm_end : 0);
	mid = next;
	if (next && next->vm_end == a->end)
		next = find_vma(a->mm, next->vm_end);

	/* The VMA that holds [addr, end) today, if it is mapped. */
	if (a->prev && a->addr < a->prev->vm_end)
		owner = a->prev;		/* case 4 */
	else if (mid && mid->vm_start <= a->addr)
		owner = mid;			/* cases 5-8 */
	/*
	 * The anon_vma argument must be the owner's (mprotect & co.), or
	 * none for an empty new range.  A new range with an anon_vma is
	 * mremap: copy_vma() placing a moved VMA, whose pages still sit at
	 * the old address and will be moved into the result with their old
	 * anon_vma, or the in-place growth of prev.  Re-homing anything then
	 * could leave those pages outside the merged VMA's chain: left to
	 * stock here, and offered after the syscall (mremap.c).
	 */
	if (owner ? a->anon_vma != owner->anon_vma : !!a->anon_vma)
		return false;
	if (owner && !am_vma_plain_anon(owner))
		return false;

	memset(req, 0, sizeof(*req));
	req->vma[AM_OWNER] = owner;
	req->start = a->addr;
	req->end = a->end;
	req->kind = owner ? ANONMERGE_MERGE_EXISTING : ANONMERGE_MERGE_NEW_RANGE;
	req->predict = am_predict_sides;
	req->pgoffs[0] = a->pgoff;
	req->nr_pgoffs = 1;
	if (a->prev && a->prev->vm_end == a->addr)
		am_add_side(req, AM_PREV, a->prev, &attrs);
	if (next && a->end == next->vm_start)
		am_add_side(req, AM_NEXT, next, &attrs);
	req->softdirty_tracked = am_softdirty_tracked(req, a->vm_flags);
	req->guard_regions = am_guard_regions(req, a->vm_flags);
	return req->vma[AM_PREV] || req->vma[AM_NEXT];
}

static struct vm_area_struct *call_vma_merge(const struct merge_args *a)
{
	return static_call(am_orig_vma_merge)(a->mm, a->prev, a->addr, a->end,
					      a->vm_flags, a->anon_vma, a->file,
					      a->pgoff, a->policy, a->uffd_ctx,
					      a->anon_name);
}

/*
 * The stock merge after a re-home: with the owner as it is now, and
 * checked against the span the model predicted.
 */
static struct vm_area_struct *merge_planned(struct vma_merge_request *vr)
{
	struct am_request *req = &vr->req;
	struct vm_area_struct *owner = req->vma[AM_OWNER], *ret;
	struct merge_args *a = &vr->a;

	if (owner) {
		a->anon_vma = owner->anon_vma;
		/* Only a whole owner is ever rebased: its pgoff is the range's. */
		if (a->addr == owner->vm_start)
			a->pgoff = owner->vm_pgoff;
	}
	ret = call_vma_merge(a);
	am_plan_account(req, ret);
	return ret;
}

/* Same prototype as vma_merge() in 6.1 <linux/mm.h>. */
static struct vm_area_struct *
am_vma_merge(struct mm_struct *mm, struct vm_area_struct *prev,
	     unsigned long addr, unsigned long end, unsigned long vm_flags,
	     struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff,
	     struct mempolicy *policy, struct vm_userfaultfd_ctx uffd_ctx,
	     struct anon_vma_name *anon_name)
{
	struct vma_merge_request vr = {
		.a = {
			.mm = mm, .prev = prev, .addr = addr, .end = end,
			.vm_flags = vm_flags, .anon_vma = anon_vma,
			.file = file, .pgoff = pgoff, .policy = policy,
			.uffd_ctx = uffd_ctx, .anon_name = anon_name,
		},
	};
	struct vm_area_struct *ret;
	int srcu;

	srcu = am_wrapper_enter();
	am_stat_attempt();
	if (am_mode_get() != ANONMERGE_MODE_OFF && vma_merge_roles(&vr) &&
	    am_plan_run(&vr.req))
		ret = merge_planned(&vr);
	else
		ret = call_vma_merge(&vr.a);
	am_wrapper_exit(srcu);
	return ret;
}

/*
 * am_line.offer_vma: give @vma to vma_merge() with its own attributes, as
 * mprotect() of all of it to its current protection would; with @rebase
 * (a VMA moved by mremap) its pgoff may be rebased to be linear with
 * either neighbour (am_offer_rebases()).
 */
static void line_offer_vma(struct vm_area_struct *vma, unsigned int kind,
			   bool rebase)
{
	VMA_ITERATOR(vmi, vma->vm_mm, vma->vm_start);
	struct vma_merge_request vr = {
		.a = {
			.mm = vma->vm_mm, .prev = vma_prev(&vmi),
			.addr = vma->vm_start, .end = vma->vm_end,
			.vm_flags = vma->vm_flags, .anon_vma = vma->anon_vma,
			.file = vma->vm_file, .pgoff = vma->vm_pgoff,
			.policy = vma_policy(vma),
			.uffd_ctx = vma->vm_userfaultfd_ctx,
			.anon_name = am_vma_anon_name(vma),
		},
	};
	struct am_request *req = &vr.req;

	if (!vma_merge_roles(&vr))
		return;
	req->kind = kind;
	if (rebase)
		am_offer_rebases(req);
	if (am_plan_run(req))
		merge_planned(&vr);
}

static void line_bind_calls(void)
{
	am_bind_call(am_orig_vma_merge, AM_SYM_MERGE_EXISTING);
	am_mmap_bind();
	am_mremap_bind();
}

static struct am_hook line_hooks[] = {
	{ .sym = AM_SYM_MERGE_EXISTING, .wrapper = am_vma_merge },
	{ .sym = AM_SYM_MMAP_REGION, .wrapper = am_mmap_region },
	{ .sym = AM_SYM_SYS_MREMAP, .wrapper = am_sys_mremap },
};

static const struct am_line line_6_1 = {
	.name = "6.1",
	.id = ANONMERGE_LINE_6_1,
	.symbols = line_symbols,
	.hooks = line_hooks,
	.nr_hooks = ARRAY_SIZE(line_hooks),
	.features = ANONMERGE_FEAT_STATS | ANONMERGE_FEAT_DRY_RUN |
		    ANONMERGE_FEAT_MERGE_EXISTING | ANONMERGE_FEAT_MERGE_NEW |
		    ANONMERGE_FEAT_MERGE_MREMAP |
		    ANONMERGE_FEAT_VERIFY,
	.bind_calls = line_bind_calls,
	.offer_vma = line_offer_vma,
};

const struct am_line *const am_this_line = &line_6_1;

#endif /* AM_FE_VMA_MERGE */
