/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * anonmerge: control ABI of /dev/anonmerge, shared by the module and
 * anonmergectl.
 *
 * Every ioctl argument struct starts with a __u32 size that the caller sets
 * to sizeof() of the struct it was built with.  The module accepts any size
 * between the first published size (..._SIZE_VER0) and PAGE_SIZE: it copies
 * back at most what both sides know (and reports that in size), and rejects
 * unknown non-zero input fields.  Only fixed-width types, no implicit
 * padding, no pointers, so one layout serves 32- and 64-bit callers.
 */
#ifndef _UAPI_LINUX_ANONMERGE_H
#define _UAPI_LINUX_ANONMERGE_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * 2: ioctl magic moved from 0xb8 (taken in mainline by mshv and the
 * Marvell CN10K DPI driver) to 0xbc.
 */
#define ANONMERGE_ABI_VERSION	2
#define ANONMERGE_DEVICE	"/dev/anonmerge"

/* Kernel lines: major << 16 | minor << 8. */
#define ANONMERGE_LINE_6_1	0x060100
#define ANONMERGE_LINE_6_12	0x060c00
#define ANONMERGE_LINE_7_2	0x070200

/*
 * The name lists below are X-macros (as khugepaged's SCAN_STATUS): one list
 * gives the enum, the names the tool prints and sysfs shows, and the
 * kernel's trace-event symbol tables, so they cannot drift apart.
 * X(ID, "name") for each entry, in value order.  Lists may only grow at
 * the end.  (checkpatch takes such lists for complex macros; the kernel's
 * own are no different.)
 */
#define ANONMERGE_MODES(X)						\
	X(OFF, "off")		/* stock behaviour, hooks only count */	\
	X(DRY_RUN, "dry-run")	/* count what would merge, change nothing */ \
	X(ON, "on")		/* re-home and merge */

#define ANONMERGE_MODE_ENUM_(id, name) ANONMERGE_MODE_##id,
enum anonmerge_mode { ANONMERGE_MODES(ANONMERGE_MODE_ENUM_) ANONMERGE_NR_MODES };

#undef ANONMERGE_MODE_ENUM_

/*
 * GET_INFO features: what this build of the module does; X(ID, bit, "name").
 * Bits stay below 31 (enum constants are int).
 */
#define ANONMERGE_FEATURES(X)						\
	X(STATS, 0, "stats")						\
	X(DRY_RUN, 1, "dry-run")					\
	X(MERGE_EXISTING, 2, "merge-existing")	/* flag-change merges */ \
	X(MERGE_NEW, 3, "merge-new")		/* mmap/brk hole fills */ \
	X(MERGE_MREMAP, 4, "merge-mremap")	/* moved VMAs */	\
	X(VERIFY, 5, "verify")

#define ANONMERGE_FEAT_ENUM_(id, bit, name) ANONMERGE_FEAT_##id = 1ULL << (bit),
enum anonmerge_feature { ANONMERGE_FEATURES(ANONMERGE_FEAT_ENUM_) };

#undef ANONMERGE_FEAT_ENUM_

struct anonmerge_info {
	__u32 size;
	__u32 abi_version;
	__u32 kernel_line;	/* ANONMERGE_LINE_* */
	__u32 mode;		/* enum anonmerge_mode */
	__u64 features;		/* ANONMERGE_FEAT_* */
	char kernel_release[64];	/* utsname of the running kernel */
	char module_version[32];
};

#define ANONMERGE_INFO_SIZE_VER0	120

struct anonmerge_set_mode {
	__u32 size;
	__u32 mode;		/* enum anonmerge_mode */
	__u64 flags;		/* must be 0 */
};

#define ANONMERGE_SET_MODE_SIZE_VER0	16

/* Kinds of merges the module made possible (index of merges[]). */
#define ANONMERGE_MERGE_KINDS(X)					\
	X(EXISTING, "existing")	/* mprotect/madvise/mlock/mbind/uffd */	\
	X(NEW_RANGE, "new_range") /* mmap or brk filling a hole */	\
	X(MREMAP, "mremap")	/* a moved or grown VMA */

#define ANONMERGE_MERGE_ENUM_(id, name) ANONMERGE_MERGE_##id,
enum anonmerge_merge_kind {
	ANONMERGE_MERGE_KINDS(ANONMERGE_MERGE_ENUM_)
	ANONMERGE_NR_MERGE_KINDS
};

#undef ANONMERGE_MERGE_ENUM_

