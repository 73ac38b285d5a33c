/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A merge plan: the VMAs the kernel's merge code is about to look at (as
 * the line's model of that code finds them), and which of them to re-home
 * onto which anon_vma so that the stock merge joins more of them than it
 * would have - or nothing at all.
 */
#ifndef ANONMERGE_PLAN_H
#define ANONMERGE_PLAN_H

#include <linux/mm_types.h>

/* The participants of one merge, as the stock code names them. */
enum am_role {
	AM_PREV,	/* the neighbour before the range, if adjacent and equal */
	AM_OWNER,	/* the VMA holding the range today (none: a new range) */
	AM_NEXT,	/* the neighbour after the range, if adjacent and equal */
	AM_NR_ROLES
};

/* How a participant looks to the merge code: now, or after a plan. */
struct am_look {
	struct anon_vma *anon_vma;
	bool singular;		/* its anon_vma_chain has one entry */
};

/* Which neighbours the stock merge joins with the range. */
struct am_sides {
	bool prev, next;
};

/*
 * pgoffs[0] is the range's pgoff as the caller asked; pgoffs[1..] are
 * rebases of the owner (a moved VMA), offered only when the range is the
 * whole owner: its new vm_pgoff.
 */
#define AM_MAX_PGOFFS 3

struct am_request;
/*
 * The line's model of its merge code: which sides join, given how each
 * participant would look and the range's pgoff.  Must be exact: the
 * module only re-homes when the model says the stock merge will then join
 * more, and checks afterwards that it did.
 */
typedef struct am_sides (am_predict_t)(const struct am_request *req,
				       const struct am_look *look,
				       pgoff_t pgoff);

struct am_request {
	/* Filled in by the line: */
	struct vm_area_struct *vma[AM_NR_ROLES];	/* NULL: no part */
	unsigned long start, end;	/* the range being merged */
	pgoff_t pgoffs[AM_MAX_PGOFFS];
	unsigned int nr_pgoffs;
	bool unpredictable;	/* a neighbour the model cannot decide */
	bool softdirty_tracked;	/* clear_refs cleared VM_SOFTDIRTY here */
	bool guard_regions;	/* a participant may hold guard regions */
	unsigned int kind;	/* ANONMERGE_MERGE_* */
	am_predict_t *predict;
	/* Filled in by am_plan_run() when it returns true: */
	struct am_sides expect;	/* what the stock merge must now do */
	unsigned long expect_start, expect_end;	/* the merged VMA's span */
	unsigned long pages_moved;
	u64 started_ns;		/* when the plan was chosen */
};

bool am_plan_run(struct am_request *req);
void am_plan_account(const struct am_request *req,
		     const struct vm_area_struct *merged);

#endif /* ANONMERGE_PLAN_H */
