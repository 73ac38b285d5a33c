// SPDX-License-Identifier: GPL-2.0
/*
 * am_stress: concurrent stress of anonymous memory with anonmerge loaded.
 *
 *   am_stress [-s SEED] [-t SECONDS] [-P PHASE_SECONDS] [-p PROCS]
 *             [-j THREADS] [-r REGIONS] [-m] [-v] [-X] [-q] [-K]
 *
 * PROCS worker processes with THREADS threads each keep REGIONS regions
 * per thread in a private arena and take random steps on them: write a
 * pattern (remembered per page), read and check, mprotect/madvise flag
 * toggles, mlock/munlock, mremap (grow, shrink, move next to another
 * region, MREMAP_DONTUNMAP), munmap + mmap (often faulted while its flags
 * differ from its neighbours', the pattern that gives it its own anon_vma
 * and lets the module merge it later), fork (the child checks what it
 * inherited, may write, checks again), MADV_PAGEOUT, move_pages() to the
 * other node, MADV_MERGEABLE with KSM running, THP collapse (MADV_COLLAPSE
 * where the kernel has it, khugepaged with a zero scan sleep anyway).
 *
 * A region's pages are written only by the thread owning it, which also
 * alone moves, resizes or unmaps it, so its bookkeeping (a tag per page
 * from which every byte of the page follows) needs no lock for the owner;
 * other threads do content-neutral steps on it (they never remove write
 * permission nor unmap), holding the region's lock so its address stays
 * put meanwhile.  Every read checks every byte against the tags; a page
 * is checked before it is overwritten or unmapped, so no corruption can
 * be discarded unseen.
 *
 * The run is cut into phases; at the end of each, the threads of a worker
 * stop, one checks all of the worker's regions and (-v) runs the module's
 * verifier (ANONMERGE_IOC_VERIFY) on the whole process.  -m flaps the
 * module's mode (off / dry-run / on, through sysfs and anonmergectl) and
 * rebase_moved while the workers run.
 *
 * SIGUSR1 ends the run early: the current phase is cut short and ends as
 * every phase does (checks, verifier), then the summary.
 *
 * -X is the checker's self-test: one byte of a region is flipped behind
 * the bookkeeping's back (after the 50th step of the first worker's first
 * thread); the run must then fail with corrupted bytes > 0.
 *
 * The seed fixes each thread's sequence of choices; the interleaving of
 * the threads, and so what each step meets, is not replayable.
 *
 * Exit: 0 clean; 1 corrupted bytes, a verifier violation or a crashed
 * worker; 2 a setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/anonmerge.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#define MPOL_MF_MOVE	(1 << 1)

#define PAGE		4096UL
#define WORDS		(PAGE / sizeof(uint64_t))
#define MAX_PAGES	1024		/* largest region: 4 MiB */
#define HUGE_PAGES	512		/* one PMD */
/*
 * Far below where the kernel places mmap(NULL) (top-down from near the
 * top of the 47-bit space) and far above the static binary and its brk:
 * nothing but our own regions lands in the arena, so holes in it may stay
 * unmapped and MREMAP_FIXED into a free slot clobbers nothing.
 */
#define ARENA_BASE	0x100000000000UL
#define ARENA_PAGES	16384		/* 64 MiB per worker */
/* Tags below this are shared by many pages, so KSM finds duplicates. */
#define KSM_TAGS	4

#define SYSFS_AM	"/sys/kernel/mm/anonmerge/"
#define REBASE_PARAM	"/sys/module/anonmerge/parameters/rebase_moved"
#define KSM_RUN		"/sys/kernel/mm/ksm/run"
#define KHUGE_SLEEP	"/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs"
#define KHUGE_ALLOC	"/sys/kernel/mm/transparent_hugepage/khugepaged/alloc_sleep_millisecs"

#define OPS(X)								\
	X(WRITE, "write", 30)		/* check, then new tags */	\
	X(READ, "read", 12)		/* check a whole region */	\
	X(MPROTECT, "mprotect", 8)	/* RW -> RWX -> RW on a range */ \
	X(MADVISE, "madvise", 6)	/* DONTDUMP -> DODUMP on a range */ \
	X(DONTFORK, "dontfork", 2)	/* owner flips DONTFORK */	\
	X(MLOCK, "mlock", 6)		/* lock state flip or range pulse */ \
	X(GROW, "mremap_grow", 4)	/* in place, else moved */	\
	X(SHRINK, "mremap_shrink", 4)					\
	X(MOVE, "mremap_move", 6)	/* next to another region */	\
	X(DONTUNMAP, "mremap_dontunmap", 2)				\
	X(REMAP, "munmap_mmap", 10)	/* new region, flags differ */	\
	X(FORK, "fork", 1)						\
	X(PAGEOUT, "pageout", 4)					\
	X(MIGRATE, "move_pages", 4)					\
	X(KSM, "ksm_mergeable", 3)	/* MERGEABLE state flip */	\
	X(COLLAPSE, "collapse", 2)	/* MADV_COLLAPSE of a PMD range */

#define OP_ENUM(id, name, weight) OP_##id,
enum op { OPS(OP_ENUM) NR_OPS };
#undef OP_ENUM
#define OP_NAME(id, name, weight) name,
static const char *const op_names[] = { OPS(OP_NAME) };
#undef OP_NAME
#define OP_WEIGHT(id, name, weight) weight,
static const unsigned int op_weights[] = { OPS(OP_WEIGHT) };
#undef OP_WEIGHT

