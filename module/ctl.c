// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/anonmerge: the control device.  Mode 0600, and every ioctl also
 * requires CAP_SYS_ADMIN because the module changes memory-management
 * behaviour system-wide.  Each ioctl validates its whole argument before it
 * changes anything, so a failed call leaves the module as it was.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>

#include "anonmerge.h"

/* Argument structs larger than this are certainly not ours. */
#define AM_MAX_ARG_SIZE PAGE_SIZE

/*
 * Copy an output struct to a caller that announced usize bytes in the
 * struct's leading size field: at most what both sides know, the rest of
 * the caller's struct zeroed, and size set to the bytes filled in.
 */
static int copy_out_sized(void __user *uarg, void *kbuf, u32 ksize,
			  u32 min_size)
{
	u32 usize, n;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size || usize > AM_MAX_ARG_SIZE)
		return -EINVAL;
	n = min(usize, ksize);
	*(u32 *)kbuf = n;
	if (copy_to_user(uarg, kbuf, n))
		return -EFAULT;
	if (usize > n && clear_user(uarg + n, usize - n))
		return -EFAULT;
	return 0;
}

/*
 * Copy an input struct from a caller that announced usize bytes: a
 * larger struct is accepted when its unknown tail is zero.
 */
static int copy_in_sized(void *kbuf, u32 ksize, const void __user *uarg,
			 u32 min_size)
{
	u32 usize;
	int err;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size || usize > AM_MAX_ARG_SIZE)
		return -EINVAL;
	err = copy_struct_from_user(kbuf, ksize, uarg, usize);
	return err == -E2BIG ? -EINVAL : err;
}

static long ioc_get_info(void __user *uarg)
{
	struct anonmerge_info info;

	memset(&info, 0, sizeof(info));
	info.abi_version = ANONMERGE_ABI_VERSION;
	info.kernel_line = am_this_line->id;
	info.mode = am_mode_get();
	info.features = am_this_line->features;
	strscpy(info.kernel_release, init_utsname()->release,
		sizeof(info.kernel_release));
	strscpy(info.module_version, ANONMERGE_VERSION,
		sizeof(info.module_version));
	return copy_out_sized(uarg, &info, sizeof(info),
			      ANONMERGE_INFO_SIZE_VER0);
}

static long ioc_get_stats(void __user *uarg)
{
	struct anonmerge_stats stats;

	am_stats_snapshot(&stats);
	return copy_out_sized(uarg, &stats, sizeof(stats),
			      ANONMERGE_STATS_SIZE_VER0);
}

static long ioc_set_mode(void __user *uarg)
{
	struct anonmerge_set_mode req;
	int err;

	err = copy_in_sized(&req, sizeof(req), uarg,
			    ANONMERGE_SET_MODE_SIZE_VER0);
	if (err)
		return err;
	if (req.flags || req.mode >= ANONMERGE_NR_MODES)
		return -EINVAL;
	am_mode_set(req.mode);
	return 0;
}

static long ioc_verify(void __user *uarg)
{
	struct anonmerge_verify in, req;
	int err;

	err = copy_in_sized(&in, sizeof(in), uarg, ANONMERGE_VERIFY_SIZE_VER0);
	if (err)
		return err;
	/* Only the input fields are the caller's. */
	memset(&req, 0, sizeof(req));
	req.pid = in.pid;
	req.start = in.start;
	req.len = in.len;
	req.flags = in.flags;
	err = am_verify(&req);
	if (err)
		return err;
	return copy_out_sized(uarg, &req, sizeof(req),
			      ANONMERGE_VERIFY_SIZE_VER0);
}

static long am_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;

	switch (cmd) {
	case ANONMERGE_IOC_GET_INFO:
		return ioc_get_info(uarg);
	case ANONMERGE_IOC_SET_MODE:
		return ioc_set_mode(uarg);
	case ANONMERGE_IOC_GET_STATS:
		return ioc_get_stats(uarg);
	case ANONMERGE_IOC_VERIFY:
		return ioc_verify(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations am_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.llseek = noop_llseek,
	.unlocked_ioctl = am_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice am_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "anonmerge",
	.fops = &am_fops,
	.mode = 0600,
};

int am_ctl_register(void)
{
	return misc_register(&am_miscdev);
}

void am_ctl_unregister(void)
{
	misc_deregister(&am_miscdev);
}
