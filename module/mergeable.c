// SPDX-License-Identifier: GPL-2.0
/*
 * The stock merge predicate, mirrored.
 *
 * Checked against Debian's 6.1.192 mm/mmap.c: is_mergeable_vma()
 * (l.888-912), is_mergeable_anon_vma() (l.914-926) and the mpol_equal()
 * tests of vma_merge() (l.1021-1085); 6.12.117 mm/vma.c l.10-46 and 7.2.13
 * l.84-134 (the flags 7.2 ignores: AM_MERGE_IGNORE_FLAGS).
 *
 * Memory policies are compared by pointer: mpol_equal() falls back to
 * __mpol_equal(), which is not exported, so two different non-NULL
 * policies give AM_MATCH_UNKNOWN and the caller must not predict a merge
 * there (the stock code may or may not take it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/userfaultfd_k.h>

#include "compat.h"
#include "mergeable.h"
#include "plan.h"

void am_attrs_of(struct vm_area_struct *vma, struct am_attrs *attrs)
{
	attrs->vm_flags = vma->vm_flags;
	attrs->file = vma->vm_file;
	attrs->policy = vma_policy(vma);
	attrs->uffd_ctx = vma->vm_userfaultfd_ctx;
	attrs->anon_name = am_vma_anon_name(vma);
}

/* is_mergeable_vma() plus mpol_equal(). */
enum am_match am_vma_matches(struct vm_area_struct *vma,
			     const struct am_attrs *attrs)
{
	struct mempolicy *policy = vma_policy(vma);

	/*
	 * VM_SOFTDIRTY (and 6.18+ VM_MAYBE_GUARD) are ignored as the
	 * kernel does; VM_SPECIAL never merges (the merge returns early).
	 * A neighbour with a close() hook is never joined here: on 6.12+
	 * stock may extend it (can_merge_remove_vma() only guards removal),
	 * but no plain anonymous VMA has vm_ops, so it never moves or donates.
	 */
	if (((vma->vm_flags ^ attrs->vm_flags) & ~AM_MERGE_IGNORE_FLAGS) ||
	    (attrs->vm_flags & VM_SPECIAL))
		return AM_MATCH_NO;
	if (vma->vm_file != attrs->file)
		return AM_MATCH_NO;
	if (vma->vm_ops && vma->vm_ops->close)
		return AM_MATCH_NO;
	if (!is_mergeable_vm_userfaultfd_ctx(vma, attrs->uffd_ctx))
		return AM_MATCH_NO;
	if (!anon_vma_name_eq(am_vma_anon_name(vma), attrs->anon_name))
		return AM_MATCH_NO;
	if (policy == attrs->policy)
		return AM_MATCH_YES;
	/* __mpol_equal() of one NULL policy is false. */
	if (!policy || !attrs->policy)
		return AM_MATCH_NO;
	return AM_MATCH_UNKNOWN;
}

/*
 * is_mergeable_anon_vma(): may a range whose anon_vma is @range join the
 * neighbour @nb?  @owner is the VMA holding the range (NULL: a new range,
 * which the lines only model unfaulted).
 *
 * Up to 6.15 (6.1.192 mm/mmap.c l.914-926, 6.12.117 mm/vma.c l.35-46): an
 * unfaulted side joins only a neighbour whose chain is singular ("avoid
 * merging VMA cloned from parents"); an unfaulted neighbour's chain is
 * empty, so a faulted range never joins it.  Since 6.16 (7.2.13 mm/vma.c
 * l.106-134, vma_is_fork_child() l.74-82): a faulted range joins an
 * unfaulted neighbour unless the range's VMA is a fork child, a faulted
 * neighbour an unfaulted range unless the neighbour is one.
 */
static bool anon_vma_joins(const struct am_look *owner,
			   struct anon_vma *range, const struct am_look *nb)
{
#ifdef AM_ANON_RULE_FORK_CHILD
	if (!nb->anon_vma && range)
		return !owner || owner->singular;
	if (nb->anon_vma && !range)
		return nb->singular;
	return range == nb->anon_vma;
#else
	if ((!range || !nb->anon_vma) && nb->singular)
		return true;
	return range == nb->anon_vma;
#endif
}

/**
 * am_predict_sides - which neighbours the stock merge joins with a range
 * @req: the participants and the range
 * @look: how each participant looks (now, or after a plan)
 * @pgoff: the range's pgoff
 *
 * The one model of every line's merge decision once the attributes
 * matched (they did when the line chose the sides): pgoff linearity of
 * can_vma_merge_after()/_before(), the anon_vma rule above, and the
 * prev+next test, after which a failed pair leaves the predecessor alone.
 * Checked against vma_merge() (6.1.192 mm/mmap.c l.1021-1085) and
 * vma_merge_existing_range() with can_vma_merge_left()/_right() (6.12.117
 * mm/vma.c l.292-324, l.669-720; 7.2.13 l.425-464, l.808-864).
 */