/* Counters of all processes, in a MAP_SHARED page (shmem: not anon). */
struct stats {
	unsigned long ops[NR_OPS];
	unsigned long failed[NR_OPS];	/* the syscall refused (tolerated) */
	unsigned long bytes_checked;
	unsigned long corrupted;	/* bytes; must stay 0 */
	unsigned long verify_runs;
	unsigned long verify_pages;
	unsigned long verify_bad;	/* violations; must stay 0 */
	unsigned long verify_skipped;	/* module not loaded at the time */
	unsigned long children;
	unsigned long children_bad;	/* a child crashed */
	unsigned long flaps;
	unsigned long collapse_unsupported;
	unsigned long injected;
	unsigned long reports;		/* corruption lines printed */
};

static struct stats *st;

#define STAT_ADD(field, n) __atomic_fetch_add(&st->field, (n), __ATOMIC_RELAXED)

struct region {
	pthread_mutex_t lock;	/* held by non-owners while they use addr */
	int id;
	int owner;		/* thread index within the worker */
	char *addr;		/* NULL: not mapped at the moment */
	unsigned long npages;
	bool locked;		/* whole region mlocked (lock held to flip) */
	bool mergeable;		/* MADV_MERGEABLE (lock held to flip) */
	bool dontfork;		/* owner only */
	uint64_t tags[MAX_PAGES];	/* 0: never written, reads zero */
};

struct worker;

struct thread {
	struct worker *w;
	int idx;
	uint64_t rng;
	uint64_t next_tag;
	unsigned long steps;
	pthread_t tid;
};

struct worker {
	int idx;
	pthread_mutex_t alloc_lock;	/* guards used[] */
	unsigned char used[ARENA_PAGES];	/* slot taken by a region */
	struct region *regions;
	int nregions;
	struct thread *threads;
	pthread_barrier_t barrier;
	double phase_end;
};

