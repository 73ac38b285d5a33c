// SPDX-License-Identifier: GPL-2.0
/*
 * fake_dev.so: an LD_PRELOAD stand-in for /dev/anonmerge, so that the
 * host tests can run every anonmergectl command - and the paths no healthy
 * module takes: another ABI, EPERM, a verify that finds violations, bits
 * and counters newer than the tool.
 *
 * ioctl()s on the file named by AM_FAKE_DEV (any regular file, passed to
 * anonmergectl with -d) are answered here; every other ioctl goes to libc.
 *
 *   AM_FAKE_ABI=N        GET_INFO abi_version (default this ABI)
 *   AM_FAKE_FEATURES=X   GET_INFO features (default 0x3f)
 *   AM_FAKE_LINE=X       GET_INFO kernel_line (default ANONMERGE_LINE_6_1)
 *   AM_FAKE_ERRNO=E      every ioctl fails with errno E
 *   AM_FAKE_CMD_ERRNO=E  every ioctl but GET_INFO fails with errno E
 *   AM_FAKE_BAD=N        VERIFY reports N pages not found by rmap
 *   AM_FAKE_NEWER=1      GET_STATS counts one merge kind and one refusal
 *                        more than this ABI names
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <linux/anonmerge.h>

static unsigned long long env(const char *name, unsigned long long def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static int is_fake(int fd)
{
	const char *path = getenv("AM_FAKE_DEV");
	struct stat a, b;

	return path && !stat(path, &a) && !fstat(fd, &b) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static int fake_ioctl(unsigned long req, void *arg)
{
	unsigned int i;

	if (env("AM_FAKE_ERRNO", 0))
		return fail(env("AM_FAKE_ERRNO", 0));
	if (req != ANONMERGE_IOC_GET_INFO && env("AM_FAKE_CMD_ERRNO", 0))
		return fail(env("AM_FAKE_CMD_ERRNO", 0));
	switch (req) {
	case ANONMERGE_IOC_GET_INFO: {
		struct anonmerge_info *info = arg;

		if (info->size != sizeof(*info))
			return fail(EINVAL);
		info->abi_version = env("AM_FAKE_ABI", ANONMERGE_ABI_VERSION);
		info->kernel_line = env("AM_FAKE_LINE", ANONMERGE_LINE_6_1);
		info->mode = ANONMERGE_MODE_OFF;
		info->features = env("AM_FAKE_FEATURES", 0x3f);
		strcpy(info->kernel_release, "6.1.0-fake-amd64");
		strcpy(info->module_version, "0.0.1");
		return 0;
	}
	case ANONMERGE_IOC_SET_MODE: {
		struct anonmerge_set_mode *m = arg;

		return m->size == sizeof(*m) && m->mode < ANONMERGE_NR_MODES &&
		       !m->flags ? 0 : fail(EINVAL);
	}
	case ANONMERGE_IOC_GET_STATS: {
		struct anonmerge_stats *st = arg;
		unsigned int more = env("AM_FAKE_NEWER", 0) ? 1 : 0;

		if (st->size != sizeof(*st))
			return fail(EINVAL);
		st->nr_merge_kinds = ANONMERGE_NR_MERGE_KINDS + more;
		st->nr_refusals = ANONMERGE_NR_REFUSALS + more;
		st->attempts = 100;
		st->candidates = 10;
		st->dry_run_would_merge = 3;
		st->pages_rehomed = 1ULL << 40;
		for (i = 0; i < st->nr_merge_kinds; i++)
			st->merges[i] = i + 1;
		for (i = 0; i < st->nr_refusals; i++)
			st->refusals[i] = 1000 + i;
		return 0;
	}
	case ANONMERGE_IOC_VERIFY: {
		struct anonmerge_verify *v = arg;

		if (v->size != sizeof(*v))
			return fail(EINVAL);
		v->vmas = 7;
		v->pages = 300;
		v->bad_rmap = env("AM_FAKE_BAD", 0);
		return 0;
	}
	default:
		return fail(ENOTTY);
	}
}

int ioctl(int fd, unsigned long req, ...)
{
	static int (*real_ioctl)(int, unsigned long, ...);
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (is_fake(fd))
		return fake_ioctl(req, arg);
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))
			dlsym(RTLD_NEXT, "ioctl");
	return real_ioctl(fd, req, arg);
}
