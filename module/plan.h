/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A merge plan: the VMAs that the kernel's merge code is about to join
 * (as predicted by the line's hook), and what it takes to give them one
 * anon_vma.
 */
#ifndef ANONMERGE_PLAN_H
#define ANONMERGE_PLAN_H

#include <linux/mm_types.h>

#define AM_PLAN_MAX_VMAS 3

struct am_plan {
	struct vm_area_struct *vmas[AM_PLAN_MAX_VMAS];
	struct anon_vma *old[AM_PLAN_MAX_VMAS];	/* anon_vma before */
	unsigned int nr;
	struct anon_vma *target;	/* set once unified */
	unsigned int kind;		/* ANONMERGE_MERGE_* */
};

void am_plan_init(struct am_plan *plan);
void am_plan_add(struct am_plan *plan, struct vm_area_struct *vma);
bool am_plan_needs_rehome(const struct am_plan *plan);
bool am_plan_run(struct am_plan *plan);
struct anon_vma *am_plan_translate(const struct am_plan *plan,
				   struct anon_vma *anon_vma);
void am_plan_account(const struct am_plan *plan, bool merged);

#endif /* ANONMERGE_PLAN_H */
