/* SPDX-License-Identifier: GPL-2.0 */
/* Dropping a re-homed VMA's old anon_vma only after an RCU grace period. */
#ifndef ANONMERGE_ANON_VMA_PUT_H
#define ANONMERGE_ANON_VMA_PUT_H

struct anon_vma;
struct am_anon_vma_put;

int am_anon_vma_put_init(void);
void am_anon_vma_put_exit(void);
struct am_anon_vma_put *am_anon_vma_put_alloc(void);
void am_anon_vma_put_free(struct am_anon_vma_put *put);
void am_anon_vma_put_after_gp(struct am_anon_vma_put *put,
			      struct anon_vma *anon_vma);

#endif /* ANONMERGE_ANON_VMA_PUT_H */
