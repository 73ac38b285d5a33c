// SPDX-License-Identifier: GPL-2.0
/*
 * The re-home primitive.
 *
 * A VMA that is the sole user of its anon_vma S (its own root, no fork
 * children, a singular chain, nothing else in its tree) is moved onto the
 * anon_vma T of a neighbour ("donor") whose chain is singular too:
 *
 *   1. prepare: all checks and every allocation (am_mover_check()), then
 *      all its folios trylocked and referenced (am_mover_collect(),
 *      collect.c) - any refusal here leaves no trace;
 *   2. apply, once every mover of the plan is prepared: the sources, then
 *      T's root are write-locked; the VMA leaves S's tree, its vm_pgoff is
 *      rebased if asked (a moved VMA made linear with its new neighbour),
 *      every folio's mapping becomes T and its index moves by the same
 *      delta, and the VMA is linked into every anon_vma of the donor's
 *      chain, as anon_vma_clone() would do, keyed by the new pgoff;
 *   3. the accounting follows unlink_anon_vmas() (mm/rmap.c, 6.1.192
 *      l.399-449): num_active_vmas moves from S to T, and when S's tree
 *      empties S's parent (S itself) loses a child and S its last
 *      reference - after an RCU grace period (anon_vma_put.c).
 *
 * Locking, outermost first:
 *   mmap_lock (write, held by the caller) - excludes faults (6.1), fork,
 *     and every change to this mm's VMAs and page tables but reclaim's;
 *   the VMA write locks of every participant (6.4+: faults under the
 *     per-VMA lock), all taken before the first folio lock;
 *   folio locks, trylocked under the PTL (never waited for: cannot
 *     deadlock, any number of them);
 *   S's rwsem for each source, then T's root rwsem, for write: folio lock
 *     -> anon_vma is the order of mm/rmap.c.  Several anon_vma roots nest
 *     here, which nothing else in the kernel does: the sources are exclusive
 *     to this mm, so only a task holding this mm's mmap_lock for write can
 *     take any of them nested - us, now.  Another mm's re-home may nest its
 *     own sources and then a shared T, but never one of our sources (they
 *     are in no other mm's chain), so no two tasks wait on each other in
 *     opposite order.  lockdep sees them as subclasses 0..3.
 *
 * Who reads what we change: rmap walkers that hold the folio lock (unmap,
 * migration, split, memory-failure) are excluded by ours; every walker
 * takes S's or T's root lock for read before using the interval trees,
 * which we hold for write, and the VMA is out of every tree while its
 * vm_pgoff changes.  Walkers without the folio lock (folio_referenced()
 * from reclaim, page_idle, DAMON) read folio->mapping under RCU only: one
 * that read S before the move may lock S afterwards and walk S's tree,
 * where this VMA no longer is, and miss a reference bit once (6.1 lacks
 * the 6.8 re-check of the mapping in folio_lock_anon_vma_read()).  They do
 * not hold a reference to S: that S stays allocated for them is what the
 * grace period before its last put is for.
 *
 * The result is an ordinary kernel state: the VMA simply uses T, as if it
 * had been split off the donor.  The stock merge then finds the two
 * compatible and does the rest itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/rbtree.h>
#include <linux/rmap.h>
#include <linux/slab.h>

#include "anon_vma_put.h"
#include "anonmerge.h"
#include "compat.h"
#include "kcalls.h"
#include "mergeable.h"
#include "refusal_memo.h"
#include "rehome.h"

unsigned int am_max_rehome_pages = 262144;
module_param_named(max_rehome_pages, am_max_rehome_pages, uint, 0644);
MODULE_PARM_DESC(max_rehome_pages,
		 "Most pages moved in one re-home, all under mmap_lock (default 262144 = 1 GiB)");

/*
 * Fault injection for the tests of the checkers themselves (off by
 * default): the next re-home leaves its last folio on the old anon_vma,
 * which is then kept allocated (leaked), so that the verifier and the
 * rmap checks must see one unreachable folio - and nothing is freed under
 * it.  Only in test builds (ANONMERGE_TESTING=y), as plan.c's knobs.
 */
