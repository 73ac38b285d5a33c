// SPDX-License-Identifier: GPL-2.0
/*
 * am_never_worse: the attacks an unprivileged process can arrange against
 * the re-home, each run with merging off (stock) and on.  Every case
 * expects the module's VMA count to be at most stock's (the exact figure
 * for each mode is asserted), and afterwards every faulted page must still
 * be found by the reverse map (migration to the other node, MADV_PAGEOUT,
 * swap-in), the bytes intact, the verifier clean, and later syscalls
 * (mremap growth) must behave as on stock.
 *
 *   am_never_worse [-m off|on] [-v] CASE
 *
 * -v prints the /proc/self/maps lines of each counted range.
 *
 * CASE:
 *   partial-plan   two participants share an anon_vma, one of them cannot
 *                  move (a large folio reaching outside it): nothing may
 *                  move half way (issue 7, defect 1)
 *   pgoff-wrap     a region moved right before a neighbour whose pgoff is
 *                  smaller than the region (mapped at 0x10000, moved high):
 *                  a rebase would wrap (defect 2)
 *   devzero-before, devzero-after
 *                  a region moved next to a private /dev/zero mapping,
 *                  which looks anonymous but has a file (defect 3)
 *   fork-child     in a forked child, re-homing onto the inherited
 *                  (non-singular) chain would block the merge stock makes
 *                  (defect 4)
 *   folio-elsewhere
 *                  a large folio whose other half is mapped by another VMA
 *                  of the same anon_vma (moved away by mremap), inside the
 *                  VMA's page offsets after an in-place growth
 *   interleave     with an interleave policy, pages faulted into a moved
 *                  region must land on the nodes stock picks (the node
 *                  follows vm_pgoff): no pgoff rebase
 *   fork-chain     a forked child's own VMA re-homed onto the inherited
 *                  chain would refuse an unfaulted neighbour later
 *   siblings       a VMA re-homed away from the VMAs that share its
 *                  anon_vma could not rejoin them later (after a fork)
 *   softdirty      a merge must not hide soft-dirty state (clear_refs)
 *   guard          a merge must not spread the guard-region mark (7.2)
 *   rebase-home    a moved VMA moved back home must rejoin fresh mappings
 *                  there as stock's does (rebase_moved off, the default)
 *
 * pgoff-wrap, devzero-* and interleave test the rebase of a moved VMA:
 * run them with the module parameter rebase_moved=1.
 *   skip-folio     the checkers themselves: the module's test_skip_folio
 *                  fault leaves one folio behind in a re-home, and the
 *                  verifier and migration must report it (mode on only)
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include "span.h"

#ifndef MREMAP_FIXED
#define MREMAP_FIXED 2
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MPOL_DEFAULT 0
#define MPOL_INTERLEAVE 3

#define KB(x) ((size_t)(x) << 10)
#define MB(x) ((size_t)(x) << 20)

static void must(int ok, const char *what)
{
	if (!ok) {
		perror(what);
		exit(2);
	}
}

/* A PROT_NONE reservation of @len, its usable part aligned to @align. */
static char *reserve(size_t len, size_t align)
{
	char *base = mmap(NULL, len + 2 * align, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	must(base != MAP_FAILED, "mmap reserve");
	return (char *)(((uintptr_t)base + 2 * align - 1) & ~(align - 1));
}

static char *map_at(char *p, size_t len, int prot)
{
	must(mmap(p, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		  0) == p, "mmap fixed");
	return p;
}

/* With -v: the maps lines overlapping [p, p + len), as TAP comments. */
static int verbose;
static void dump_maps(const char *when, char *p, size_t len)
{
	unsigned long s = (uintptr_t)p, e = s + len, vs, ve;
	char line[512];
	FILE *f;

	if (!verbose || !(f = fopen("/proc/self/maps", "r")))
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &vs, &ve) == 2 && vs < e && ve > s)
			printf("# %s: %s", when, line);
	fclose(f);
}

static int vmas_in(char *p, size_t len)
{
	return count_vmas(p, p + len);
}

/* The count the current mode must give. */
static void expect_count(const char *when, char *p, size_t len, int merged,
			 int stock)
{
	int want = mode == ANONMERGE_MODE_ON ? merged : stock;

	dump_maps(when, p, len);

	CHECK(vmas_in(p, len) == want, "%s: %d VMAs (module %d, stock %d), got %d",
	      when, want, merged, stock, vmas_in(p, len));
}

