// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/mm/anonmerge/, laid out like KSM's /sys/kernel/mm/ksm/:
 *
 *   mode                off | dry-run | on          (rw)
 *   max_rehome_pages    the module parameter         (rw)
 *   attempts candidates dry_run_would_merge pages_rehomed        (ro)
 *   merges/<kind>       one counter per ANONMERGE_MERGE_KINDS    (ro)
 *   refusals/<reason>   one counter per ANONMERGE_REFUSALS       (ro)
 *
 * Everyone may read, so monitoring agents need no privilege; writing needs
 * root by the file mode and CAP_SYS_ADMIN like ANONMERGE_IOC_SET_MODE.  The
 * ioctl stays for anonmergectl (one call for a consistent-enough set).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "anonmerge.h"
#include "collect.h"

static struct kobject *am_kobj;

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", am_mode_name(am_mode_get()));
}

static ssize_t mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int mode;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mode = am_mode_parse(buf);
	if (mode < 0)
		return mode;
	am_mode_set(mode);
	return count;
}

static ssize_t max_rehome_pages_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(am_max_rehome_pages));
}

static ssize_t max_rehome_pages_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	unsigned int pages;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = kstrtouint(buf, 10, &pages);
	if (err)
		return err;
	WRITE_ONCE(am_max_rehome_pages, pages);
	return count;
}

static struct kobj_attribute mode_attr = __ATTR_RW(mode);
static struct kobj_attribute max_rehome_pages_attr =
	__ATTR_RW(max_rehome_pages);

/* A counter file: which counter is the attribute's place in its array. */
struct am_counter_attr {
	struct kobj_attribute kattr;
	enum am_stat_counter which;
	unsigned int index;
};

static ssize_t counter_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	struct am_counter_attr *c = container_of(attr, struct am_counter_attr,
						 kattr);

	return sysfs_emit(buf, "%llu\n", am_stat_read(c->which, c->index));
}

#define AM_COUNTER(_name, _which, _index) {				\
	.kattr = { .attr = { .name = _name, .mode = 0444 },		\
		   .show = counter_show },				\
	.which = _which, .index = _index }

static struct am_counter_attr top_counters[] = {
	AM_COUNTER("attempts", AM_STAT_ATTEMPTS, 0),
	AM_COUNTER("candidates", AM_STAT_CANDIDATES, 0),
	AM_COUNTER("dry_run_would_merge", AM_STAT_DRY_RUN, 0),
	AM_COUNTER("pages_rehomed", AM_STAT_PAGES_REHOMED, 0),
};

static struct am_counter_attr merge_counters[ANONMERGE_NR_MERGE_KINDS];
static struct am_counter_attr refusal_counters[ANONMERGE_NR_REFUSALS];

/* NULL-terminated attribute lists, filled in at init from the arrays. */
static struct attribute *top_attrs[2 + ARRAY_SIZE(top_counters) + 1];
static struct attribute *merge_attrs[ANONMERGE_NR_MERGE_KINDS + 1];
static struct attribute *refusal_attrs[ANONMERGE_NR_REFUSALS + 1];

static const struct attribute_group top_group = { .attrs = top_attrs };
static const struct attribute_group merge_group = {
	.name = "merges", .attrs = merge_attrs,
};

static const struct attribute_group refusal_group = {
	.name = "refusals", .attrs = refusal_attrs,
};

static const struct attribute_group *am_groups[] = {
	&top_group, &merge_group, &refusal_group, NULL,
};

static void fill_counters(struct am_counter_attr *c, struct attribute **out,
			  unsigned int nr, enum am_stat_counter which,
			  const char *const *names)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		c[i] = (struct am_counter_attr)AM_COUNTER(names[i], which, i);
		sysfs_attr_init(&c[i].kattr.attr);
		out[i] = &c[i].kattr.attr;
	}
	out[nr] = NULL;
}

int am_sysfs_init(void)
{
	struct kobject *mm;
	unsigned int i, n = 0;
	int err;

	top_attrs[n++] = &mode_attr.attr;
	top_attrs[n++] = &max_rehome_pages_attr.attr;
	for (i = 0; i < ARRAY_SIZE(top_counters); i++)
		top_attrs[n++] = &top_counters[i].kattr.attr;
	top_attrs[n] = NULL;
	fill_counters(merge_counters, merge_attrs, ANONMERGE_NR_MERGE_KINDS,
		      AM_STAT_MERGES, am_merge_kind_names);
	fill_counters(refusal_counters, refusal_attrs, ANONMERGE_NR_REFUSALS,
		      AM_STAT_REFUSALS, am_refusal_names);

	/*
	 * /sys/kernel/mm's kobject: exported on 6.1, no longer on 6.12, so
	 * found by name like the module's other kernel symbols.
	 */
	mm = *(struct kobject **)am_sym_addr(AM_SYM_MM_KOBJ);
	if (!mm)
		return -ENOENT;
	am_kobj = kobject_create_and_add("anonmerge", mm);
	if (!am_kobj)
		return -ENOMEM;
	err = sysfs_create_groups(am_kobj, am_groups);
	if (err) {
		kobject_put(am_kobj);
		am_kobj = NULL;
	}
	return err;
}

void am_sysfs_exit(void)
{
	sysfs_remove_groups(am_kobj, am_groups);
	kobject_put(am_kobj);
	am_kobj = NULL;
}