#ifdef AM_TESTING
static bool test_skip_folio;
module_param(test_skip_folio, bool, 0644);
MODULE_PARM_DESC(test_skip_folio,
		 "Testing only: the next re-home leaves one folio behind (default off)");

/* Armed: true once, for the next mover. */
static bool take_skip_folio(void)
{
	return READ_ONCE(test_skip_folio) && xchg(&test_skip_folio, false);
}
#else
static bool take_skip_folio(void)
{
	return false;
}
#endif

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

/*
 * Under S's lock: S's tree holds @vma alone - nobody outside this mm can
 * reach S's folios, and no other VMA of this mm shares S (moving @vma
 * alone would part it from such a sibling for good).  Once true it stays
 * true while this mm's mmap_lock is held for write: only a fork or a
 * split of this mm's VMAs can add to S's tree.
 */
static bool tree_holds_only(struct anon_vma *av, struct vm_area_struct *vma)
{
	struct rb_node *node = rb_first_cached(&av->rb_root);

	return node && !rb_next(node) &&
	       rb_entry(node, struct anon_vma_chain, rb)->vma == vma;
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
		if (!avc)
			return -ENOMEM;
		list_add(&avc->same_vma, avcs);
	}
	return 0;
}

/*
 * What needs no lock to see about moving @vma onto @donor's anon_vma
 * (@donor is @vma itself when only its pgoff is to move): AM_OK or why
 * not.  Valid under this mm's mmap_lock (write): only a fork or a change
 * of this mm's VMAs can change it.
 */
int am_mover_quick_check(struct vm_area_struct *vma,
			 struct vm_area_struct *donor)
{
	struct anon_vma *src = vma->anon_vma, *dst = donor->anon_vma;

	if (!am_vma_plain_anon(vma) || !am_vma_plain_anon(donor) || !src ||
	    !dst)
		return ANONMERGE_REFUSE_UNSUPPORTED;
	/*
	 * T under S would make S a parent: impossible if S is exclusive.  A
	 * mover's chain is singular; on a forked (non-singular) chain it
	 * would refuse the unfaulted neighbours stock lets it absorb later.
	 */
	if (!am_anon_vma_exclusive(vma) || (src != dst && dst->root == src) ||
	    !list_is_singular(&donor->anon_vma_chain))
		return ANONMERGE_REFUSE_SHARED;
	if (READ_ONCE(src->num_active_vmas) != 1)
		return ANONMERGE_REFUSE_SIBLINGS;
	return AM_OK;
}

/**
 * am_mover_check - check one re-home and allocate all it needs
 * @m: vma, donor and new_pgoff filled in
 *
 * Caller holds mmap_lock for write.  Returns AM_OK or the refusal reason;
 * either way am_mover_release() frees what was allocated.  No folio is
 * locked yet: every mover of a plan allocates before any collects, so no
 * allocation (which may reclaim) runs while folio locks are held.
 */