static unsigned long race_count(void)
{
	struct anonmerge_stats st = { .size = sizeof(st) };

	must(ioctl(dev_fd(), ANONMERGE_IOC_GET_STATS, &st) == 0, "GET_STATS");
	return st.refusals[ANONMERGE_REFUSE_RACE];
}

/*
 * Defect 1.  [0,4M) faulted as two THPs (one anon_vma S), its last 1M
 * unmapped (the second THP now reaches outside any VMA), [2M,3M) made
 * read-only: P=[0,2M) and O=[2M,3M) share S.  N=[3M,6M) is faulted apart
 * (its own anon_vma).  Making O writable again asks vma_merge() for P+O+N:
 * O cannot be re-homed, so S must stay where it is (or N move onto S).
 */
static void case_partial_plan(void)
{
	char *a = reserve(MB(6), MB(2));

	map_at(a, MB(4), PROT_READ | PROT_WRITE);
	fill(a, MB(4), 1);
	CHECK(smaps_kb(a, MB(4), "AnonHugePages") >= 4096,
	      "partial-plan: two THPs (%ld kB)", smaps_kb(a, MB(4), "AnonHugePages"));
	must(munmap(a + MB(3), MB(1)) == 0, "munmap tail");
	must(mprotect(a + MB(2), MB(1), PROT_READ) == 0, "mprotect RO");
	map_at(a + MB(3), MB(3), PROT_READ | PROT_WRITE);
	must(madvise(a + MB(3), MB(3), MADV_DONTDUMP) == 0, "DONTDUMP");
	fill(a + MB(3), MB(3), 2);
	must(madvise(a + MB(3), MB(3), MADV_DODUMP) == 0, "DODUMP");
	CHECK(vmas_in(a, MB(6)) == 3, "partial-plan: 3 VMAs before (got %d)",
	      vmas_in(a, MB(6)));
	must(set_mode(mode) == 0, "SET_MODE");
	must(mprotect(a + MB(2), MB(1), PROT_READ | PROT_WRITE) == 0,
	     "mprotect RW");
	expect_count("partial-plan", a, MB(6), 1, 2);
	verify_range(a, MB(6), "partial-plan");
	rmap_health(a, MB(3), 1, "partial-plan P+O");
	rmap_health(a + MB(3), MB(3), 2, "partial-plan N");
}

/* mremap growth of @p (len @len, pattern @seed) must work as on stock. */
static void expect_growth(char *p, size_t len, unsigned long seed,
			  const char *when)
{
	char *q = mremap(p, len, 2 * len, MREMAP_MAYMOVE);

	CHECK(q != MAP_FAILED, "%s: mremap growth: %s", when,
	      q == MAP_FAILED ? strerror(errno) : "ok");
	if (q == MAP_FAILED)
		return;
	CHECK(same_bytes(q, len, seed), "%s: bytes intact after growth", when);
	fill(q + len, len, seed + 100);
	rmap_health(q + len, len, seed + 100, "grown part");
}

/* A faulted region of @len bytes elsewhere, pattern @seed. */
static char *faulted(size_t len, unsigned long seed)
{
	char *x = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	must(x != MAP_FAILED, "mmap");
	fill(x, len, seed);
	return x;
}

static void move(char *from, size_t len, char *to)
{
	must(mremap(from, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to) == to,
	     "mremap move");
}

/*
 * Defect 2.  N mapped at 0x10000 (pgoff 16) and moved high; a faulted
 * 64-page V moved right before it.  Joining would need V's pgoff to be
 * 16 - 64.
 */
