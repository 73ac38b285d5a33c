// SPDX-License-Identifier: GPL-2.0
/*
 * Executing a merge plan: pick the anon_vma the merged VMA will keep and
 * re-home every other participant onto it, in the current mode.
 *
 * The target is the anon_vma of a participant that cannot move (shared
 * through fork): there may be at most one such anon_vma.  When all can
 * move, the largest VMA keeps its anon_vma, which moves the fewest pages
 * in the common case of a small region joining a big one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>

#include "anonmerge.h"
#include "plan.h"
#include "rehome.h"

void am_plan_init(struct am_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
}

/* Add a participant; unfaulted VMAs and duplicates need nothing. */
void am_plan_add(struct am_plan *plan, struct vm_area_struct *vma)
{
	unsigned int i;

	if (!vma || !vma->anon_vma || plan->nr == AM_PLAN_MAX_VMAS)
		return;
	for (i = 0; i < plan->nr; i++)
		if (plan->vmas[i] == vma)
			return;
	plan->vmas[plan->nr] = vma;
	plan->old[plan->nr] = vma->anon_vma;
	plan->nr++;
}

/* True when the participants' anon_vmas differ: stock would not merge. */
bool am_plan_needs_rehome(const struct am_plan *plan)
{
	unsigned int i;

	for (i = 1; i < plan->nr; i++)
		if (plan->old[i] != plan->old[0])
			return true;
	return false;
}

static struct vm_area_struct *pick_donor(const struct am_plan *plan)
{
	struct vm_area_struct *donor = NULL, *vma;
	unsigned int i;

	for (i = 0; i < plan->nr; i++) {
		vma = plan->vmas[i];
		if (am_anon_vma_exclusive(vma))
			continue;
		if (donor && donor->anon_vma != vma->anon_vma)
			return NULL;	/* two shared anon_vmas: impossible */
		donor = vma;
	}
	if (donor)
		return donor;
	for (i = 0; i < plan->nr; i++)
		if (!donor || vma_pages(plan->vmas[i]) > vma_pages(donor))
			donor = plan->vmas[i];
	return donor;
}

/*
 * Run the plan in the current mode; counts the candidate and any refusal
 * or dry-run verdict.  Returns true when pages were re-homed, i.e. when the
 * caller must pass the new anon_vma to the merge and account its result.
 */
bool am_plan_run(struct am_plan *plan)
{
	int mode = am_mode_get();
	bool dry_run = mode == ANONMERGE_MODE_DRY_RUN;
	struct vm_area_struct *donor;
	bool moved = false;
	unsigned int i;
	int ret = AM_OK;

	if (mode == ANONMERGE_MODE_OFF || !am_plan_needs_rehome(plan))
		return false;
	am_stat_candidate();
	donor = pick_donor(plan);
	if (!donor) {
		am_stat_refuse(ANONMERGE_REFUSE_SHARED);
		return false;
	}
	for (i = 0; i < plan->nr && ret == AM_OK; i++) {
		if (plan->vmas[i]->anon_vma == donor->anon_vma)
			continue;
		ret = am_rehome(plan->vmas[i], donor, plan->vmas[i]->vm_pgoff,
				dry_run);
		moved |= ret == AM_OK && !dry_run;
	}
	plan->target = donor->anon_vma;
	if (ret != AM_OK)
		am_stat_refuse(ret);
	else if (dry_run)
		am_stat_dry_run();
	/*
	 * A refusal after an earlier participant moved still leaves a valid
	 * state (that VMA uses the donor's anon_vma); the merge then goes as
	 * far as stock allows.
	 */
	return moved;
}

/* The anon_vma a caller-supplied @anon_vma became, if its VMA moved. */
struct anon_vma *am_plan_translate(const struct am_plan *plan,
				   struct anon_vma *anon_vma)
{
	unsigned int i;

	for (i = 0; i < plan->nr; i++)
		if (anon_vma && plan->old[i] == anon_vma &&
		    plan->vmas[i]->anon_vma == plan->target)
			return plan->target;
	return anon_vma;
}

void am_plan_account(const struct am_plan *plan, bool merged)
{
	if (merged)
		am_stat_merge(plan->kind);
	else
		am_stat_refuse(ANONMERGE_REFUSE_RACE);
}