int am_mover_check(struct am_mover *m)
{
	struct vm_area_struct *vma = m->vma, *donor = m->donor;
	struct anon_vma *src = vma->anon_vma, *dst = donor->anon_vma;
	bool relink = src != dst;
	bool sole;
	int ret;

	m->src = src;
	m->set.folios = NULL;
	m->set.nr = 0;
	m->put = NULL;
	m->old_avc = NULL;
	m->src_emptied = false;
	m->skipped = false;
	m->leak_src = false;
	INIT_LIST_HEAD(&m->avcs);

	/* mmap_assert_write_locked() would need the unexported dump_mm(). */
	lockdep_assert_held_write(&vma->vm_mm->mmap_lock);
	ret = am_mover_quick_check(vma, donor);
	if (ret != AM_OK)
		return ret;
	if (!relink && m->new_pgoff == vma->vm_pgoff)
		return ANONMERGE_REFUSE_UNSUPPORTED;
	/* The authoritative check of what num_active_vmas suggested. */
	down_read(&src->rwsem);
	sole = tree_holds_only(src, vma);
	up_read(&src->rwsem);
	if (!sole)
		return ANONMERGE_REFUSE_SIBLINGS;
	if (am_refusal_remembered(vma))
		return ANONMERGE_REFUSE_REMEMBERED;

	m->set.vma = vma;
	m->set.src = src;
	m->set.max = max(1UL, min_t(unsigned long, vma_pages(vma),
				    am_max_rehome_pages));
	m->set.folios = kvmalloc_array(m->set.max, sizeof(*m->set.folios),
				       GFP_KERNEL);
	if (!m->set.folios)
		return ANONMERGE_REFUSE_NOMEM;
	if (relink) {
		m->put = am_anon_vma_put_alloc();
		if (!m->put || alloc_avcs(donor, &m->avcs))
			return ANONMERGE_REFUSE_NOMEM;
	}
	return AM_OK;
}

/**
 * am_mover_collect - lock every folio of a checked mover
 * @m: checked by am_mover_check()
 *
 * Returns AM_OK with every folio of the VMA locked, or the refusal reason
 * with none held (and the refusal remembered if it lasts).
 */
int am_mover_collect(struct am_mover *m)
{
	int ret;

	/* Write-locked by the caller, before any folio (am_plan_run()). */
	ret = am_folios_collect(&m->set);
	if (ret != AM_OK)
		am_refusal_remember(m->vma, ret);
	return ret;
}

void am_mover_release(struct am_mover *m)
{
	if (m->set.folios) {
		am_folios_release(&m->set);
		kvfree(m->set.folios);
		m->set.folios = NULL;
	}
	free_avcs(&m->avcs);
	am_anon_vma_put_free(m->put);
	m->put = NULL;
	if (m->old_avc)
		kmem_cache_free(am_avc_cache(), m->old_avc);
	m->old_avc = NULL;
}

/*
 * Move every collected folio: new anon_vma, index shifted by @delta.
 * With @skip (fault injection) the last one stays as it was.
 */
static void move_folios(struct am_folio_set *set, struct anon_vma *dst,
			pgoff_t delta, bool skip)
{
	unsigned int i, nr = set->nr - (skip && set->nr);

	for (i = 0; i < nr; i++) {
		struct folio *folio = set->folios[i];

		folio->index += delta;
		am_folio_set_anon_vma(folio, dst);
	}
}

/* Only the pgoff moves (T is S): out of the tree, rebase, back in. */
static void rebase_in_place(struct am_mover *m)
{
	struct vm_area_struct *vma = m->vma;
	struct anon_vma_chain *avc =
		list_first_entry(&vma->anon_vma_chain, struct anon_vma_chain,
				 same_vma);

	static_call(am_avtree_remove)(avc, &avc->anon_vma->rb_root);
	move_folios(&m->set, avc->anon_vma, m->new_pgoff - vma->vm_pgoff,
		    m->skipped);
	/* Also under mmap_lock (write) and, 6.4+, the VMA write lock. */
	WRITE_ONCE(vma->vm_pgoff, m->new_pgoff);
	static_call(am_avtree_insert)(avc, &avc->anon_vma->rb_root);
}