static void case_pgoff_wrap(void)
{
	size_t vlen = 64 * page_size, nlen = page_size;
	char *low = (char *)0x10000, *span_at, *n, *v;

	must(mmap(low, nlen, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		  MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == low,
	     "mmap at 0x10000");
	fill(low, nlen, 3);
	span_at = reserve(vlen + nlen, MB(2));
	n = span_at + vlen;
	move(low, nlen, n);
	v = faulted(vlen, 4);
	must(set_mode(mode) == 0, "SET_MODE");
	move(v, vlen, span_at);
	v = span_at;
	expect_count("pgoff-wrap", v, vlen + nlen, 2, 2);
	verify_range(v, vlen + nlen, "pgoff-wrap");
	rmap_health(v, vlen, 4, "pgoff-wrap V");
	rmap_health(n, nlen, 3, "pgoff-wrap N");
	expect_growth(v, vlen, 4, "pgoff-wrap V");
}

/*
 * Defect 3.  A private /dev/zero mapping D (a file, no vm_ops, pgoff 0)
 * and a faulted V moved right before or right after it.  Stock never
 * merges them (the file differs): nothing may be re-homed for a merge
 * that cannot follow.
 */
static void case_devzero(int before)
{
	size_t vlen = 64 * page_size, dlen = 4 * page_size;
	char *at = reserve(2 * vlen + dlen, MB(2)), *d, *v;
	unsigned long races;
	int fd = open("/dev/zero", O_RDWR);

	must(fd >= 0, "open /dev/zero");
	d = at + vlen;
	must(mmap(d, dlen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
		  fd, 0) == d, "mmap /dev/zero");
	fill(d, dlen, 5);
	v = faulted(vlen, 6);
	must(set_mode(mode) == 0, "SET_MODE");
	races = race_count();
	move(v, vlen, before ? at : d + dlen);
	v = before ? at : d + dlen;
	expect_count("devzero", before ? v : d, vlen + dlen, 2, 2);
	CHECK(race_count() == races, "devzero: no re-home for a merge that cannot follow (state_changed %lu -> %lu)",
	      races, race_count());
	verify_range(at, 2 * vlen + dlen, "devzero");
	rmap_health(v, vlen, 6, "devzero V");
	rmap_health(d, dlen, 5, "devzero D");
	expect_growth(v, vlen, 6, "devzero V");
	close(fd);
}

/*
 * Defect 4.  In a forked child: the inherited faulted P, a read-only page
 * X right after it, a faulted N after X.  Making X writable: stock joins
 * X to N (P's chain is not singular, so X cannot join P).
 */
static void case_fork_child(void)
{
	size_t plen = 16 * page_size, nlen = 16 * page_size;
	char *at = reserve(plen + page_size + nlen, MB(2));
	int status;
	pid_t pid;

	map_at(at, plen, PROT_READ | PROT_WRITE);
	fill(at, plen, 7);
	fflush(stdout);
	pid = fork();
	must(pid >= 0, "fork");
	if (!pid) {
		char *x = at + plen, *n = x + page_size;

		map_at(x, page_size, PROT_READ);
		map_at(n, nlen, PROT_READ | PROT_WRITE);
		fill(n, nlen, 8);
		must(set_mode(mode) == 0, "SET_MODE");
		must(mprotect(x, page_size, PROT_READ | PROT_WRITE) == 0,
		     "mprotect X RW");
		expect_count("fork-child", at, plen + page_size + nlen, 2, 2);
		CHECK(same_bytes(at, plen, 7), "fork-child: inherited bytes");
		verify_range(at, plen + page_size + nlen, "fork-child");
		fill(x, page_size, 9);
		rmap_health(x, page_size, 9, "fork-child X");
		rmap_health(n, nlen, 8, "fork-child N");
		exit(check_exit());
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "fork-child: the child's checks passed");
	CHECK(same_bytes(at, plen, 7), "fork-child: parent's bytes");
}

/*
 * A THP V=[0,2M) whose second half is moved away (V2, same anon_vma, the
 * folio now PTE-mapped half in V, half in V2), then V grown in place back
 * to 2M: the whole folio lies inside V's page offsets, but half of it is
 * mapped by V2.  A bigger faulted P before V, with its own anon_vma,
 * becomes equal to V: V must not be re-homed (V2's pages would be lost to
 * rmap); P may move instead.
 */
static void case_folio_elsewhere(void)
{
	char *at = reserve(MB(6), MB(2)), *p = at, *v = at + MB(4);
	char *away = reserve(MB(1), MB(2));

	map_at(v, MB(2), PROT_READ | PROT_WRITE);
	fill(v, MB(2), 10);
	CHECK(smaps_kb(v, MB(2), "AnonHugePages") >= 2048,
	      "folio-elsewhere: V is a THP (%ld kB)",
	      smaps_kb(v, MB(2), "AnonHugePages"));
	move(v + MB(1), MB(1), away);
	must(mremap(v, MB(1), MB(2), 0) == v, "mremap grow in place");
	/* Mapped apart (else mmap merges P into V: linear, V's anon_vma). */
	map_at(p, MB(4), PROT_READ | PROT_WRITE | PROT_EXEC);
	must(madvise(p, MB(4), MADV_DONTDUMP) == 0, "DONTDUMP");
	must(mprotect(p, MB(4), PROT_READ | PROT_WRITE) == 0, "mprotect RW");
	fill(p, MB(4), 11);
	dump_maps("folio-elsewhere before", at, MB(6));
	CHECK(vmas_in(at, MB(6)) == 2, "folio-elsewhere: 2 VMAs before (got %d)",
	      vmas_in(at, MB(6)));
	must(set_mode(mode) == 0, "SET_MODE");
	must(madvise(p, MB(4), MADV_DODUMP) == 0, "DODUMP");
	expect_count("folio-elsewhere", at, MB(6), 1, 2);
	verify_range(at, MB(6), "folio-elsewhere");
	verify_range(away, MB(1), "folio-elsewhere V2");
	rmap_health(p, MB(4), 11, "folio-elsewhere P");
	rmap_health(v, MB(1), 10, "folio-elsewhere V");
	/* V2 holds the bytes of V's second half: pattern offset 1M. */
	{
		unsigned char *c = (unsigned char *)away;
		size_t i, bad = 0;

		for (i = 0; i < MB(1); i++)
			bad += c[i] != pattern(10, MB(1) + i);
		CHECK(!bad, "folio-elsewhere V2: bytes intact (%zu bad)", bad);
	}
	migrate_all(away, MB(1), "folio-elsewhere V2");
	pageout_all(away, MB(1), "folio-elsewhere V2");
	verify_range(away, MB(1), "folio-elsewhere V2 after");
}

/* The node move_pages reports for each page of [p, p + len). */
static void nodes_of(char *p, size_t len, int *nodes)
{
	unsigned long n = len / page_size, i;
	void **pages = calloc(n, sizeof(*pages));

	for (i = 0; i < n; i++)
		pages[i] = p + i * page_size;
	must(syscall(SYS_move_pages, 0, n, pages, NULL, nodes, 0) == 0,
	     "move_pages query");
	free(pages);
}

/*
 * Under an interleave policy the node of a page faulted later into a VMA
 * is (vm_pgoff + page index) mod 2 (interleave_nid(), 2 nodes): a moved
 * region's later faults must land where stock puts them.
 */
static void case_interleave(void)
{
	size_t len = 16 * page_size, half = len / 2;
	unsigned long all = 3, i, n = len / page_size, bad = 0;
	char *at = reserve(3 * len, MB(2)), *src;
	int nodes[64];

	must(syscall(SYS_set_mempolicy, MPOL_INTERLEAVE, &all, 8 * sizeof(all)) == 0,
	     "set_mempolicy interleave");
	map_at(at, len, PROT_READ | PROT_WRITE);
	must(madvise(at, len, MADV_DONTDUMP) == 0, "DONTDUMP");
	fill(at, len, 12);
	must(madvise(at, len, MADV_DODUMP) == 0, "DODUMP");
	/* A source whose page parity differs from its destination's. */
	src = at + 2 * len + page_size;
	map_at(src, len, PROT_READ | PROT_WRITE);
	fill(src, half, 13);
	must(set_mode(mode) == 0, "SET_MODE");
	move(src, len, at + len);
	/* Fault the second half after the move. */
	fill(at + len + half, half, 14);
	expect_count("interleave", at, 2 * len, 2, 2);
	nodes_of(at + len, len, nodes);
	for (i = 0; i < n; i++)
		bad += nodes[i] != (int)((((uintptr_t)src >> 12) + i) % 2);
	CHECK(!bad, "interleave: %lu of %lu pages off the stock node", bad, n);
	must(syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0) == 0,
	     "set_mempolicy default");
	verify_range(at, 2 * len, "interleave");
}

