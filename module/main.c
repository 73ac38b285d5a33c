// SPDX-License-Identifier: GPL-2.0
/*
 * anonmerge: let the kernel merge adjacent anonymous VMAs whose only
 * difference is an exclusively owned anon_vma.
 *
 * Load order: check the kernel, resolve every symbol, hook, and only then
 * publish /sys/kernel/mm/anonmerge and /dev/anonmerge.  Any failure unwinds and the module does not
 * load: it never runs half working.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <generated/utsrelease.h>
#include <linux/kconfig.h>
#include <linux/module.h>
#include <linux/utsname.h>

#include "anon_vma_put.h"
#include "anonmerge.h"
#include "ibt_audit.h"
#include "kcalls.h"

struct am_config_need {
	const char *name;
	bool enabled;
};

/* Kernel options the module cannot work without. */
static const struct am_config_need am_config_needs[] = {
	{ "CONFIG_KPROBES", IS_ENABLED(CONFIG_KPROBES) },
	{ "CONFIG_KALLSYMS_ALL", IS_ENABLED(CONFIG_KALLSYMS_ALL) },
	{ "CONFIG_DYNAMIC_FTRACE", IS_ENABLED(CONFIG_DYNAMIC_FTRACE) },
	{ "CONFIG_DYNAMIC_FTRACE_WITH_ARGS or _WITH_REGS",
	  IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_ARGS) ||
	  IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_REGS) },
	{ "CONFIG_HAVE_STATIC_CALL", IS_ENABLED(CONFIG_HAVE_STATIC_CALL) },
	{ "CONFIG_TASKS_RCU", IS_ENABLED(CONFIG_TASKS_RCU) },
	{ "CONFIG_MMU", IS_ENABLED(CONFIG_MMU) },
};

static int am_check_kernel(void)
{
	const char *running = init_utsname()->release;
	unsigned int i;
	int err;

	if (!am_this_line) {
		pr_err("kernel %s has no merge code this module knows (6.1's vma_merge(), or 6.12+'s mm/vma.c without vma_modify_*() in <linux/mm.h>)\n",
		       running);
		return -EOPNOTSUPP;
	}
	/*
	 * Struct layouts come from the headers the module was built with;
	 * 7.2 has MODVERSIONS=n, so nothing else would catch a mismatch:
	 * the release first, then the layouts used against the running
	 * kernel's BTF (btf_layout.c).
	 */
	if (strcmp(running, UTS_RELEASE)) {
		pr_err("built for kernel %s but running %s; rebuild the module\n",
		       UTS_RELEASE, running);
		return -EOPNOTSUPP;
	}
	err = am_btf_check();
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(am_config_needs); i++) {
		if (!am_config_needs[i].enabled) {
			pr_err("kernel lacks %s\n", am_config_needs[i].name);
			return -EOPNOTSUPP;
		}
	}
	return 0;
}

static int __init anonmerge_init(void)
{
	const struct am_line *line = am_this_line;
	int err;

	err = am_check_kernel();
	if (err)
		return err;
	err = am_symbols_resolve(line->symbols);
	if (err)
		return err;
	am_kcalls_bind();
	line->bind_calls();
	/* Before the hooks send kernel paths through the calls just bound. */
	err = am_ibt_audit();
	if (err)
		return err;
	err = am_anon_vma_put_init();
	if (err)
		return err;
	err = am_hooks_install(line->hooks, line->nr_hooks);
	if (err)
		goto out_put;
	err = am_sysfs_init();
	if (err) {
		pr_err("cannot create /sys/kernel/mm/anonmerge (%d)\n", err);
		goto out_hooks;
	}
	err = am_ctl_register();
	if (err) {
		pr_err("cannot register /dev/anonmerge (%d)\n", err);
		goto out_sysfs;
	}
	pr_info("%s loaded on kernel line %s (%s), mode %s\n",
		ANONMERGE_VERSION, line->name, init_utsname()->release,
		am_mode_name(am_mode_get()));
	return 0;

out_sysfs:
	am_sysfs_exit();
out_hooks:
	am_hooks_remove(line->hooks, line->nr_hooks);
out_put:
	am_anon_vma_put_exit();
	return err;
}

static void __exit anonmerge_exit(void)
{
	const struct am_line *line = am_this_line;

	am_ctl_unregister();
	am_sysfs_exit();
	am_hooks_remove(line->hooks, line->nr_hooks);
	/* No hook left to re-home: wait for the anon_vma puts queued. */
	am_anon_vma_put_exit();
	pr_info("unloaded\n");
}

module_init(anonmerge_init);
module_exit(anonmerge_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Merge adjacent anonymous VMAs split only by their anon_vma");
MODULE_AUTHOR("anonmerge developers");
MODULE_VERSION(ANONMERGE_VERSION);
