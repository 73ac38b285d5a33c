// SPDX-License-Identifier: GPL-2.0
/*
 * am_rehome_cost: the cost of one re-home per page.
 *
 *   am_rehome_cost [-r ROUNDS] PAGES...
 *
 * For each size N: a 2N-page region P next to an N-page region A that was
 * faulted while MADV_DONTDUMP (own anon_vma).  Times MADV_DODUMP on A with
 * the module on (A's N pages re-homed onto P, then merged) and off (stock:
 * the flag changes, the merge is refused), and a stock mprotect() of A's
 * range for scale.  Median of ROUNDS fresh setups; ns per page of A.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <time.h>

#include "../tests/progs/memcheck.h"
#include "bench.h"


/* One fresh P|A setup; returns A, A's anon_vma distinct from P's. */
static char *setup(size_t n, char **base)
{
	size_t len = 3 * n * page_size;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a = p + 2 * n * page_size;

	if (p == MAP_FAILED)
		exit(2);
	set_mode(ANONMERGE_MODE_OFF);
	madvise(a, n * page_size, MADV_DONTDUMP);
	/* THP off: the cost per 4 KiB page is what is measured. */
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 1, 2 * n * page_size);
	memset(a, 2, n * page_size);
	*base = p;
	return a;
}

static double time_dodump(size_t n, unsigned int mode, int *vmas)
{
	char *base, *a = setup(n, &base);
	double t0, t1;

	set_mode(mode);
	t0 = now_ns();
	madvise(a, n * page_size, MADV_DODUMP);
	t1 = now_ns();
	*vmas = count_vmas(base, a + n * page_size);
	set_mode(ANONMERGE_MODE_OFF);
	munmap(base, 3 * n * page_size);
	return t1 - t0;
}

static double time_mprotect(size_t n)
{
	char *base, *a = setup(n, &base);
	double t0, t1;

	t0 = now_ns();
	mprotect(a, n * page_size, PROT_READ);
	t1 = now_ns();
	munmap(base, 3 * n * page_size);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	int rounds = 7, opt, i, vmas_on = 0, vmas_off = 0;
	double on[64], off[64], mp[64], m_on, m_off;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			return 2;
		rounds = atoi(optarg);
	}
	if (rounds < 1 || rounds > 64 || optind >= argc || dev_fd() < 0)
		return 2;
	printf("%8s %12s %12s %12s %14s %14s\n", "pages", "on ns/page",
	       "off ns/page", "rehome ns/pg", "mprotect ns/pg", "VMAs on/off");
	for (; optind < argc; optind++) {
		size_t n = strtoul(argv[optind], NULL, 0);

		for (i = 0; i < rounds; i++) {
			on[i] = time_dodump(n, ANONMERGE_MODE_ON, &vmas_on);
			off[i] = time_dodump(n, ANONMERGE_MODE_OFF, &vmas_off);
			mp[i] = time_mprotect(n);
		}
		m_on = median(on, rounds);
		m_off = median(off, rounds);
		printf("%8zu %12.1f %12.1f %12.1f %14.1f %9d/%d\n", n,
		       m_on / n, m_off / n, (m_on - m_off) / n,
		       median(mp, rounds) / n, vmas_on, vmas_off);
	}
	return 0;
}