/*
 * In a forked child, the inherited P (a chain of two anon_vmas), a faulted
 * X right after it.  Re-homing X onto P's chain would merge them now, but
 * X would then refuse the unfaulted Y that stock joins to it later
 * (is_mergeable_anon_vma() wants a singular chain): found by review.
 */
static void case_fork_chain(void)
{
	size_t pg = page_size;
	char *at = reserve(8 * pg, MB(2));
	int status;
	pid_t pid;

	map_at(at, 4 * pg, PROT_READ | PROT_WRITE);
	fill(at, 4 * pg, 16);
	fflush(stdout);
	pid = fork();
	must(pid >= 0, "fork");
	if (!pid) {
		char *x = at + 4 * pg, *y = at + 6 * pg;

		must(set_mode(mode) == 0, "SET_MODE");
		map_at(x, 2 * pg, PROT_READ | PROT_WRITE);
		fill(x, 2 * pg, 17);
		must(mprotect(x, 2 * pg, PROT_READ) == 0, "mprotect X RO");
		must(mprotect(x, 2 * pg, PROT_READ | PROT_WRITE) == 0,
		     "mprotect X RW");
		expect_count("fork-chain: X toggled", at, 6 * pg, 2, 2);
		map_at(y, pg, PROT_READ | PROT_WRITE);
		expect_count("fork-chain: Y mapped", at, 7 * pg, 2, 2);
		must(mprotect(at, 4 * pg, PROT_READ) == 0, "mprotect P RO");
		must(munmap(at, 4 * pg) == 0, "munmap P");
		expect_count("fork-chain: P gone", at, 7 * pg, 1, 1);
		rmap_health(x, 2 * pg, 17, "fork-chain X");
		exit(check_exit());
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "fork-chain: the child's checks passed");
}

