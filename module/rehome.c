// SPDX-License-Identifier: GPL-2.0
/*
 * The re-home primitive.
 *
 * A VMA whose anon_vma S is exclusive (its own root, no fork children, a
 * singular chain, only VMAs of this mm in its tree) is moved onto the
 * anon_vma T of a neighbour ("donor"):
 *
 *   1. all its folios are trylocked and referenced (collect.c);
 *   2. S, then T's root, are write-locked (folio lock -> anon_vma rwsem,
 *      the order of mm/rmap.c);
 *   3. the VMA leaves S's tree, its vm_pgoff is rebased if asked (a moved
 *      VMA made linear with its new neighbour), every folio's mapping
 *      becomes T and its index moves by the same delta, and the VMA is
 *      linked into every anon_vma of the donor's chain, as anon_vma_clone()
 *      would do, keyed by the new pgoff;
 *   4. the accounting follows unlink_anon_vmas() (mm/rmap.c, 6.1.192
 *      l.399-449): num_active_vmas moves from S to T, and when S's tree
 *      empties S's parent loses a child and S its reference, after the
 *      locks are dropped.
 *
 * Nobody can observe step 3 half done: rmap walkers that hold a folio lock
 * (unmap, migration, split) are excluded by ours, and every walker takes
 * the S or T root lock for read, which we hold for write.  The interval
 * trees are keyed by vm_pgoff, so the VMA is out of them while it changes.
 * When T is S (a VMA moved next to its own origin) only the pgoff moves.
 *
 * The result is an ordinary kernel state: the VMA simply uses T, as if it
 * had been split off the donor.  The stock merge then finds the two
 * compatible and does the rest itself.
 *
 * Walkers that read folio->mapping without the folio lock (folio_referenced
 * on 6.1, which lacks the 6.8 re-check in folio_lock_anon_vma_read) may
 * pin S and walk its tree after the move and miss this VMA: they only age
 * pages, S stays allocated by their reference, and the rmap users that
 * matter (unmap, migration, split) hold the folio lock, which excludes us.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/rbtree.h>
#include <linux/rmap.h>
#include <linux/slab.h>

#include "anonmerge.h"
#include "compat.h"
#include "kcalls.h"
#include "rehome.h"

unsigned int am_max_rehome_pages = 262144;
module_param_named(max_rehome_pages, am_max_rehome_pages, uint, 0644);
MODULE_PARM_DESC(max_rehome_pages,
		 "Most pages moved in one re-home, all under mmap_lock (default 262144 = 1 GiB)");

/*
 * Quick check, valid without the anon_vma lock because fork, the only way
 * to gain sharing, needs this mm's mmap_lock, which the caller holds.
 */
bool am_anon_vma_exclusive(struct vm_area_struct *vma)
{
	struct anon_vma *av = vma->anon_vma;

	return av && av->root == av && READ_ONCE(av->num_children) == 1 &&
	       list_is_singular(&vma->anon_vma_chain) &&
	       list_first_entry(&vma->anon_vma_chain, struct anon_vma_chain,
				same_vma)->anon_vma == av;
}

/* Under S's lock: nobody outside this mm can reach S's folios. */
static bool tree_all_in_mm(struct anon_vma *av, struct mm_struct *mm)
{
	struct rb_node *node;

	for (node = rb_first_cached(&av->rb_root); node; node = rb_next(node)) {
		struct anon_vma_chain *avc =
			rb_entry(node, struct anon_vma_chain, rb);

		if (avc->vma->vm_mm != mm)
			return false;
	}
	return true;
}

static void free_avcs(struct list_head *avcs)
{
	struct anon_vma_chain *avc, *next;

	list_for_each_entry_safe(avc, next, avcs, same_vma) {
		list_del(&avc->same_vma);
		kmem_cache_free(am_avc_cache(), avc);
	}
}

/* One avc per anon_vma of the donor's chain, allocated before any lock. */
static int alloc_avcs(struct vm_area_struct *donor, struct list_head *avcs)
{
	struct anon_vma_chain *pavc, *avc;

	list_for_each_entry(pavc, &donor->anon_vma_chain, same_vma) {
		avc = kmem_cache_alloc(am_avc_cache(), GFP_KERNEL);
		if (!avc) {
			free_avcs(avcs);
			return -ENOMEM;
		}
		list_add(&avc->same_vma, avcs);
	}
	return 0;
}

/* Move every collected folio: new anon_vma, index shifted by @delta. */
static void move_folios(struct am_folio_set *set, struct anon_vma *dst,
			pgoff_t delta)
{
	unsigned int i;

	for (i = 0; i < set->nr; i++) {
		struct folio *folio = set->folios[i];

		folio->index += delta;
		am_folio_set_anon_vma(folio, dst);
	}
}

/* Only the pgoff moves (T is S): out of the tree, rebase, back in. */
static void rebase_in_place(struct vm_area_struct *vma,
			    struct am_folio_set *set, pgoff_t new_pgoff)
{
	struct anon_vma_chain *avc =
		list_first_entry(&vma->anon_vma_chain, struct anon_vma_chain,
				 same_vma);

