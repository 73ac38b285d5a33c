/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls into non-exported kernel functions whose prototype is the same on
 * every supported line.  They go through module static_calls: a direct
 * jump, so IBT-sealed targets (6.12, 7.2) are reachable.
 */
#ifndef ANONMERGE_KCALLS_H
#define ANONMERGE_KCALLS_H

#include <linux/mm.h>
#include <linux/rmap.h>
#include <linux/static_call.h>
#include <linux/swap.h>

/*
 * Prototypes of the kernel functions (mm/interval_tree.c, mm/rmap.c,
 * kernel/ptrace.c, mm/swapfile.c),
 * under names of our own: 7.2 no longer declares __put_anon_vma() in
 * <linux/rmap.h>.  Only their types are used, never the names.
 */
typedef void am_avtree_op_t(struct anon_vma_chain *node,
			    struct rb_root_cached *root);
typedef struct anon_vma_chain *(am_avtree_iter_first_t)(struct rb_root_cached *root,
							 unsigned long start,
							 unsigned long last);
typedef struct anon_vma_chain *(am_avtree_iter_next_t)(struct anon_vma_chain *node,
						       unsigned long start,
						       unsigned long last);
typedef void am_put_anon_vma_t(struct anon_vma *anon_vma);
typedef bool am_ptrace_may_access_t(struct task_struct *task,
				    unsigned int mode);
/* mm/swapfile.c: pins the swap device against swapoff (global, unexported). */
typedef struct swap_info_struct *(am_get_swap_device_t)(swp_entry_t entry);

DECLARE_STATIC_CALL(am_avtree_insert, am_avtree_op_t);
DECLARE_STATIC_CALL(am_avtree_remove, am_avtree_op_t);
DECLARE_STATIC_CALL(am_avtree_iter_first, am_avtree_iter_first_t);
DECLARE_STATIC_CALL(am_avtree_iter_next, am_avtree_iter_next_t);
DECLARE_STATIC_CALL(am_put_anon_vma_slow, am_put_anon_vma_t);
DECLARE_STATIC_CALL(am_ptrace_may_access, am_ptrace_may_access_t);
DECLARE_STATIC_CALL(am_get_swap_device, am_get_swap_device_t);

void am_kcalls_bind(void);
struct kmem_cache *am_avc_cache(void);

/* put_anon_vma() from <linux/rmap.h>, with the slow path reachable. */
static inline void am_put_anon_vma(struct anon_vma *anon_vma)
{
	if (atomic_dec_and_test(&anon_vma->refcount))
		static_call(am_put_anon_vma_slow)(anon_vma);
}

#endif /* ANONMERGE_KCALLS_H */