/*
 * W|M|X share one anon_vma S (M made read-only), P has its own, and an
 * mmap() fills the hole between X and P.  Re-homing X onto P's anon_vma
 * would merge X with P now but part X from W and M, which stock joins
 * once M is writable again - and after a fork nothing can re-home X back
 * (found by review).  P moves onto S instead.
 */
static void case_siblings(void)
{
	size_t pg = page_size;
	char *at = reserve(8 * pg, MB(2));
	int go[2];
	pid_t pid;
	char c;

	map_at(at, 3 * pg, PROT_READ | PROT_WRITE);
	fill(at, 3 * pg, 18);
	must(mprotect(at + pg, pg, PROT_READ) == 0, "mprotect M RO");
	map_at(at + 4 * pg, pg, PROT_READ | PROT_WRITE);
	fill(at + 4 * pg, pg, 19);
	must(set_mode(mode) == 0, "SET_MODE");
	map_at(at + 3 * pg, pg, PROT_READ | PROT_WRITE);
	expect_count("siblings: hole filled", at, 5 * pg, 3, 4);
	must(pipe(go) == 0, "pipe");
	fflush(stdout);
	pid = fork();
	must(pid >= 0, "fork");
	if (!pid) {
		if (read(go[0], &c, 1) < 0)
			exit(2);
		exit(0);
	}
	must(mprotect(at + pg, pg, PROT_READ | PROT_WRITE) == 0,
	     "mprotect M RW");
	expect_count("siblings: M writable", at, 5 * pg, 1, 2);
	must(munmap(at + 3 * pg, 2 * pg) == 0, "munmap G+P");
	expect_count("siblings: G+P gone", at, 5 * pg, 1, 1);
	must(write(go[1], "x", 1) == 1, "write");
	waitpid(pid, NULL, 0);
	rmap_health(at, 3 * pg, 18, "siblings W M X");
}

/* Bit 55 of /proc/self/pagemap: the page (or hole) is soft-dirty. */
static int soft_dirty(char *p)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, 8, (uintptr_t)p / page_size * 8) != 8)
		die("pagemap");
	close(fd);
	return (e >> 55) & 1;
}

static void clear_soft_dirty(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);

	must(fd >= 0 && write(fd, "4", 1) == 1, "clear_refs 4");
	close(fd);
}

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

/* Does the VMA holding @p have VmFlags @flag in /proc/self/smaps? */
static int vm_flag(char *p, const char *flag)
{
	unsigned long s, e, a = (uintptr_t)p;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	int in = 0, found = 0;

	if (!f)
		die("smaps");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') &&
		    line[0] != 'V') {
			in = a >= s && a < e;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			char want[8];

			snprintf(want, sizeof(want), " %s", flag);
			found = strstr(line, want) != NULL;
			break;
		}
	}
	fclose(f);
	return found;
}

/*
 * A hole fill whose result shows more than the VMA count: P (one page)
 * and N (@n_pages) faulted apart, @prepare sets the state under test,
 * then an mmap() of one page into the hole.  Stock joins the hole to one
 * side, which then reports what the merged VMA says (@bit per page); the
 * module must give the same VMAs and bits.
 */
struct hole_case {
	const char *name;
	size_t n_pages;
	/* false: this kernel lacks the feature (the case is skipped) */
	bool (*prepare)(char *at, size_t pg, size_t n_pages);
	int (*bit)(char *p);
};

