// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI must not change by accident: sizes, field offsets and
 * command numbers of include/uapi/linux/anonmerge.h, checked at compile
 * time (for the build's word size) and printed for the record.
 */
#include <stddef.h>
#include <stdio.h>

#include <linux/anonmerge.h>

#define ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(struct type) == (size), #type " size")
#define ASSERT_OFF(type, field, off) \
	_Static_assert(offsetof(struct type, field) == (off), #type "." #field)

ASSERT_SIZE(anonmerge_info, ANONMERGE_INFO_SIZE_VER0);
ASSERT_OFF(anonmerge_info, features, 16);
ASSERT_OFF(anonmerge_info, kernel_release, 24);
ASSERT_OFF(anonmerge_info, module_version, 88);
ASSERT_SIZE(anonmerge_set_mode, ANONMERGE_SET_MODE_SIZE_VER0);
ASSERT_OFF(anonmerge_set_mode, flags, 8);
ASSERT_SIZE(anonmerge_stats, ANONMERGE_STATS_SIZE_VER0);
ASSERT_OFF(anonmerge_stats, attempts, 16);
ASSERT_OFF(anonmerge_stats, merges, 48);
ASSERT_OFF(anonmerge_stats, refusals, 112);
ASSERT_SIZE(anonmerge_verify, ANONMERGE_VERIFY_SIZE_VER1);
ASSERT_OFF(anonmerge_verify, start, 8);
ASSERT_OFF(anonmerge_verify, vmas, 32);
ASSERT_OFF(anonmerge_verify, bad_vma, 80);
/* Fields added later go after every field of an older size. */
ASSERT_OFF(anonmerge_verify, bad_rmap, ANONMERGE_VERIFY_SIZE_VER0);
ASSERT_OFF(anonmerge_verify, bad_pgoff, 96);
_Static_assert(ANONMERGE_NR_REFUSALS <= ANONMERGE_MAX_REFUSALS, "refusals");
_Static_assert(ANONMERGE_NR_MERGE_KINDS <= ANONMERGE_MAX_MERGE_KINDS, "kinds");
/* _IOC layout: dir(2) size(14) type(8) nr(8). */
_Static_assert(ANONMERGE_IOC_GET_INFO == 0x8078bc01, "GET_INFO number");
_Static_assert(ANONMERGE_IOC_SET_MODE == 0x4010bc02, "SET_MODE number");
_Static_assert(ANONMERGE_IOC_GET_STATS == 0x8170bc03, "GET_STATS number");
_Static_assert(ANONMERGE_IOC_VERIFY == 0xc058bc04, "VERIFY number");

int main(void)
{
	printf("PASS test_uapi (GET_INFO %#lx SET_MODE %#lx GET_STATS %#lx VERIFY %#lx)\n",
	       (unsigned long)ANONMERGE_IOC_GET_INFO,
	       (unsigned long)ANONMERGE_IOC_SET_MODE,
	       (unsigned long)ANONMERGE_IOC_GET_STATS,
	       (unsigned long)ANONMERGE_IOC_VERIFY);
	return 0;
}
