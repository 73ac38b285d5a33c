// SPDX-License-Identifier: GPL-2.0
/*
 * The stock merge predicate, mirrored.
 *
 * Checked against Debian's 6.1.192 mm/mmap.c: is_mergeable_vma()
 * (l.888-912), is_mergeable_anon_vma() (l.914-926) and the mpol_equal()
 * tests of vma_merge() (l.1021-1085).
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
	 * VM_SOFTDIRTY is ignored as the kernel does; VM_SPECIAL never
	 * merges (vma_merge() returns early on it).
	 */
	if (((vma->vm_flags ^ attrs->vm_flags) & ~VM_SOFTDIRTY) ||
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
 * is_mergeable_anon_vma(@range, @vma_av, vma) where vma is the existing
 * neighbour whose anon_vma is @vma_av and whose anon_vma_chain is singular
 * or not: an unfaulted side joins only a neighbour that was never forked
 * ("avoid merging VMA cloned from parents").
 */
bool am_anon_vma_mergeable(struct anon_vma *range, struct anon_vma *vma_av,
			   bool vma_singular)
{
	if ((!range || !vma_av) && vma_singular)
		return true;
	return range == vma_av;
}

/* is_mergeable_anon_vma(@a, @b, NULL): prev and next across the range. */
bool am_anon_vmas_mergeable(struct anon_vma *a, struct anon_vma *b)
{
	return !a || !b || a == b;
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

bool am_chain_singular(struct vm_area_struct *vma)
{
	return list_is_singular(&vma->anon_vma_chain);
}