	static_call(am_avtree_remove)(avc, &avc->anon_vma->rb_root);
	move_folios(set, avc->anon_vma, new_pgoff - vma->vm_pgoff);
	WRITE_ONCE(vma->vm_pgoff, new_pgoff);
	static_call(am_avtree_insert)(avc, &avc->anon_vma->rb_root);
}

/* Steps 3-4 above; returns the avc that linked the VMA to S. */
static struct anon_vma_chain *relink(struct vm_area_struct *vma,
				     struct vm_area_struct *donor,
				     struct am_folio_set *set,
				     struct list_head *avcs,
				     pgoff_t new_pgoff, bool *put_src)
{
	struct anon_vma *src = vma->anon_vma, *dst = donor->anon_vma;
	struct anon_vma_chain *src_avc, *pavc, *avc;

	src_avc = list_first_entry(&vma->anon_vma_chain, struct anon_vma_chain,
				   same_vma);
	static_call(am_avtree_remove)(src_avc, &src->rb_root);
	list_del(&src_avc->same_vma);

	move_folios(set, dst, new_pgoff - vma->vm_pgoff);
	WRITE_ONCE(vma->vm_pgoff, new_pgoff);

	/* Same order as anon_vma_clone(): newest first, root last. */
	list_for_each_entry_reverse(pavc, &donor->anon_vma_chain, same_vma) {
		avc = list_first_entry(avcs, struct anon_vma_chain, same_vma);
		list_del(&avc->same_vma);
		avc->vma = vma;
		avc->anon_vma = pavc->anon_vma;
		list_add(&avc->same_vma, &vma->anon_vma_chain);
		static_call(am_avtree_insert)(avc, &pavc->anon_vma->rb_root);
	}

	WRITE_ONCE(vma->anon_vma, dst);
	dst->num_active_vmas++;
	src->num_active_vmas--;
	*put_src = RB_EMPTY_ROOT(&src->rb_root.rb_root);
	if (*put_src)
		src->parent->num_children--;
	return src_avc;
}

/**
 * am_rehome - move @vma's pages onto @donor's anon_vma
 * @vma: anonymous VMA with an exclusive anon_vma
 * @donor: neighbour whose anon_vma (and chain) @vma takes; may share
 *	@vma's anon_vma when only the pgoff is to move
 * @new_pgoff: vm_pgoff of @vma afterwards (page indexes follow)
 * @dry_run: check everything, change nothing
 *
 * Caller holds mmap_lock for write.  Returns AM_OK or the refusal reason;
 * on refusal nothing has changed.
 */
int am_rehome(struct vm_area_struct *vma, struct vm_area_struct *donor,
	      pgoff_t new_pgoff, bool dry_run)
{
	struct anon_vma *src = vma->anon_vma, *dst = donor->anon_vma;
	struct am_folio_set set = {
		.mm = vma->vm_mm,
		.vma = vma,
		.src = src,
	};
	struct anon_vma_chain *src_avc = NULL;
	bool put_src = false;
	LIST_HEAD(avcs);
	int ret;

	/* mmap_assert_write_locked() would need the unexported dump_mm(). */
	lockdep_assert_held_write(&vma->vm_mm->mmap_lock);
	if (!vma_is_anonymous(vma) || !vma_is_anonymous(donor) ||
	    (vma->vm_flags & (VM_SHARED | VM_HUGETLB | VM_PFNMAP | VM_IO |
			      VM_MIXEDMAP)) ||
	    !src || !dst || (src == dst && new_pgoff == vma->vm_pgoff))
		return ANONMERGE_REFUSE_UNSUPPORTED;
	/* T under S would make S a parent: impossible if S is exclusive. */
	if (!am_anon_vma_exclusive(vma) || (dst != src && dst->root == src))
		return ANONMERGE_REFUSE_SHARED;

	set.max = max(1UL, min_t(unsigned long, vma_pages(vma),
				 am_max_rehome_pages));
	set.folios = kvmalloc_array(set.max, sizeof(*set.folios), GFP_KERNEL);
	if (!set.folios)
		return ANONMERGE_REFUSE_NOMEM;
	if (!dry_run && src != dst && alloc_avcs(donor, &avcs)) {
		ret = ANONMERGE_REFUSE_NOMEM;
		goto out;
	}

	am_vma_start_write(vma);
	am_vma_start_write(donor);
	ret = am_folios_collect(&set);
	if (ret != AM_OK)
		goto out;

	down_write(&src->rwsem);
	if (dst->root != src)
		down_write_nested(&dst->root->rwsem, SINGLE_DEPTH_NESTING);
	if (!am_anon_vma_exclusive(vma) || !tree_all_in_mm(src, set.mm))
		ret = ANONMERGE_REFUSE_SHARED;
	else if (!dry_run && src == dst)
		rebase_in_place(vma, &set, new_pgoff);
	else if (!dry_run)
		src_avc = relink(vma, donor, &set, &avcs, new_pgoff, &put_src);
	if (dst->root != src)
		up_write(&dst->root->rwsem);
	up_write(&src->rwsem);

	if (ret == AM_OK && !dry_run)
		am_stat_pages_rehomed(set.nr_pages);
	am_folios_release(&set);
	if (put_src)
		am_put_anon_vma(src);
	if (src_avc)
		kmem_cache_free(am_avc_cache(), src_avc);
out:
	free_avcs(&avcs);
	kvfree(set.folios);
	return ret;
}
