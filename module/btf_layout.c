// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel struct layouts the module relies on (module/btf.list),
 * checked against the kernel's BTF twice:
 *
 * - at build time, by the static_asserts of generated/am_btf.h, which
 *   tools/am-btf writes from $(objtree)/vmlinux (Kbuild): headers that
 *   disagree with their own kernel fail to compile, naming the member;
 * - at load, against /sys/kernel/btf/vmlinux: 7.2 has MODVERSIONS=n and
 *   6.12's covers exported symbols only, so a module built for another
 *   build of the same release would otherwise load and corrupt memory.
 *   Debian's header packages ship the image's own .BTF (byte for byte on
 *   6.12.117 and 7.2.13), so equal digests settle it; otherwise each
 *   listed member is looked up in the running kernel's BTF (btf_parse.c).
 *
 * A build without BTF (6.1 and the self-built debug kernels, unless built
 * on the kernel itself) keeps only the release-string check, and says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/build_bug.h>
#include <linux/fs.h>
#include <linux/maple_tree.h>
#include <linux/mm.h>
#include <linux/mm_types.h>
#include <linux/moduleparam.h>
#include <linux/ptrace.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "anonmerge.h"
#include "btf_parse.h"
#include "../generated/am_btf.h"

static char *test_btf_perturb;
module_param(test_btf_perturb, charp, 0444);
MODULE_PARM_DESC(test_btf_perturb,
		 "Testing only: take STRUCT.MEMBER as built 8 bytes further on");

#ifdef AM_BTF_NONE
int am_btf_check(void)
{
	pr_notice("built without the kernel's BTF (%s): struct layouts not checked\n",
		  AM_BTF_NONE);
	return 0;
}
#else
#define AM_BTF_PATH "/sys/kernel/btf/vmlinux"

struct am_btf_layout {
	const char *st;
	const char *member;	/* NULL: the size of the struct */
	u32 offset;
	u32 size;
};

static const struct am_btf_layout am_btf_layouts[] = { AM_BTF_LAYOUTS };
static_assert(ARRAY_SIZE(am_btf_layouts) == AM_BTF_NR_LAYOUTS);

static bool perturbed(const struct am_btf_layout *l)
{
	size_t n = strlen(l->st);

	return test_btf_perturb && l->member &&
	       !strncmp(test_btf_perturb, l->st, n) &&
	       test_btf_perturb[n] == '.' &&
	       !strcmp(test_btf_perturb + n + 1, l->member);
}

/* Every listed layout as the running kernel's BTF has it. */
static int compare(const struct am_btf *btf)
{
	const struct am_btf_layout *l;
	int bad = 0;

	for (l = am_btf_layouts; l < am_btf_layouts + ARRAY_SIZE(am_btf_layouts);
	     l++) {
		struct am_btf_member m = { 0 };
		u32 offset = l->offset + (perturbed(l) ? 8 : 0);
		int id = am_btf_find_struct(btf, l->st), err = id;

		if (id > 0)
			err = l->member ? am_btf_member(btf, id, l->member, &m) :
				am_btf_type_size(btf, id, &m.size);
		if (err < 0) {
			pr_err("struct %s%s%s: not in the running kernel's BTF; rebuild the module for this kernel\n",
			       l->st, l->member ? "." : "",
			       l->member ? l->member : "");
			bad++;
		} else if (m.bit_offset != offset * 8 || m.bit_size ||
			   m.size != l->size) {
			pr_err("struct %s%s%s: offset %u, size %u at build, offset %u, size %u running; rebuild the module for this kernel\n",
			       l->st, l->member ? "." : "",
			       l->member ? l->member : "", offset, l->size,
			       m.bit_offset / 8, m.size);
			bad++;
		}
	}
	return bad ? -EOPNOTSUPP : 0;
}

/*
 * The running kernel's BTF, whole, in a vmalloc()ed buffer.  Not with
 * kernel_read_file(): its LSM hook wants to know what is read, and IPE
 * (6.12) warns at READING_UNKNOWN.
 */
static ssize_t read_btf(void **bufp)
{
	loff_t size, pos = 0;
	struct file *f;
	void *buf;
	ssize_t n;

	f = filp_open(AM_BTF_PATH, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	size = i_size_read(file_inode(f));
	if (size <= 0 || size > SZ_64M) {
		n = -EFBIG;
		goto out;
	}
	buf = vmalloc(size);
	if (!buf) {
		n = -ENOMEM;
		goto out;
	}
	while (pos < size) {
		n = kernel_read(f, buf + pos, size - pos, &pos);
		if (n <= 0) {
			vfree(buf);
			n = n ?: -EIO;
			goto out;
		}
	}
	*bufp = buf;
	n = size;
out:
	filp_close(f, NULL);
	return n;
}

/**
 * am_btf_check - the build's struct layouts against the running kernel's
 *
 * Return: 0 when they match (or cannot be read: a note says so), else
 * -EOPNOTSUPP after naming each one that differs.
 */
int am_btf_check(void)
{
	struct am_btf btf;
	void *buf = NULL;
	u32 *index;
	ssize_t len;
	int err;

	len = read_btf(&buf);
	if (len < 0) {
		pr_notice("cannot read %s (%zd): struct layouts checked at build time only\n",
			  AM_BTF_PATH, len);
		return 0;
	}
	if (!test_btf_perturb && len == AM_BTF_LEN &&
	    am_btf_digest(buf, len) == AM_BTF_DIGEST) {
		vfree(buf);
		return 0;
	}
	err = am_btf_open(&btf, buf, len);
	if (err) {
		pr_err("%s is not BTF this module reads (%d)\n", AM_BTF_PATH,
		       err);
		vfree(buf);
		return -EOPNOTSUPP;
	}
	index = kvmalloc_array(btf.nr_types + 1, sizeof(*index), GFP_KERNEL);
	if (!index) {
		vfree(buf);
		return -ENOMEM;
	}
	am_btf_index(&btf, index);
	err = compare(&btf);
	if (!err)
		pr_notice("the running kernel's BTF is not the build's, but the %zu struct layouts used match\n",
			  ARRAY_SIZE(am_btf_layouts));
	kvfree(index);
	vfree(buf);
	return err;
}
#endif