/* Relink onto the donor's chain (step 2 above); S and T's root held. */
static void relink(struct am_mover *m)
{
	struct vm_area_struct *vma = m->vma, *donor = m->donor;
	struct anon_vma *src = m->src, *dst = donor->anon_vma;
	struct anon_vma_chain *pavc, *avc;

	m->old_avc = list_first_entry(&vma->anon_vma_chain,
				      struct anon_vma_chain, same_vma);
	static_call(am_avtree_remove)(m->old_avc, &src->rb_root);
	list_del(&m->old_avc->same_vma);

	move_folios(&m->set, dst, m->new_pgoff - vma->vm_pgoff,
		    m->skipped);
	WRITE_ONCE(vma->vm_pgoff, m->new_pgoff);

	/* Same order as anon_vma_clone(): newest first, root last. */
	list_for_each_entry_reverse(pavc, &donor->anon_vma_chain, same_vma) {
		avc = list_first_entry(&m->avcs, struct anon_vma_chain,
				       same_vma);
		list_del(&avc->same_vma);
		avc->vma = vma;
		avc->anon_vma = pavc->anon_vma;
		list_add(&avc->same_vma, &vma->anon_vma_chain);
		static_call(am_avtree_insert)(avc, &pavc->anon_vma->rb_root);
	}

	WRITE_ONCE(vma->anon_vma, dst);
	/* Both counters are protected by the root rwsems we hold. */
	dst->num_active_vmas++;
	src->num_active_vmas--;
	m->src_emptied = RB_EMPTY_ROOT(&src->rb_root.rb_root);
	if (m->src_emptied)
		src->parent->num_children--;
}

/* The distinct anon_vma roots a plan write-locks, sources first. */
static unsigned int plan_locks(struct am_mover *movers, unsigned int nr,
			       struct anon_vma **locks)
{
	unsigned int i, j, n = 0;
	struct anon_vma *av;

	for (i = 0; i <= nr; i++) {
		av = i < nr ? movers[i].src : movers[0].donor->anon_vma->root;
		for (j = 0; j < n && locks[j] != av; j++)
			;
		if (j == n)
			locks[n++] = av;
	}
	return n;
}

/* After the locks: S's last reference, the old links, the statistics. */
static void finish(struct am_mover *m)
{
	am_stat_pages_rehomed(m->set.nr_pages);
	if (!m->src_emptied)
		return;
	if (m->skipped || m->leak_src) {
		pr_warn_ratelimited("%s: anon_vma %p may still hold folios and stays allocated\n",
				    m->skipped ? "test_skip_folio" :
						 "test_skip_vma_lock", m->src);
		return;
	}
	am_anon_vma_put_after_gp(m->put, m->src);
	m->put = NULL;
}

/**
 * am_movers_apply - re-home every prepared mover of one plan
 * @movers: prepared (AM_OK) movers, all with donors on one anon_vma
 * @nr: how many
 *
 * Returns AM_OK when all moved, or ANONMERGE_REFUSE_SHARED when a re-check
 * under the locks failed, in which case none moved.  The caller releases
 * the movers either way.
 */
int am_movers_apply(struct am_mover *movers, unsigned int nr)
{
	struct anon_vma *locks[AM_MAX_MOVERS + 1];
	unsigned int i, nr_locks = plan_locks(movers, nr, locks);
	int ret = AM_OK;

	for (i = 0; i < nr_locks; i++)
		down_write_nested(&locks[i]->rwsem, i);
	/* Cannot fail while mmap_lock is held (see tree_holds_only()). */
	for (i = 0; i < nr; i++)
		if (!am_anon_vma_exclusive(movers[i].vma) ||
		    !tree_holds_only(movers[i].src, movers[i].vma))
			ret = ANONMERGE_REFUSE_SHARED;
	for (i = 0; i < nr && ret == AM_OK; i++) {
		movers[i].skipped = take_skip_folio();
		if (movers[i].src == movers[i].donor->anon_vma)
			rebase_in_place(&movers[i]);
		else
			relink(&movers[i]);
	}
	while (nr_locks--)
		up_write(&locks[nr_locks]->rwsem);
	if (WARN_ON_ONCE(ret != AM_OK))
		return ret;
	for (i = 0; i < nr; i++)
		finish(&movers[i]);
	return AM_OK;
}