/* Options. */
static uint64_t seed;
static double seconds = 60, phase_len;
static int nprocs = 3, nthreads = 3, nregions_per = 6;
static bool opt_flap, opt_verify, opt_inject, opt_quiet, opt_no_knobs;
static bool have_collapse;
static double t_start;
/* SIGUSR1: end the run now (the lifetime test's cue: cycles done). */
static volatile sig_atomic_t stop_early;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Output that is safe in a forked child of a threaded process. */
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static uint64_t rnd(struct thread *t)
{
	/* xorshift64* */
	t->rng ^= t->rng >> 12;
	t->rng ^= t->rng << 25;
	t->rng ^= t->rng >> 27;
	return t->rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long below(struct thread *t, unsigned long n)
{
	return n ? rnd(t) % n : 0;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* Word @i of a page written with @tag; tag 0 is a never-written page. */
static inline uint64_t pat(uint64_t tag, unsigned long i)
{
	uint64_t x;

	if (!tag)
		return 0;
	x = tag * 0x9e3779b97f4a7c15ULL + i * 0xd6e8feb86659fd93ULL;
	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ULL;
	return x ^ (x >> 32);
}

static void fill_page(char *p, uint64_t tag)
{
	uint64_t *w = (uint64_t *)p;
	unsigned long i;

	for (i = 0; i < WORDS; i++)
		w[i] = pat(tag, i);
}

/*
 * Check one page; returns the corrupted bytes and reports the first few
 * places (where, which region and page, offset, want, got).
 */
static unsigned long check_page(const struct region *r, unsigned long pg,
				const char *where)
{
	const uint64_t *w = (const uint64_t *)(r->addr + pg * PAGE);
	uint64_t tag = r->tags[pg];
	unsigned long i, b, bad = 0, first = WORDS * 8;

	for (i = 0; i < WORDS; i++) {
		uint64_t want = pat(tag, i), got = w[i];

		if (got == want)
			continue;
		for (b = 0; b < 8; b++)
			if ((uint8_t)(got >> (8 * b)) != (uint8_t)(want >> (8 * b))) {
				bad++;
				if (first == WORDS * 8)
					first = i * 8 + b;
			}
	}
	STAT_ADD(bytes_checked, PAGE);
	if (bad) {
		STAT_ADD(corrupted, bad);
		if (STAT_ADD(reports, 1) < 20)
			say("CORRUPT: pid %d %s: region %d page %lu/%lu at %p: %lu bytes differ, first at +%lu: want %02x got %02x (tag %#llx)\n",
			    getpid(), where, r->id, pg, r->npages,
			    r->addr + pg * PAGE, bad, first,
			    (uint8_t)(pat(tag, first / 8) >> (8 * (first % 8))),
			    ((const uint8_t *)w)[first],
			    (unsigned long long)tag);
	}
	return bad;
}

static unsigned long check_range(const struct region *r, unsigned long from,
				 unsigned long n, const char *where)
{
	unsigned long bad = 0, i;

	for (i = from; i < from + n && i < r->npages; i++)
		bad += check_page(r, i, where);
	return bad;
}

static int dev_open(void)
{
	return open(ANONMERGE_DEVICE, O_RDWR | O_CLOEXEC);
}

/*
 * The module's verifier over this whole process.  The device is opened
 * for the call only: an open device pins the module, and the lifetime
 * test unloads it while we run.
 */
static bool verify_self(const char *when)
{
	struct anonmerge_verify v = { .size = sizeof(v) };
	unsigned long long bad;
	int fd = dev_open(), ret;

	if (fd < 0) {
		STAT_ADD(verify_skipped, 1);
		return true;
	}
	ret = ioctl(fd, ANONMERGE_IOC_VERIFY, &v);
	close(fd);
	if (ret) {
		/* ENOTTY & co: the module is going away; nothing verified. */
		STAT_ADD(verify_skipped, 1);
		return true;
	}
	bad = v.bad_anon_vma + v.bad_index + v.bad_vma + v.bad_rmap +
	      v.bad_pgoff;
	STAT_ADD(verify_runs, 1);
	STAT_ADD(verify_pages, v.pages);
	if (bad) {
		STAT_ADD(verify_bad, bad);
		say("VERIFY: pid %d %s: %llu VMAs %llu pages: bad_anon_vma %llu bad_index %llu bad_vma %llu bad_rmap %llu bad_pgoff %llu\n",
		    getpid(), when, (unsigned long long)v.vmas,
		    (unsigned long long)v.pages,
		    (unsigned long long)v.bad_anon_vma,
		    (unsigned long long)v.bad_index,
		    (unsigned long long)v.bad_vma,
		    (unsigned long long)v.bad_rmap,
		    (unsigned long long)v.bad_pgoff);
	}
	return !bad;
}

/* --- arena slots ------------------------------------------------------ */

static char *slot_addr(unsigned long slot)
{
	return (char *)(ARENA_BASE + slot * PAGE);
}

static unsigned long addr_slot(const char *p)
{
	return ((unsigned long)p - ARENA_BASE) / PAGE;
}

static bool slots_free(struct worker *w, long from, unsigned long n)
{
	unsigned long i;

	if (from < 0 || from + n > ARENA_PAGES)
		return false;
	for (i = 0; i < n; i++)
		if (w->used[from + i])
			return false;
	return true;
}

static void slots_set(struct worker *w, unsigned long from, unsigned long n,
		      unsigned char v)
{
	pthread_mutex_lock(&w->alloc_lock);
	memset(&w->used[from], v, n);
	pthread_mutex_unlock(&w->alloc_lock);
}

/*
 * Take @n free slots, preferably right after or before another region
 * (so the kernel has a neighbour to merge with), else anywhere.  Returns
 * the address, or NULL when the arena is too fragmented.  The other
 * region's address is read without its lock: it is only a hint, used[]
 * decides.
 */
static char *slots_take(struct thread *t, unsigned long n)
{
	struct worker *w = t->w;
	long cand = -1;
	int tries;

	pthread_mutex_lock(&w->alloc_lock);
	for (tries = 0; tries < 8 && cand < 0; tries++) {
		struct region *o = &w->regions[below(t, w->nregions)];
		char *a = __atomic_load_n(&o->addr, __ATOMIC_RELAXED);
		unsigned long on = __atomic_load_n(&o->npages, __ATOMIC_RELAXED);
		long s;

		if (!a)
			continue;
		s = addr_slot(a);
		s = (rnd(t) & 1) ? s + (long)on : s - (long)n;
		if (slots_free(w, s, n))
			cand = s;
	}
	for (tries = 0; tries < 16 && cand < 0; tries++) {
		long s = below(t, ARENA_PAGES - n);

		if (slots_free(w, s, n))
			cand = s;
	}
	if (cand >= 0)
		memset(&w->used[cand], 1, n);
	pthread_mutex_unlock(&w->alloc_lock);
	return cand >= 0 ? slot_addr(cand) : NULL;
}

/* --- steps ------------------------------------------------------------ */

static uint64_t new_tag(struct thread *t)
{
	/* Now and then a shared tag, so KSM has identical pages to merge. */
	if (below(t, 8) == 0)
		return 1 + below(t, KSM_TAGS);
	return t->next_tag++;
}

static unsigned long region_size(struct thread *t)
{
	if (below(t, 16) == 0)
		return HUGE_PAGES + below(t, 2) * below(t, HUGE_PAGES);
	return 1 + below(t, below(t, 4) ? 16 : 96);
}

static struct region *own_region(struct thread *t, bool mapped)
{
	struct worker *w = t->w;
	int base = t->idx * nregions_per, i, k = below(t, nregions_per);

	for (i = 0; i < nregions_per; i++) {
		struct region *r = &w->regions[base + (k + i) % nregions_per];

		if (!mapped || r->addr)
			return r;
	}
	return NULL;
}

/* Pick a range [*from, *from + *n) of @r's pages. */
static void pick_range(struct thread *t, const struct region *r,
		       unsigned long *from, unsigned long *n)
{
	if (below(t, 3) == 0) {
		*from = 0;
		*n = r->npages;
		return;
	}
	*from = below(t, r->npages);
	*n = 1 + below(t, r->npages - *from);
}

static void write_pages(struct thread *t, struct region *r, unsigned long from,
			unsigned long n, bool check)
{
	unsigned long i;

	for (i = from; i < from + n && i < r->npages; i++) {
		if (check)
			check_page(r, i, "before overwrite");
		r->tags[i] = new_tag(t);
		fill_page(r->addr + i * PAGE, r->tags[i]);
	}
}

static int op_write(struct thread *t)
{
	struct region *r = own_region(t, true);
	unsigned long from, n;

	if (!r)
		return -1;
	pick_range(t, r, &from, &n);
	write_pages(t, r, from, n, true);
	return 0;
}

static int op_read(struct thread *t)
{
	struct region *r = own_region(t, true);

	if (!r)
		return -1;
	check_range(r, 0, r->npages, "read");
	return 0;
}

/* Unmap @r after checking it; its slots go back to the arena. */
static void drop_region(struct thread *t, struct region *r)
{
	char *a = r->addr;
	unsigned long n = r->npages;

	check_range(r, 0, n, "before munmap");
	pthread_mutex_lock(&r->lock);
	munmap(a, n * PAGE);
	r->addr = NULL;
	r->npages = 0;
	r->locked = r->mergeable = r->dontfork = false;
	pthread_mutex_unlock(&r->lock);
	slots_set(t->w, addr_slot(a), n, 0);
}

/*
 * munmap + mmap: a new region, usually next to another one, faulted while
 * its flags differ from its neighbours' (mlocked, RWX, DONTDUMP) and then
 * made equal again - each such region gets its own anon_vma, which stock
 * Linux never merges and the module should.
 */
static int op_remap(struct thread *t)
{
	struct region *r = own_region(t, false);
	unsigned long n = region_size(t), i;
	int trigger = below(t, 5), flags;
	char *a;

	if (r->addr)
		drop_region(t, r);
	a = slots_take(t, n);
	if (!a)
		return -1;
	flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
	if (trigger == 1)
		flags |= MAP_LOCKED;
	if (mmap(a, n * PAGE, PROT_READ | PROT_WRITE, flags, -1, 0) != a) {
		slots_set(t->w, addr_slot(a), n, 0);
		return -1;
	}
	if (trigger == 2)
		mprotect(a, n * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC);
	else if (trigger == 3)
		madvise(a, n * PAGE, MADV_DONTDUMP);
	for (i = 0; i < n; i++)
		r->tags[i] = 0;
	pthread_mutex_lock(&r->lock);
	r->addr = a;
	r->npages = n;
	pthread_mutex_unlock(&r->lock);
	/* Mostly all pages; sometimes a part, the rest stays unfaulted. */
	if (below(t, 4))
		write_pages(t, r, 0, n, true);
	else
		write_pages(t, r, below(t, n), 1 + below(t, n), true);
	if (trigger == 1)
		munlock(a, n * PAGE);
	else if (trigger == 2)
		mprotect(a, n * PAGE, PROT_READ | PROT_WRITE);
	else if (trigger == 3)
		madvise(a, n * PAGE, MADV_DODUMP);
	return 0;
}

/* Move @r to @to (slots taken) with @newn pages; tags follow. */
static int move_region(struct thread *t, struct region *r, char *to,
		       unsigned long newn, int extra)
{
	char *from = r->addr, *got;
	unsigned long oldn = r->npages, i;

	pthread_mutex_lock(&r->lock);
	got = mremap(from, oldn * PAGE, newn * PAGE,
		     MREMAP_MAYMOVE | MREMAP_FIXED | extra, to);
	if (got == to) {
		r->addr = to;
		r->npages = newn;
	}
	pthread_mutex_unlock(&r->lock);
	if (got != to) {
		slots_set(t->w, addr_slot(to), newn, 0);
		return -1;
	}
	for (i = oldn; i < newn; i++)
		r->tags[i] = 0;
	if (extra & MREMAP_DONTUNMAP) {
		struct region old = { .id = r->id, .addr = from,
				      .npages = oldn };

		/*
		 * The old range stays mapped and empty: it must read zero.
		 * (old is a region with all tags 0, checked like any other.)
		 */
		check_range(&old, 0, oldn, "old range after MREMAP_DONTUNMAP");
		munmap(from, oldn * PAGE);
	}
	slots_set(t->w, addr_slot(from), oldn, 0);
	return 0;
}

static int op_grow(struct thread *t)
{
	struct region *r = own_region(t, true);
	struct worker *w = t->w;
	unsigned long add, end, i;
	bool in_place;
	char *to;

	if (!r || r->npages >= MAX_PAGES)
		return -1;
	add = 1 + below(t, MAX_PAGES - r->npages < 64 ?
			MAX_PAGES - r->npages : 64);
	end = addr_slot(r->addr) + r->npages;
	pthread_mutex_lock(&w->alloc_lock);
	in_place = slots_free(w, end, add);
	if (in_place)
		memset(&w->used[end], 1, add);
	pthread_mutex_unlock(&w->alloc_lock);
	if (!in_place) {
		to = slots_take(t, r->npages + add);
		if (!to)
			return -1;
		return move_region(t, r, to, r->npages + add, 0);
	}
	pthread_mutex_lock(&r->lock);
	if (mremap(r->addr, r->npages * PAGE, (r->npages + add) * PAGE, 0) ==
	    r->addr) {
		for (i = r->npages; i < r->npages + add; i++)
			r->tags[i] = 0;
		r->npages += add;
		add = 0;
	}
	pthread_mutex_unlock(&r->lock);
	if (add) {
		slots_set(w, end, add, 0);
		return -1;
	}
	return 0;
}

static int op_shrink(struct thread *t)
{
	struct region *r = own_region(t, true);
	unsigned long cut, keep;
	int ret = -1;

	if (!r || r->npages < 2)
		return -1;
	cut = 1 + below(t, r->npages - 1);
	keep = r->npages - cut;
	check_range(r, keep, cut, "before shrink");
	pthread_mutex_lock(&r->lock);
	if (mremap(r->addr, r->npages * PAGE, keep * PAGE, 0) == r->addr) {
		r->npages = keep;
		ret = 0;
	}
	pthread_mutex_unlock(&r->lock);
	if (!ret)
		slots_set(t->w, addr_slot(r->addr) + keep, cut, 0);
	return ret;
}

static int op_move(struct thread *t, int extra)
{
	struct region *r = own_region(t, true);
	char *to;

	if (!r)
		return -1;
	to = slots_take(t, r->npages);
	if (!to)
		return -1;
	return move_region(t, r, to, r->npages, extra);
}

/*
 * Run @fn on a range of a random region of this worker (any thread's),
 * with the region's lock held so that its owner cannot move it meanwhile.
 * The steps done so leave the bytes and the write permission alone.
 */
static int on_any_region(struct thread *t,
			 int (*fn)(struct thread *, struct region *,
				   char *, size_t))
{
	struct region *r = &t->w->regions[below(t, t->w->nregions)];
	unsigned long from, n;
	int ret = -1;

	pthread_mutex_lock(&r->lock);
	if (r->addr) {
		pick_range(t, r, &from, &n);
		ret = fn(t, r, r->addr + from * PAGE, n * PAGE);
	}
	pthread_mutex_unlock(&r->lock);
	return ret;
}

static int do_mprotect(struct thread *t, struct region *r, char *a, size_t len)
{
	int ret = mprotect(a, len, PROT_READ | PROT_WRITE | PROT_EXEC);

	(void)r;
	if (below(t, 2))
		sched_yield();
	return mprotect(a, len, PROT_READ | PROT_WRITE) | ret;
}

static int do_madvise(struct thread *t, struct region *r, char *a, size_t len)
{
	int ret = madvise(a, len, MADV_DONTDUMP);

	(void)r;
	if (below(t, 2))
		sched_yield();
	return madvise(a, len, MADV_DODUMP) | ret;
}

static int do_mlock(struct thread *t, struct region *r, char *a, size_t len)
{
	int ret;

	if (below(t, 2)) {
		/* A pulse on a range: split, then merged back. */
		if (r->locked) {
			ret = munlock(a, len);
			return mlock(a, len) | ret;
		}
		ret = mlock(a, len);
		return munlock(a, len) | ret;
	}
	if (r->locked)
		ret = munlock(r->addr, r->npages * PAGE);
	else
		ret = mlock(r->addr, r->npages * PAGE);
	if (!ret)
		r->locked = !r->locked;
	return ret;
}

static int do_ksm(struct thread *t, struct region *r, char *a, size_t len)
{
	int ret;

	(void)t;
	(void)a;
	(void)len;
	ret = madvise(r->addr, r->npages * PAGE,
		      r->mergeable ? MADV_UNMERGEABLE : MADV_MERGEABLE);
	if (!ret)
		r->mergeable = !r->mergeable;
	return ret;
}

static int do_pageout(struct thread *t, struct region *r, char *a, size_t len)
{
	(void)t;
	(void)r;
	return madvise(a, len, MADV_PAGEOUT);
}

/* move_pages() of a range to the node each page is not on. */
static int do_migrate(struct thread *t, struct region *r, char *a, size_t len)
{
	unsigned long n = len / PAGE, i;
	void *pages[64];
	int nodes[64], status[64];

	(void)t;
	(void)r;
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++)
		pages[i] = a + i * PAGE;
	if (syscall(SYS_move_pages, 0, n, pages, NULL, status, 0))
		return -1;
	for (i = 0; i < n; i++)
		nodes[i] = status[i] == 1 ? 0 : 1;
	return syscall(SYS_move_pages, 0, n, pages, nodes, status,
		       MPOL_MF_MOVE) ? -1 : 0;
}

/*
 * THP collapse of one PMD-aligned 2 MiB of the arena, wherever it falls:
 * regions merged into one VMA are what make such a range collapsible.
 * Without MADV_COLLAPSE, khugepaged (scan sleep 0) does it on its own.
 */
static int op_collapse(struct thread *t)
{
	struct region *r = &t->w->regions[below(t, t->w->nregions)];
	char *a = __atomic_load_n(&r->addr, __ATOMIC_RELAXED);
	unsigned long n = __atomic_load_n(&r->npages, __ATOMIC_RELAXED);
	uintptr_t up;

	if (!a)
		return -1;
	/*
	 * A PMD range inside the region if it holds one, else the one around
	 * its start, which only neighbours merged with it fill (the address
	 * is a hint: no lock needed, nothing here depends on what is there).
	 */
	up = ((uintptr_t)a + HUGE_PAGES * PAGE - 1) & ~(HUGE_PAGES * PAGE - 1);
	if (up + HUGE_PAGES * PAGE <= (uintptr_t)a + n * PAGE)
		a = (char *)up;
	else
		a = (char *)((uintptr_t)a & ~(HUGE_PAGES * PAGE - 1));
	if (!have_collapse) {
		STAT_ADD(collapse_unsupported, 1);
		return -1;
	}
	return madvise(a, HUGE_PAGES * PAGE, MADV_COLLAPSE);
}

static int op_dontfork(struct thread *t)
{
	struct region *r = own_region(t, true);
	int ret;

	if (!r)
		return -1;
	ret = madvise(r->addr, r->npages * PAGE,
		      r->dontfork ? MADV_DOFORK : MADV_DONTFORK);
	if (!ret)
		r->dontfork = !r->dontfork;
	return ret;
}

/*
 * In the child: this thread's regions (those it alone writes and moves,
 * so their bookkeeping is what the memory held at fork) must read back;
 * then, sometimes, it writes on and checks again.  Its other regions are
 * mid-step in other threads and not looked at.  No locks (their holders
 * did not come along), no malloc.
 */
static void child_run(struct thread *t)
{
	struct worker *w = t->w;
	int base = t->idx * nregions_per, i;
	unsigned long bad = 0;
	bool keep_writing = below(t, 2);

	for (i = 0; i < nregions_per; i++) {
		struct region *r = &w->regions[base + i];

		if (r->addr && !r->dontfork)
			bad += check_range(r, 0, r->npages, "fork child");
	}
	for (i = 0; keep_writing && i < nregions_per; i++) {
		struct region *r = &w->regions[base + i];
		unsigned long from, n;

		if (!r->addr || r->dontfork)
			continue;
		pick_range(t, r, &from, &n);
		write_pages(t, r, from, n, false);
		bad += check_range(r, 0, r->npages, "fork child, written");
	}
	if (opt_verify && !verify_self("fork child"))
		bad++;
	_exit(bad ? 1 : 0);
}

static int op_fork(struct thread *t)
{
	int base = t->idx * nregions_per, i, status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid)
		child_run(t);
	STAT_ADD(children, 1);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		STAT_ADD(children_bad, 1);
		say("CHILD: pid %d killed by signal %d\n", pid,
		    WTERMSIG(status));
	}
	/* What the child wrote must not show here. */
	for (i = 0; i < nregions_per; i++) {
		struct region *r = &t->w->regions[base + i];

		if (r->addr)
			check_range(r, 0, r->npages, "parent after fork");
	}
	return 0;
}