struct am_sides am_predict_sides(const struct am_request *req,
				 const struct am_look *look, pgoff_t pgoff)
{
	struct vm_area_struct *prev = req->vma[AM_PREV];
	struct vm_area_struct *next = req->vma[AM_NEXT];
	const struct am_look *owner = req->vma[AM_OWNER] ? &look[AM_OWNER] :
				      NULL;
	struct anon_vma *range = owner ? owner->anon_vma : NULL;
	pgoff_t pglen = (req->end - req->start) >> PAGE_SHIFT;
	struct am_sides s;

	s.prev = prev && prev->vm_pgoff + vma_pages(prev) == pgoff &&
		 anon_vma_joins(owner, range, &look[AM_PREV]);
	s.next = next && pgoff + pglen == next->vm_pgoff &&
		 anon_vma_joins(owner, range, &look[AM_NEXT]);
	if (s.prev && s.next && look[AM_PREV].anon_vma &&
	    look[AM_NEXT].anon_vma &&
	    look[AM_PREV].anon_vma != look[AM_NEXT].anon_vma)
		s.next = false;
	return s;
}

/* A side whose attributes the stock merge accepts (or might). */
void am_add_side(struct am_request *req, enum am_role role,
		 struct vm_area_struct *vma, const struct am_attrs *attrs)
{
	switch (am_vma_matches(vma, attrs)) {
	case AM_MATCH_NO:
		return;
	case AM_MATCH_UNKNOWN:
		req->unpredictable = true;
		fallthrough;
	case AM_MATCH_YES:
		req->vma[role] = vma;
	}
}

/* Offer a rebase of the owner to @pgoff, once. */
static void add_pgoff(struct am_request *req, pgoff_t pgoff)
{
	unsigned int k;

	for (k = 0; k < req->nr_pgoffs; k++)
		if (req->pgoffs[k] == pgoff)
			return;
	req->pgoffs[req->nr_pgoffs++] = pgoff;
}

/*
 * A moved, faulted owner (the whole range) may also be rebased to be
 * linear with either neighbour; the wrap checks are the plan engine's.
 *
 * Only a pgoff that stock already left foreign is rebased.  Anonymous
 * memory that was never moved while faulted has pgoff == vm_start >>
 * PAGE_SHIFT (do_mmap(), copy_vma() for unfaulted VMAs), and that is what
 * lets it join every fresh mapping placed next to it later; rebasing it
 * to a neighbour's foreign pgoff would win one merge now and lose those
 * (found by the differential fuzzer: a later mmap() over part of the
 * merged VMA stayed split where stock joined it).
 */
void am_offer_rebases(struct am_request *req)
{
	struct vm_area_struct *vma = req->vma[AM_OWNER];

	if (!vma || !vma->anon_vma || req->start != vma->vm_start ||
	    req->end != vma->vm_end ||
	    vma->vm_pgoff == vma->vm_start >> PAGE_SHIFT)
		return;
	if (req->vma[AM_PREV])
		add_pgoff(req, req->vma[AM_PREV]->vm_pgoff +
			       vma_pages(req->vma[AM_PREV]));
	if (req->vma[AM_NEXT])
		add_pgoff(req, req->vma[AM_NEXT]->vm_pgoff - vma_pages(vma));
}

/*
 * Private anonymous memory and nothing else: no file (a private /dev/zero
 * mapping has one, with a pgoff its owner chose), no vm_ops, none of the
 * mapping types whose pages have no anon rmap.
 */
bool am_vma_plain_anon(struct vm_area_struct *vma)
{
	return !vma->vm_file && vma_is_anonymous(vma) &&
	       !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE | VM_HUGETLB |
				  VM_PFNMAP | VM_IO | VM_MIXEDMAP));
}

/*
 * Is soft-dirty tracking in use on these VMAs?  Every VMA is created with
 * VM_SOFTDIRTY (mmap_region(), do_brk_flags()) and only clear_refs 4 (a
 * tracker such as CRIU) clears it.  The merge code ignores the bit and a
 * flag-change merge gives the merged VMA the owner's (mprotect_fixup()
 * sets newflags), so a merge stock would not make - now, or later across
 * anon_vmas the module joined - can hide a fresh mapping's soft-dirty
 * state from the tracker.  The module keeps out of tracked memory: it
 * re-homes only when every participant still has VM_SOFTDIRTY (and, for
 * the merged VMA, @vm_flags too).
 */
bool am_softdirty_tracked(const struct am_request *req,
			  unsigned long vm_flags)
{
	unsigned int r;

	if (!VM_SOFTDIRTY)
		return false;	/* CONFIG_MEM_SOFT_DIRTY=n */
	if (!(vm_flags & VM_SOFTDIRTY))
		return true;
	for (r = 0; r < AM_NR_ROLES; r++)
		if (req->vma[r] && !(req->vma[r]->vm_flags & VM_SOFTDIRTY))
			return true;
	return false;
}

/*
 * May a participant, or the range's new flags, hold guard regions?  Since
 * 6.18 VM_MAYBE_GUARD is sticky: a merge ORs it into the merged VMA (7.2.13
 * mm/vma.c l.811-812, "gu" in smaps), and madvise's name change sets the
 * merged VMA's flags to the old middle's, dropping it (mm/madvise.c
 * l.164-177).  A merge stock would not make would change either, so the
 * module keeps out, as it does of tracked soft-dirty state; stock still
 * merges there itself.
 */
bool am_guard_regions(const struct am_request *req, unsigned long vm_flags)
{
	unsigned int r;

	if (!AM_VM_MAYBE_GUARD)
		return false;
	if (vm_flags & AM_VM_MAYBE_GUARD)
		return true;
	for (r = 0; r < AM_NR_ROLES; r++)
		if (req->vma[r] && (req->vma[r]->vm_flags & AM_VM_MAYBE_GUARD))
			return true;
	return false;
}

bool am_chain_singular(struct vm_area_struct *vma)
{
	return list_is_singular(&vma->anon_vma_chain);
}
