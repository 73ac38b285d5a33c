// SPDX-License-Identifier: GPL-2.0
/*
 * ftrace hooks on the kernel's merge paths.
 *
 * A hook with a wrapper redirects every call of the kernel function to the
 * wrapper (FTRACE_OPS_FL_IPMODIFY, the livepatch mechanism); the wrapper
 * calls the original through a static_call, and that call is recognised by
 * its return address inside this module and let through.  A hook without a
 * wrapper only counts calls.
 *
 * The callbacks call nothing traceable (the counting callback is a
 * notrace per-CPU increment, stats.c), so they need no
 * FTRACE_OPS_FL_RECURSION assist: nothing they do can re-enter ftrace.
 *
 * Unload safety: wrappers may sleep, so ftrace's own teardown is not
 * enough.  Each wrapper brackets itself with am_wrapper_enter/exit; removal
 * unregisters the ops (no new entries), waits until no task is inside a
 * wrapper, then synchronize_rcu_tasks() covers a task preempted between
 * the ftrace trampoline and am_wrapper_enter() or after am_wrapper_exit().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "anonmerge.h"
#include "compat.h"

static atomic_t wrappers_inflight = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(wrappers_drained);

void am_wrapper_enter(void)
{
	atomic_inc(&wrappers_inflight);
}

void am_wrapper_exit(void)
{
	if (atomic_dec_and_test(&wrappers_inflight))
		wake_up_all(&wrappers_drained);
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

static void notrace am_ftrace_count(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
	struct am_hook *hook = container_of(ops, struct am_hook, ops);

	hook->count();
}

/*
 * The fentry call site of a function: its first instruction, or the one
 * after the ENDBR64 on IBT kernels, which the boot seals into a 4-byte NOP
 * (6.12: 66 0f 1f 00, 7.x: 0f 1f 40 d6).  ftrace_set_filter_ip() refuses
 * anything else, so a wrong guess fails the load instead of patching.
 */
static unsigned long ftrace_site(unsigned long start)
{
	u32 insn;

	if (copy_from_kernel_nofault(&insn, (void *)start, sizeof(insn)))
		return start;
	if (insn == 0xfa1e0ff3 || insn == 0x001f0f66 || insn == 0xd6401f0f)
		return start + 4;
	return start;
}

static int hook_install(struct am_hook *hook)
{
	unsigned long addr = ftrace_site(am_sym_addr(hook->sym));
	int err;

	if (hook->wrapper) {
		hook->ops.func = am_ftrace_redirect;
		hook->ops.flags = FTRACE_OPS_FL_IPMODIFY;
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
		hook->ops.flags |= FTRACE_OPS_FL_SAVE_REGS;
#endif
	} else {
		hook->ops.func = am_ftrace_count;
		hook->ops.flags = 0;
	}

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
	wait_event(wrappers_drained, !atomic_read(&wrappers_inflight));
	synchronize_rcu_tasks();
}
