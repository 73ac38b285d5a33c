// SPDX-License-Identifier: GPL-2.0
/*
 * am_fuzz: a differential fuzzer of anonmerge against stock behaviour.
 *
 *   am_fuzz run -s SEED [-n STEPS] [-m off|on] [-c COUNTS] [-p EVERY] [-d FROM]
 *   am_fuzz compare [-w] OFF ON OFF_COUNTS ON_COUNTS
 *
 * "run" sets the module's mode, then makes a seeded, deterministic
 * sequence of memory syscalls over a fixed arena - anonymous and private
 * /dev/zero mappings (also mapped at 0x10000 and moved in), mprotect,
 * madvise flag pairs, DONTNEED, PAGEOUT, mlock, mbind/set_mempolicy,
 * mremap (move, MREMAP_FIXED over a neighbour, DONTUNMAP, grow in place,
 * shrink), move_pages, fork (the child reads, changes and reports its
 * copy), THP on and off - and prints a transcript of every observable
 * result: return values, errno, hashes of the bytes, migration and
 * pageout results, child reports, the verifier's verdict.  Periodic probes
 * migrate every data page to the other node and back, page everything
 * out and read it back: a page lost to rmap shows only when something
 * walks it.  The VMA count goes to COUNTS, one line per step, never into
 * the transcript.  -d FROM prints the arena's maps lines (in pages from
 * the arena's start) to stderr after every step from FROM on.
 *
 * What is observed is chosen to be the same for any VMA layout: only pages
 * this program wrote are migrated or checked for residency (a merged VMA
 * may hold a THP where stock has unpopulated pages), pages are read back
 * before they are migrated (pageout is not exact), and addresses are
 * fixed.  The process is bound to CPU 0 so that new pages land on node 0.
 *
 * "compare" reads two transcripts of one seed (merging off, then on): they
 * must be identical, and the VMA count with merging on never above the
 * count with it off.  One divergence is legitimate: an mremap() whose
 * source spans two VMAs fails with EFAULT on stock but succeeds once they
 * are merged; from there the runs part ways, so the comparison stops at
 * that step.  With -w a higher VMA count is reported but not a failure
 * (for rebase_moved=1, whose price is documented).  Exit 0 when the runs
 * agree, 1 when they differ, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/anonmerge.h>

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define MPOL_DEFAULT 0
#define MPOL_BIND 2
#define MPOL_INTERLEAVE 3
#define MPOL_MF_MOVE (1 << 1)

#define PAGE 4096UL
#define SLOT_PAGES 16
#define NSLOTS 64
#define ARENA_PAGES (SLOT_PAGES * NSLOTS)	/* 4 MiB: two THP ranges */
#define ARENA ((char *)0x200000000000UL)	/* 2 MiB aligned, far from all */
#define LOW ((char *)0x10000UL)			/* pgoff 16 */
#define LOW_PAGES 8

/* What this program knows of a page's content. */
enum { UNWRITTEN, WRITTEN, UNKNOWN };

/* A page as /proc/self/maps shows it. */
#define P_MAPPED 1
#define P_READ 2
#define P_WRITE 4
#define P_EXEC 8
#define P_FILE 16

static unsigned char shadow[ARENA_PAGES];
static unsigned char perms[ARENA_PAGES];
static unsigned long step, dump_from = ~0UL;
static uint64_t rng;
static FILE *counts;
static int zero_fd, dev_fd, pagemap_fd;

/* ---- output: the transcript ---- */

