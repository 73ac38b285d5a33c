// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing and running a merge plan.
 *
 * What a plan may do, so that no later stock merge is lost either: it
 * moves only a VMA that is the sole user of its anon_vma (exclusive to
 * this mm and shared with no sibling VMA), onto an anon_vma whose chain is
 * singular like its own, and never where soft-dirty state is tracked.
 * Such a move joins two anon_vma "families" into one and changes no VMA's
 * chain length, so every merge stock could make later (it needs equal
 * anon_vmas, or an unfaulted side next to a singular chain) is still
 * possible.  Moving a VMA away from siblings would part it from them for
 * good (after a fork nothing can move it back); onto a forked chain it
 * would refuse the unfaulted neighbours stock lets it absorb.  A pgoff
 * rebase (mremap, opt-in) is the one exception: see mremap.c.
 *
 * The line describes the merge about to happen (the participants and the
 * model of its merge code); the engine then:
 *
 *   1. asks the model what the stock merge joins now ("baseline") and what
 *      it would join if every anon_vma matched: only when that is more,
 *      and something could move, is this a candidate (counted);
 *   2. builds every option: a target anon_vma (one of the participants')
 *      and a pgoff for the range, i.e. which participants must move, and
 *      keeps the options after which the model says more sides join;
 *   3. refuses, per option, what is cheap to see: a mover that is shared
 *      or has siblings, a forked target, a pgoff that would wrap, a
 *      neighbour the model cannot decide, placement that follows the
 *      pgoff (interleave), tracked soft-dirty state;
 *   4. tries the options best first (most sides joined, fewest pages
 *      moved): every mover of an option is prepared - allocations, then
 *      folios locked - before any is applied; one refusal releases them
 *      all and the next option is tried.  A plan is applied whole or not
 *      at all, so the merge code never sees a half-moved state.
 *
 * Each candidate ends as exactly one merge, refusal or dry-run verdict in
 * the statistics, and the same verdict as a trace event (anonmerge_trace.h)
 * and a pr_debug line (dynamic debug).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sort.h>

#include "anonmerge.h"
#include "compat.h"
#include "mergeable.h"
#include "plan.h"
#include "anonmerge_trace.h"
#include "rehome.h"

/*
 * The highest page offset a rebase may produce.  Stock anonymous VMAs
 * have address-derived offsets (below TASK_SIZE >> PAGE_SHIFT); staying
 * below ULONG_MAX >> PAGE_SHIFT keeps every later growth of the VMA by up
 * to TASK_SIZE from wrapping, so vma_to_resize() never fails where stock
 * would not.
 */
#define AM_PGOFF_LIMIT (ULONG_MAX >> PAGE_SHIFT)

#define AM_MAX_OPTIONS (AM_NR_ROLES * AM_MAX_PGOFFS)

/*
 * Testing only, for the test of the per-VMA-lock rule itself
 * (am_scenario vmalock): a pause between locking a plan's folios and
 * moving them, so that faults from other threads meet that window; and
 * the rule switched off, which must then let such a fault add a page on
 * the old anon_vma behind the re-home for the verifier to find.  The old
 * anon_vma is then never freed (leaked), so that nothing is freed under
 * such a page.  Only in test builds (ANONMERGE_TESTING=y, as
 * tests/vm/build-for builds): a module that can break the reverse map on
 * request has no place on a production machine.
 */
#ifdef AM_TESTING
static unsigned int test_collect_delay_us;
module_param(test_collect_delay_us, uint, 0644);
MODULE_PARM_DESC(test_collect_delay_us,
		 "Testing only: pause between locking a plan's folios and moving them (default 0)");
static bool test_skip_vma_lock;
module_param(test_skip_vma_lock, bool, 0644);
MODULE_PARM_DESC(test_skip_vma_lock,
		 "Testing only: do not write-lock the VMAs of a plan (breaks the rmap; default off)");

static unsigned int collect_delay_us(void)
{
	return READ_ONCE(test_collect_delay_us);
}

static bool skip_vma_lock(void)
{
	return READ_ONCE(test_skip_vma_lock);
}
#else
static unsigned int collect_delay_us(void)
{
	return 0;
}

static bool skip_vma_lock(void)
{
	return false;
}
#endif

struct am_option {
	struct anon_vma *target;	/* every participant's afterwards */
	unsigned int pgoff_idx;		/* into req->pgoffs */
	unsigned int movers;		/* BIT(role) */
	struct vm_area_struct *donor;	/* a participant already on target */
	unsigned long cost;		/* pages of the VMAs that move */
	struct am_sides sides;
	int refusal;			/* cheap reason it cannot run, or AM_OK */
};

static unsigned int nr_sides(struct am_sides s)
{
	return s.prev + s.next;
}

static void look_now(const struct am_request *req, struct am_look *look)
{
	unsigned int r;

	for (r = 0; r < AM_NR_ROLES; r++) {
		struct vm_area_struct *vma = req->vma[r];

		look[r].anon_vma = vma ? vma->anon_vma : NULL;
		look[r].singular = vma && am_chain_singular(vma);
	}
}

/*
 * What the merge would join if the anon_vmas did not matter: any non-NULL
 * value stands for "one anon_vma for all" (the model compares pointers).
 */
static unsigned int ideal_sides(const struct am_request *req)
{
	static const int one_for_all;
	struct am_look look[AM_NR_ROLES];
	unsigned int r, k, best = 0;
	struct am_sides s;

	for (r = 0; r < AM_NR_ROLES; r++) {
		look[r].anon_vma = (struct anon_vma *)&one_for_all;
		look[r].singular = true;
	}
	for (k = 0; k < req->nr_pgoffs; k++) {
		s = req->predict(req, look, req->pgoffs[k]);
		best = max(best, nr_sides(s));
	}
	return best;
}

/* Does an interleave policy place this VMA's new pages by its pgoff? */
static bool placement_follows_pgoff(struct vm_area_struct *vma)
{
	struct mempolicy *pol = vma_policy(vma);

	if (!pol)
		pol = current->mempolicy;
	return pol && am_policy_uses_pgoff(pol);
}

/* The rebased range [pgoff, pgoff + pages) must be one that stock makes. */
static bool pgoff_in_range(pgoff_t pgoff, unsigned long pages)
{
	return pgoff <= AM_PGOFF_LIMIT && pages <= AM_PGOFF_LIMIT - pgoff;
}

/* Why @opt cannot run, from what is cheap to see; AM_OK if it may. */
static int cheap_refusal(const struct am_request *req,
			 const struct am_option *opt)
{
	struct vm_area_struct *owner = req->vma[AM_OWNER];
	unsigned int r;
	int ret;

	if (req->unpredictable)
		return ANONMERGE_REFUSE_POLICY;
	if (req->softdirty_tracked)
		return ANONMERGE_REFUSE_SOFTDIRTY;
	if (req->guard_regions)
		return ANONMERGE_REFUSE_GUARD;
	for (r = 0; r < AM_NR_ROLES; r++) {
		struct vm_area_struct *vma = req->vma[r];

		if (!(opt->movers & BIT(r)))
			continue;
		ret = am_mover_quick_check(vma, vma->anon_vma == opt->target ?
					   vma : opt->donor);
		if (ret != AM_OK)
			return ret;
	}
	if (opt->pgoff_idx) {
		if (!pgoff_in_range(req->pgoffs[opt->pgoff_idx],
				    vma_pages(owner)))
			return ANONMERGE_REFUSE_PGOFF;
		if (placement_follows_pgoff(owner))
			return ANONMERGE_REFUSE_POLICY;
	}
	return AM_OK;
}

/*
 * Fill @opt for target @t and pgoff @k: who moves, onto which donor, and
 * what the model says the merge joins then.  False when nothing moves.
 */
static bool build_option(const struct am_request *req,
			 const struct am_look *now, struct anon_vma *t,
			 unsigned int k, struct am_option *opt)
{
	struct am_look look[AM_NR_ROLES];
	unsigned int r;

	memset(opt, 0, sizeof(*opt));
	opt->target = t;
	opt->pgoff_idx = k;
	for (r = 0; r < AM_NR_ROLES; r++) {
		struct vm_area_struct *vma = req->vma[r];

		look[r] = now[r];
		if (!vma || !vma->anon_vma)
			continue;
		if (vma->anon_vma == t && !opt->donor)
			opt->donor = vma;
		if (vma->anon_vma != t || (r == AM_OWNER && k)) {
			opt->movers |= BIT(r);
			opt->cost += vma_pages(vma);
		}
	}
	/* A rebase needs a faulted owner (the line offers none otherwise). */
	if (k && !(opt->movers & BIT(AM_OWNER)))
		return false;
	if (!opt->movers || !opt->donor)
		return false;
	/* A mover takes the donor's chain: its length, its singularity. */
	for (r = 0; r < AM_NR_ROLES; r++) {
		if ((opt->movers & BIT(r)) && req->vma[r]->anon_vma != t) {
			look[r].anon_vma = t;
			look[r].singular = am_chain_singular(opt->donor);
		}
	}
	opt->sides = req->predict(req, look, req->pgoffs[k]);
	opt->refusal = cheap_refusal(req, opt);
	return true;
}

/* Most sides joined first, then fewest pages moved. */
static int option_cmp(const void *a, const void *b)
{
	const struct am_option *x = a, *y = b;

	if (nr_sides(x->sides) != nr_sides(y->sides))
		return nr_sides(y->sides) - nr_sides(x->sides);
	return x->cost < y->cost ? -1 : x->cost > y->cost;
}

/*
 * Every option that moves something, sorted best first; *@nr_better of
 * them let the merge join more than @baseline sides.  @now: look_now().
 */
static unsigned int build_options(const struct am_request *req,
				  const struct am_look *now,
				  unsigned int baseline,
				  struct am_option *opts,
				  unsigned int *nr_better)
{
	struct anon_vma *targets[AM_NR_ROLES];
	unsigned int nr_targets = 0, nr = 0, r, i, k;

	for (r = 0; r < AM_NR_ROLES; r++) {
		struct anon_vma *av = now[r].anon_vma;

		for (i = 0; i < nr_targets && targets[i] != av; i++)
			;
		if (av && i == nr_targets)
			targets[nr_targets++] = av;
	}
	for (i = 0; i < nr_targets; i++)
		for (k = 0; k < req->nr_pgoffs; k++)
			nr += build_option(req, now, targets[i], k, &opts[nr]);
	sort(opts, nr, sizeof(*opts), option_cmp, NULL);
	for (*nr_better = 0; *nr_better < nr; ++*nr_better)
		if (nr_sides(opts[*nr_better].sides) <= baseline)
			break;
	return nr;
}

/* Prepare every mover of @opt, then apply them all, or none. */
static int run_option(struct am_request *req, const struct am_option *opt,
		      bool dry_run)
{
	struct am_mover movers[AM_MAX_MOVERS];
	unsigned long start = ULONG_MAX, end = 0, pages = 0;
	unsigned int nr = 0, r, i, delay;
	u64 t0 = ktime_get_ns();
	int ret = AM_OK;
	bool skip_lock;

	for (r = 0; r < AM_NR_ROLES && ret == AM_OK; r++) {
		struct am_mover *m = &movers[nr];

		if (!(opt->movers & BIT(r)))
			continue;
		m->vma = req->vma[r];
		m->donor = m->vma->anon_vma == opt->target ? m->vma : opt->donor;
		m->new_pgoff = r == AM_OWNER && opt->pgoff_idx ?
			       req->pgoffs[opt->pgoff_idx] : m->vma->vm_pgoff;
		nr++;
		ret = am_mover_check(m);
	}
	/*
	 * Every participant is write-locked against per-VMA-lock readers
	 * (faults, 6.4+) before the first folio is locked: the VMA lock
	 * waits for readers, and a reader may be waiting for a folio lock
	 * (do_swap_page(), migration), so taking it while holding folios
	 * could deadlock.  Movers must be locked: a fault that began before
	 * is drained (its page is then collected), one after falls back to
	 * mmap_lock and waits for us.  The others are locked because the
	 * stock merge locks them a moment later anyway.  Released together
	 * by mmap_write_unlock() (vma_end_write_all()).
	 */
	skip_lock = skip_vma_lock();
	if (ret == AM_OK && !skip_lock)
		for (r = 0; r < AM_NR_ROLES; r++)
			if (req->vma[r])
				am_vma_start_write(req->vma[r]);
	for (i = 0; i < nr && ret == AM_OK; i++) {
		ret = am_mover_collect(&movers[i]);
		movers[i].leak_src = skip_lock;
	}
	delay = collect_delay_us();
	if (ret == AM_OK && delay)
		usleep_range(delay, delay + delay / 8 + 1);
	if (ret == AM_OK && !dry_run)
		ret = am_movers_apply(movers, nr);
	if (ret == AM_OK && !dry_run) {
		for (i = 0; i < nr; i++) {
			start = min(start, movers[i].vma->vm_start);
			end = max(end, movers[i].vma->vm_end);
			pages += movers[i].set.nr_pages;
		}
		req->pages_moved = pages;
		trace_rehome(start, end, nr, pages, ktime_get_ns() - t0);
	}
	for (i = 0; i < nr; i++)
		am_mover_release(&movers[i]);
	return ret;
}

/* One candidate ends in a refusal: count it, trace it. */
static void refuse(const struct am_request *req, unsigned int reason)
{
	am_stat_refuse(reason);
	trace_refuse(req->start, req->end, req->kind, reason);
	pr_debug("refused %#lx-%#lx (kind %u): %s\n", req->start, req->end,
		 req->kind, reason < ANONMERGE_NR_REFUSALS ?
		 am_refusal_names[reason] : "?");
}

/**
 * am_plan_run - re-home what the stock merge needs to join more
 * @req: the merge about to happen, from the line
 *
 * Caller holds mmap_lock for write.  Returns true when VMAs were re-homed:
 * the caller must then run the stock merge with the owner's anon_vma and
 * pgoff as they are now, and report with am_plan_account() whether it
 * joined req->expect.  Counts the candidate and its verdict.
 */
bool am_plan_run(struct am_request *req)
{
	struct am_option opts[AM_MAX_OPTIONS];
	int mode = am_mode_get(), first_refusal = AM_OK, ret = AM_OK;
	struct am_look now[AM_NR_ROLES];
	unsigned int baseline, nr, nr_better, i;

	if (mode == ANONMERGE_MODE_OFF)
		return false;
	look_now(req, now);
	baseline = nr_sides(req->predict(req, now, req->pgoffs[0]));
	if (ideal_sides(req) <= baseline)
		return false;
	nr = build_options(req, now, baseline, opts, &nr_better);
	if (!nr)
		return false;	/* nothing could move: not ours to count */
	am_stat_candidate();
	req->started_ns = ktime_get_ns();
	for (i = 0; i < nr_better; i++) {
		ret = opts[i].refusal;
		if (ret == AM_OK)
			ret = run_option(req, &opts[i],
					 mode == ANONMERGE_MODE_DRY_RUN);
		if (ret == AM_OK)
			break;
		if (first_refusal == AM_OK)
			first_refusal = ret;
	}
	if (i == nr_better) {
		/* No better option: re-homing cannot make stock join more. */
		refuse(req, nr_better ? first_refusal :
					ANONMERGE_REFUSE_NO_GAIN);
		return false;
	}
	if (mode == ANONMERGE_MODE_DRY_RUN) {
		am_stat_dry_run();
		pr_debug("dry-run: would merge %#lx-%#lx (kind %u)\n",
			 req->start, req->end, req->kind);
		return false;
	}
	req->expect = opts[i].sides;
	/* Now, while the neighbours surely exist. */
	req->expect_start = req->expect.prev ? req->vma[AM_PREV]->vm_start :
					       req->start;
	req->expect_end = req->expect.next ? req->vma[AM_NEXT]->vm_end :
					     req->end;
	return true;
}

/**
 * am_plan_account - verdict on the stock merge that ran after a re-home
 * @req: the plan, as am_plan_run() left it
 * @merged: what the stock merge returned (NULL: no merge)
 *
 * The merge must have produced exactly the span the plan predicted.
 */
void am_plan_account(const struct am_request *req,
		     const struct vm_area_struct *merged)
{
	if (merged && merged->vm_start == req->expect_start &&
	    merged->vm_end == req->expect_end) {
		am_stat_merge(req->kind);
		trace_merge(merged->vm_start, merged->vm_end, req->kind,
			    req->pages_moved, ktime_get_ns() - req->started_ns);
		pr_debug("merged %#lx-%#lx (kind %u, %lu pages re-homed)\n",
			 merged->vm_start, merged->vm_end, req->kind,
			 req->pages_moved);
		return;
	}
	/* A model error: the re-home stands, but stock was not improved. */
	pr_warn_ratelimited("merge not as predicted after a re-home (kind %u)\n",
			    req->kind);
	refuse(req, ANONMERGE_REFUSE_RACE);
}
