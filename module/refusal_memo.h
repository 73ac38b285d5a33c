/* SPDX-License-Identifier: GPL-2.0 */
/* Remembering that a VMA could not be re-homed, so the next try is cheap. */
#ifndef ANONMERGE_REFUSAL_MEMO_H
#define ANONMERGE_REFUSAL_MEMO_H

#include <linux/mm_types.h>

bool am_refusal_remembered(struct vm_area_struct *vma);
void am_refusal_remember(struct vm_area_struct *vma, int reason);

#endif /* ANONMERGE_REFUSAL_MEMO_H */