static void say(const char *fmt, ...)
{
	va_list ap;

	printf("%lu ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* " = 0" or " = -1 EFAULT": errno by name, stable across libcs. */
static const char *result(long ret)
{
	static char buf[64];

	if (ret != -1)
		snprintf(buf, sizeof(buf), "= %ld", ret);
	else
		snprintf(buf, sizeof(buf), "= -1 %s", strerrorname_np(errno) ?: "?");
	return buf;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* ---- randomness (splitmix64) ---- */

static uint64_t next_rand(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long below(unsigned long n)
{
	return n ? next_rand() % n : 0;
}

/* A random range of whole slots: [*first, *first + *n) in pages. */
static void random_slots(unsigned long *first, unsigned long *n,
			 unsigned long max_slots)
{
	unsigned long s = below(NSLOTS), len = 1 + below(max_slots);

	if (s + len > NSLOTS)
		len = NSLOTS - s;
	*first = s * SLOT_PAGES;
	*n = len * SLOT_PAGES;
}

/* A random page range, not slot-aligned: [*first, *first + *n). */
static void random_pages(unsigned long *first, unsigned long *n)
{
	unsigned long a = below(ARENA_PAGES), len = 1 + below(3 * SLOT_PAGES);

	if (a + len > ARENA_PAGES)
		len = ARENA_PAGES - a;
	*first = a;
	*n = len;
}

static char *pg(unsigned long page)
{
	return ARENA + page * PAGE;
}

/* ---- what is mapped, from /proc/self/maps ---- */

static void read_perms(void)
{
	unsigned long s, e, a, ino;
	char line[512], p[8];
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		die("maps");
	memset(perms, 0, sizeof(perms));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx %4s %*s %*s %lu", &s, &e, p, &ino) != 4)
			continue;
		for (a = s; a < e; a += PAGE) {
			unsigned char v = P_MAPPED;

			if (a < (unsigned long)ARENA ||
			    a >= (unsigned long)pg(ARENA_PAGES))
				continue;
			v |= (p[0] == 'r' ? P_READ : 0) |
			     (p[1] == 'w' ? P_WRITE : 0) |
			     (p[2] == 'x' ? P_EXEC : 0) | (ino ? P_FILE : 0);
			perms[(a - (unsigned long)ARENA) / PAGE] = v;
		}
	}
	fclose(f);
}

/* With -d: what the module's counters did in this step. */
static void dump_stats(void)
{
	static struct anonmerge_stats last;
	struct anonmerge_stats st = { .size = sizeof(st) };
	unsigned int i;

	if (ioctl(dev_fd, ANONMERGE_IOC_GET_STATS, &st))
		return;
	if (step >= dump_from) {
		fprintf(stderr, "%lu stats candidates +%llu", step,
			(unsigned long long)(st.candidates - last.candidates));
		for (i = 0; i < ANONMERGE_NR_MERGE_KINDS; i++)
			if (st.merges[i] != last.merges[i])
				fprintf(stderr, " merge%u +%llu", i,
					(unsigned long long)(st.merges[i] -
							     last.merges[i]));
		for (i = 0; i < ANONMERGE_NR_REFUSALS; i++)
			if (st.refusals[i] != last.refusals[i])
				fprintf(stderr, " refusal%u +%llu", i,
					(unsigned long long)(st.refusals[i] -
							     last.refusals[i]));
		fputc('\n', stderr);
	}
	last = st;
}

/* With -d: the arena's maps lines after each step from dump_from on. */
static void dump_maps(void)
{
	unsigned long s, e;
	char line[512];
	FILE *f;

	if (dump_from != ~0UL)
		dump_stats();
	if (step < dump_from || !(f = fopen("/proc/self/maps", "r")))
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 &&
		    s < (unsigned long)pg(ARENA_PAGES) &&
		    e > (unsigned long)ARENA)
			fprintf(stderr, "%lu maps %lu-%lu %s", step,
				(s - (unsigned long)ARENA) / PAGE,
				(e - (unsigned long)ARENA) / PAGE,
				strchr(line, ' ') + 1);
	fclose(f);
}

/* VMAs in the arena and the low area: the count the module may lower. */
static int count_vmas(void)
{
	unsigned long s, e;
	char line[512];
	int n = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	if (!f)
		die("maps");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 &&
		    ((s < (unsigned long)pg(ARENA_PAGES) &&
		      e > (unsigned long)ARENA) ||
		     (s < (unsigned long)LOW + LOW_PAGES * PAGE &&
		      e > (unsigned long)LOW)))
			n++;
	fclose(f);
	return n;
}

/* ---- bytes ---- */

static uint64_t fnv(uint64_t h, const unsigned char *p, size_t len)
{
	while (len--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

/* Hash of the readable pages of [first, first + n), read_perms() fresh. */
static uint64_t hash_pages(unsigned long first, unsigned long n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned long i;

	for (i = first; i < first + n; i++) {
		if (!(perms[i] & P_READ))
			h = fnv(h, (const unsigned char *)"-", 1);
		else
			h = fnv(h, (const unsigned char *)pg(i), PAGE);
	}
	return h;
}

static void write_pages(unsigned long first, unsigned long n, int tag)
{
	unsigned long i;

	read_perms();
	for (i = first; i < first + n; i++) {
		if (!(perms[i] & P_WRITE))
			continue;
		memset(pg(i), (int)((tag * 31 + i) & 0xff), PAGE);
		/* A distinct word per page, so that moved pages show. */
		*(unsigned long *)pg(i) = ((unsigned long)tag << 32) | i;
		shadow[i] = WRITTEN;
	}
}

/* Pages this program wrote and can read: the ones it checks. */
static unsigned long checked_pages(unsigned long first, unsigned long n,
				   void **out)
{
	unsigned long i, k = 0;

	for (i = first; i < first + n; i++)
		if (shadow[i] == WRITTEN && (perms[i] & P_READ))
			out[k++] = pg(i);
	return k;
}

/* ---- observations ---- */

/*
 * Move the checked pages of [first, first + n) to @node, retrying those
 * that fail transiently; print where they ended up.
 */
static void migrate(unsigned long first, unsigned long n, int node,
		    const char *what)
{
	static void *pages[ARENA_PAGES];
	static int nodes[ARENA_PAGES], status[ARENA_PAGES];
	unsigned long k, i, moved = 0, busy = 0, elsewhere = 0, errors = 0;
	volatile unsigned char sink;
	long ret = 0;
	int pass;

	read_perms();
	k = checked_pages(first, n, pages);
	for (i = 0; i < k; i++) {
		sink = *(volatile unsigned char *)pages[i];	/* swap in */
		nodes[i] = node;
	}
	(void)sink;
	for (pass = 0; pass < 4 && k; pass++) {
		/*
		 * The syscall stops at the first page that fails, leaving
		 * the rest untried: then each page on its own.
		 */
		ret = syscall(SYS_move_pages, 0, k, pages, nodes, status,
			      MPOL_MF_MOVE);
		if (ret < 0)
			break;
		for (i = 0; ret > 0 && i < k; i++)
			if (syscall(SYS_move_pages, 0, 1, &pages[i], &nodes[i],
				    &status[i], MPOL_MF_MOVE) < 0)
				status[i] = -errno;
		ret = 0;
		for (busy = 0, i = 0; i < k; i++)
			busy += status[i] == -EBUSY || status[i] == -EAGAIN ||
				status[i] == -ENOMEM;
		if (!busy)
			break;
	}
	if (ret < 0) {
		say("%s to node %d: %lu pages %s", what, node, k, result(ret));
		return;
	}
	for (i = 0; i < k; i++) {
		if (status[i] == node)
			moved++;
		else if (status[i] >= 0)
			elsewhere++;
		else if (status[i] != -EBUSY && status[i] != -EAGAIN &&
			 status[i] != -ENOMEM)
			errors++;
	}
	say("%s to node %d: %lu pages, moved %lu, elsewhere %lu, busy %lu, errors %lu",
	    what, node, k, moved, elsewhere, busy, errors);
}

/* Is the page at @p present in the page table (/proc/self/pagemap)? */
static int present(void *p)
{
	uint64_t e;

	if (pread(pagemap_fd, &e, sizeof(e),
		  (uintptr_t)p / PAGE * sizeof(e)) != sizeof(e))
		die("pagemap");
	return !!(e & (1ULL << 63));
}

/*
 * MADV_PAGEOUT of every checked page, one page at a time (so that a
 * locked neighbour fails alone), up to 8 rounds; how many stay present.
 */
static void pageout_all(void)
{
	static void *pages[ARENA_PAGES];
	unsigned long i, k, left = 0;
	int round;

	read_perms();
	k = checked_pages(0, ARENA_PAGES, pages);
	for (round = 0; round < 8; round++) {
		for (left = 0, i = 0; i < k; i++) {
			if (!present(pages[i]))
				continue;
			madvise(pages[i], PAGE, MADV_PAGEOUT);
			left += present(pages[i]);
		}
		if (!left)
			break;
	}
	say("probe: pageout: %lu pages, %lu still present", k, left);
}

static void verify(const char *what)
{
	struct anonmerge_verify v = {
		.size = sizeof(v),
		.start = (uintptr_t)LOW,
		.len = (uintptr_t)pg(ARENA_PAGES) - (uintptr_t)LOW,
	};

	if (ioctl(dev_fd, ANONMERGE_IOC_VERIFY, &v)) {
		say("%s: verify %s", what, result(-1));
		return;
	}
	say("%s: verify bad anon_vma %llu index %llu vma %llu rmap %llu pgoff %llu",
	    what, (unsigned long long)v.bad_anon_vma,
	    (unsigned long long)v.bad_index, (unsigned long long)v.bad_vma,
	    (unsigned long long)v.bad_rmap, (unsigned long long)v.bad_pgoff);
}

/* The whole-arena probe: read, migrate there and back, page out, read. */
static void probe(void)
{
	read_perms();
	say("probe: hash %016llx",
	    (unsigned long long)hash_pages(0, ARENA_PAGES));
	verify("probe");
	migrate(0, ARENA_PAGES, 1, "probe: migrate");
	migrate(0, ARENA_PAGES, 0, "probe: migrate");
	pageout_all();
	read_perms();
	say("probe: hash after swap-in %016llx",
	    (unsigned long long)hash_pages(0, ARENA_PAGES));
	verify("probe after");
}

/* ---- shadow upkeep ---- */

static void shadow_set(unsigned long first, unsigned long n, int v)
{
	memset(shadow + first, v, n);
}

/* After a successful mremap() of arena pages. */
static void shadow_move(unsigned long from, unsigned long old_n,
			unsigned long to, unsigned long new_n, int dontunmap)
{
	static unsigned char tmp[ARENA_PAGES];
	unsigned long keep = old_n < new_n ? old_n : new_n;

	memcpy(tmp, shadow + from, keep);
	shadow_set(from, old_n, UNWRITTEN);
	(void)dontunmap;	/* the source is empty either way */
	memcpy(shadow + to, tmp, keep);
	shadow_set(to + keep, new_n - keep, UNWRITTEN);
}

/* ---- the operations ---- */

static const int prots[] = {
	PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
	PROT_READ | PROT_WRITE | PROT_EXEC,
};

static const char *prot_name(int prot)
{
	static const char *const names[] = { "---", "r--", "rw-", "rwx" };
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (prots[i] == prot)
			return names[i];
	return "?";
}

static void op_mmap(void)
{
	unsigned long first, n;
	int prot = below(4) ? PROT_READ | PROT_WRITE : prots[below(4)];
	int flags = MAP_PRIVATE | MAP_FIXED, fd = -1;
	unsigned long off = 0;
	const char *kind = "anon";
	long ret;

	random_slots(&first, &n, 8);
	if (below(5) == 0) {
		/* Private /dev/zero: a file, and a pgoff of our choosing. */
		fd = zero_fd;
		kind = "zero";
		off = below(3) == 0 ? 0 : below(3) == 0 ? 16 * PAGE :
					first * PAGE;
	} else {
		flags |= MAP_ANONYMOUS;
	}
	if (below(10) == 0)
		flags |= MAP_LOCKED;
	ret = (long)mmap(pg(first), n * PAGE, prot, flags, fd, off);
	say("mmap %s %lu+%lu %s off %lu%s %s", kind, first, n, prot_name(prot),
	    off / PAGE, flags & MAP_LOCKED ? " locked" : "",
	    result(ret == (long)MAP_FAILED ? -1 : 0));
	if (ret != (long)MAP_FAILED)
		shadow_set(first, n, UNWRITTEN);
}

static void op_munmap(void)
{
	unsigned long first, n;
	long ret;

	random_slots(&first, &n, 4);
	ret = munmap(pg(first), n * PAGE);
	say("munmap %lu+%lu %s", first, n, result(ret));
	if (!ret)
		shadow_set(first, n, UNWRITTEN);
}

static void op_write(void)
{
	unsigned long first, n;

	if (below(3) == 0)
		random_slots(&first, &n, 32);	/* up to a THP range */
	else
		random_pages(&first, &n);
	write_pages(first, n, (int)step);
	say("write %lu+%lu", first, n);
}

static void op_read(void)
{
	unsigned long first, n;

	random_pages(&first, &n);
	read_perms();
	say("read %lu+%lu: %016llx", first, n,
	    (unsigned long long)hash_pages(first, n));
}

static void op_mprotect(void)
{
	unsigned long first, n;
	int prot = prots[below(4)];

	if (below(2))
		random_slots(&first, &n, 4);
	else
		random_pages(&first, &n);
	say("mprotect %lu+%lu %s %s", first, n, prot_name(prot),
	    result(mprotect(pg(first), n * PAGE, prot)));
}

static const struct {
	int advice;
	const char *name;
} advices[] = {
	{ MADV_DONTDUMP, "dontdump" }, { MADV_DODUMP, "dodump" },
	{ MADV_DONTFORK, "dontfork" }, { MADV_DOFORK, "dofork" },
	{ MADV_HUGEPAGE, "hugepage" }, { MADV_NOHUGEPAGE, "nohugepage" },
	{ MADV_DONTNEED, "dontneed" }, { MADV_PAGEOUT, "pageout" },
	{ MADV_WILLNEED, "willneed" }, { MADV_COLD, "cold" },
};

static void op_madvise(void)
{
	unsigned long first, n, i = below(sizeof(advices) / sizeof(advices[0]));
	long ret;

	if (below(2))
		random_slots(&first, &n, 4);
	else
		random_pages(&first, &n);
	ret = madvise(pg(first), n * PAGE, advices[i].advice);
	say("madvise %lu+%lu %s %s", first, n, advices[i].name, result(ret));
	/* DONTNEED empties the range; a failure may have emptied part. */
	if (advices[i].advice == MADV_DONTNEED)
		shadow_set(first, n, ret ? UNKNOWN : UNWRITTEN);
}

static void op_mlock(void)
{
	unsigned long first, n;
	int lock = below(2);

	random_slots(&first, &n, 4);
	say("%s %lu+%lu %s", lock ? "mlock" : "munlock", first, n,
	    result(lock ? mlock(pg(first), n * PAGE) :
			  munlock(pg(first), n * PAGE)));
}

static void op_mbind(void)
{
	unsigned long first, n, mask = 1 + below(3);
	int mode = (int[]){ MPOL_DEFAULT, MPOL_BIND, MPOL_INTERLEAVE }[below(3)];

	random_slots(&first, &n, 4);
	if (mode == MPOL_INTERLEAVE)
		mask = 3;
	say("mbind %lu+%lu mode %d mask %lu %s", first, n, mode, mask,
	    result(syscall(SYS_mbind, pg(first), n * PAGE, mode,
			   mode ? &mask : NULL, mode ? 8 * sizeof(mask) : 0,
			   0)));
}

static void op_set_mempolicy(void)
{
	unsigned long mask = 3;
	int mode = below(2) ? MPOL_INTERLEAVE : MPOL_DEFAULT;

	say("set_mempolicy %d %s", mode,
	    result(syscall(SYS_set_mempolicy, mode, mode ? &mask : NULL,
			   mode ? 8 * sizeof(mask) : 0)));
}

/* The run of pages around @page mapped alike, as maps shows them. */
static void extent_of(unsigned long page, unsigned long *first,
		      unsigned long *n)
{
	unsigned long a = page, b = page + 1;

	while (a > 0 && perms[a - 1] == perms[page])
		a--;
	while (b < ARENA_PAGES && perms[b] == perms[page])
		b++;
	*first = a;
	*n = b - a;
}

/* A source range for mremap: a mapped extent, whole or in part. */
static int mremap_source(unsigned long *first, unsigned long *n)
{
	unsigned long p = below(ARENA_PAGES), a, len;

	read_perms();
	if (!(perms[p] & P_MAPPED))
		return 0;
	extent_of(p, &a, &len);
	if (below(2)) {
		/* A part of it, slot-aligned when it can be. */
		unsigned long cut = below(len);

		a += cut;
		len = 1 + below(len - cut);
	}
	*first = a;
	*n = len;
	return 1;
}

static void op_mremap_move(void)
{
	unsigned long first, n, to, tn, new_n;
	int flags = MREMAP_MAYMOVE | MREMAP_FIXED;
	long ret;

	if (!mremap_source(&first, &n)) {
		say("mremap: nothing mapped there");
		return;
	}
	random_slots(&to, &tn, 1);
	new_n = n;
	if (below(4) == 0)
		new_n = n + 1 + below(SLOT_PAGES);	/* grow while moving */
	else if (below(4) == 0 && n > 1)
		new_n = 1 + below(n - 1);		/* shrink while moving */
	if (new_n == n && below(6) == 0)
		flags |= MREMAP_DONTUNMAP;
	if (to + new_n > ARENA_PAGES)
		to = ARENA_PAGES - new_n;
	ret = (long)mremap(pg(first), n * PAGE, new_n * PAGE, flags, pg(to));
	say("mremap %lu+%lu -> %lu+%lu%s %s", first, n, to, new_n,
	    flags & MREMAP_DONTUNMAP ? " dontunmap" : "",
	    result(ret == (long)MAP_FAILED ? -1 : ret - (long)pg(to)));
	if (ret != (long)MAP_FAILED)
		shadow_move(first, n, to, new_n, flags & MREMAP_DONTUNMAP);
}

static void op_mremap_resize(void)
{
	unsigned long first, n, new_n;
	long ret;

	if (!mremap_source(&first, &n)) {
		say("mremap: nothing mapped there");
		return;
	}
	new_n = below(2) ? n + 1 + below(SLOT_PAGES) : 1 + below(n);
	if (first + new_n > ARENA_PAGES)
		new_n = ARENA_PAGES - first;
	ret = (long)mremap(pg(first), n * PAGE, new_n * PAGE, 0);
	say("mremap %lu+%lu -> %lu in place %s", first, n, new_n,
	    result(ret == (long)MAP_FAILED ? -1 : ret - (long)pg(first)));
	if (ret != (long)MAP_FAILED)
		shadow_move(first, n, first, new_n, 0);
}

/*
 * What leaves VMAs split on stock: part of a mapped range made different
 * (a flag pair, mlock, or a protection), both parts written while they
 * differ - so each gets an anon_vma of its own - and made equal again.
 */
static long differ_or_undo(char *p, unsigned long n, int how, int undo)
{
	switch (how) {
	case 0:
		return madvise(p, n * PAGE, undo ? MADV_DODUMP : MADV_DONTDUMP);
	case 1:
		return madvise(p, n * PAGE, undo ? MADV_DOFORK : MADV_DONTFORK);
	case 2:
		return undo ? munlock(p, n * PAGE) : mlock(p, n * PAGE);
	default:
		return mprotect(p, n * PAGE, PROT_READ | PROT_WRITE |
				(undo ? 0 : PROT_EXEC));
	}
}

static void op_rejoin(void)
{
	unsigned long first, total, cut, part, n;
	int how = (int)below(4), err;
	long r1, r2;

	random_slots(&first, &total, 6);
	if (total < 2 * SLOT_PAGES) {
		say("rejoin %lu+%lu: too small", first, total);
		return;
	}
	cut = first + SLOT_PAGES * (1 + below(total / SLOT_PAGES - 1));
	/* The second part differs, or the first. */
	part = below(2) ? first : cut;
	n = part == first ? cut - first : first + total - cut;
	r1 = differ_or_undo(pg(part), n, how, 0);
	err = errno;
	write_pages(first, total, (int)step);
	r2 = differ_or_undo(pg(part), n, how, 1);
	if (r1)
		errno = err;
	say("rejoin %lu+%lu of %lu+%lu way %d %s", part, n, first, total, how,
	    result(r1 ? r1 : r2));
}

/* Map at 0x10000 (pgoff 16), fault, move into the arena. */
static void op_low(void)
{
	unsigned long n = 1 + below(LOW_PAGES), to, tn, i;
	int zero = below(3) == 0;
	long ret;
	char *p;

	random_slots(&to, &tn, 1);
	to += below(SLOT_PAGES);
	if (to + n > ARENA_PAGES)
		to = ARENA_PAGES - n;
	p = mmap(LOW, n * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_FIXED_NOREPLACE | (zero ? 0 : MAP_ANONYMOUS),
		 zero ? zero_fd : -1, 0);
	if (p == MAP_FAILED) {
		say("low mmap %s", result(-1));
		return;
	}
	for (i = 0; i < n; i++)
		*(unsigned long *)(p + i * PAGE) = step << 16 | i;
	ret = (long)mremap(p, n * PAGE, n * PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED, pg(to));
	say("low %s %lu pages -> %lu %s", zero ? "zero" : "anon", n, to,
	    result(ret == (long)MAP_FAILED ? -1 : 0));
	if (ret == (long)MAP_FAILED) {
		munmap(p, n * PAGE);
		return;
	}
	shadow_set(to, n, WRITTEN);
}

static void op_move_pages(void)
{
	unsigned long first, n;

	random_pages(&first, &n);
	migrate(first, n, (int)below(2), "move_pages");
}

static void do_op(int child);

/*
 * fork(): the child hashes what it sees, makes a few changes of its own
 * (merges and refusals in a forked mm), hashes again and exits; its
 * transcript lines come through a pipe.
 */
static void op_fork(void)
{
	int pipefd[2], status;
	char line[512];
	pid_t pid;
	FILE *in;

	if (pipe(pipefd))
		die("pipe");
	fflush(stdout);
	fflush(counts);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		int i;

		close(pipefd[0]);
		if (dup2(pipefd[1], 1) < 0)
			die("dup2");
		setvbuf(stdout, NULL, _IOLBF, 0);
		rng ^= 0x5bd1e995;
		read_perms();
		say("child: sees %016llx",
		    (unsigned long long)hash_pages(0, ARENA_PAGES));
		/* The child's VMA counts go with the parent's. */
		for (i = 0; i < 4; i++) {
			do_op(1);
			fprintf(counts, "%lu %d\n", step, count_vmas());
		}
		fflush(counts);
		read_perms();
		say("child: leaves %016llx",
		    (unsigned long long)hash_pages(0, ARENA_PAGES));
		verify("child");
		fflush(stdout);
		_exit(0);
	}
	close(pipefd[1]);
	in = fdopen(pipefd[0], "r");
	while (in && fgets(line, sizeof(line), in))
		printf("  %s", line);
	if (in)
		fclose(in);
	waitpid(pid, &status, 0);
	say("fork: child exit %d", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* One random operation; a child makes no further children. */
static void do_op(int child)
{
	unsigned long r = below(100);

	if (r < 8)
		op_mmap();
	else if (r < 12)
		op_munmap();
	else if (r < 20)
		op_rejoin();
	else if (r < 28)
		op_write();
	else if (r < 34)
		op_read();
	else if (r < 45)
		op_mprotect();
	else if (r < 57)
		op_madvise();
	else if (r < 62)
		op_mlock();
	else if (r < 65)
		op_mbind();
	else if (r < 66)
		op_set_mempolicy();
	else if (r < 78)
		op_mremap_move();
	else if (r < 84)
		op_mremap_resize();
	else if (r < 88)
		op_low();
	else if (r < 94)
		op_move_pages();
	else if (!child && r < 97)
		op_fork();
	else
		op_write();
}

static int set_mode(unsigned int mode)
{
	struct anonmerge_set_mode m = { .size = sizeof(m), .mode = mode };

	return ioctl(dev_fd, ANONMERGE_IOC_SET_MODE, &m);
}

static int cmd_run(int argc, char **argv)
{
	unsigned long steps = 500, every = 64, seed = 1;
	const char *counts_path = "/dev/null";
	unsigned int mode = ANONMERGE_MODE_OFF;
	cpu_set_t cpus;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:m:c:p:d:")) != -1) {
		switch (opt) {
		case 'd': dump_from = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'n': steps = strtoul(optarg, NULL, 0); break;
		case 'p': every = strtoul(optarg, NULL, 0); break;
		case 'c': counts_path = optarg; break;
		case 'm':
			mode = !strcmp(optarg, "on") ? ANONMERGE_MODE_ON :
			       ANONMERGE_MODE_OFF;
			break;
		default: return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	rng = seed;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("sched_setaffinity");
	counts = fopen(counts_path, "w");
	zero_fd = open("/dev/zero", O_RDWR);
	dev_fd = open(ANONMERGE_DEVICE, O_RDWR);
	pagemap_fd = open("/proc/self/pagemap", O_RDONLY);
	if (!counts || zero_fd < 0 || dev_fd < 0 || pagemap_fd < 0)
		die("open");
	if (set_mode(mode))
		die("SET_MODE");
	/* The arena starts as one PROT_NONE reservation. */
	if (mmap(ARENA, ARENA_PAGES * PAGE, PROT_NONE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1,
		 0) != ARENA)
		die("mmap arena");
	say("seed %lu steps %lu", seed, steps);
	for (step = 1; step <= steps; step++) {
		do_op(0);
		if (step % every == 0)
			probe();
		fprintf(counts, "%lu %d\n", step, count_vmas());
		dump_maps();
	}
	probe();
	fclose(counts);
	set_mode(ANONMERGE_MODE_OFF);
	return 0;
}

/* ---- compare ---- */

static char *read_line(FILE *f, char *buf, size_t size)
{
	return fgets(buf, (int)size, f);
}

/* The step a transcript line belongs to (child lines are indented). */
static unsigned long line_step(const char *line)
{
	return strtoul(line, NULL, 10);
}

static int cmd_compare(int argc, char **argv)
{
	int counts_advisory = argc > 1 && !strcmp(argv[1], "-w");
	char a[1024], b[1024];
	unsigned long last_step = ~0UL, lines = 0, sa, sb, ca, cb;
	unsigned long worse = 0, lower = 0, counted = 0;
	FILE *fa, *fb, *ka, *kb;
	const char *verdict = "identical";
	char *ra, *rb;
	int rc = 0;

	if (counts_advisory) {
		argc--;
		argv++;
	}
	if (argc != 5)
		return 2;
	fa = fopen(argv[1], "r");
	fb = fopen(argv[2], "r");
	ka = fopen(argv[3], "r");
	kb = fopen(argv[4], "r");
	if (!fa || !fb || !ka || !kb)
		die("compare: open");
	for (;;) {
		ra = read_line(fa, a, sizeof(a));
		rb = read_line(fb, b, sizeof(b));
		if (!ra && !rb)
			break;
		lines++;
		if (ra && rb && !strcmp(a, b))
			continue;
		/* The legitimate divergence: stock EFAULT, merged not. */
		if (ra && rb && line_step(a) == line_step(b) &&
		    strstr(a, " mremap ") && strstr(a, "= -1 EFAULT") &&
		    !strstr(b, "= -1 EFAULT")) {
			last_step = line_step(a);
			verdict = "same until a legitimate divergence";
			printf("diverge: step %lu: off: %s", last_step, a);
			printf("diverge: step %lu: on:  %s", last_step, b);
			break;
		}
		printf("DIFFER at transcript line %lu:\n  off: %s  on:  %s",
		       lines, ra ? a : "(end)\n", rb ? b : "(end)\n");
		verdict = "DIFFERENT";
		last_step = ra ? line_step(a) : rb ? line_step(b) : 0;
		rc = 1;
		break;
	}
	/* VMA counts, up to the step before any divergence. */
	while (fscanf(ka, "%lu %lu", &sa, &ca) == 2 &&
	       fscanf(kb, "%lu %lu", &sb, &cb) == 2) {
		if (sa != sb || sa >= last_step)
			break;
		counted++;
		lower += cb < ca;
		if (cb > ca) {
			if (!worse)
				printf("WORSE: step %lu: %lu VMAs with merging on, %lu off\n",
				       sa, cb, ca);
			worse++;
		}
	}
	if (worse && !counts_advisory)
		rc = 1;
	printf("%s: %lu transcript lines, %lu steps counted, VMA count lower at %lu, higher at %lu%s\n",
	       rc ? "FAIL" : "ok", lines, counted, lower, worse,
	       last_step != ~0UL ? "" : " (whole run)");
	printf("verdict: %s", verdict);
	if (last_step != ~0UL)
		printf(" at step %lu", last_step);
	printf("\n");
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "compare"))
		return cmd_compare(argc - 1, argv + 1);
	fprintf(stderr, "usage: am_fuzz run -s SEED [-n STEPS] [-m off|on] [-c COUNTS] [-p EVERY] [-d FROM]\n"
			"       am_fuzz compare [-w] OFF ON OFF_COUNTS ON_COUNTS\n");
	return 2;
}
