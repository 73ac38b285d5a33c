// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace hooks on the kernel's merge paths.
 *
 * A hook with a wrapper redirects every call of the kernel function to the
 * wrapper (FTRACE_OPS_FL_IPMODIFY, the livepatch mechanism); the wrapper
 * calls the original through a static_call, and that call is recognised by
 * its return address inside this module and let through.
 *
 * The callback calls nothing traceable (within_module() and the resume
 * address setter are inline), so it needs no FTRACE_OPS_FL_RECURSION
 * assist: nothing it does can re-enter ftrace.
 *
 * Unload safety: wrappers may sleep, so ftrace's own teardown is not
 * enough.  Each wrapper is an SRCU read-side section (am_wrapper_enter/
 * exit): per-CPU counters, so every mmap/mprotect/mremap in the system
 * touches no shared cache line.  Removal unregisters the ops (no new
 * entries), synchronize_srcu() waits for every task inside a wrapper, then
 * synchronize_rcu_tasks() covers a task preempted between the ftrace
 * trampoline and am_wrapper_enter() or after am_wrapper_exit().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>

#include "anonmerge.h"
#include "compat.h"

DEFINE_STATIC_SRCU(am_wrapper_srcu);

int am_wrapper_enter(void)
{
	return srcu_read_lock(&am_wrapper_srcu);
}

void am_wrapper_exit(int idx)
{
	srcu_read_unlock(&am_wrapper_srcu, idx);
}

static void notrace am_ftrace_redirect(unsigned long ip, unsigned long parent_ip,
				       struct ftrace_ops *ops,
				       struct ftrace_regs *fregs)
{
	struct am_hook *hook = container_of(ops, struct am_hook, ops);

	/* Our own call of the original must reach it. */
	if (!within_module(parent_ip, THIS_MODULE))
		am_ftrace_set_ip(fregs, (unsigned long)hook->wrapper);
}

static int hook_install(struct am_hook *hook)
{
	/* ftrace_location() maps the symbol to its fentry site (past ENDBR). */
	unsigned long addr = am_sym_addr(hook->sym);
	int err;

	hook->ops.func = am_ftrace_redirect;
	hook->ops.flags = FTRACE_OPS_FL_IPMODIFY;
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
	hook->ops.flags |= FTRACE_OPS_FL_SAVE_REGS;
#endif

	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (err) {
		pr_err("cannot trace %ps (%d)\n", (void *)addr, err);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err) {
		/* -EBUSY: a livepatch or another IPMODIFY user owns it. */
		pr_err("cannot hook %ps (%d)\n", (void *)addr, err);
		ftrace_set_filter_ip(&hook->ops, addr, 1, 0);
		return err;
	}
	hook->registered = true;
	return 0;
}

static void hook_remove(struct am_hook *hook)
{
	if (!hook->registered)
		return;
	WARN_ON(unregister_ftrace_function(&hook->ops));
	ftrace_free_filter(&hook->ops);
	hook->registered = false;
}

int am_hooks_install(struct am_hook *hooks, unsigned int nr)
{
	unsigned int i;
	int err;

	for (i = 0; i < nr; i++) {
		err = hook_install(&hooks[i]);
		if (err) {
			am_hooks_remove(hooks, i);
			return err;
		}
	}
	return 0;
}

void am_hooks_remove(struct am_hook *hooks, unsigned int nr)
{
	while (nr--)
		hook_remove(&hooks[nr]);
	synchronize_srcu(&am_wrapper_srcu);
	synchronize_rcu_tasks();
}
