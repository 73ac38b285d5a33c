// SPDX-License-Identifier: GPL-2.0
/*
 * Resolution of the non-exported kernel symbols the module needs.
 *
 * kallsyms_lookup_name() is not exported, so its address comes from a
 * throw-away kprobe.  On IBT kernels (6.12, 7.2) its ENDBR is sealed at
 * boot, so an indirect call would #CP: it is only ever called through a
 * module static_call, which the kernel patches into a direct jump.
 *
 * Functions are resolved with a kprobe too: the kprobe address is the
 * ftrace site (function start, or start + 4 past the ENDBR on IBT
 * kernels), which is what a hook needs and what a direct call may target.
 * Data symbols go through kallsyms_lookup_name().  Every symbol listed for
 * the running line must resolve, or the module refuses to load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/static_call.h>
#include <linux/string.h>

#include "anonmerge.h"

static char *test_hide_symbol;
module_param(test_hide_symbol, charp, 0444);
MODULE_PARM_DESC(test_hide_symbol,
		 "Testing only: treat this kernel symbol as missing");

static unsigned long am_sym_addrs[AM_SYM_NR];

static unsigned long am_kln_stub(const char *name)
{
	return 0;
}

DEFINE_STATIC_CALL(am_kallsyms_lookup_name, am_kln_stub);

static unsigned long kprobe_lookup(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

static unsigned long lookup(const struct am_sym_desc *desc)
{
	if (test_hide_symbol && !strcmp(test_hide_symbol, desc->name))
		return 0;
	if (desc->data)
		return static_call(am_kallsyms_lookup_name)(desc->name);
	return kprobe_lookup(desc->name);
}

int am_symbols_resolve(const struct am_sym_desc *table)
{
	unsigned int i;

	/* kallsyms_lookup_name first: the data lookups depend on it. */
	BUILD_BUG_ON(AM_SYM_KALLSYMS_LOOKUP_NAME != 0);
	for (i = 0; i < AM_SYM_NR; i++) {
		const struct am_sym_desc *desc = &table[i];
		unsigned long addr;

		if (!desc->name)
			continue;
		addr = lookup(desc);
		if (!addr) {
			pr_err("kernel symbol %s not found; this kernel cannot be supported\n",
			       desc->name);
			return -ENOENT;
		}
		am_sym_addrs[i] = addr;
		if (i == AM_SYM_KALLSYMS_LOOKUP_NAME)
			static_call_update(am_kallsyms_lookup_name,
					   (typeof(&am_kln_stub))addr);
	}
	return 0;
}

unsigned long am_sym_addr(enum am_sym sym)
{
	return am_sym_addrs[sym];
}
