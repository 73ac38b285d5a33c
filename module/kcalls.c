// SPDX-License-Identifier: GPL-2.0
/* Binding of the line-independent kernel calls (see kcalls.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "anonmerge.h"
#include "ibt_audit.h"
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
	am_bind_call(am_avtree_insert, AM_SYM_AVTREE_INSERT);
	am_bind_call(am_avtree_remove, AM_SYM_AVTREE_REMOVE);
	am_bind_call(am_avtree_iter_first, AM_SYM_AVTREE_ITER_FIRST);
	am_bind_call(am_avtree_iter_next, AM_SYM_AVTREE_ITER_NEXT);
	am_bind_call(am_put_anon_vma_slow, AM_SYM_PUT_ANON_VMA);
	am_bind_call(am_ptrace_may_access, AM_SYM_PTRACE_MAY_ACCESS);
	am_bind_call(am_get_swap_device, AM_SYM_GET_SWAP_DEVICE);
}

/* rmap.c's anon_vma_chain_cachep: a static pointer, found by kallsyms. */
struct kmem_cache *am_avc_cache(void)
{
	return *(struct kmem_cache **)am_sym_addr(AM_SYM_ANON_VMA_CHAIN_CACHEP);
}
