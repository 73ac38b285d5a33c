// SPDX-License-Identifier: GPL-2.0
/* Binding of the line-independent kernel calls (see kcalls.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "anonmerge.h"
#include "kcalls.h"

DEFINE_STATIC_CALL_NULL(am_avtree_insert, am_avtree_op_t);
DEFINE_STATIC_CALL_NULL(am_avtree_remove, am_avtree_op_t);
DEFINE_STATIC_CALL_NULL(am_avtree_iter_first, am_avtree_iter_first_t);
DEFINE_STATIC_CALL_NULL(am_avtree_iter_next, am_avtree_iter_next_t);
DEFINE_STATIC_CALL_NULL(am_put_anon_vma_slow, am_put_anon_vma_t);
DEFINE_STATIC_CALL_NULL(am_ptrace_may_access, am_ptrace_may_access_t);
DEFINE_STATIC_CALL_NULL(am_get_swap_device, am_get_swap_device_t);
static_assert(__same_type(&get_swap_device, (am_get_swap_device_t *)NULL));

void am_kcalls_bind(void)
{
	static_call_update(am_avtree_insert,
			   (am_avtree_op_t *)
			   am_sym_addr(AM_SYM_AVTREE_INSERT));
	static_call_update(am_avtree_remove,
			   (am_avtree_op_t *)
			   am_sym_addr(AM_SYM_AVTREE_REMOVE));
	static_call_update(am_avtree_iter_first,
			   (am_avtree_iter_first_t *)
			   am_sym_addr(AM_SYM_AVTREE_ITER_FIRST));
	static_call_update(am_avtree_iter_next,
			   (am_avtree_iter_next_t *)
			   am_sym_addr(AM_SYM_AVTREE_ITER_NEXT));
	static_call_update(am_put_anon_vma_slow,
			   (am_put_anon_vma_t *)
			   am_sym_addr(AM_SYM_PUT_ANON_VMA));
	static_call_update(am_ptrace_may_access,
			   (am_ptrace_may_access_t *)
			   am_sym_addr(AM_SYM_PTRACE_MAY_ACCESS));
	static_call_update(am_get_swap_device,
			   (am_get_swap_device_t *)
			   am_sym_addr(AM_SYM_GET_SWAP_DEVICE));
}

/* rmap.c's anon_vma_chain_cachep: a static pointer, found by kallsyms. */
struct kmem_cache *am_avc_cache(void)
{
	return *(struct kmem_cache **)am_sym_addr(AM_SYM_ANON_VMA_CHAIN_CACHEP);
}