/* Why the module left a merge to stock behaviour (index of refusals[]). */
#define ANONMERGE_REFUSALS(X)						\
	/* the anon_vma is shared through fork */			\
	X(SHARED, "anon_vma_shared")					\
	X(KSM, "ksm")			/* a KSM page in the range */	\
	X(PINNED, "pinned")		/* a page maybe pinned for DMA */ \
	X(LARGE_FOLIO, "large_folio_straddles") /* reaches outside */	\
	X(MIGRATION, "migration_entry")					\
	X(SWAP, "swap_entry")		/* a swap-cache folio not settled */ \
	X(DEVICE, "device_entry")	/* device-private/exclusive */	\
	X(FOLIO_BUSY, "folio_lock_busy") /* a folio lock held elsewhere */ \
	X(TOO_MANY_PAGES, "too_many_pages") /* over max_rehome_pages */	\
	X(NOMEM, "no_memory")						\
	X(UNSUPPORTED, "unsupported_vma") /* VMA or entry not handled */ \
	/* re-homed, but the merge did not follow as predicted (a bug) */ \
	X(RACE, "state_changed")					\
	X(PGOFF, "pgoff_would_wrap")	/* a rebase would wrap the pgoff */ \
	/* policies not comparable, or interleave follows the pgoff */	\
	X(POLICY, "mempolicy")						\
	/* no re-home lets stock join more (fork-inherited chain rules) */ \
	X(NO_GAIN, "no_gain")						\
	X(REMEMBERED, "remembered")	/* refused moments ago */	\
	/* the anon_vma is also used by other VMAs of the process */	\
	X(SIBLINGS, "anon_vma_siblings")				\
	/* soft-dirty tracking in use there (clear_refs cleared it) */	\
	X(SOFTDIRTY, "soft_dirty_tracked")				\
	/* guard regions may be there (6.18+ sticky VM_MAYBE_GUARD) */	\
	X(GUARD, "guard_regions")

#define ANONMERGE_REFUSE_ENUM_(id, name) ANONMERGE_REFUSE_##id,
enum anonmerge_refusal {
	ANONMERGE_REFUSALS(ANONMERGE_REFUSE_ENUM_)
	ANONMERGE_NR_REFUSALS
};

#undef ANONMERGE_REFUSE_ENUM_

/* Fixed array bounds, so new kinds/reasons do not change the layout. */
#define ANONMERGE_MAX_MERGE_KINDS	8
#define ANONMERGE_MAX_REFUSALS		32

struct anonmerge_stats {
	__u32 size;
	__u32 nr_merge_kinds;	/* valid entries in merges[] */
	__u32 nr_refusals;	/* valid entries in refusals[] */
	__u32 pad;
	__u64 attempts;		/* calls into the kernel's merge paths seen */
	__u64 candidates;	/* attempts blocked only by the anon_vma */
	__u64 dry_run_would_merge;
	__u64 pages_rehomed;
	__u64 merges[ANONMERGE_MAX_MERGE_KINDS];
	__u64 refusals[ANONMERGE_MAX_REFUSALS];
};

#define ANONMERGE_STATS_SIZE_VER0	368

/*
 * VERIFY: check the reverse-map invariants of one process's anonymous
 * memory.  In: pid (0 = caller), optional [start, start + len) (len 0 =
 * whole address space).  Out: what was checked and every violation found;
 * all bad_* are 0 on a healthy process.
 */
struct anonmerge_verify {
	__u32 size;
	__u32 pid;
	__u64 start;
	__u64 len;
	__u64 flags;		/* must be 0 */
	__u64 vmas;		/* anonymous VMAs checked */
	__u64 pages;		/* mapped anonymous pages checked */
	__u64 swapcache;	/* swap-cache folios behind swap PTEs checked */
	__u64 skipped;		/* migration entries, KSM: not checkable */
	__u64 bad_anon_vma;	/* page's anon_vma not in the VMA's chain */
	__u64 bad_index;	/* page index not linear in the VMA */
	__u64 bad_vma;		/* VMA/anon_vma links or accounting off */
	/* Added later: filled in when size >= ANONMERGE_VERIFY_SIZE_VER1. */
	/*
	 * Pages not found from the rmap side: no interval-tree lookup of the
	 * page's index in its anon_vma yields this VMA.
	 */
	__u64 bad_rmap;
	__u64 bad_pgoff;	/* VMA whose pgoff range wraps */
};

#define ANONMERGE_VERIFY_SIZE_VER0	88
#define ANONMERGE_VERIFY_SIZE_VER1	104

/*
 * 0xbc: free in mainline's Documentation/userspace-api/ioctl/ioctl-number.rst
 * (0xb8 is mshv and mrvl_cn10k_dpi, 0xba liveupdate, 0xbf mlxbf-pka).
 */
#define ANONMERGE_IOC_MAGIC	0xbc
#define ANONMERGE_IOC_GET_INFO	_IOR(ANONMERGE_IOC_MAGIC, 1, struct anonmerge_info)
#define ANONMERGE_IOC_SET_MODE	_IOW(ANONMERGE_IOC_MAGIC, 2, struct anonmerge_set_mode)
#define ANONMERGE_IOC_GET_STATS	_IOR(ANONMERGE_IOC_MAGIC, 3, struct anonmerge_stats)
/* The size field of the struct, not the command, says how big it is. */
#define ANONMERGE_IOC_VERIFY	_IOC(_IOC_READ | _IOC_WRITE, ANONMERGE_IOC_MAGIC, 4, \
				     ANONMERGE_VERIFY_SIZE_VER0)

#endif /* _UAPI_LINUX_ANONMERGE_H */