/* -X: flip one byte of a written page without telling the bookkeeping. */
static void inject(struct thread *t)
{
	struct region *r = own_region(t, true);
	unsigned long pg;

	if (!r)
		return;
	pg = below(t, r->npages);
	r->addr[pg * PAGE + 123] ^= 0x5a;
	STAT_ADD(injected, 1);
	say("am_stress: -X: flipped the byte at %p (region %d page %lu) behind the bookkeeping\n",
	    r->addr + pg * PAGE + 123, r->id, pg);
}

static unsigned int weight_total;

static enum op pick_op(struct thread *t)
{
	unsigned int i, x = below(t, weight_total);

	for (i = 0; i < NR_OPS; i++) {
		if (x < op_weights[i])
			return i;
		x -= op_weights[i];
	}
	return OP_WRITE;
}

static void step(struct thread *t)
{
	enum op op = pick_op(t);
	int ret;

	switch (op) {
	case OP_WRITE:
		ret = op_write(t);
		break;
	case OP_READ:
		ret = op_read(t);
		break;
	case OP_MPROTECT:
		ret = on_any_region(t, do_mprotect);
		break;
	case OP_MADVISE:
		ret = on_any_region(t, do_madvise);
		break;
	case OP_DONTFORK:
		ret = op_dontfork(t);
		break;
	case OP_MLOCK:
		ret = on_any_region(t, do_mlock);
		break;
	case OP_GROW:
		ret = op_grow(t);
		break;
	case OP_SHRINK:
		ret = op_shrink(t);
		break;
	case OP_MOVE:
		ret = op_move(t, 0);
		break;
	case OP_DONTUNMAP:
		ret = op_move(t, MREMAP_DONTUNMAP);
		break;
	case OP_REMAP:
		ret = op_remap(t);
		break;
	case OP_FORK:
		ret = op_fork(t);
		break;
	case OP_PAGEOUT:
		ret = on_any_region(t, do_pageout);
		break;
	case OP_MIGRATE:
		ret = on_any_region(t, do_migrate);
		break;
	case OP_KSM:
		ret = on_any_region(t, do_ksm);
		break;
	case OP_COLLAPSE:
	default:
		ret = op_collapse(t);
		break;
	}
	STAT_ADD(ops[op], 1);
	if (ret)
		STAT_ADD(failed[op], 1);
}

