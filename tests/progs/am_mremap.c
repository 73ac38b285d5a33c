// SPDX-License-Identifier: GPL-2.0
/*
 * am_mremap: mremap() scenarios on real memory, with every check.
 *
 *   am_mremap [-m off|dry-run|on] [-H] CASE
 *
 * A faulted region X, created elsewhere (its own anon_vma, pgoff of its
 * old address), is moved with MREMAP_FIXED next to faulted neighbours laid
 * out inside a PROT_NONE reservation.  The VMA count of the span must be
 * the module's (mode on) or stock's (off, dry-run), and the bytes, the
 * verifier, migration to the other node and pageout are checked after.
 *
 * CASE: append prepend hole swap fork race realloc grow return
 *       multi multi20 (several VMAs moved by one call, 6.17+)
 * -H: 2 MiB regions (PMD-mapped THPs, moved by the PMD fast path).
 * -S: the module is expected to refuse: stock's count even in mode on.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

#include "span.h"

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif


static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(2);
	}
}

/* Pattern by position in the span: a moved page must land right. */
static void fill_at(char *p, size_t len, char *dest)
{
	unsigned char *c = (unsigned char *)p;
	size_t off = dest - span, i;

	for (i = 0; i < len; i++)
		c[i] = pattern(0, off + i);
}

/* Does @p hold the bytes meant for @dest? */
static int bytes_for(char *p, size_t len, char *dest)
{
	unsigned char *c = (unsigned char *)p;
	size_t off = dest - span, i;

	for (i = 0; i < len; i++)
		if (c[i] != pattern(0, off + i))
			return 0;
	return 1;
}

/* Reserve @n regions between guards; map and fault those in @mask. */
static void layout(int n, unsigned int mask)
{
	size_t total = (n + 2) * region + region;
	char *base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			  MAP_NORESERVE, -1, 0);
	int i;

	must(base != MAP_FAILED, "mmap reserve");
	nregions = n;
	span = (char *)(((uintptr_t)base + 2 * region - 1) & ~(region - 1));
	must(set_mode(ANONMERGE_MODE_OFF) == 0, "SET_MODE off");
	for (i = 0; i < n; i++) {
		if (!(mask & (1u << i)))
			continue;
		must(mmap(R(i), region, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			  MAP_ANONYMOUS | MAP_FIXED, -1, 0) == R(i), "mmap");
		fill_at(R(i), region, R(i));
	}
}

/*
 * A faulted region elsewhere holding the bytes meant for @dest: a VMA of
 * its own (the alignment slop is unmapped, or it would share the
 * region's anon_vma and the module would rightly refuse to part them).
 */
