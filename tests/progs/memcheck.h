/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks on real memory shared by the scenario programs: data patterns,
 * the module's verifier, and reverse-map health (every page migrates to
 * the other NUMA node, MADV_PAGEOUT swaps every page out, data comes back).
 */
#ifndef ANONMERGE_TEST_MEMCHECK_H
#define ANONMERGE_TEST_MEMCHECK_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/anonmerge.h>

#include "check.h"
#include "vmas.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define MPOL_MF_MOVE (1 << 1)

static long page_size;

static inline unsigned char pattern(unsigned long seed, size_t i)
{
	return (unsigned char)((i / 4096) * 131 + (i % 4096) * 7 + seed * 17 + 1);
}

/* Write a pattern; one write per page is enough to fault it, all bytes
 * are written so that any page mix-up shows. */
static inline void fill(void *p, size_t len, unsigned long seed)
{
	unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		c[i] = pattern(seed, i);
}

static inline int same_bytes(const void *p, size_t len, unsigned long seed)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (c[i] != pattern(seed, i))
			return 0;
	return 1;
}

static inline int dev_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open(ANONMERGE_DEVICE, O_RDWR | O_CLOEXEC);
	return fd;
}

static inline int set_mode(unsigned int mode)
{
	struct anonmerge_set_mode m = { .size = sizeof(m), .mode = mode };

	return ioctl(dev_fd(), ANONMERGE_IOC_SET_MODE, &m);
}

/* The module's verifier over [p, p + len) of this process. */
static inline int verify_range(void *p, size_t len, const char *when)
{
	struct anonmerge_verify v = {
		.size = sizeof(v), .start = (uintptr_t)p, .len = len,
	};
	int ok;

	if (ioctl(dev_fd(), ANONMERGE_IOC_VERIFY, &v)) {
		CHECK(0, "%s: VERIFY ioctl: %s", when, strerror(errno));
		return 0;
	}
	ok = !v.bad_anon_vma && !v.bad_index && !v.bad_vma;
	CHECK(ok, "%s: verifier: %llu pages %llu swapcache, bad anon_vma %llu index %llu vma %llu",
	      when, (unsigned long long)v.pages,
	      (unsigned long long)v.swapcache,
	      (unsigned long long)v.bad_anon_vma,
	      (unsigned long long)v.bad_index, (unsigned long long)v.bad_vma);
	return ok;
}

/* Sum of one smaps field (kB) over the VMAs overlapping [p, p + len). */
static inline long smaps_kb(void *p, size_t len, const char *field)
{
	unsigned long s = (uintptr_t)p, e = s + len, vs, ve;
	size_t flen = strlen(field);
	char line[256];
	int in = 0;
	long sum = 0, v;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* "start-end perms ..." opens a VMA; "Field: n kB" follow. */
		if (sscanf(line, "%lx-%lx ", &vs, &ve) == 2) {
			in = vs < e && ve > s;
			continue;
		}
		if (in && !strncmp(line, field, flen) &&
		    sscanf(line + flen, ":%ld", &v) == 1)
			sum += v;
	}
	fclose(f);
	return sum;
}

/*
 * move_pages() of @n pages to @nodes.  The syscall stops at the first page
 * that fails and leaves the rest untried (move_pages_and_store_status(),
 * mm/migrate.c); then each page is moved on its own, so that one broken
 * page cannot hide the others.
 */
static inline void move_each(unsigned long n, void **pages, int *nodes,
			     int *status)
{
	unsigned long i;

	if (!syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE))
		return;
	for (i = 0; i < n; i++)
		if (syscall(SYS_move_pages, 0, 1, &pages[i], &nodes[i],
			    &status[i], MPOL_MF_MOVE) < 0)
			status[i] = -errno;
}

/*
 * Every page of [p, p + len) to the node it is not on, so that each one
 * really moves (a page already on the target would report success without
 * its reverse map being walked).  A page may transiently refuse
 * (-EAGAIN/-EBUSY, e.g. a THP being split or a reference held for a
 * moment): up to three passes; a page whose reverse map is broken fails
 * every time.  Returns the pages that did not move.
 */
static inline unsigned long migrate_away(void *p, size_t len)
{
	unsigned long n = len / page_size, i, left = n;
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(*nodes));
	int *status = calloc(n, sizeof(*status));
	int pass;

	for (i = 0; i < n; i++)
		pages[i] = (char *)p + i * page_size;
	if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
		goto out;
	for (i = 0; i < n; i++)
		nodes[i] = status[i] == 0 ? 1 : 0;
	for (pass = 0; pass < 3 && left; pass++) {
		move_each(n, pages, nodes, status);
		for (left = 0, i = 0; i < n; i++)
			left += status[i] != nodes[i];
	}
	if (getenv("AM_DEBUG_MIGRATE"))
		for (i = 0; i < n; i++)
			if (status[i] != nodes[i])
				printf("# page %lu: status %d, wanted node %d\n",
				       i, status[i], nodes[i]);
out:
	free(pages);
	free(nodes);
	free(status);
	return left;
}

static inline int migrate_all(void *p, size_t len, const char *when)
{
	unsigned long left = migrate_away(p, len);

	CHECK(!left, "%s: %lu/%lu pages migrated to the other node", when,
	      len / page_size - left, len / page_size);
	return !left;
}

/* MADV_PAGEOUT must reclaim every page to swap (a few tries: pages
 * still in per-CPU LRU caches cannot be isolated on the first pass). */
static inline int pageout_all(void *p, size_t len, const char *when)
{
	long want = len / 1024, swapped = 0;
	int i;

	/* Locked pages are not reclaimed (mlock trigger leftovers). */
	munlock(p, len);
	for (i = 0; i < 5 && swapped < want; i++) {
		if (madvise(p, len, MADV_PAGEOUT)) {
			CHECK(0, "%s: MADV_PAGEOUT: %s", when, strerror(errno));
			return 0;
		}
		swapped = smaps_kb(p, len, "Swap");
	}
	CHECK(swapped == want, "%s: %ld/%ld kB swapped out", when, swapped, want);
	return swapped == want;
}

/*
 * The whole health check of a region holding pattern @seed: bytes,
 * verifier, migration to the other node, verifier, pageout, bytes (swap
 * in), verifier.
 */
static inline void rmap_health(void *p, size_t len, unsigned long seed,
			       const char *when)
{
	char what[128];

	snprintf(what, sizeof(what), "%s: bytes intact", when);
	CHECK(same_bytes(p, len, seed), "%s", what);
	verify_range(p, len, when);
	migrate_all(p, len, when);
	verify_range(p, len, "after migration");
	CHECK(same_bytes(p, len, seed), "%s: bytes intact after migration", when);
	pageout_all(p, len, when);
	CHECK(same_bytes(p, len, seed), "%s: bytes intact after swap-in", when);
	verify_range(p, len, "after swap-in");
}

/* A thread moving [start, start + len) between nodes 0 and 1 until stop. */
struct migrator {
	char *start;
	size_t len;
	volatile int stop;
};

static inline void *migrator(void *arg)
{
	struct migrator *m = arg;
	unsigned long n = m->len / page_size, i, round = 0;
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(*nodes));
	int *status = calloc(n, sizeof(*status));

	for (i = 0; i < n; i++)
		pages[i] = m->start + i * page_size;
	while (!m->stop) {
		for (i = 0; i < n; i++)
			nodes[i] = round & 1;
		syscall(SYS_move_pages, 0, n, pages, nodes, status,
			MPOL_MF_MOVE);
		round++;
	}
	free(pages);
	free(nodes);
	free(status);
	return (void *)round;
}

#endif