/* One round in mode @m; false if the kernel lacks the feature. */
static bool hole_round(const struct hole_case *h, int m, int *vmas,
		       int bits[3])
{
	size_t pg = page_size, len = (2 + h->n_pages) * pg;
	char *at = reserve(len, MB(2));
	int i;

	map_at(at, pg, PROT_READ | PROT_WRITE);
	fill(at, pg, 20);
	map_at(at + 2 * pg, h->n_pages * pg, PROT_READ | PROT_WRITE);
	fill(at + 2 * pg, h->n_pages * pg, 21);
	if (!h->prepare(at, pg, h->n_pages))
		return false;
	must(set_mode(m) == 0, "SET_MODE");
	map_at(at + pg, pg, PROT_READ | PROT_WRITE);
	dump_maps(h->name, at, len);
	*vmas = vmas_in(at, len);
	for (i = 0; i < 3; i++)
		bits[i] = h->bit(at + i * pg);
	must(set_mode(ANONMERGE_MODE_OFF) == 0, "SET_MODE off");
	return true;
}

/*
 * Which neighbour the hole joins differs between kernels (6.1 joins N;
 * 6.12 and 7.2 join P), so stock is measured first, in this process.
 */
static void hole_case_vs_stock(const struct hole_case *h)
{
	int stock_vmas, vmas, stock_bits[3], bits[3];

	if (!hole_round(h, ANONMERGE_MODE_OFF, &stock_vmas, stock_bits)) {
		printf("# %s: not on this kernel: skipped\n", h->name);
		return;
	}
	CHECK(stock_vmas == 2, "%s: stock joins the hole to one side (%d VMAs)",
	      h->name, stock_vmas);
	hole_round(h, mode, &vmas, bits);
	CHECK(vmas == stock_vmas, "%s: %d VMAs, stock %d", h->name, vmas,
	      stock_vmas);
	CHECK(!memcmp(bits, stock_bits, sizeof(bits)),
	      "%s: P, new, N %d %d %d, stock %d %d %d", h->name, bits[0],
	      bits[1], bits[2], stock_bits[0], stock_bits[1], stock_bits[2]);
}

/* Soft-dirty tracking (CRIU): clear_refs after P and N were written. */
static bool softdirty_prepare(char *at, size_t pg,
			      size_t n_pages __attribute__((unused)))
{
	if (!soft_dirty(at))
		return false;
	clear_soft_dirty();
	CHECK(!soft_dirty(at) && !soft_dirty(at + 2 * pg),
	      "softdirty: clear_refs cleared P and N");
	return true;
}

/*
 * A merge must not hide soft-dirty state (found by review): the module
 * may not merge there at all.
 */
static void case_softdirty(void)
{
	static const struct hole_case h = {
		"softdirty", 1, softdirty_prepare, soft_dirty,
	};

	hole_case_vs_stock(&h);
}

/* A guard region (6.13+) in N's last page: N gets VM_MAYBE_GUARD. */
static bool guard_prepare(char *at, size_t pg, size_t n_pages)
{
	return !madvise(at + (1 + n_pages) * pg, pg, MADV_GUARD_INSTALL);
}

static int guard_flag(char *p)
{
	return vm_flag(p, "gu");
}

/*
 * Guard regions (found by review): 7.2 keeps VM_MAYBE_GUARD across a
 * merge (the merged VMA gets it), so a merge stock would not make would
 * show "gu" on memory that has no guard.  The module keeps out of VMAs
 * that may hold guard regions.
 */
static void case_guard(void)
{
	static const struct hole_case h = {
		"guard", 3, guard_prepare, guard_flag,
	};

	hole_case_vs_stock(&h);
}

/*
 * A faulted X moved next to N, moved back home, then a fresh mapping
 * right after it at home.  Stock's X keeps the pgoff of its home, linear
 * there again, and joins the fresh mapping.  With rebase_moved=1 the
 * module would have rebased X into N's offsets and could not (found by
 * review: the documented price of that opt-in).  By default a moved VMA's
 * pgoff is left alone: as stock.
 */
