// SPDX-License-Identifier: GPL-2.0
/*
 * The module's operating mode: off (stock behaviour), dry-run (count what
 * would merge) or on.  The load-time default comes from the "mode"
 * parameter; at run time it changes through ANONMERGE_IOC_SET_MODE or
 * /sys/kernel/mm/anonmerge/mode, both capability-checked, both through
 * am_mode_set() so that every change is logged.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "anonmerge.h"

int am_mode = ANONMERGE_MODE_OFF;

#define MODE_NAME(id, name) name,
static const char *const mode_names[] = { ANONMERGE_MODES(MODE_NAME) };
#undef MODE_NAME

const char *am_mode_name(int mode)
{
	if (mode < 0 || mode >= ARRAY_SIZE(mode_names))
		return "?";
	return mode_names[mode];
}

void am_mode_set(int mode)
{
	int old = xchg(&am_mode, mode);

	if (old != mode)
		pr_info("mode %s -> %s\n", am_mode_name(old), am_mode_name(mode));
}

/* A mode name as written to sysfs (a trailing newline allowed). */
int am_mode_parse(const char *buf)
{
	return sysfs_match_string(mode_names, buf);
}

static int mode_param_set(const char *val, const struct kernel_param *kp)
{
	int mode = am_mode_parse(val);

	if (mode < 0)
		return -EINVAL;
	WRITE_ONCE(am_mode, mode);
	return 0;
}

static int mode_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", am_mode_name(am_mode_get()));
}

static const struct kernel_param_ops mode_param_ops = {
	.set = mode_param_set,
	.get = mode_param_get,
};

module_param_cb(mode, &mode_param_ops, NULL, 0444);
MODULE_PARM_DESC(mode, "Mode after load: off (default), dry-run or on");