/* End of a phase: every region of the worker, then the verifier. */
static void phase_check(struct worker *w, int phase)
{
	unsigned long before = __atomic_load_n(&st->corrupted, __ATOMIC_RELAXED);
	int i, vmas_bad = 0;
	char when[64];

	for (i = 0; i < w->nregions; i++)
		if (w->regions[i].addr)
			check_range(&w->regions[i], 0, w->regions[i].npages,
				    "phase end");
	snprintf(when, sizeof(when), "after phase %d", phase);
	if (opt_verify && !verify_self(when))
		vmas_bad = 1;
	if (!opt_quiet || vmas_bad ||
	    __atomic_load_n(&st->corrupted, __ATOMIC_RELAXED) != before)
		say("am_stress: worker %d %s: %s\n", w->idx, when,
		    vmas_bad || __atomic_load_n(&st->corrupted,
						__ATOMIC_RELAXED) != before ?
		    "BAD" : "clean");
}

static void *thread_main(void *arg)
{
	struct thread *t = arg;
	struct worker *w = t->w;
	int phase = 1, i;

	/* First, this thread's regions. */
	for (i = 0; i < nregions_per; i++)
		op_remap(t);
	pthread_barrier_wait(&w->barrier);
	for (;;) {
		double end = t_start + phase * phase_len;

		if (end > t_start + seconds)
			end = t_start + seconds;
		while (now() < end && !stop_early) {
			step(t);
			t->steps++;
			if (opt_inject && w->idx == 0 && t->idx == 0 &&
			    t->steps == 50)
				inject(t);
		}
		if (pthread_barrier_wait(&w->barrier) ==
		    PTHREAD_BARRIER_SERIAL_THREAD)
			phase_check(w, phase);
		pthread_barrier_wait(&w->barrier);
		if (end >= t_start + seconds || stop_early)
			break;
		phase++;
	}
	return NULL;
}

