// SPDX-License-Identifier: GPL-2.0
/*
 * am_cost: what the memory-map calls the module hooks cost, with nothing
 * for it to merge.
 *
 *   am_cost [-r REPS] [-n OPS] [BENCH...]
 *
 * Each benchmark times OPS operations, REPS times, and prints
 *
 *   NAME median_ns_per_op p25 p75 reps
 *
 * The module's mode is whatever the caller set (bench/guest-cost runs this
 * with the module absent, loaded off and on, in alternating rounds).
 * Every benchmark is built so that, with merging on, the module's hooks run
 * but find nothing stock would not do itself: the cost measured is the
 * cost of looking.  BENCH (default: all):
 *
 *   mmap        mmap + munmap of 64 KiB, never touched
 *   mprotect    a faulted 64-page region: its middle page read-only and
 *               back (a split, then stock's own merge)
 *   madvise     the same with MADV_DONTFORK / MADV_DOFORK
 *   mremap4k    a faulted page moved back and forth between two spots
 *               with no neighbour
 *   mremap2m    a faulted 2 MiB THP moved between two aligned spots (the
 *               PMD path)
 *   mremap64m   64 MiB of THP moved between two aligned spots
 *   fault       the first write to a page of a fresh mapping (per page)
 *   fork        fork + exit + wait of a process with 1000 VMAs
 *   refusal     a flag toggle whose merge the module refuses: the two
 *               neighbours' anon_vmas differ and one is shared with a
 *               forked child (stock refuses it too)
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif

#define MIB (1UL << 20)

static size_t page;
static int reps = 15;
static long ops = 200;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/*
 * An anonymous mapping of @len aligned to @align (the rest stays mapped:
 * the benchmarks are short-lived).
 */
static char *map_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return (char *)(((uintptr_t)p + align - 1) & ~(align - 1));
}

/* Print the median and quartiles of @v[0..reps) (ns per op). */
static void report(const char *name, double *v)
{
	median(v, reps); /* sorts */
	printf("%s %.0f %.0f %.0f %d\n", name, v[reps / 2], v[reps / 4],
	       v[(3 * reps) / 4], reps);
	fflush(stdout);
}

static double bench_mmap(void)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < ops; i++) {
		void *p = mmap(NULL, 64 << 10, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die("mmap");
		munmap(p, 64 << 10);
	}
	return (now_ns() - t0) / ops;
}

/*
 * Split the middle page of a faulted region off and merge it back, with
 * mprotect() or a madvise() flag pair: two hooked calls per op.
 */
static double bench_toggle(int use_madvise)
{
	size_t len = 64 * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *mid = p + 32 * page;
	double t0;
	long i;

	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 1, len);
	t0 = now_ns();
	for (i = 0; i < ops; i++) {
		if (use_madvise) {
			madvise(mid, page, MADV_DONTFORK);
			madvise(mid, page, MADV_DOFORK);
		} else {
			mprotect(mid, page, PROT_READ);
			mprotect(mid, page, PROT_READ | PROT_WRITE);
		}
	}
	t0 = (now_ns() - t0) / ops;
	munmap(p, len);
	return t0;
}

/*
 * Move a faulted @len region between two spots @len apart from any other
 * mapping (guard gaps on both sides), there and back per op.
 */
static double bench_mremap(size_t len, size_t align, int thp)
{
	size_t gap = align > page ? align : page;
	/* a | gap | b | gap: b is where a goes, and back. */
	char *area = map_aligned(4 * (len + gap), align);
	char *a = area + gap, *b = area + 2 * gap + len + gap;
	double t0;
	long i, n = len >= 64 * MIB ? ops / 20 + 1 : ops;

	/* Free the spots around: nothing for the moved VMA to touch. */
	munmap(area, 4 * (len + gap));
	a = mmap(a, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (a == MAP_FAILED)
		die("mmap");
	madvise(a, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(a, 1, len);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, b) !=
		    b)
			die("mremap");
		if (mremap(b, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, a) !=
		    a)
			die("mremap");
	}
	t0 = (now_ns() - t0) / n;
	if (a[len - 1] != 1)
		die("data");
	munmap(a, len);
	return t0;
}

static double bench_fault(void)
{
	size_t len = ops * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double t0;
	long i;

	if (p == MAP_FAILED)
		die("mmap");
	madvise(p, len, MADV_NOHUGEPAGE);
	t0 = now_ns();
	for (i = 0; i < ops; i++)
		p[i * page] = 1;
	t0 = (now_ns() - t0) / ops;
	munmap(p, len);
	return t0;
}

