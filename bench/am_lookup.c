// SPDX-License-Identifier: GPL-2.0
/*
 * am_lookup: how far a fragmenting pool gets under vm.max_map_count, and
 * how fast VMA-lookup-heavy steps run over it split and merged.
 *
 *   am_lookup [-n SLABS] [-s SLAB_KIB] [-r OPS] [-M] [-C]
 *
 * Builds the pool of am_frag (every slab faulted while MAP_LOCKED, then
 * munlock()ed: one VMA per slab on stock) and stops at the first slab the
 * kernel refuses (ENOMEM at vm.max_map_count on stock); prints how many
 * slabs it built and the VMA count.  Then times, over the slabs built:
 *   fault   OPS times: MADV_DONTNEED one page of a pseudo-random slab and
 *           write it again (two VMA lookups and a page fault);
 *   walk    madvise(MADV_NORMAL) over the whole pool: a walk over every
 *           VMA that changes nothing;
 *   maps    read /proc/self/maps whole.
 * Each step is timed OPS/16 (walk, maps) or once (fault) per round, over
 * 5 rounds, median kept.
 * -M: after timing, write "on" to /sys/kernel/mm/anonmerge/mode, mlock()
 * and munlock() the whole pool (a flag change over every VMA: the module
 * merges them there), and time the steps again: before and after merging
 * in one process.
 * -C: corrupt one byte before the final check (shows the check fails).
 * Every byte is checked at the end; exit 1 if one differs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "../tests/progs/vmas.h"

#define PAGE 4096UL
#define ROUNDS 5

static unsigned char *pool;
static size_t slab, built;

static unsigned char pattern(size_t off)
{
	return (unsigned char)(off / PAGE * 7 + 1);
}

/* Every page of slab @i holds the pattern of its offset in the pool. */
static void fill_slab(unsigned char *s, size_t i, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += PAGE)
		memset(s + off, pattern(i * size + off), PAGE);
}

static unsigned long rnd(void)
{
	static unsigned long x = 88172645463325252UL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static void step_fault(int ops)
{
	size_t pages = built * slab / PAGE, off;
	int i;

	for (i = 0; i < ops; i++) {
		off = rnd() % pages * PAGE;
		if (madvise(pool + off, PAGE, MADV_DONTNEED))
			perror("madvise"), exit(2);
		memset(pool + off, pattern(off), PAGE);
	}
}

static void step_walk(int ops)
{
	int i;

	for (i = 0; i < ops; i++)
		if (madvise(pool, built * slab, MADV_NORMAL))
			perror("madvise"), exit(2);
}

static void step_maps(int ops)
{
	static char buf[1 << 16];
	int i, fd;

	for (i = 0; i < ops; i++) {
		fd = open("/proc/self/maps", O_RDONLY);
		if (fd < 0)
			perror("open"), exit(2);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
}

/* Median time of one call of @step(@ops) over ROUNDS rounds, per op. */
static double timed(void (*step)(int), int ops)
{
	double t[ROUNDS], t0;
	int r;

	for (r = 0; r < ROUNDS; r++) {
		t0 = now_ns();
		step(ops);
		t[r] = (now_ns() - t0) / ops;
	}
	return median(t, ROUNDS);
}

static void measure(const char *when, int ops)
{
	int w = ops / 16 ? ops / 16 : 1;

	printf("lookup %s vmas %d fault_ns %.0f walk_ns %.0f maps_ns %.0f\n",
	       when, count_vmas(pool, pool + built * slab),
	       timed(step_fault, ops), timed(step_walk, w),
	       timed(step_maps, w));
}

static int set_mode(const char *mode)
{
	int fd = open("/sys/kernel/mm/anonmerge/mode", O_WRONLY);
	int ret = -1;

	if (fd >= 0) {
		ret = write(fd, mode, strlen(mode)) == (ssize_t)strlen(mode) ?
			0 : -1;
		close(fd);
	}
	return ret;
}

int main(int argc, char **argv)
{
	size_t n = 4096, off, len;
	int opt, ops = 2000, merge = 0, corrupt = 0, err = 0, bad = 0;
	double t0, t1;

	slab = 16 << 10;
	while ((opt = getopt(argc, argv, "n:s:r:MC")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 0);
		else if (opt == 's')
			slab = strtoul(optarg, NULL, 0) << 10;
		else if (opt == 'r')
			ops = atoi(optarg);
		else if (opt == 'M')
			merge = 1;
		else if (opt == 'C')
			corrupt = 1;
		else
			return 2;
	}
	pool = reserve_pool(n, slab);
	if (!pool)
		return perror("mmap"), 2;
	t0 = now_ns();
	built = build_locked_slabs(pool, n, slab, fill_slab, &err);
	t1 = now_ns();
	printf("frag built %zu of %zu slabs of %zu KiB, %s, vmas %d, %.1f ms\n",
	       built, n, slab >> 10, err ? strerror(err) : "complete",
	       count_vmas(pool, pool + built * slab), (t1 - t0) / 1e6);
	if (built && ops > 0) {
		measure("before", ops);
		if (merge) {
			len = built * slab;
			if (set_mode("on"))
				return perror("anonmerge mode"), 2;
			t0 = now_ns();
			if (mlock(pool, len) || munlock(pool, len))
				return perror("mlock"), 2;
			printf("merge %.1f ms\n", (now_ns() - t0) / 1e6);
			measure("after", ops);
		}
	}
	if (corrupt && built)
		pool[slab / 2] ^= 1;
	for (off = 0; off < built * slab; off++)
		bad += pool[off] != pattern(off);
	printf("check %s\n", bad ? "DATA CORRUPTED" : "data intact");
	fflush(stdout);
	return bad ? 1 : 0;
}
