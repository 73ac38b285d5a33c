// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel line 6.1 (Debian 12 "bookworm").
 *
 * Every merge of an existing range (mprotect, madvise, mlock, mbind,
 * userfaultfd, prctl) and of a moved or grown range (mremap) goes through
 * vma_merge() (mm/mmap.c), whose prototype is public: the module redirects
 * it to a wrapper that predicts the merge exactly as vma_merge() would,
 * re-homes participants that differ only by an exclusive anon_vma, and
 * calls the original.
 *
 * mmap() filling a hole between two VMAs merges through vma_expand(), which
 * is notrace on 6.1: mmap_region() is wrapped instead, and after it returns
 * the new VMA is offered to vma_merge() with its own attributes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#ifdef AM_LINE_6_1

#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/mempolicy.h>
#include <linux/static_call.h>
#include <linux/swap.h>
#include <linux/userfaultfd_k.h>

#include "anonmerge.h"
#include "plan.h"

/* Beyond the symbols every line needs (symbols.c). */
static const struct am_sym_desc line_symbols[AM_SYM_NR] = {
	[AM_SYM_MERGE_EXISTING] = { "vma_merge" },
};

/* The prototypes in <linux/mm.h> and mm/swap.h (private), 6.1.192. */
typedef struct vm_area_struct *(vma_merge_t)(struct mm_struct *mm,
		struct vm_area_struct *prev, unsigned long addr,
		unsigned long end, unsigned long vm_flags,
		struct anon_vma *anon_vma, struct file *file, pgoff_t pgoff,
		struct mempolicy *policy, struct vm_userfaultfd_ctx uffd_ctx,
		struct anon_vma_name *anon_name);
typedef unsigned long mmap_region_t(struct file *file, unsigned long addr,
				    unsigned long len, vm_flags_t vm_flags,
				    unsigned long pgoff, struct list_head *uf);
typedef struct folio *(swap_cache_get_folio_t)(swp_entry_t entry,
					     struct vm_area_struct *vma,
					     unsigned long addr);
static_assert(__same_type(&vma_merge, (vma_merge_t *)NULL));
static_assert(__same_type(&mmap_region, (mmap_region_t *)NULL));

DEFINE_STATIC_CALL_NULL(am_orig_vma_merge, vma_merge_t);
DEFINE_STATIC_CALL_NULL(am_orig_mmap_region, mmap_region_t);
DEFINE_STATIC_CALL_NULL(am_swap_cache_get_folio, swap_cache_get_folio_t);

/* ---- compat helpers (compat.h) ---- */

pte_t *am_pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			      unsigned long addr, spinlock_t **ptlp)
{
	return pte_offset_map_lock(mm, pmd, addr, ptlp);
}

struct folio *am_swap_cache_folio(swp_entry_t entry)
{
	/* No VMA: no readahead window update for a lookup of ours. */
	return static_call(am_swap_cache_get_folio)(entry, NULL, 0);
}

void am_vma_start_write(struct vm_area_struct *vma)
{
	/* No per-VMA locks before 6.4: mmap_lock excludes every fault. */
}

/* ---- merge prediction ---- */

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

/*
 * is_mergeable_vma() of mm/mmap.c (6.1.192 l.887-911) plus the policy test
 * of vma_merge(); the policy is compared by pointer (mpol_equal() needs
 * the unexported __mpol_equal()), which can only miss a merge.
 */
static bool attrs_match(struct vm_area_struct *vma, const struct merge_args *a)
{
	return !((vma->vm_flags ^ a->vm_flags) & ~VM_SOFTDIRTY) &&
	       vma->vm_file == a->file &&
	       !(vma->vm_ops && vma->vm_ops->close) &&
	       is_mergeable_vm_userfaultfd_ctx(vma, a->uffd_ctx) &&
	       anon_vma_name_eq(am_vma_anon_name(vma), a->anon_name) &&
	       vma_policy(vma) == a->policy;
}

/*
 * Which VMAs would vma_merge() (6.1.192 l.1021-1085) join if their
 * anon_vmas matched: the prev/next/mid selection and the pgoff tests of
 * can_vma_merge_after()/_before() are mirrored, is_mergeable_anon_vma()
 * is what the plan then satisfies.  Only anonymous memory.
 */
static void plan_vma_merge(struct am_plan *plan, const struct merge_args *a)
{
	pgoff_t pglen = (a->end - a->addr) >> PAGE_SHIFT;
	struct vm_area_struct *mid, *next, *owner = NULL;
	bool merge_prev, merge_next;

	if (a->file || (a->vm_flags & VM_SPECIAL))
		return;
	next = find_vma(a->mm, a->prev ? a->prev->vm_end : 0);
	mid = next;
	if (next && next->vm_end == a->end)
		next = find_vma(a->mm, next->vm_end);

	merge_prev = a->prev && a->prev->vm_end == a->addr &&
		     attrs_match(a->prev, a) &&
		     a->prev->vm_pgoff + vma_pages(a->prev) == a->pgoff;
	merge_next = next && a->end == next->vm_start &&
		     attrs_match(next, a) && a->pgoff + pglen == next->vm_pgoff;
	if (!merge_prev && !merge_next)
		return;

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
	 * stock here, and handled after the syscall (mremap.c).
	 */
	if (owner ? a->anon_vma != owner->anon_vma : !!a->anon_vma)
		return;

	plan->kind = owner ? ANONMERGE_MERGE_EXISTING :
			     ANONMERGE_MERGE_NEW_RANGE;
	if (merge_prev)
		am_plan_add(plan, a->prev);
	am_plan_add(plan, owner);
	if (merge_next)
		am_plan_add(plan, next);
}