static char *fork_area;

/* 1000 VMAs: 1000 faulted pages, every other one read-only. */
static void fork_setup(void)
{
	size_t len = 1000 * page;
	long i;

	fork_area = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fork_area == MAP_FAILED)
		die("mmap");
	madvise(fork_area, len, MADV_NOHUGEPAGE);
	memset(fork_area, 1, len);
	for (i = 1; i < 1000; i += 2)
		mprotect(fork_area + i * page, page, PROT_READ);
}

static double bench_fork(void)
{
	long i, n = ops / 10 + 1;
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	return (now_ns() - t0) / n;
}

static char *refuse_area;
static pid_t refuse_child;

/*
 * Two faulted 16-page VMAs, B faulted while MADV_DONTDUMP (its own
 * anon_vma), then a child forked and kept: both anon_vmas are shared, so
 * when B's flag flips back neither side may be re-homed.  Each op flips
 * the flag of B's first page twice; the module is asked each time.
 */
static void refusal_setup(void)
{
	size_t half = 16 * page;

	refuse_area = mmap(NULL, 2 * half, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (refuse_area == MAP_FAILED)
		die("mmap");
	madvise(refuse_area, 2 * half, MADV_NOHUGEPAGE);
	madvise(refuse_area + half, half, MADV_DONTDUMP);
	memset(refuse_area, 1, 2 * half);
	madvise(refuse_area + half, half, MADV_DODUMP);
	refuse_child = fork();
	if (refuse_child < 0)
		die("fork");
	if (refuse_child == 0) {
		pause();
		_exit(0);
	}
}

static double bench_refusal(void)
{
	char *b = refuse_area + 16 * page;
	double t0 = now_ns();
	long i;

	for (i = 0; i < ops; i++) {
		madvise(b, page, MADV_DONTDUMP);
		madvise(b, page, MADV_DODUMP);
	}
	return (now_ns() - t0) / ops;
}

static double bench_mremap4k(void)
{
	return bench_mremap(page, page, 0);
}

static double bench_mremap2m(void)
{
	return bench_mremap(2 * MIB, 2 * MIB, 1);
}

static double bench_mremap64m(void)
{
	return bench_mremap(64 * MIB, 2 * MIB, 1);
}

static double bench_mprotect(void)
{
	return bench_toggle(0);
}

static double bench_madvise(void)
{
	return bench_toggle(1);
}

static const struct bench {
	const char *name;
	double (*run)(void);
	void (*setup)(void);
} benches[] = {
	{ "mmap", bench_mmap, NULL },
	{ "mprotect", bench_mprotect, NULL },
	{ "madvise", bench_madvise, NULL },
	{ "mremap4k", bench_mremap4k, NULL },
	{ "mremap2m", bench_mremap2m, NULL },
	{ "mremap64m", bench_mremap64m, NULL },
	{ "fault", bench_fault, NULL },
	{ "fork", bench_fork, fork_setup },
	{ "refusal", bench_refusal, refusal_setup },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NBENCH ARRAY_SIZE(benches)

static void run(const struct bench *b)
{
	double *v = calloc(reps, sizeof(*v));
	int i;

	if (!v)
		die("calloc");
	if (b->setup)
		b->setup();
	b->run(); /* warm-up: page tables, slab caches */
	for (i = 0; i < reps; i++)
		v[i] = b->run();
	report(b->name, v);
	free(v);
}

int main(int argc, char **argv)
{
	unsigned int i;
	int opt, a;

	page = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "r:n:")) != -1) {
		if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'n')
			ops = atol(optarg);
		else
			return 2;
	}
	if (reps < 1 || ops < 1) {
		fprintf(stderr, "am_cost: -r and -n must be at least 1\n");
		return 2;
	}
	for (a = optind; a < argc; a++) {
		for (i = 0; i < NBENCH; i++)
			if (!strcmp(argv[a], benches[i].name))
				break;
		if (i == NBENCH) {
			fprintf(stderr, "am_cost: no benchmark '%s'\n",
				argv[a]);
			return 2;
		}
	}
	for (i = 0; i < NBENCH; i++) {
		if (optind == argc) {
			run(&benches[i]);
			continue;
		}
		for (a = optind; a < argc; a++)
			if (!strcmp(argv[a], benches[i].name))
				run(&benches[i]);
	}
	if (refuse_child > 0) {
		kill(refuse_child, SIGKILL);
		waitpid(refuse_child, NULL, 0);
	}
	return 0;
}