static void case_rebase_home(void)
{
	size_t n = 4 * page_size;
	char *home = reserve(2 * n, MB(2)), *there = reserve(2 * n, MB(2));

	map_at(home, n, PROT_READ | PROT_WRITE);
	fill(home, n, 22);
	map_at(there, n, PROT_READ | PROT_WRITE);
	fill(there, n, 23);
	must(set_mode(mode) == 0, "SET_MODE");
	move(home, n, there + n);
	expect_count("rebase-home: X next to N", there, 2 * n, 2, 2);
	move(there + n, n, home);
	map_at(home + n, n, PROT_READ | PROT_WRITE);
	expect_count("rebase-home: back home, a fresh mapping after it", home,
		     2 * n, 1, 1);
	rmap_health(home, n, 22, "rebase-home X");
	rmap_health(there, n, 23, "rebase-home N");
}

#define SKIP_PARAM "/sys/module/anonmerge/parameters/test_skip_folio"

static int read_param(void)
{
	char c = '?';
	int fd = open(SKIP_PARAM, O_RDONLY);

	if (fd < 0 || read(fd, &c, 1) != 1)
		die(SKIP_PARAM);
	close(fd);
	return c == 'Y';
}

/*
 * The checkers must see a broken re-home: with test_skip_folio armed, one
 * folio of the next re-home stays on its old anon_vma.  The verifier must
 * report it and the page must fail to migrate - the opposite of every
 * other case.
 */
static void case_skip_folio(void)
{
	size_t len = 16 * page_size;
	char *at = reserve(2 * len, MB(2));
	struct anonmerge_verify v = {
		.size = sizeof(v), .start = (uintptr_t)at, .len = 2 * len,
	};
	unsigned long left;
	int fd;

	map_at(at, 2 * len, PROT_READ | PROT_WRITE);
	must(madvise(at + len, len, MADV_DONTDUMP) == 0, "DONTDUMP");
	fill(at, 2 * len, 15);
	fd = open(SKIP_PARAM, O_WRONLY);
	must(fd >= 0 && write(fd, "1", 1) == 1, "arm test_skip_folio");
	close(fd);
	must(set_mode(ANONMERGE_MODE_ON) == 0, "SET_MODE");
	must(madvise(at + len, len, MADV_DODUMP) == 0, "DODUMP");
	CHECK(vmas_in(at, 2 * len) == 1, "skip-folio: merged (%d VMAs)",
	      vmas_in(at, 2 * len));
	CHECK(!read_param(), "skip-folio: the fault was taken");
	must(ioctl(dev_fd(), ANONMERGE_IOC_VERIFY, &v) == 0, "VERIFY");
	CHECK(v.bad_anon_vma == 1 && v.bad_rmap == 1,
	      "skip-folio: the verifier sees the folio left behind (bad anon_vma %llu, rmap %llu)",
	      (unsigned long long)v.bad_anon_vma,
	      (unsigned long long)v.bad_rmap);
	CHECK(same_bytes(at, 2 * len, 15), "skip-folio: bytes intact");
	left = migrate_away(at, 2 * len);
	CHECK(left == 1,
	      "skip-folio: exactly the page left behind cannot migrate (%lu)",
	      left);
}

int main(int argc, char **argv)
{
	const char *name;
	int opt;

	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "m:v")) != -1) {
		if (opt == 'm')
			mode = parse_mode(optarg);
		else if (opt == 'v')
			verbose = 1;
		else
			return 2;
	}
	if (optind != argc - 1)
		return 2;
	name = argv[optind];
	must(dev_fd() >= 0, "open " ANONMERGE_DEVICE);
	must(set_mode(ANONMERGE_MODE_OFF) == 0, "SET_MODE off");

	if (!strcmp(name, "partial-plan"))
		case_partial_plan();
	else if (!strcmp(name, "pgoff-wrap"))
		case_pgoff_wrap();
	else if (!strcmp(name, "devzero-before"))
		case_devzero(1);
	else if (!strcmp(name, "devzero-after"))
		case_devzero(0);
	else if (!strcmp(name, "fork-child"))
		case_fork_child();
	else if (!strcmp(name, "folio-elsewhere"))
		case_folio_elsewhere();
	else if (!strcmp(name, "interleave"))
		case_interleave();
	else if (!strcmp(name, "skip-folio"))
		case_skip_folio();
	else if (!strcmp(name, "fork-chain"))
		case_fork_chain();
	else if (!strcmp(name, "siblings"))
		case_siblings();
	else if (!strcmp(name, "softdirty"))
		case_softdirty();
	else if (!strcmp(name, "guard"))
		case_guard();
	else if (!strcmp(name, "rebase-home"))
		case_rebase_home();
	else
		return 2;
	set_mode(ANONMERGE_MODE_OFF);
	return check_exit();
}
