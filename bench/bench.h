/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the benchmarks: a monotonic clock, medians, and the pool of
 * locked-then-unlocked slabs that stock Linux leaves one VMA per slab.
 */
#ifndef ANONMERGE_BENCH_H
#define ANONMERGE_BENCH_H

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static inline double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of @n samples (sorts them). */
static inline double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/*
 * One PROT_NONE reservation for @n slabs of @slab bytes and one more: the
 * pool then ends at its own PROT_NONE rest, not at whatever mapping comes
 * next.  Slabs are committed from its start.  NULL on failure, errno set.
 */
static inline unsigned char *reserve_pool(size_t n, size_t slab)
{
	void *p = mmap(NULL, (n + 1) * slab, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Commit @n slabs of @slab bytes one after another from the start of @pool
 * (a PROT_NONE reservation), each mapped locked (MAP_LOCKED), filled by
 * @fill(slab, index, size) and munlock()ed, the way code that registers
 * buffers for I/O pins them.  Each is faulted while its flags differ from
 * its neighbours', so each gets an anon_vma of its own and stock Linux
 * keeps one VMA per slab.  Returns how many slabs were filled; *@err is the
 * errno that stopped it, 0 when all were built.
 */
static inline size_t build_locked_slabs(unsigned char *pool, size_t n,
					size_t slab,
					void (*fill)(unsigned char *, size_t,
						     size_t),
					int *err)
{
	size_t i;

	*err = 0;
	for (i = 0; i < n; i++) {
		unsigned char *s = pool + i * slab;

		if (mmap(s, slab, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0) != s) {
			*err = errno;
			return i;
		}
		fill(s, i, slab);
		if (munlock(s, slab)) {
			*err = errno;
			return i + 1;	/* filled, only still locked */
		}
	}
	return n;
}

#endif