static char *make_source(char *dest)
{
	char *base = mmap(NULL, 2 * region, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *x;

	must(base != MAP_FAILED, "mmap source");
	/* Aligned, so a THP source is PMD-mapped and moved as one. */
	x = (char *)(((uintptr_t)base + region - 1) & ~(region - 1));
	if (x > base)
		must(munmap(base, x - base) == 0, "munmap slop");
	if (x + region < base + 2 * region)
		must(munmap(x + region, base + 2 * region - (x + region)) == 0,
		     "munmap slop");
	fill_at(x, region, dest);
	return x;
}

static void move_to(char *x, char *dest)
{
	must(mremap(x, region, region, MREMAP_MAYMOVE | MREMAP_FIXED, dest) ==
	     dest, "mremap");
}

static void case_simple(const char *name)
{
	char *x;

	if (!strcmp(name, "append")) {		/* P X */
		layout(2, 0x1);
		x = make_source(R(1));
		must(set_mode(mode) == 0, "SET_MODE");
		move_to(x, R(1));
		expect_vmas("append", 1, 2);
	} else if (!strcmp(name, "prepend")) {	/* X N */
		layout(2, 0x2);
		x = make_source(R(0));
		must(set_mode(mode) == 0, "SET_MODE");
		move_to(x, R(0));
		expect_vmas("prepend", 1, 2);
	} else if (!strcmp(name, "hole")) {	/* P X N */
		layout(3, 0x5);
		x = make_source(R(1));
		must(set_mode(mode) == 0, "SET_MODE");
		move_to(x, R(1));
		expect_vmas("hole", 1, 3);
	} else if (!strcmp(name, "swap")) {	/* P X, X partly swapped */
		layout(2, 0x1);
		x = make_source(R(1));
		must(madvise(x, region / 2, MADV_PAGEOUT) == 0, "PAGEOUT");
		must(madvise(x, region / 4, MADV_WILLNEED) == 0, "WILLNEED");
		CHECK(smaps_kb(x, region, "Swap") > 0, "swap: %ld kB of X in swap",
		      smaps_kb(x, region, "Swap"));
		must(set_mode(mode) == 0, "SET_MODE");
		move_to(x, R(1));
		verify_range(span, 2 * region, "swap after move");
		expect_vmas("swap", 1, 2);
	} else if (!strcmp(name, "grow")) {	/* B grows in place up to N */
		layout(3, 0x5);
		must(munmap(R(1), region) == 0, "munmap gap");
		must(set_mode(mode) == 0, "SET_MODE");
		must(mremap(R(0), region, 2 * region, 0) == R(0), "mremap grow");
		fill_at(R(1), region, R(1));
		expect_vmas("grow", 1, 2);
	} else {
		exit(2);
	}
	health(name);
}

/*
 * Half of a VMA moved away and back home, where a bigger neighbour with
 * another anon_vma now follows: inside mremap, vma_merge() sees the moved
 * half's anon_vma equal to prev's while its pages are still away; the
 * module must not re-home prev then (the pages would come home into a
 * VMA whose chain lacks their anon_vma), only after the syscall.
 */
static void case_return(void)
{
	char *away = mmap(NULL, region, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	must(away != MAP_FAILED, "mmap away");
	layout(4, 0x1);
	must(mmap(R(1), region, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		  MAP_ANONYMOUS | MAP_FIXED, -1, 0) == R(1), "mmap");
	/* R(0)+R(1) one VMA, one anon_vma: fault R(1) after the merge. */
	fill_at(R(1), region, R(1));
	/* N: faulted while locked, so apart, with an anon_vma of its own. */
	must(mmap(R(2), 2 * region, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		  MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0) == R(2),
	     "mmap N");
	must(munlock(R(2), 2 * region) == 0, "munlock N");
	fill_at(R(2), 2 * region, R(2));
	must(madvise(R(1), region, MADV_DONTDUMP) == 0, "DONTDUMP");
	must(mremap(R(1), region, region, MREMAP_MAYMOVE | MREMAP_FIXED,
		    away) == away, "mremap away");
	must(madvise(away, region, MADV_DODUMP) == 0, "DODUMP");
	must(set_mode(mode) == 0, "SET_MODE");
	must(mremap(away, region, region, MREMAP_MAYMOVE | MREMAP_FIXED,
		    R(1)) == R(1), "mremap home");
	verify_range(span, 4 * region, "return");
	expect_vmas("return", 1, 2);
	health("return");
}

static unsigned long long unsupported_refusals(void)
{
	struct anonmerge_stats st = { .size = sizeof(st) };

	must(ioctl(dev_fd(), ANONMERGE_IOC_GET_STATS, &st) == 0, "GET_STATS");
	return st.refusals[ANONMERGE_REFUSE_UNSUPPORTED];
}

/*
 * Several VMAs moved by one mremap() (6.17+ remap_move(), which keeps the
 * gaps between them): @pieces faulted VMAs X1, X3, ... with gaps between
 * them land between faulted neighbours P0, P2, ...  Each moved VMA is
 * offered on its own (rebased and re-homed, rebase_moved=1) and the span
 * becomes one VMA.  Past the module's 16 pieces the rest stays as stock
 * left it, each counted as refused (unsupported).  A kernel that moves
 * one VMA per call fails such a move with EFAULT: skipped.
 */
static void case_multi(int pieces)
{
	int n = 2 * pieces, offered = pieces < 16 ? pieces : 16, i;
	size_t len = (2 * pieces - 1) * region;
	unsigned long long refused;
	char *src, *ret;

	layout(n, 0);
	for (i = 0; i < n; i += 2) {
		must(mmap(R(i), region, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			  MAP_ANONYMOUS | MAP_FIXED, -1, 0) == R(i), "mmap P");
		fill_at(R(i), region, R(i));
	}
	src = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	must(src != MAP_FAILED, "mmap source");
	for (i = 1; i < n - 1; i += 2)
		must(munmap(src + i * region, region) == 0, "munmap gap");
	for (i = 0; i < n; i += 2)
		fill_at(src + i * region, region, R(i + 1));
	must(set_mode(mode) == 0, "SET_MODE");
	refused = unsupported_refusals();
	ret = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, R(1));
	if (ret == MAP_FAILED && errno == EFAULT) {
		printf("# multi: this kernel moves one VMA per mremap(): skipped\n");
		return;
	}
	must(ret == R(1), "mremap pieces");
	for (i = 1; i < n; i += 2)
		CHECK(bytes_for(R(i), region, R(i)), "multi: piece at R(%d) intact",
		      i);
	expect_vmas("multi", pieces <= 16 ? 1 : 2 * pieces - 2 * offered, n);
	if (mode == ANONMERGE_MODE_ON)
		CHECK(unsupported_refusals() - refused ==
		      (unsigned long long)(pieces - offered),
		      "multi: %d pieces past the module's 16 refused, got %llu",
		      pieces - offered, unsupported_refusals() - refused);
	health("multi");
}

/* Forked memory moved next to a neighbour stays split, both sides. */
static void case_fork(void)
{
	int status;
	pid_t pid;
	char *x;
	int go[2];
	char c;

	layout(2, 0x1);
	x = make_source(R(1));
	must(pipe(go) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (read(go[0], &c, 1) != 1)
			exit(2);
		CHECK(bytes_for(x, region, R(1)), "child: its X intact");
		exit(check_exit());
	}
	must(set_mode(mode) == 0, "SET_MODE");
	move_to(x, R(1));
	CHECK(span_vmas() == 2, "parent with a child: 2 VMAs (got %d)",
	      span_vmas());
	verify_range(span, 2 * region, "fork parent");
	must(write(go[1], "x", 1) == 1, "write");
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child passed");
	health("fork");
}

/* Realloc-style growth: blocks grown by moving them to the arena's end. */
static void case_realloc(void)
{
	int i, rounds = 8;
	char *x, *end;

	layout(2 * rounds + 1, 0x1);
	must(set_mode(mode) == 0, "SET_MODE");
	end = R(1);
	for (i = 0; i < rounds; i++) {
		x = make_source(end);
		/* Grow to twice its size; the move is where it has room. */
		must(mremap(x, region, 2 * region, MREMAP_MAYMOVE |
			    MREMAP_FIXED, end) == end, "mremap grow+move");
		fill_at(end + region, region, end + region);
		end += 2 * region;
	}
	expect_vmas("realloc", 1, rounds + 1);
	health("realloc");
}


/* Moves next to a region another thread keeps migrating. */
static void case_race(void)
{
	struct migrator mig = { 0 };
	struct timespec t0, now;
	pthread_t thread;
	void *rounds;
	int moves = 0;
	char *x;

	layout(2, 0x1);
	must(set_mode(mode) == 0, "SET_MODE");
	mig.start = span;
	mig.len = 2 * region;
	pthread_create(&thread, NULL, migrator, &mig);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		x = make_source(R(1));
		move_to(x, R(1));
		moves++;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < 10);
	mig.stop = 1;
	pthread_join(thread, &rounds);
	printf("# race: %d moves against %ld migration rounds\n", moves,
	       (long)(uintptr_t)rounds);
	CHECK(same_bytes(span, 2 * region, 0), "race: bytes intact");
	verify_range(span, 2 * region, "race");
	x = make_source(R(1));
	move_to(x, R(1));
	expect_vmas("race: last move without the migrator", 1, 2);
	health("race");
}

int main(int argc, char **argv)
{
	const char *name;
	int opt;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "m:HS")) != -1) {
		if (opt == 'm')
			mode = parse_mode(optarg);
		else if (opt == 'H')
			thp = 1;
		else if (opt == 'S')
			expect_refusal = 1;
		else
			return 2;
	}
	if (optind != argc - 1)
		return 2;
	name = argv[optind];
	region = thp ? 2UL << 20 : 16UL * page_size;
	must(dev_fd() >= 0, "open " ANONMERGE_DEVICE);

	if (!strcmp(name, "fork"))
		case_fork();
	else if (!strcmp(name, "realloc"))
		case_realloc();
	else if (!strcmp(name, "race"))
		case_race();
	else if (!strcmp(name, "return"))
		case_return();
	else if (!strcmp(name, "multi"))
		case_multi(3);
	else if (!strcmp(name, "multi20"))
		case_multi(20);
	else
		case_simple(name);
	set_mode(ANONMERGE_MODE_OFF);
	return check_exit();
}
