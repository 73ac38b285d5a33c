// SPDX-License-Identifier: GPL-2.0
/*
 * The last reference to a re-homed VMA's old anon_vma S is dropped only
 * after an RCU grace period, from process context.
 *
 * Why: walkers that do not hold the folio lock (folio_referenced() from
 * reclaim, page_idle, DAMON) find S through folio->mapping inside
 * rcu_read_lock() and then trylock S's root or take a reference with
 * atomic_inc_not_zero() (folio_lock_anon_vma_read(), mm/rmap.c 6.1.192
 * l.540-607).  The kernel's own rule that makes this safe is "a mapped
 * folio's anon_vma is alive"; a re-home breaks it, since the folio stays
 * mapped while its mapping moves to T and S loses its last VMA.  A walker
 * that read S just before the move may still be between that read and its
 * trylock.  After a grace period every such walker has either finished,
 * holds S's rwsem (anon_vma_free() then waits for it, l.109-139) or holds
 * a reference of its own (then ours is not the last), so the put is safe.
 * It may sleep (anon_vma_free() can take the rwsem), hence rcu_work.
 *
 * Unload waits for every pending put: rcu_barrier() flushes the grace
 * periods (queue_rcu_work() is call_rcu() underneath), then
 * destroy_workqueue() drains the queued puts.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "anon_vma_put.h"
#include "kcalls.h"

struct am_anon_vma_put {
	struct rcu_work rwork;
	struct anon_vma *anon_vma;
};

static struct workqueue_struct *am_put_wq;

int am_anon_vma_put_init(void)
{
	am_put_wq = alloc_workqueue("anonmerge_put", WQ_UNBOUND, 0);
	return am_put_wq ? 0 : -ENOMEM;
}

/* After every hook is gone: no new puts can be queued. */
void am_anon_vma_put_exit(void)
{
	rcu_barrier();
	destroy_workqueue(am_put_wq);
}

/* Allocated before any lock is taken, so that the put cannot fail. */
struct am_anon_vma_put *am_anon_vma_put_alloc(void)
{
	return kmalloc(sizeof(struct am_anon_vma_put), GFP_KERNEL);
}

void am_anon_vma_put_free(struct am_anon_vma_put *put)
{
	kfree(put);
}

static void put_fn(struct work_struct *work)
{
	struct am_anon_vma_put *put =
		container_of(to_rcu_work(work), struct am_anon_vma_put, rwork);

	am_put_anon_vma(put->anon_vma);
	kfree(put);
}

/* Drop the caller's reference to @anon_vma after a grace period. */
void am_anon_vma_put_after_gp(struct am_anon_vma_put *put,
			      struct anon_vma *anon_vma)
{
	put->anon_vma = anon_vma;
	INIT_RCU_WORK(&put->rwork, put_fn);
	queue_rcu_work(am_put_wq, &put->rwork);
}
