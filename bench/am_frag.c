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
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../tests/progs/vmas.h"
#include "bench.h"

/* Slab @i holds the byte i & 0xff everywhere. */
static void fill_slab(unsigned char *s, size_t i, size_t size)
{
	memset(s, (int)(i & 0xff), size);
}

int main(int argc, char **argv)
{
	size_t slab = 64 << 10, n = 512, i, j;
	unsigned char *pool;
	double t0, t1;
	int opt, err, bad = 0;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			slab = strtoul(optarg, NULL, 0) << 10;
		else
			return 2;
	}
	pool = reserve_pool(n, slab);
	if (!pool)
		return perror("mmap"), 2;
	t0 = now_ns();
	if (build_locked_slabs(pool, n, slab, fill_slab, &err) != n) {
		errno = err;
		return perror("building the pool"), 2;
	}
	t1 = now_ns();
	for (i = 0; i < n; i++)
		for (j = 0; j < slab; j += 4096)
			bad += pool[i * slab + j] != (unsigned char)(i & 0xff);
	printf("am_frag: %zu slabs of %zu KiB: %d VMAs in the pool, %.1f ms, %s\n",
	       n, slab >> 10, count_vmas(pool, pool + n * slab),
	       (t1 - t0) / 1e6, bad ? "DATA CORRUPTED" : "data intact");
	return bad ? 1 : 0;
}
