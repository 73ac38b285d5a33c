// SPDX-License-Identifier: GPL-2.0
/*
 * am_scenario: one merge scenario on real memory, with every check.
 *
 *   am_scenario [-m off|dry-run|on] [-t TRIGGER] [-H] CASE
 *
 * Regions are laid out side by side inside a PROT_NONE reservation and
 * faulted one by one while their flags differ, so each gets its own
 * anon_vma (the state stock Linux never merges).  Setup runs in mode off;
 * then the requested mode is set and the TRIGGER makes the flags equal
 * again.  The number of VMAs must be the module's (mode on) or stock's
 * (off, dry-run) expectation, and afterwards the bytes, the verifier and
 * the reverse map (migration to the other node, pageout to swap, swap-in)
 * are checked.
 *
 * TRIGGER (default dump): dump (MADV_DONTDUMP/DODUMP), dontfork
 * (MADV_DONTFORK/DOFORK), mlock (mlock/munlock), mbind (MPOL_BIND/DEFAULT),
 * prot (mprotect RWX -> RW after the regions were faulted while DONTDUMP).
 * -H: 2 MiB regions, PMD-mapped THPs.  -S: the module is expected to
 * refuse (e.g. over max_rehome_pages): stock's count even in mode on.
 *
 * CASE: prev next middle head tail hole straddle uffd fork forkchild fork2
 *       ksm swap race memo (run with max_rehome_pages below a region)
 *       halfthp (with -H)
 *       idle (page_idle walkers racing re-homes; needs IDLE_PAGE_TRACKING)
 *       vmalock (faults under the per-VMA lock racing re-homes)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/userfaultfd.h>

#include "span.h"

#define MPOL_DEFAULT 0
#define MPOL_BIND 2

static const char *trigger = "dump";

static void fill_at(char *p, size_t len)
{
	unsigned char *c = (unsigned char *)p;
	size_t off = p - span, i;

	for (i = 0; i < len; i++)
		c[i] = pattern(0, off + i);
}

/* Do the bytes at @p still hold the span's pattern (fill_at())? */
static int bytes_at(char *p, size_t len)
{
	const unsigned char *c = (const unsigned char *)p;
	size_t off = p - span, i;

	for (i = 0; i < len; i++)
		if (c[i] != pattern(0, off + i))
			return 0;
	return 1;
}

/* rmap_health() of a part of the span away from its start. */
static void health_at(char *p, size_t len, const char *when)
{
	CHECK(bytes_at(p, len), "%s: bytes intact", when);
	verify_range(p, len, when);
	migrate_all(p, len, when);
	pageout_all(p, len, when);
	CHECK(bytes_at(p, len), "%s: bytes intact after swap-in", when);
	verify_range(p, len, when);
}

static void must(int ret, const char *what)
{
	if (ret) {
		perror(what);
		exit(2);
	}
}

static long do_mbind(void *p, size_t len, int mpol)
{
	unsigned long mask = 1;	/* node 0 */

	return syscall(SYS_mbind, p, len, mpol,
		       mpol == MPOL_DEFAULT ? NULL : &mask,
		       mpol == MPOL_DEFAULT ? 0 : 8 * sizeof(mask), 0);
}

/* Make [p, p + len) differ from its neighbours in a way stock honours. */
static void differ(char *p, size_t len)
{
	if (!strcmp(trigger, "dump"))
		must(madvise(p, len, MADV_DONTDUMP), "DONTDUMP");
	else if (!strcmp(trigger, "dontfork"))
		must(madvise(p, len, MADV_DONTFORK), "DONTFORK");
	else if (!strcmp(trigger, "mlock"))
		must(mlock(p, len), "mlock");
	else if (!strcmp(trigger, "mbind"))
		must(do_mbind(p, len, MPOL_BIND), "mbind");
	else if (!strcmp(trigger, "prot"))
		must(mprotect(p, len, PROT_READ | PROT_WRITE | PROT_EXEC) ||
		     madvise(p, len, MADV_DONTDUMP), "mprotect RWX");
	else
		exit(2);
}

