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

#define ANONMERGE_ABI_VERSION	1
#define ANONMERGE_DEVICE	"/dev/anonmerge"

/* Kernel lines: major << 16 | minor << 8. */
#define ANONMERGE_LINE_6_1	0x060100
#define ANONMERGE_LINE_6_12	0x060c00
#define ANONMERGE_LINE_7_2	0x070200

enum anonmerge_mode {
	ANONMERGE_MODE_OFF	= 0,	/* stock behaviour, hooks only count */
	ANONMERGE_MODE_DRY_RUN	= 1,	/* count what would merge, change nothing */
	ANONMERGE_MODE_ON	= 2,	/* re-home and merge */
};

/* GET_INFO features: what this build of the module actually does. */
#define ANONMERGE_FEAT_STATS		(1ULL << 0)
#define ANONMERGE_FEAT_DRY_RUN		(1ULL << 1)
#define ANONMERGE_FEAT_MERGE_EXISTING	(1ULL << 2) /* flag-change merges */
#define ANONMERGE_FEAT_MERGE_NEW	(1ULL << 3) /* mmap/brk hole fills */
#define ANONMERGE_FEAT_MERGE_MREMAP	(1ULL << 4) /* moved VMAs, pgoff rebase */
#define ANONMERGE_FEAT_VERIFY		(1ULL << 5)

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
enum anonmerge_merge_kind {
	ANONMERGE_MERGE_EXISTING,	/* mprotect/madvise/mlock/mbind/uffd */
	ANONMERGE_MERGE_NEW_RANGE,	/* mmap or brk filling a hole */
	ANONMERGE_MERGE_MREMAP,		/* a moved or grown VMA */
	ANONMERGE_NR_MERGE_KINDS
};

/* Why the module left a merge to stock behaviour (index of refusals[]). */
enum anonmerge_refusal {
	ANONMERGE_REFUSE_SHARED,	/* anon_vma shared through fork */
	ANONMERGE_REFUSE_KSM,		/* a KSM page in the range */
	ANONMERGE_REFUSE_PINNED,	/* a page maybe pinned for DMA */
	ANONMERGE_REFUSE_LARGE_FOLIO,	/* a large folio reaches outside */
	ANONMERGE_REFUSE_MIGRATION,	/* a migration entry */
	ANONMERGE_REFUSE_SWAP,		/* a swap-cache folio not settled */
	ANONMERGE_REFUSE_DEVICE,	/* device-private/exclusive entry */
	ANONMERGE_REFUSE_FOLIO_BUSY,	/* a folio lock held elsewhere */
	ANONMERGE_REFUSE_TOO_MANY_PAGES, /* over max_rehome_pages */
	ANONMERGE_REFUSE_NOMEM,
	ANONMERGE_REFUSE_UNSUPPORTED,	/* VMA or entry type not handled */
	/* Re-homed, but the merge did not follow as predicted (a bug). */
	ANONMERGE_REFUSE_RACE,
	ANONMERGE_REFUSE_PGOFF,		/* a rebase would wrap the pgoff */
	/* Memory policies not comparable, or interleave follows the pgoff. */
	ANONMERGE_REFUSE_POLICY,
	/* No re-home lets stock join more (fork-inherited chain rules). */
	ANONMERGE_REFUSE_NO_GAIN,
	ANONMERGE_REFUSE_REMEMBERED,	/* refused moments ago, not retried */
	/* The anon_vma is also used by other VMAs of the process. */
	ANONMERGE_REFUSE_SIBLINGS,
	/* Soft-dirty tracking in use there (clear_refs cleared the flag). */
	ANONMERGE_REFUSE_SOFTDIRTY,
	ANONMERGE_NR_REFUSALS
};

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

#define ANONMERGE_IOC_MAGIC	0xb8
#define ANONMERGE_IOC_GET_INFO	_IOR(ANONMERGE_IOC_MAGIC, 1, struct anonmerge_info)
#define ANONMERGE_IOC_SET_MODE	_IOW(ANONMERGE_IOC_MAGIC, 2, struct anonmerge_set_mode)
#define ANONMERGE_IOC_GET_STATS	_IOR(ANONMERGE_IOC_MAGIC, 3, struct anonmerge_stats)
/* The size field of the struct, not the command, says how big it is. */
#define ANONMERGE_IOC_VERIFY	_IOC(_IOC_READ | _IOC_WRITE, ANONMERGE_IOC_MAGIC, 4, \
				     ANONMERGE_VERIFY_SIZE_VER0)

#endif /* _UAPI_LINUX_ANONMERGE_H */
