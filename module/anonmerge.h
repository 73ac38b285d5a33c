/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces shared by the files of the anonmerge module. */
#ifndef ANONMERGE_INTERNAL_H
#define ANONMERGE_INTERNAL_H

#include <linux/atomic.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/ftrace.h>
#include <uapi/linux/anonmerge.h>

#ifndef ANONMERGE_VERSION
#error "ANONMERGE_VERSION comes from dkms.conf through Kbuild"
#endif

/* mode.c */
extern int am_mode;	/* enum anonmerge_mode, read with READ_ONCE */
static inline int am_mode_get(void)
{
	return READ_ONCE(am_mode);
}

void am_mode_set(int mode);
const char *am_mode_name(int mode);
int am_mode_parse(const char *buf);

/* stats.c */
void am_stat_attempt(void);
void am_stat_candidate(void);
void am_stat_dry_run(void);
void am_stat_merge(unsigned int kind);
void am_stat_refuse(unsigned int reason);
void am_stat_pages_rehomed(unsigned long nr);
void am_stats_snapshot(struct anonmerge_stats *out);

enum am_stat_counter {
	AM_STAT_ATTEMPTS,
	AM_STAT_CANDIDATES,
	AM_STAT_DRY_RUN,
	AM_STAT_PAGES_REHOMED,
	AM_STAT_MERGES,		/* index: ANONMERGE_MERGE_* */
	AM_STAT_REFUSALS,	/* index: ANONMERGE_REFUSE_* */
};

u64 am_stat_read(enum am_stat_counter which, unsigned int index);

/* sysfs.c: /sys/kernel/mm/anonmerge/ */
int am_sysfs_init(void);
void am_sysfs_exit(void);

/* stats.c: the counters' names, from the UAPI lists. */
extern const char *const am_merge_kind_names[];
extern const char *const am_refusal_names[];

/* symbols.c: every non-exported kernel symbol the module uses. */
enum am_sym {
	AM_SYM_KALLSYMS_LOOKUP_NAME,
	AM_SYM_MERGE_EXISTING,		/* 6.1 vma_merge, 6.12+ vma_modify_flags */
	AM_SYM_MERGE_EXISTING_NAME,	/* 6.12 vma_modify_flags_name, 7.2 vma_modify_name */
	AM_SYM_MERGE_EXISTING_POLICY,	/* vma_modify_policy */
	AM_SYM_MERGE_EXISTING_UFFD,	/* vma_modify_flags_uffd */
	AM_SYM_MMAP_REGION,
	AM_SYM_SYS_MREMAP,		/* __x64_sys_mremap */
	AM_SYM_ANON_VMA_CHAIN_CACHEP,	/* data */
	AM_SYM_AVTREE_INSERT,		/* anon_vma_interval_tree_insert */
	AM_SYM_AVTREE_REMOVE,		/* anon_vma_interval_tree_remove */
	AM_SYM_PUT_ANON_VMA,		/* __put_anon_vma */
	AM_SYM_SWAP_CACHE_GET_FOLIO,
	AM_SYM_PTE_OFFSET_MAP_LOCK,	/* 6.12 __pte_offset_map_lock, 7.2 pte_offset_map_lock */
	AM_SYM_AVTREE_ITER_FIRST,	/* anon_vma_interval_tree_iter_first */
	AM_SYM_AVTREE_ITER_NEXT,	/* anon_vma_interval_tree_iter_next */
	AM_SYM_PTRACE_MAY_ACCESS,
	AM_SYM_GET_SWAP_DEVICE,		/* pins a swap device for a lookup */
	AM_SYM_SWAPPER_SPACES,		/* data, 6.1 and 6.12 */
	AM_SYM_MM_KOBJ,			/* data: exported on 6.1 only */
	AM_SYM_NR
};

struct am_sym_desc {
	const char *name;	/* NULL: not used on this kernel line */
};

int am_symbols_resolve(const struct am_sym_desc *table);
unsigned long am_sym_addr(enum am_sym sym);

/* hooks.c: ftrace-based hooks on kernel functions. */
struct am_hook {
	enum am_sym sym;
	/*
	 * Calls to the function are redirected to the wrapper, which calls
	 * the original through a static_call.
	 */
	void *wrapper;
	struct ftrace_ops ops;
	bool registered;
};

int am_hooks_install(struct am_hook *hooks, unsigned int nr);
void am_hooks_remove(struct am_hook *hooks, unsigned int nr);
int am_wrapper_enter(void);
void am_wrapper_exit(int idx);

/* line_*.c: what differs per supported kernel line. */
struct am_line {
	const char *name;
	u32 id;				/* ANONMERGE_LINE_* */
	const struct am_sym_desc *symbols;	/* AM_SYM_NR entries */
	struct am_hook *hooks;
	unsigned int nr_hooks;
	u64 features;			/* ANONMERGE_FEAT_* */
	/* Point this line's static_calls at the resolved symbols. */
	void (*bind_calls)(void);
	/*
	 * Offer @vma to the stock merge with its neighbours, as a flag
	 * change to its own flags would do, re-homing what the plan engine
	 * finds worth it; @rebase: its pgoff may move (a moved VMA).  Caller
	 * holds mmap_lock for write.  NULL: not available on this line.
	 */
	void (*offer_vma)(struct vm_area_struct *vma, unsigned int kind,
			  bool rebase);
};

extern const struct am_line *const am_this_line;

/* mmap.c */
unsigned long am_mmap_region(struct file *file, unsigned long addr,
			     unsigned long len, vm_flags_t vm_flags,
			     unsigned long pgoff, struct list_head *uf);
void am_mmap_bind(void);

/* mremap.c */
struct pt_regs;
long am_sys_mremap(const struct pt_regs *regs);
void am_mremap_bind(void);

/* ctl.c */
int am_ctl_register(void);
void am_ctl_unregister(void);

/* verify.c */
int am_verify(struct anonmerge_verify *req);

/* btf_layout.c: the struct layouts used, against the running kernel's BTF */
int am_btf_check(void);

#endif /* ANONMERGE_INTERNAL_H */
