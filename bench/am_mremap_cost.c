// SPDX-License-Identifier: GPL-2.0
/*
 * am_mremap_cost: what merging after mremap() costs, and what it does not.
 *
 *   am_mremap_cost [-r ROUNDS] PAGES...
 *
 * For each N: a faulted N-page region X is moved (MREMAP_FIXED) right
 * after a faulted N-page region P; module on (X rebased onto P and merged)
 * vs off (stock move, two VMAs).  Then the PMD fast path: 64 MiB of
 * PMD-mapped THP moved to an aligned spot with no neighbour to merge with,
 * module on vs off, per 2 MiB.  Medians of ROUNDS fresh setups.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <time.h>

#include "../tests/progs/memcheck.h"
#include "bench.h"

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif


/* No MAP_NORESERVE: VM_NORESERVE would differ from the neighbour's. */
static char *map_aligned(size_t len, size_t align, int prot)
{
	char *p = mmap(NULL, len + align, prot, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	if (p == MAP_FAILED)
		exit(2);
	return (char *)(((uintptr_t)p + align - 1) & ~(align - 1));
}

/*
 * Move X (len bytes, @thp or 4 KiB pages) to @dest in mode @mode; *vmas
 * is the VMA count there after, *pmd_kb how much of X is still mapped by
 * PMDs (all of it if the PMD-level move was taken).
 */
static double time_move(size_t len, int thp, int with_neighbour,
			unsigned int mode, int *vmas, long *pmd_kb)
{
	size_t align = 2UL << 20;
	char *area = map_aligned(3 * len, align, PROT_NONE);
	char *x = map_aligned(len, align, PROT_READ | PROT_WRITE);
	char *dest = area + len;
	double t0, t1;

	madvise(x, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(x, 3, len);
	if (with_neighbour) {
		if (mmap(area, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED, -1, 0) != area)
			exit(2);
		madvise(area, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		memset(area, 4, len);
	}
	set_mode(mode);
	t0 = now_ns();
	if (mremap(x, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dest) != dest)
		exit(2);
	t1 = now_ns();
	set_mode(ANONMERGE_MODE_OFF);
	*vmas = count_vmas(area, area + 2 * len);
	*pmd_kb = smaps_kb(dest, len, "AnonHugePages");
	munmap(area, 3 * len);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	int rounds = 5, opt, i, von = 0, voff = 0;
	long kb_on = 0, kb_off = 0;
	double on[64], off[64], m_on, m_off;
	size_t len;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			return 2;
		rounds = atoi(optarg);
	}
	if (rounds < 1 || rounds > 64 || dev_fd() < 0)
		return 2;
	printf("%8s %14s %14s %8s %12s\n", "pages", "move+merge us",
	       "stock move us", "ratio", "VMAs on/off");
	for (; optind < argc; optind++) {
		len = strtoul(argv[optind], NULL, 0) * page_size;
		/* Alternate which goes first: TCG timing drifts. */
		for (i = 0; i < rounds; i++) {
			if (i & 1)
				off[i] = time_move(len, 0, 1, ANONMERGE_MODE_OFF,
						   &voff, &kb_off);
			on[i] = time_move(len, 0, 1, ANONMERGE_MODE_ON, &von, &kb_on);
			if (!(i & 1))
				off[i] = time_move(len, 0, 1, ANONMERGE_MODE_OFF,
						   &voff, &kb_off);
		}
		m_on = median(on, rounds);
		m_off = median(off, rounds);
		printf("%8zu %14.1f %14.1f %8.2f %7d/%d\n", len / page_size,
		       m_on / 1e3, m_off / 1e3, m_on / m_off, von, voff);
	}
	/* No neighbour: the module must not touch the PMD fast path. */
	len = 64UL << 20;
	rounds = 3 * rounds < 64 ? 3 * rounds : 63;
	for (i = 0; i < rounds; i++) {
		if (i & 1)
			off[i] = time_move(len, 1, 0, ANONMERGE_MODE_OFF, &voff, &kb_off);
		on[i] = time_move(len, 1, 0, ANONMERGE_MODE_ON, &von, &kb_on);
		if (!(i & 1))
			off[i] = time_move(len, 1, 0, ANONMERGE_MODE_OFF, &voff, &kb_off);
	}
	m_on = median(on, rounds);
	m_off = median(off, rounds);
	printf("PMD move, no merge possible: %.1f us per 2 MiB on, %.1f us off (ratio %.2f, %d rounds)\n",
	       m_on / 1e3 / 32, m_off / 1e3 / 32, m_on / m_off, rounds);
	printf("still PMD-mapped after the move: %ld of %lu kB on, %ld kB off\n",
	       kb_on, len >> 10, kb_off);
	return 0;
}