static int worker_main(int idx)
{
	struct worker *w;
	int i;

	w = calloc(1, sizeof(*w));
	if (!w)
		return 2;
	w->idx = idx;
	w->nregions = nthreads * nregions_per;
	w->regions = calloc(w->nregions, sizeof(*w->regions));
	w->threads = calloc(nthreads, sizeof(*w->threads));
	if (!w->regions || !w->threads)
		return 2;
	pthread_mutex_init(&w->alloc_lock, NULL);
	pthread_barrier_init(&w->barrier, NULL, nthreads);
	for (i = 0; i < w->nregions; i++) {
		pthread_mutex_init(&w->regions[i].lock, NULL);
		w->regions[i].id = i;
		w->regions[i].owner = i / nregions_per;
	}
	for (i = 0; i < nthreads; i++) {
		struct thread *t = &w->threads[i];

		t->w = w;
		t->idx = i;
		t->rng = mix(seed ^ mix(idx * 1000 + i + 1)) | 1;
		/* Unique per thread, above the shared KSM tags. */
		t->next_tag = ((uint64_t)(idx * 64 + i + 1) << 40) + KSM_TAGS + 1;
	}
	/* Thread 0 is this one; the rest are created. */
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&w->threads[i].tid, NULL, thread_main,
				   &w->threads[i]))
			return 2;
	thread_main(&w->threads[0]);
	for (i = 1; i < nthreads; i++)
		pthread_join(w->threads[i].tid, NULL);
	return 0;
}

/* --- the top process: knobs, flapping, summary ------------------------ */