/* The part of differ() that must be undone before the trigger. */
static void settle(char *p, size_t len)
{
	if (!strcmp(trigger, "prot"))
		must(madvise(p, len, MADV_DODUMP), "DODUMP");
}

/* The trigger: flags equal again, so the kernel tries to merge. */
static void same(char *p, size_t len)
{
	if (!strcmp(trigger, "dump"))
		must(madvise(p, len, MADV_DODUMP), "DODUMP");
	else if (!strcmp(trigger, "dontfork"))
		must(madvise(p, len, MADV_DOFORK), "DOFORK");
	else if (!strcmp(trigger, "mlock"))
		must(munlock(p, len), "munlock");
	else if (!strcmp(trigger, "mbind"))
		must(do_mbind(p, len, MPOL_DEFAULT), "mbind default");
	else if (!strcmp(trigger, "prot"))
		must(mprotect(p, len, PROT_READ | PROT_WRITE), "mprotect RW");
}

/*
 * Reserve guards around @n regions, map them, and fault each region
 * (pattern by span offset) with the regions in @differ_mask differing.
 * A region in @hole_mask stays unmapped.
 */
static void setup(int n, unsigned int differ_mask, unsigned int hole_mask)
{
	size_t align = region, total = (n + 2) * region + align;
	char *base;
	int i, want = 0;

	nregions = n;
	base = mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		must(-1, "mmap reserve");
	span = (char *)(((uintptr_t)base + region + align - 1) & ~(align - 1));
	if (mmap(span, n * region, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != span)
		must(-1, "mmap span");
	must(set_mode(ANONMERGE_MODE_OFF), "SET_MODE off");
	for (i = 0; i < n; i++)
		if (hole_mask & (1u << i))
			must(munmap(R(i), region), "munmap hole");
	for (i = 0; i < n; i++)
		if (differ_mask & (1u << i))
			differ(R(i), region);
	for (i = 0; i < n; i++) {
		if (hole_mask & (1u << i))
			continue;
		fill_at(R(i), region);
		want++;
	}
	for (i = 0; i < n; i++)
		if (differ_mask & (1u << i))
			settle(R(i), region);
	CHECK(span_vmas() == want, "setup: %d separate VMAs (got %d)", want,
	      span_vmas());
	must(set_mode(mode), "SET_MODE");
}

static void case_simple(const char *name)
{
	if (!strcmp(name, "prev")) {		/* P absorbs A: case 7 */
		setup(2, 0x2, 0);
		same(R(1), region);
		expect_vmas("prev", 1, 2);
	} else if (!strcmp(name, "next")) {	/* N absorbs A: case 8 */
		setup(2, 0x1, 0);
		same(R(0), region);
		expect_vmas("next", 1, 2);
	} else if (!strcmp(name, "middle")) {	/* A vanishes: case 6 */
		setup(3, 0x2, 0);
		same(R(1), region);
		expect_vmas("middle", 1, 3);
	} else if (!strcmp(name, "head")) {	/* P takes A's head: case 5 */
		setup(2, 0x2, 0);
		same(R(1), region / 2);
		expect_vmas("head", 2, 3);
	} else if (!strcmp(name, "tail")) {	/* N takes P's tail: case 4 */
		setup(2, 0x1, 0);
		same(R(0) + region / 2, region / 2);
		expect_vmas("tail", 2, 3);
	} else if (!strcmp(name, "hole")) {	/* mmap fills P _ N: case 1 */
		setup(3, 0, 0x2);
		if (mmap(R(1), region, PROT_READ | PROT_WRITE, MAP_PRIVATE |
			 MAP_ANONYMOUS | MAP_FIXED, -1, 0) != R(1))
			must(-1, "mmap hole");
		fill_at(R(1), region);
		expect_vmas("hole", 1, 2);
	} else {
		exit(2);
	}
	health(name);
}

/*
 * A large folio shared by two VMAs of one anon_vma (split inside a THP
 * while stock) must not be re-homed with only one of them: with THP, A's
 * head cannot move onto P's anon_vma, so P (its folios wholly its own)
 * moves onto A's instead.
 */
static void case_straddle(void)
{
	unsigned int want = mode;

	mode = ANONMERGE_MODE_OFF;
	setup(2, 0x2, 0);
	same(R(1), region / 2);		/* stock: P | A head | A tail */
	mode = want;
	must(set_mode(mode), "SET_MODE");
	must(mprotect(R(1), region / 2, PROT_READ | PROT_WRITE | PROT_EXEC),
	     "mprotect RWX");
	must(mprotect(R(1), region / 2, PROT_READ | PROT_WRITE), "mprotect RW");
	expect_vmas("straddle", 2, 3);
	health("straddle");
}

/*
 * A THP half unmapped: A (the second region, its own anon_vma) keeps the
 * first half of its huge folio, whose other half now lies outside every
 * VMA.  A must not be re-homed (the folio reaches outside it); P may move
 * onto A's anon_vma instead (unless max_rehome_pages forbids, -S).
 */
static void case_halfthp(void)
{
	setup(2, 0x2, 0);
	must(munmap(R(1) + region / 2, region / 2), "munmap A's tail");
	same(R(1), region / 2);
	expect_vmas("halfthp", 1, 2);
	nregions = 1;
	health("halfthp P");
	health_at(R(1), region / 2, "halfthp A");
}

/*
 * userfaultfd (un)register as the trigger: registering both regions gives
 * them equal flags and context, so the kernel tries to merge them.
 */
static void case_uffd(void)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffdio_range range;
	int fd;

	trigger = "dump";
	setup(2, 0x2, 0);
	/* Equal flags but still two anon_vmas: stock leaves them split. */
	must(set_mode(ANONMERGE_MODE_OFF), "SET_MODE off");
	same(R(1), region);
	CHECK(span_vmas() == 2, "uffd: split before registering (got %d)",
	      span_vmas());
	must(set_mode(mode), "SET_MODE");
	fd = syscall(SYS_userfaultfd, O_CLOEXEC);
	must(fd < 0 || ioctl(fd, UFFDIO_API, &api), "userfaultfd");
	reg.range.start = (uintptr_t)span;
	reg.range.len = 2 * region;
	must(ioctl(fd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER");
	expect_vmas("uffd register", 1, 2);
	range = reg.range;
	must(ioctl(fd, UFFDIO_UNREGISTER, &range), "UFFDIO_UNREGISTER");
	expect_vmas("uffd unregister", 1, 2);
	close(fd);
	health("uffd");
}

/* Fork sharing: parent, child and grandchild sides all stay split. */
static void case_fork(int depth)
{
	int level, status, ok;
	pid_t pids[2];

	trigger = "dump";
	setup(2, 0x2, 0);
	for (level = 0; level < depth; level++) {
		fflush(stdout);
		pids[level] = fork();
		if (pids[level] < 0)
			must(-1, "fork");
		if (pids[level])
			break;
	}
	/* level == depth: the youngest; each elder waits for its child. */
	if (level == depth) {
		same(R(1), region);
		CHECK(span_vmas() == 2, "fork level %d: still 2 VMAs (got %d)",
		      level, span_vmas());
		CHECK(same_bytes(span, 2 * region, 0),
		      "fork level %d: bytes intact", level);
		verify_range(span, 2 * region, "fork youngest");
		exit(check_exit());
	}
	waitpid(pids[level], &status, 0);
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	CHECK(ok, "fork level %d: child checks passed", level + 1);
	if (level > 0) {
		/* A middle generation: itself a fork child. */
		same(R(1), region);
		CHECK(span_vmas() == 2, "fork level %d: still 2 VMAs (got %d)",
		      level, span_vmas());
		verify_range(span, 2 * region, "fork middle");
		exit(check_exit());
	}

	/* The original process, after its descendants checked theirs. */
	differ(R(1), region);
	same(R(1), region);
	expect_vmas("fork: all descendants gone, exclusive again", 1, 2);
	health("fork");
}

/* While a descendant is alive: the parent's own merge is refused. */
static void case_fork_parent(void)
{
	int go[2], status;
	pid_t pid;
	char c;

	trigger = "dump";
	setup(2, 0x2, 0);
	must(pipe(go), "pipe");
	fflush(stdout);
	pid = fork();
	if (!pid) {
		/* Child: keep the COW-shared pages alive until told. */
		if (read(go[0], &c, 1) != 1)
			exit(2);
		CHECK(same_bytes(span, 2 * region, 0), "child: bytes intact");
		exit(check_exit());
	}
	same(R(1), region);
	CHECK(span_vmas() == 2, "parent with a live child: 2 VMAs (got %d)",
	      span_vmas());
	verify_range(span, 2 * region, "parent with child");
	if (write(go[1], "x", 1) != 1)
		must(-1, "write");
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child: checks passed");
	health("fork-parent");
}

static long ksm_read(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void ksm_write(const char *name, const char *val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	f = fopen(path, "w");
	if (!f || fputs(val, f) < 0 || fclose(f))
		must(-1, path);
}

/* KSM pages in the VMA to move: refused, both stay as they are. */
static void case_ksm(void)
{
	size_t len;
	int i;

	trigger = "dump";
	setup(2, 0x2, 0);
	len = 2 * region;
	/* Identical pages, so that ksmd merges them. */
	memset(span, 0x5a, len);
	must(madvise(span, len, MADV_MERGEABLE), "MADV_MERGEABLE");
	ksm_write("pages_to_scan", "10000");
	ksm_write("sleep_millisecs", "10");
	ksm_write("run", "1");
	for (i = 0; i < 600 && ksm_read("pages_sharing") < 2; i++)
		usleep(100000);
	CHECK(ksm_read("pages_sharing") >= 2, "ksmd merged pages (%ld)",
	      ksm_read("pages_sharing"));
	same(R(1), region);
	expect_vmas("ksm", 2, 2);
	verify_range(span, len, "ksm");
	must(madvise(span, len, MADV_UNMERGEABLE), "MADV_UNMERGEABLE");
	ksm_write("run", "2");
	for (i = 0; i < (int)len; i++)
		if ((unsigned char)span[i] != 0x5a)
			break;
	CHECK(i == (int)len, "ksm: bytes intact");
	fill_at(span, len);
	health("ksm");
}


static unsigned long long refusals(unsigned int reason)
{
	struct anonmerge_stats st = { .size = sizeof(st) };

	must(ioctl(dev_fd(), ANONMERGE_IOC_GET_STATS, &st), "GET_STATS");
	return st.refusals[reason];
}

static unsigned long long existing_merges(void)
{
	struct anonmerge_stats st = { .size = sizeof(st) };

	must(ioctl(dev_fd(), ANONMERGE_IOC_GET_STATS, &st), "GET_STATS");
	return st.merges[ANONMERGE_MERGE_EXISTING];
}

/*
 * A lasting refusal is remembered: the same flag toggle next to the same
 * VMAs (run with max_rehome_pages below a region) walks their pages once,
 * then is refused from memory until the VMA changes or a second passes.
 */
static void case_memo(void)
{
	unsigned long long walked, remembered;

	trigger = "dump";
	setup(2, 0x2, 0);
	walked = refusals(ANONMERGE_REFUSE_TOO_MANY_PAGES);
	remembered = refusals(ANONMERGE_REFUSE_REMEMBERED);
	same(R(1), region);
	CHECK(refusals(ANONMERGE_REFUSE_TOO_MANY_PAGES) == walked + 1,
	      "memo: first try walked and refused (too_many_pages)");
	differ(R(1), region);
	same(R(1), region);
	CHECK(refusals(ANONMERGE_REFUSE_REMEMBERED) == remembered + 1 &&
	      refusals(ANONMERGE_REFUSE_TOO_MANY_PAGES) == walked + 1,
	      "memo: second try refused from memory, no walk");
	/* A changed VMA is looked at again. */
	differ(R(1), region);
	must(munmap(R(2) - page_size, page_size), "munmap last page");
	same(R(1), region - page_size);
	CHECK(refusals(ANONMERGE_REFUSE_TOO_MANY_PAGES) == walked + 2,
	      "memo: a changed VMA is walked again");
	/* And so is an unchanged one after the memo's second. */
	differ(R(1), region - page_size);
	sleep(2);
	same(R(1), region - page_size);
	CHECK(refusals(ANONMERGE_REFUSE_TOO_MANY_PAGES) == walked + 3,
	      "memo: forgotten after a second");
	CHECK(span_vmas() == 2, "memo: still split (got %d)", span_vmas());
	nregions = 1;	/* the health check covers what is intact */
	health("memo");
}

/* Part of the moving VMA swapped out, some of it read back in cache. */
static void case_swap(void)
{
	trigger = "dump";
	setup(2, 0x2, 0);
	must(madvise(R(1), region / 2, MADV_PAGEOUT), "MADV_PAGEOUT");
	must(madvise(R(0), region / 2, MADV_PAGEOUT), "MADV_PAGEOUT");
	CHECK(smaps_kb(span, 2 * region, "Swap") > 0, "swap: %ld kB in swap",
	      smaps_kb(span, 2 * region, "Swap"));
	/* Swap-cache folios behind swap PTEs (readahead). */
	must(madvise(R(1), region / 4, MADV_WILLNEED), "MADV_WILLNEED");
	verify_range(span, 2 * region, "swap before merge");
	same(R(1), region);
	expect_vmas("swap", 1, 2);
	verify_range(span, 2 * region, "swap after merge");
	health("swap");
}

/*
 * A fresh faulted piece of R(1) (quarter @i mod 4), faulted while its
 * flags differ, so with an anon_vma of its own, then made equal again:
 * merged back by the module.
 */
static void remerge_piece(int i)
{
	char *sub = R(1) + (i % 4) * (region / 4);

	if (mmap(sub, region / 4, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_FIXED, -1, 0) != sub)
		must(-1, "mmap piece");
	differ(sub, region / 4);
	fill_at(sub, region / 4);
	same(sub, region / 4);
}

/* remerge_piece() over and over for @seconds; returns how many. */
static int remerge_for(int seconds)
{
	struct timespec t0, now;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		remerge_piece(n++);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < seconds);
	return n;
}

/* move_pages in a thread while the main thread splits and merges. */
static void case_race(void)
{
	struct migrator mig = { 0 };
	pthread_t thread;
	void *rounds;
	int merges;

	trigger = "dump";
	setup(2, 0x2, 0);
	same(R(1), region);
	mig.start = span;
	mig.len = 2 * region;
	pthread_create(&thread, NULL, migrator, &mig);
	merges = remerge_for(10);
	mig.stop = 1;
	pthread_join(thread, &rounds);
	printf("# race: %d re-merges against %ld migration rounds\n", merges,
	       (long)(uintptr_t)rounds);
	CHECK(same_bytes(span, 2 * region, 0), "race: bytes intact");
	verify_range(span, 2 * region, "race");
	/* Without the migrator, one more piece must merge (module). */
	remerge_piece(0);
	if (mode == ANONMERGE_MODE_ON)
		CHECK(span_vmas() == 1, "race: merged at the end (got %d)",
		      span_vmas());
	health("race");
}

/*
 * A thread that faults pages of R(1) back in while the main thread
 * re-merges pieces of it: it zaps them (MADV_DONTNEED) and writes their
 * pattern back, which on 6.4+ faults them in under the VMA's read lock
 * alone, while the main thread may hold mmap_lock for write in
 * the middle of a re-home.  Such a fault must never add a page with the
 * old anon_vma behind the re-home: the module write-locks every VMA of a
 * plan before it locks their folios.  Whatever interleaving, the page a
 * zap (ours, or the main thread's mmap over a piece) emptied is written
 * whole again by the zapper, so the bytes end as the pattern.
 */
struct faulter {
	volatile int stop;
	unsigned int seed;
	unsigned long faults;
};

static void *faulter(void *arg)
{
	struct faulter *f = arg;
	size_t n = region / page_size, i, k;

	while (!f->stop) {
		/*
		 * Empty all of R(1), then fault it back a page at a time, in
		 * a random order: most of the time some pages of the piece
		 * being re-merged are absent, and their faults can fall into
		 * the re-home.
		 */
		/* Fails at a locked piece, past what it emptied: refill all. */
		madvise(R(1), region, MADV_DONTNEED);
		k = rand_r(&f->seed) % n;
		for (i = 0; i < n; i++) {
			fill_at(R(1) + (i * 7 + k) % n * page_size, page_size);
			f->faults++;
			usleep(50);
		}
	}
	return NULL;
}

#define NR_FAULTERS 3

/* Pages of [p, p + len) on an anon_vma outside their VMA's chain. */
static unsigned long long quiet_verify(void *p, size_t len)
{
	struct anonmerge_verify v = {
		.size = sizeof(v), .start = (uintptr_t)p, .len = len,
	};

	must(ioctl(dev_fd(), ANONMERGE_IOC_VERIFY, &v), "VERIFY");
	return v.bad_anon_vma;
}

/*
 * A piece of R(1) with an anon_vma of its own, merged back by a re-home:
 * mapped locked (VM_LOCKED: stock neither merges it into R(1) nor lets
 * its first fault reuse R(1)'s anon_vma), filled, marked DONTDUMP,
 * unlocked and emptied, then DODUMP: the merge that re-homes it while the
 * faulting threads fault its pages back in.  Refilled after.
 */
static void remerge_own_piece(int i)
{
	char *sub = R(1) + (i % 4) * (region / 4);

	if (mmap(sub, region / 4, PROT_READ | PROT_WRITE, MAP_PRIVATE |
		 MAP_ANONYMOUS | MAP_FIXED | MAP_LOCKED, -1, 0) != sub)
		must(-1, "mmap locked piece");
	fill_at(sub, region / 4);
	must(madvise(sub, region / 4, MADV_DONTDUMP), "DONTDUMP");
	must(munlock(sub, region / 4), "munlock");
	/* Absent pages: the faulting threads will fault them in. */
	must(madvise(sub, region / 4, MADV_DONTNEED), "DONTNEED");
	must(madvise(sub, region / 4, MADV_DODUMP), "DODUMP");
	fill_at(sub, region / 4);
}

/*
 * Re-merges against faults under the per-VMA lock.  Run with the
 * module's test_collect_delay_us (a pause while the plan holds its
 * folios) to widen the window; with test_skip_vma_lock as well the
 * verifier must find the page that slipped in, which shows this test can
 * see the defect (health checks are then skipped: that page is
 * unreachable by the reverse map).
 */
static void case_vmalock(void)
{
	struct faulter f[NR_FAULTERS] = { 0 };
	pthread_t threads[NR_FAULTERS];
	unsigned long faults = 0;
	unsigned long long rehomed, bad = 0;
	struct timespec t0, now;
	int merges, i, ok;

	trigger = "dump";
	setup(2, 0x2, 0);
	same(R(1), region);
	for (i = 0; i < NR_FAULTERS; i++) {
		f[i].seed = i + 1;
		pthread_create(&threads[i], NULL, faulter, &f[i]);
	}
	rehomed = existing_merges();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	merges = 0;
	do {
		remerge_own_piece(merges++);
		/* Now: the next piece's mmap() would unmap a stray page. */
		bad += quiet_verify(span, 2 * region);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec - t0.tv_sec < 10);
	for (i = 0; i < NR_FAULTERS; i++) {
		f[i].stop = 1;
		pthread_join(threads[i], NULL);
		faults += f[i].faults;
	}
	rehomed = existing_merges() - rehomed;
	printf("# vmalock: %d pieces, %llu merged by a re-home, against %lu faults\n",
	       merges, rehomed, faults);
	CHECK(faults > 0, "vmalock: the faulting threads ran");
	CHECK(rehomed > 0, "vmalock: pieces were re-homed");
	CHECK(bad == 0, "vmalock: verifier after each piece: bad anon_vma %llu",
	      bad);
	ok = verify_range(span, 2 * region, "vmalock");
	CHECK(same_bytes(span, 2 * region, 0), "vmalock: bytes intact");
	if (ok)
		health("vmalock");
}

/*
 * A thread that keeps marking the span's pages idle through
 * /sys/kernel/mm/page_idle/bitmap: each write makes the kernel walk the
 * page's reverse map without the folio lock (page_idle_clear_pte_refs(),
 * folio_lock_anon_vma_read()), the walker that must never meet a freed
 * anon_vma while re-homes move folios away from it.
 */
struct idler {
	volatile int stop;
	unsigned long rounds;
};

static void *idler(void *arg)
{
	struct idler *id = arg;
	int map = open("/proc/self/pagemap", O_RDONLY);
	int bitmap = open("/sys/kernel/mm/page_idle/bitmap", O_RDWR);
	unsigned long i, n = span_len() / page_size;
	uint64_t e, bit;

	if (map < 0 || bitmap < 0)
		return NULL;
	while (!id->stop) {
		for (i = 0; i < n; i++) {
			if (pread(map, &e, sizeof(e),
				  ((uintptr_t)span / page_size + i) * 8) != 8 ||
			    !(e & (1ULL << 63)))
				continue;
			e &= (1ULL << 55) - 1;		/* the PFN */
			bit = 1ULL << (e % 64);
			if (pwrite(bitmap, &bit, 8, e / 64 * 8) != 8)
				break;
		}
		id->rounds++;
	}
	close(map);
	close(bitmap);
	return NULL;
}

/* Re-homes while page_idle walks the same folios' reverse map. */
static void case_idle(void)
{
	struct idler id = { 0 };
	pthread_t thread;
	int merges;

	if (access("/sys/kernel/mm/page_idle/bitmap", W_OK)) {
		printf("# no page_idle on this kernel: skipped\n");
		return;
	}
	trigger = "dump";
	setup(2, 0x2, 0);
	same(R(1), region);
	pthread_create(&thread, NULL, idler, &id);
	merges = remerge_for(10);
	id.stop = 1;
	pthread_join(thread, NULL);
	printf("# idle: %d re-merges against %lu page_idle rounds\n", merges,
	       id.rounds);
	CHECK(id.rounds > 0, "idle: the walker ran");
	expect_vmas("idle", 1, 2);
	health("idle");
}

int main(int argc, char **argv)
{
	const char *name;
	int opt;

	page_size = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "m:t:HS")) != -1) {
		if (opt == 'm')
			mode = parse_mode(optarg);
		else if (opt == 't')
			trigger = optarg;
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
	if (dev_fd() < 0)
		must(-1, "open " ANONMERGE_DEVICE);

	if (!strcmp(name, "straddle"))
		case_straddle();
	else if (!strcmp(name, "fork"))
		case_fork_parent();
	else if (!strcmp(name, "forkchild"))
		case_fork(1);
	else if (!strcmp(name, "fork2"))
		case_fork(2);
	else if (!strcmp(name, "uffd"))
		case_uffd();
	else if (!strcmp(name, "ksm"))
		case_ksm();
	else if (!strcmp(name, "memo"))
		case_memo();
	else if (!strcmp(name, "halfthp"))
		case_halfthp();
	else if (!strcmp(name, "idle"))
		case_idle();
	else if (!strcmp(name, "swap"))
		case_swap();
	else if (!strcmp(name, "race"))
		case_race();
	else if (!strcmp(name, "vmalock"))
		case_vmalock();
	else
		case_simple(name);
	set_mode(ANONMERGE_MODE_OFF);
	return check_exit();
}
