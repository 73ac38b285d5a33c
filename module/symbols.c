// SPDX-License-Identifier: GPL-2.0
/*
 * Resolution of the non-exported kernel symbols the module needs.
 *
 * kallsyms_lookup_name() is not exported, so its address comes from one
 * throw-away kprobe; every other symbol is then looked up by name.  Only
 * that one function is ever kprobed: arming and disarming kprobes on hot
 * mm functions (e.g. anon_vma_interval_tree_remove) while other CPUs run
 * them crashed 6.1 under a load/unload loop.
 *
 * On IBT kernels (6.12, 7.2) the ENDBR of kallsyms_lookup_name and of most
 * functions the module calls is sealed at boot, so an indirect call would
 * #CP: they are only ever called through module static_calls, which the
 * kernel patches into direct jumps.  Every symbol listed for the running
 * line must resolve, or the module refuses to load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/static_call.h>
#include <linux/string.h>

#include "anonmerge.h"
#include "ibt_audit.h"

static char *test_hide_symbol;
module_param(test_hide_symbol, charp, 0444);
MODULE_PARM_DESC(test_hide_symbol,
		 "Testing only: treat this kernel symbol as missing");

static unsigned long am_sym_addrs[AM_SYM_NR];

/* The same name on every supported line; line tables add the rest. */
static const struct am_sym_desc common_symbols[AM_SYM_NR] = {
	[AM_SYM_KALLSYMS_LOOKUP_NAME] = { "kallsyms_lookup_name" },
	[AM_SYM_MMAP_REGION] = { "mmap_region" },
	[AM_SYM_SYS_MREMAP] = { "__x64_sys_mremap" },
	[AM_SYM_ANON_VMA_CHAIN_CACHEP] = { "anon_vma_chain_cachep" },
	[AM_SYM_AVTREE_INSERT] = { "anon_vma_interval_tree_insert" },
	[AM_SYM_AVTREE_REMOVE] = { "anon_vma_interval_tree_remove" },
	[AM_SYM_PUT_ANON_VMA] = { "__put_anon_vma" },
	[AM_SYM_AVTREE_ITER_FIRST] = { "anon_vma_interval_tree_iter_first" },
	[AM_SYM_AVTREE_ITER_NEXT] = { "anon_vma_interval_tree_iter_next" },
	[AM_SYM_PTRACE_MAY_ACCESS] = { "ptrace_may_access" },
	[AM_SYM_MM_KOBJ] = { "mm_kobj" },
	[AM_SYM_GET_SWAP_DEVICE] = { "get_swap_device" },
};

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
	if (!strcmp(desc->name, "kallsyms_lookup_name"))
		return kprobe_lookup(desc->name);
	return static_call(am_kallsyms_lookup_name)(desc->name);
}

int am_symbols_resolve(const struct am_sym_desc *table)
{
	unsigned int i;

	/* kallsyms_lookup_name first: every other lookup uses it. */
	BUILD_BUG_ON(AM_SYM_KALLSYMS_LOOKUP_NAME != 0);
	for (i = 0; i < AM_SYM_NR; i++) {
		const struct am_sym_desc *desc =
			table[i].name ? &table[i] : &common_symbols[i];
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
			am_bind_call(am_kallsyms_lookup_name,
				     AM_SYM_KALLSYMS_LOOKUP_NAME);
	}
	return 0;
}

unsigned long am_sym_addr(enum am_sym sym)
{
	return am_sym_addrs[sym];
}