/*
 * The arguments with which mprotect() of all of @vma to its own
 * protection would call vma_merge().
 */
static struct merge_args vma_own_args(struct vm_area_struct *prev,
				      struct vm_area_struct *vma)
{
	return (struct merge_args) {
		.mm = vma->vm_mm, .prev = prev, .addr = vma->vm_start,
		.end = vma->vm_end, .vm_flags = vma->vm_flags,
		.anon_vma = vma->anon_vma, .file = vma->vm_file,
		.pgoff = vma->vm_pgoff, .policy = vma_policy(vma),
		.uffd_ctx = vma->vm_userfaultfd_ctx,
		.anon_name = am_vma_anon_name(vma),
	};
}

static struct vm_area_struct *call_vma_merge(const struct merge_args *a)
{
	return static_call(am_orig_vma_merge)(a->mm, a->prev, a->addr, a->end,
					      a->vm_flags, a->anon_vma, a->file,
					      a->pgoff, a->policy, a->uffd_ctx,
					      a->anon_name);
}

static struct vm_area_struct *merge_with_plan(struct merge_args *a)
{
	struct vm_area_struct *ret;
	struct am_plan plan;
	bool moved = false;

	if (am_mode_get() != ANONMERGE_MODE_OFF) {
		am_plan_init(&plan);
		plan_vma_merge(&plan, a);
		moved = am_plan_run(&plan);
	}
	if (moved)
		a->anon_vma = am_plan_translate(&plan, a->anon_vma);
	ret = call_vma_merge(a);
	if (moved)
		am_plan_account(&plan, ret);
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
	struct merge_args a = {
		.mm = mm, .prev = prev, .addr = addr, .end = end,
		.vm_flags = vm_flags, .anon_vma = anon_vma, .file = file,
		.pgoff = pgoff, .policy = policy, .uffd_ctx = uffd_ctx,
		.anon_name = anon_name,
	};
	struct vm_area_struct *ret;

	am_wrapper_enter();
	am_stat_attempt();
	ret = merge_with_plan(&a);
	am_wrapper_exit();
	return ret;
}

/* am_line.merge_vma: the stock merge of an already compatible @vma. */
static struct vm_area_struct *line_merge_vma(struct mm_struct *mm,
					     struct vm_area_struct *prev,
					     struct vm_area_struct *vma)
{
	struct merge_args a = vma_own_args(prev, vma);

	return call_vma_merge(&a);
}

/*
 * After mmap_region() placed an anonymous mapping, offer it to vma_merge()
 * with its own attributes, as mprotect() of the whole VMA to its current
 * protection would; this only runs a merge when a re-home made one
 * possible.
 */
static void merge_new_mapping(struct mm_struct *mm, unsigned long addr)
{
	VMA_ITERATOR(vmi, mm, addr);
	struct vm_area_struct *vma = find_vma(mm, addr);
	struct merge_args a;
	struct am_plan plan;

	if (!vma || vma->vm_start > addr || !vma_is_anonymous(vma))
		return;
	a = vma_own_args(vma_prev(&vmi), vma);
	am_plan_init(&plan);
	plan_vma_merge(&plan, &a);
	plan.kind = ANONMERGE_MERGE_NEW_RANGE;
	if (!am_plan_run(&plan))
		return;
	a.anon_vma = am_plan_translate(&plan, a.anon_vma);
	am_plan_account(&plan, call_vma_merge(&a));
}

/* Same prototype as mmap_region() in 6.1 <linux/mm.h>. */
static unsigned long am_mmap_region(struct file *file, unsigned long addr,
				    unsigned long len, vm_flags_t vm_flags,
				    unsigned long pgoff, struct list_head *uf)
{
	unsigned long ret;

	am_wrapper_enter();
	ret = static_call(am_orig_mmap_region)(file, addr, len, vm_flags,
					       pgoff, uf);
	if (!IS_ERR_VALUE(ret) && !file &&
	    am_mode_get() != ANONMERGE_MODE_OFF) {
		am_stat_attempt();
		merge_new_mapping(current->mm, ret);
	}
	am_wrapper_exit();
	return ret;
}

static void line_bind_calls(void)
{
	static_call_update(am_orig_vma_merge,
			   (vma_merge_t *)am_sym_addr(AM_SYM_MERGE_EXISTING));
	static_call_update(am_orig_mmap_region,
			   (mmap_region_t *)am_sym_addr(AM_SYM_MMAP_REGION));
	static_call_update(am_swap_cache_get_folio,
			   (swap_cache_get_folio_t *)
			   am_sym_addr(AM_SYM_SWAP_CACHE_GET_FOLIO));
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
	.merge_vma = line_merge_vma,
};

const struct am_line *const am_this_line = &line_6_1;

#endif /* AM_LINE_6_1 */
