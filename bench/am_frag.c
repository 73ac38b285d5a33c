// SPDX-License-Identifier: GPL-2.0
/*
 * am_frag: a buffer pool that fragments the address space on stock Linux.
 *
 *   am_frag [-n SLABS] [-s SLAB_KIB]
 *
 * Slabs are mapped one after another into one reservation, each locked
 * (MAP_LOCKED) while it is filled and munlock()ed afterwards, the way code
 * that registers buffers for I/O pins them.  Because every slab is faulted
 * while its flags differ from its neighbours', each gets its own anon_vma
 * and stock Linux keeps the pool as one VMA per slab, forever.  Prints the
 * VMA count of the pool, the time taken, and checks every byte.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../tests/progs/vmas.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	size_t slab = 64 << 10, n = 512, i, j;
	unsigned char *pool;
	double t0, t1;
	int opt, bad = 0;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			slab = strtoul(optarg, NULL, 0) << 10;
		else
			return 2;
	}
	/* One PROT_NONE reservation; slabs are committed from its start. */
	pool = mmap(NULL, (n + 1) * slab, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (pool == MAP_FAILED)
		return perror("mmap"), 2;
	t0 = now();
	for (i = 0; i < n; i++) {
		unsigned char *s = pool + i * slab;

		if (mmap(s, slab, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0) != s)
			return perror("mmap"), 2;
		memset(s, (int)(i & 0xff), slab);
		if (munlock(s, slab))
			return perror("munlock"), 2;
	}
	t1 = now();
	for (i = 0; i < n; i++)
		for (j = 0; j < slab; j += 4096)
			bad += pool[i * slab + j] != (unsigned char)(i & 0xff);
	printf("am_frag: %zu slabs of %zu KiB: %d VMAs in the pool, %.1f ms, %s\n",
	       n, slab >> 10, count_vmas(pool, pool + n * slab),
	       (t1 - t0) * 1e3, bad ? "DATA CORRUPTED" : "data intact");
	return bad ? 1 : 0;
}
