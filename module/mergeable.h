/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place that says whether the stock merge code would join a VMA
 * with a range of given attributes.  Every hook uses it, so the module and
 * the kernel can never disagree on what "mergeable" means.
 */
#ifndef ANONMERGE_MERGEABLE_H
#define ANONMERGE_MERGEABLE_H

#include <linux/mm_types.h>

#include "plan.h"

/* What a merge compares, from the caller's arguments or from a VMA. */
struct am_attrs {
	unsigned long vm_flags;
	struct file *file;
	struct mempolicy *policy;
	struct vm_userfaultfd_ctx uffd_ctx;
	struct anon_vma_name *anon_name;
};

enum am_match {
	AM_MATCH_NO,
	AM_MATCH_YES,
	/* Two different memory policies: only __mpol_equal() can tell. */
	AM_MATCH_UNKNOWN,
};

void am_attrs_of(struct vm_area_struct *vma, struct am_attrs *attrs);
enum am_match am_vma_matches(struct vm_area_struct *vma,
			     const struct am_attrs *attrs);
bool am_vma_plain_anon(struct vm_area_struct *vma);
struct am_request;
struct am_look;
struct am_sides am_predict_sides(const struct am_request *req,
				 const struct am_look *look, pgoff_t pgoff);
void am_add_side(struct am_request *req, enum am_role role,
		 struct vm_area_struct *vma, const struct am_attrs *attrs);
void am_offer_rebases(struct am_request *req);
bool am_softdirty_tracked(const struct am_request *req,
			  unsigned long vm_flags);
bool am_guard_regions(const struct am_request *req, unsigned long vm_flags);
bool am_chain_singular(struct vm_area_struct *vma);

#endif /* ANONMERGE_MERGEABLE_H */