static long read_num(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

static char *read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = 0;
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

struct counters {
	long existing, new_range, mremap, rehomed;
};

static void read_counters(struct counters *c)
{
	c->existing = read_num(SYSFS_AM "merges/existing");
	c->new_range = read_num(SYSFS_AM "merges/new_range");
	c->mremap = read_num(SYSFS_AM "merges/mremap");
	c->rehomed = read_num(SYSFS_AM "pages_rehomed");
}

/*
 * Evidence that the kernel paths were taken: THP faults and collapses,
 * migrations, swap-outs (/proc/vmstat), KSM scans and merged pages.
 */
static const char *const vm_events[] = {
	"thp_fault_alloc", "thp_collapse_alloc", "pgmigrate_success",
	"pswpout", "pswpin",
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_VM_EVENTS	ARRAY_SIZE(vm_events)

struct kernel_events {
	long vm[NR_VM_EVENTS];
	long ksm_scans, ksm_sharing;
};

static void read_events(struct kernel_events *e)
{
	char line[128], name[64];
	unsigned int i;
	long v;
	FILE *f = fopen("/proc/vmstat", "r");

	for (i = 0; i < NR_VM_EVENTS; i++)
		e->vm[i] = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &v) == 2)
			for (i = 0; i < NR_VM_EVENTS; i++)
				if (!strcmp(name, vm_events[i]))
					e->vm[i] = v;
	if (f)
		fclose(f);
	e->ksm_scans = read_num("/sys/kernel/mm/ksm/full_scans");
	e->ksm_sharing = read_num("/sys/kernel/mm/ksm/pages_sharing");
}

/* Knobs this run changes, and their values before, to put back. */
static char old_ksm[16], old_khuge_sleep[16], old_khuge_alloc[16];
static char old_mode[16], old_rebase[16];

static void knobs_set(void)
{
	if (opt_no_knobs)
		return;
	read_str(KSM_RUN, old_ksm, sizeof(old_ksm));
	read_str(KHUGE_SLEEP, old_khuge_sleep, sizeof(old_khuge_sleep));
	read_str(KHUGE_ALLOC, old_khuge_alloc, sizeof(old_khuge_alloc));
	if (write_str(KSM_RUN, "1"))
		say("am_stress: no KSM (%s): %s\n", KSM_RUN, strerror(errno));
	if (write_str(KHUGE_SLEEP, "0") || write_str(KHUGE_ALLOC, "0"))
		say("am_stress: no khugepaged knobs: %s\n", strerror(errno));
}

static void mode_save(void)
{
	if (opt_flap) {
		read_str(SYSFS_AM "mode", old_mode, sizeof(old_mode));
		read_str(REBASE_PARAM, old_rebase, sizeof(old_rebase));
	}
}

static void knobs_restore(void)
{
	/*
	 * KSM's rmap_items of our exited processes hold anon_vma references
	 * until ksmd scans again - never, if it is stopped now: unmerge and
	 * drop them all first, so the slab counts of a leak check settle.
	 */
	if (old_ksm[0]) {
		write_str(KSM_RUN, "2");
		write_str(KSM_RUN, old_ksm);
	}
	if (old_khuge_sleep[0])
		write_str(KHUGE_SLEEP, old_khuge_sleep);
	if (old_khuge_alloc[0])
		write_str(KHUGE_ALLOC, old_khuge_alloc);
	if (old_mode[0])
		write_str(SYSFS_AM "mode", old_mode);
	if (old_rebase[0])
		write_str(REBASE_PARAM, old_rebase);
}

/*
 * One flap: a mode, mostly "on" so that merges happen, through sysfs or
 * (one in five) anonmergectl; sometimes rebase_moved flips too.
 */
static void flap(uint64_t *rng)
{
	static const char *const modes[] = { "on", "on", "off", "dry-run" };
	static const char *const ctl[] = { "enable", "enable", "disable",
					   "dry-run" };
	char cmd[64];
	int m;

	*rng = mix(*rng);
	m = *rng % 4;
	if ((*rng >> 8) % 5 == 0) {
		snprintf(cmd, sizeof(cmd), "anonmergectl %s >/dev/null 2>&1",
			 ctl[m]);
		if (system(cmd) != 0)
			write_str(SYSFS_AM "mode", modes[m]);
	} else {
		write_str(SYSFS_AM "mode", modes[m]);
	}
	if ((*rng >> 16) % 8 == 0)
		write_str(REBASE_PARAM, (*rng >> 24) & 1 ? "1" : "0");
	STAT_ADD(flaps, 1);
}

static pid_t *pids;

static void on_usr1(int sig)
{
	int i;

	stop_early = 1;
	for (i = 0; pids && i < nprocs; i++)
		if (pids[i] > 0)
			kill(pids[i], sig);
}

