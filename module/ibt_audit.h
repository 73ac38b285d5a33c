/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IBT: the module calls non-exported kernel functions, and on 6.12 and
 * 7.2 (CONFIG_X86_KERNEL_IBT) most of them had their ENDBR sealed at boot:
 * an indirect call into one raises #CP on a CPU with IBT.  So every such
 * call goes through a module static_call, which the kernel patches into a
 * direct call or jump.  QEMU does not emulate IBT, so no test would see an
 * indirect call fail: every binding is made through am_bind_call(), which
 * records it, and am_ibt_audit() checks them all at load.  The build-time
 * half, tests/unit/ibt-audit, looks for indirect calls in anonmerge.ko.
 */
#ifndef ANONMERGE_IBT_AUDIT_H
#define ANONMERGE_IBT_AUDIT_H

#include <linux/static_call.h>

#include "anonmerge.h"

void am_ibt_bind(struct static_call_key *key, void *tramp, const char *call,
		 enum am_sym sym);

/*
 * Point the module's static call @name at the resolved kernel symbol @sym
 * (enum am_sym) and record the pair for am_ibt_audit().  The only way the
 * module binds a kernel function.
 *
 * &__SCK__##name and &__SCT__##name are STATIC_CALL_KEY(name) and
 * STATIC_CALL_TRAMP_ADDR(name) (static_call_types.h, x86-64), spelled out
 * so that @name is only ever pasted, never an expression used twice; a
 * kernel with other prefixes fails to build here rather than misbind.
 */
#define am_bind_call(name, sym)						\
	am_ibt_bind(&__SCK__##name, &__SCT__##name, #name, sym)

/*
 * After every binding: each recorded static call is patched to jump to
 * the start of its kernel function (or just past its ENDBR), and no
 * kernel function is handed out to be called through a pointer unless it
 * starts with ENDBR64.  0, or -errno after a pr_err() naming the call.
 */
int am_ibt_audit(void);

/*
 * A kernel function @name at @addr that would be called through a
 * pointer (e.g. handed to the kernel as a callback) must start with a
 * real ENDBR64 on an IBT kernel.  0 or -EOPNOTSUPP.
 */
int am_ibt_check_callback(const char *name, unsigned long addr);

#endif /* ANONMERGE_IBT_AUDIT_H */