static void on_signal(int sig)
{
	int i;

	for (i = 0; i < nprocs; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	knobs_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* MADV_COLLAPSE: EINVAL from a kernel without it (before 6.1). */
static bool probe_collapse(void)
{
	size_t len = 2 * HUGE_PAGES * PAGE;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;
	bool ok;

	if (p == MAP_FAILED)
		return false;
	a = (char *)(((uintptr_t)p + HUGE_PAGES * PAGE - 1) &
		     ~(HUGE_PAGES * PAGE - 1));
	memset(a, 1, PAGE);
	ok = !madvise(a, HUGE_PAGES * PAGE, MADV_COLLAPSE) || errno != EINVAL;
	munmap(p, len);
	return ok;
}

static void print_usage(void)
{
	fprintf(stderr,
		"usage: am_stress [-s SEED] [-t SECONDS] [-P PHASE_SECONDS] [-p PROCS]\n"
		"                 [-j THREADS] [-r REGIONS] [-m] [-v] [-X] [-q] [-K]\n"
		"  -m  flap the module's mode and rebase_moved while running\n"
		"  -v  run the module's verifier in every worker after every phase\n"
		"  -X  self-test: flip one byte behind the bookkeeping (must fail)\n"
		"  -q  print phase lines only when something is wrong\n"
		"  -K  leave KSM and khugepaged as they are (default: KSM run=1,\n"
		"      khugepaged scan and alloc sleep 0, restored at the end)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct counters c0, c1;
	struct kernel_events e0, e1;
	struct sigaction sa;
	unsigned long total_ops = 0;
	long merges;
	uint64_t rng;
	int opt, i, status, crashed = 0;
	bool fail;

	seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
	while ((opt = getopt(argc, argv, "s:t:P:p:j:r:mvXqK")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'P':
			phase_len = atof(optarg);
			break;
		case 'p':
			nprocs = atoi(optarg);
			break;
		case 'j':
			nthreads = atoi(optarg);
			break;
		case 'r':
			nregions_per = atoi(optarg);
			break;
		case 'm':
			opt_flap = true;
			break;
		case 'v':
			opt_verify = true;
			break;
		case 'X':
			opt_inject = true;
			break;
		case 'q':
			opt_quiet = true;
			break;
		case 'K':
			opt_no_knobs = true;
			break;
		default:
			print_usage();
		}
	}
	if (seconds <= 0 || nprocs < 1 || nthreads < 1 || nregions_per < 1 ||
	    nthreads > 64 || nprocs > 64)
		print_usage();
	if (phase_len <= 0)
		phase_len = seconds / 6 > 5 ? seconds / 6 : 5;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("am_stress: seed %llu: %d procs x %d threads x %d regions, %.0f s in phases of %.0f s%s%s%s\n",
	       (unsigned long long)seed, nprocs, nthreads, nregions_per,
	       seconds, phase_len, opt_flap ? ", mode flapping" : "",
	       opt_verify ? ", verifier" : "",
	       opt_inject ? ", INJECTING one corrupted byte (-X)" : "");
	printf("am_stress: replay: am_stress -s %llu -t %.0f -P %.0f -p %d -j %d -r %d%s%s%s\n",
	       (unsigned long long)seed, seconds, phase_len, nprocs, nthreads,
	       nregions_per, opt_flap ? " -m" : "", opt_verify ? " -v" : "",
	       opt_inject ? " -X" : "");

	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pids = calloc(nprocs, sizeof(*pids));
	if (st == MAP_FAILED || !pids)
		return perror("setup"), 2;
	for (i = 0; i < NR_OPS; i++)
		weight_total += op_weights[i];
	have_collapse = probe_collapse();
	knobs_set();
	mode_save();
	read_counters(&c0);
	read_events(&e0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	t_start = now();
	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork");
			on_signal(SIGTERM);
		}
		if (!pids[i]) {
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			free(pids);
			pids = NULL;
			exit(worker_main(i));
		}
	}
	rng = mix(seed ^ 0xf1a9);
	while (opt_flap && now() < t_start + seconds && !stop_early) {
		flap(&rng);
		usleep(20000 + mix(rng) % 280000);
	}
	if (opt_flap && old_mode[0])
		write_str(SYSFS_AM "mode", old_mode);
	for (i = 0; i < nprocs; i++) {
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			crashed++;
			if (WIFSIGNALED(status))
				printf("am_stress: worker %d killed by signal %d\n",
				       i, WTERMSIG(status));
			else
				printf("am_stress: worker %d exited %d\n", i,
				       WEXITSTATUS(status));
		}
		pids[i] = 0;
	}
	read_counters(&c1);
	read_events(&e1);
	knobs_restore();

	printf("am_stress: ops (done/refused by the kernel):");
	for (i = 0; i < NR_OPS; i++)
		printf(" %s %lu/%lu", op_names[i], st->ops[i], st->failed[i]);
	printf("\n");
	printf("am_stress: %lu fork children (%lu crashed), %lu mode flaps, MADV_COLLAPSE %s\n",
	       st->children, st->children_bad, st->flaps,
	       have_collapse ? "used" : "missing (khugepaged only)");
	printf("am_stress: kernel:");
	for (i = 0; i < (int)NR_VM_EVENTS; i++)
		printf(" %s +%ld", vm_events[i], e1.vm[i] - e0.vm[i]);
	printf(", ksm full_scans +%ld pages_sharing %ld at the end\n",
	       e1.ksm_scans - e0.ksm_scans, e1.ksm_sharing);
	printf("am_stress: verifier: %lu runs over %lu pages, %lu violations, %lu skipped (no module)\n",
	       st->verify_runs, st->verify_pages, st->verify_bad,
	       st->verify_skipped);
	printf("am_stress: module before: merges existing %ld new_range %ld mremap %ld, pages_rehomed %ld\n",
	       c0.existing, c0.new_range, c0.mremap, c0.rehomed);
	printf("am_stress: module after:  merges existing %ld new_range %ld mremap %ld, pages_rehomed %ld\n",
	       c1.existing, c1.new_range, c1.mremap, c1.rehomed);
	merges = c0.existing < 0 || c1.existing < 0 ? -1 :
		 c1.existing - c0.existing + c1.new_range - c0.new_range +
		 c1.mremap - c0.mremap;
	fail = st->corrupted || st->verify_bad || st->children_bad || crashed;
	for (i = 0; i < NR_OPS; i++)
		total_ops += st->ops[i];
	printf("am_stress: seed=%llu seconds=%.0f ops=%lu bytes_checked=%lu corrupted=%lu verify_bad=%lu merges=%ld pages_rehomed=%ld: %s\n",
	       (unsigned long long)seed, now() - t_start, total_ops,
	       st->bytes_checked, st->corrupted, st->verify_bad, merges,
	       c0.rehomed < 0 || c1.rehomed < 0 ? -1 : c1.rehomed - c0.rehomed,
	       fail ? "FAIL" : "PASS");
	return fail ? 1 : 0;
}
