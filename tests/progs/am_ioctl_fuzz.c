// SPDX-License-Identifier: GPL-2.0
/*
 * am_ioctl_fuzz [-s SEED] [-n CALLS] [-u UID [-d FD]] [-v]: a seeded ioctl
 * fuzzer for /dev/anonmerge that checks what every call must do, not only
 * that the kernel survives it.
 *
 * Each call is random in every dimension the ABI has: the command (the four
 * real ones, the real ones with garbage in the upper 32 bits that the
 * kernel truncates away, near misses - right number with the wrong size,
 * direction or magic, the ABI 1 magic 0xb8, single bit flips - and random
 * 32-bit values), the struct's size field (0, 1, below VER0, VER0, exact,
 * bigger, PAGE_SIZE, PAGE_SIZE + 1, huge), the pointer (good, misaligned,
 * read-only, straddling into an unmapped hole or into a read-only page,
 * unmapped, PROT_NONE, NULL, kernel, non-canonical, wrapping), the input
 * fields (random flags and modes, garbage in output-only fields and in the
 * tail of a larger struct), VERIFY's pid (0, self, 1, the parent, kernel
 * threads, a zombie child, a child that is exiting, pids that cannot exist,
 * negative, random) and range (wrapping, near ULONG_MAX, huge), and, as
 * root, the caller's effective capabilities (CAP_SYS_ADMIN or
 * CAP_SYS_PTRACE dropped for the call).
 *
 * For every call a model of ctl.c and verify.c - the order in which they
 * validate, what they copy from and to user memory - gives the set of
 * results allowed; it knows which bytes of the arena are readable and
 * writable, so it can tell EFAULT from EINVAL.  Checked on every call:
 * - the result is 0 or -1 with an errno of that set;
 * - no byte outside [ptr, ptr + size) changes, ever, and none at all
 *   changes on a failure that happens before the module writes anything
 *   (every failure except copy_to_user() hitting an unwritable byte, where
 *   the bytes before that one may be written, as with any ioctl);
 * - on success: the size field says min(size, the module's size), the
 *   tail up to the caller's size is zeroed, the fields are sane (ABI
 *   version, mode as last set, no junk in pad or past nr_refusals, VERIFY
 *   echoes its input and finds nothing bad);
 * - the mode is what the last successful SET_MODE set (after every
 *   SET_MODE, failed or not), GET_STATS counters never decrease;
 * and every 1000 calls the counters of /sys/kernel/mm/anonmerge/ lie
 * between two GET_STATS snapshots taken around them (equal when nothing
 * moved: the two interfaces show one set of counters).
 *
 * -u UID: unprivileged.  As root, the device is opened, then the process
 * becomes UID (no groups, no capabilities) before fuzzing; started as UID
 * already (am_runas), it fuzzes the descriptor -d FD that a root shell
 * opened for it.  Every call must then fail with EPERM and change nothing:
 * the mode and max_rehome_pages in sysfs stay as they were, the counters
 * only grow.  Opening the device or writing the sysfs files must fail with
 * EACCES.
 *
 * The call sequence depends on the seed only (never on results), so a
 * reported call is reproduced by the same seed and -n; -v prints each call.
 * Exit 0 when every check held, 1 on a violated invariant, 2 on a setup
 * error.  The mode found at the start is restored at the end (and on
 * SIGINT/SIGTERM).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/anonmerge.h>
#include <linux/capability.h>

#include "check.h"

/* Failures printed in full; the rest are only counted. */
#define MAX_REPORTS 40
/* Calls between two comparisons of sysfs with GET_STATS. */
#define SYSFS_EVERY 1000
/* VERIFY calls aimed at one exiting child before the next is made. */
#define EXITING_USES 8
/* Pages the exiting child faults, so its exit has something to tear down. */
#define EXITING_PAGES 64
/* Bytes checked on each side of a struct: writes past it are overflows. */
#define GUARD 32
/* Highest pid the kernel ever hands out (PID_MAX_LIMIT on 64-bit). */
#define PID_MAX_LIMIT (4 * 1024 * 1024)
/* PF_KTHREAD of include/linux/sched.h, field 9 of /proc/PID/stat. */
#define PF_KTHREAD 0x00200000

static long page;		/* PAGE_SIZE: the module's upper size bound */
static int dev_fd = -1;
static bool verbose;
static uint64_t rng;

/* ---- randomness (splitmix64, as tests/fuzz/am_fuzz.c) ---- */

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* An index into @weights, chosen with probability weight / sum. */
static unsigned int pick(const unsigned int *weights, unsigned int n)
{
	unsigned int i, sum = 0;
	uint64_t r;

	for (i = 0; i < n; i++)
		sum += weights[i];
	r = below(sum);
	for (i = 0; i < n; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return n - 1;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(w) pick(w, ARRAY_SIZE(w))

/* ---- the commands ---- */

enum { CMD_INFO, CMD_SET_MODE, CMD_STATS, CMD_VERIFY, NR_REAL };

struct cmd_desc {
	const char *name;
	uint32_t cmd;
	uint32_t ksize;		/* the module's struct: what it fills in */
	uint32_t ver0;		/* smallest size it accepts */
	bool in;		/* copy_in_sized(): an input struct */
	bool out;		/* copy_out_sized(): an output struct */
};

static const struct cmd_desc real_cmds[NR_REAL] = {
	[CMD_INFO] = { "GET_INFO", ANONMERGE_IOC_GET_INFO,
		       sizeof(struct anonmerge_info),
		       ANONMERGE_INFO_SIZE_VER0, false, true },
	[CMD_SET_MODE] = { "SET_MODE", ANONMERGE_IOC_SET_MODE,
			   sizeof(struct anonmerge_set_mode),
			   ANONMERGE_SET_MODE_SIZE_VER0, true, false },
	[CMD_STATS] = { "GET_STATS", ANONMERGE_IOC_GET_STATS,
			sizeof(struct anonmerge_stats),
			ANONMERGE_STATS_SIZE_VER0, false, true },
	[CMD_VERIFY] = { "VERIFY", ANONMERGE_IOC_VERIFY,
			 sizeof(struct anonmerge_verify),
			 ANONMERGE_VERIFY_SIZE_VER0, true, true },
};

_Static_assert(sizeof(struct anonmerge_verify) == ANONMERGE_VERIFY_SIZE_VER1,
	       "VERIFY struct is VER1");

/* How the command number was made; one summary row each (after the real). */
enum cmd_class {
	CC_REAL,	/* one of the four */
	CC_UPPER,	/* a real one with bits 32-63 set: truncated by sys_ioctl */
	CC_SIZE,	/* right type and number, wrong size */
	CC_DIR,		/* right type, number and size, wrong direction */
	CC_NR,		/* our magic, a number the module does not have */
	CC_OLD_MAGIC,	/* ABI 1's magic 0xb8 (now mshv's), or a neighbour */
	CC_BITFLIP,	/* a real one with one bit flipped */
	CC_RANDOM,	/* any 32-bit value */
	NR_CMD_CLASSES
};

static const char *const cmd_class_names[NR_CMD_CLASSES] = {
	"real", "upper-bits", "near-size", "near-dir", "near-nr",
	"old-magic", "bitflip", "random32",
};

/*
 * Command types the VFS answers itself before the driver sees them
 * (do_vfs_ioctl(): FIOCLEX and the other 'T' FIO* ones, FIFREEZE/FITHAW
 * 'X', FS_IOC_* 'f', FICLONE* 0x94, FIGETBSZ/FIBMAP 0x00, newer kernels'
 * FS_IOC_GETFSUUID 0x15): not the module's answers, and FIFREEZE would
 * freeze devtmpfs.  Random values of these types are drawn again.
 */
static bool vfs_owned(uint32_t cmd)
{
	switch (_IOC_TYPE(cmd)) {
	case 0x00: case 0x15: case 'T': case 'X': case 'f': case 0x94:
		return true;
	}
	return false;
}

/* ---- the arena: pages whose protection the model knows ---- */

/*
 * Page  0- 3  rw    good buffers start at page 1 (page 0: bytes before)
 *       4     none  PROT_NONE guard
 *       5- 6  rw    a struct at the end of page 6 runs into...
 *       7     hole  ...an unmapped page
 *       8- 9  ro    read-only (a memfd mapped read-only; we write it
 *                   through a second, writable mapping of the memfd)
 *      10     rw    a struct at its end runs into...
 *      11     ro    ...a read-only page
 *      12     none  end guard
 * At a fixed low address: the kernel places mmap(NULL) top-down from near
 * the stack, so nothing of glibc's can land in the hole.
 */
#define ARENA_ADDR	((void *)0x200000000UL)
#define ARENA_PAGES	13
#define PG_GOOD		1
#define PG_GUARD	4
#define PG_HOLE_END	7	/* first page of the hole */
#define PG_RO		8
#define PG_RO_END	11	/* first read-only page after page 10 */
#define PR		1	/* readable */
#define PW		2	/* writable */

static unsigned char *arena;
static int page_prot[ARENA_PAGES];
static unsigned char *page_alias[ARENA_PAGES];	/* where we access it */

static int prot_at(uint64_t addr)
{
	uint64_t base = (uintptr_t)arena;

	if (addr < base || addr >= base + ARENA_PAGES * page)
		return 0;
	return page_prot[(addr - base) / page];
}

/* [addr, addr + len) is all @prot; a wrapping range never is. */
static bool range_has(uint64_t addr, uint64_t len, int prot)
{
	uint64_t a, end = addr + len;

	if (!len)
		return true;
	if (end < addr)
		return false;
	for (a = addr & ~(uint64_t)(page - 1); a < end; a += page)
		if ((prot_at(a) & prot) != prot)
			return false;
	return true;
}

/*
 * Our view of @len bytes at arena address @addr, page by page: @fn gets
 * each piece that is mapped (through the writable alias for read-only
 * pages); unmapped pieces are skipped.  Stops when @fn returns non-zero.
 */
typedef int piece_fn(unsigned char *p, uint64_t off, uint64_t n, void *arg);

static int for_each_piece(uint64_t addr, uint64_t len, piece_fn *fn,
			  void *arg)
{
	uint64_t base = (uintptr_t)arena, off = 0;
	int ret;

	while (off < len) {
		uint64_t a = addr + off, pg, in_page, n;

		if (a < base || a >= base + ARENA_PAGES * page)
			return 0;
		pg = (a - base) / page;
		in_page = (a - base) % page;
		n = page - in_page;
		if (n > len - off)
			n = len - off;
		if (page_alias[pg]) {
			ret = fn(page_alias[pg] + in_page, off, n, arg);
			if (ret)
				return ret;
		}
		off += n;
	}
	return 0;
}

static int piece_write(unsigned char *p, uint64_t off, uint64_t n, void *arg)
{
	memcpy(p, (unsigned char *)arg + off, n);
	return 0;
}

static int piece_read(unsigned char *p, uint64_t off, uint64_t n, void *arg)
{
	memcpy((unsigned char *)arg + off, p, n);
	return 0;
}

static int piece_differs(unsigned char *p, uint64_t off, uint64_t n,
			 void *arg)
{
	return memcmp(p, (unsigned char *)arg + off, n) != 0;
}

static int piece_nonzero(unsigned char *p, uint64_t off, uint64_t n,
			 void *arg)
{
	uint64_t i;

	(void)off;
	(void)arg;
	for (i = 0; i < n; i++)
		if (p[i])
			return 1;
	return 0;
}

static void mem_write(uint64_t addr, const void *src, uint64_t len)
{
	for_each_piece(addr, len, piece_write, (void *)src);
}

static void mem_read(uint64_t addr, void *dst, uint64_t len)
{
	memset(dst, 0, len);
	for_each_piece(addr, len, piece_read, dst);
}

static bool mem_nonzero(uint64_t addr, uint64_t len)
{
	return for_each_piece(addr, len, piece_nonzero, NULL);
}

static void setup_arena(void)
{
	unsigned char *rw;
	int i, memfd;

	arena = mmap(ARENA_ADDR, ARENA_PAGES * page, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (arena == MAP_FAILED)
		die("mmap arena");
	memfd = memfd_create("am_ioctl_fuzz", 0);
	if (memfd < 0 || ftruncate(memfd, 3 * page))
		die("memfd");
	rw = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (rw == MAP_FAILED)
		die("mmap memfd");
	for (i = 0; i < ARENA_PAGES; i++) {
		switch (i) {
		case 0 ... 3: case 5: case 6: case 10:
			page_prot[i] = PR | PW;
			page_alias[i] = arena + i * page;
			if (mprotect(page_alias[i], page, PROT_READ | PROT_WRITE))
				die("mprotect");
			break;
		case PG_HOLE_END:
			if (munmap(arena + i * page, page))
				die("munmap");
			break;
		case PG_RO: case PG_RO + 1: case PG_RO_END:
			page_prot[i] = PR;
			page_alias[i] = rw + (i == PG_RO_END ? 2 : i - PG_RO) * page;
			if (mmap(arena + i * page, page, PROT_READ,
				 MAP_SHARED | MAP_FIXED, memfd,
				 (i == PG_RO_END ? 2 : i - PG_RO) * page) ==
			    MAP_FAILED)
				die("mmap read-only");
			break;
		}
	}
	close(memfd);
}

/* Random bytes the windows are filled from (deterministic from the seed). */
static unsigned char *pool;
#define POOL_SIZE (3 * page)

/* ---- pointers ---- */

enum ptr_class {
	PC_GOOD, PC_MISALIGNED, PC_RO, PC_STRADDLE_HOLE, PC_STRADDLE_RO,
	PC_UNMAPPED, PC_GUARD, PC_NULL, PC_LOW, PC_KERNEL, PC_NONCANON,
	PC_WRAP, PC_TOP, NR_PTR_CLASSES
};

static const char *const ptr_class_names[NR_PTR_CLASSES] = {
	"good", "misaligned", "read-only", "straddle-hole", "straddle-ro",
	"unmapped", "prot-none", "null", "low", "kernel", "non-canonical",
	"wrap", "task-size-top",
};

static const unsigned int ptr_weights[NR_PTR_CLASSES] = {
	[PC_GOOD] = 34, [PC_MISALIGNED] = 14, [PC_RO] = 7,
	[PC_STRADDLE_HOLE] = 8, [PC_STRADDLE_RO] = 6, [PC_UNMAPPED] = 4,
	[PC_GUARD] = 3, [PC_NULL] = 5, [PC_LOW] = 2, [PC_KERNEL] = 6,
	[PC_NONCANON] = 3, [PC_WRAP] = 2, [PC_TOP] = 2,
};

/* A pointer of @class to a struct of @usize bytes. */
static uint64_t gen_ptr(enum ptr_class class, uint32_t usize)
{
	uint64_t base = (uintptr_t)arena, len = usize, k;
	static const uint64_t kernel[] = {
		0xffffffff81000000ULL,	/* kernel text */
		0xffff888000000000ULL,	/* direct map */
		0xffffffffff600000ULL,	/* vsyscall page */
		0xffffc90000000000ULL,	/* vmalloc */
	};

	if (len > (uint64_t)page)
		len = page;
	/* Bytes before the hole / the read-only page: 1-3 cut the size field. */
	k = below(4) ? 4 + below(len > 4 ? len - 4 : 1) : 1 + below(3);
	if (k >= len && len > 1)
		k = len - 1;
	switch (class) {
	case PC_GOOD:
		return base + PG_GOOD * page + 8 * below(8);
	case PC_MISALIGNED:
		return base + PG_GOOD * page + 1 + below(63);
	case PC_RO:
		return base + PG_RO * page + (below(2) ? 0 : below(64));
	case PC_STRADDLE_HOLE:
		return base + PG_HOLE_END * page - k;
	case PC_STRADDLE_RO:
		return base + PG_RO_END * page - k;
	case PC_UNMAPPED:
		return base + PG_HOLE_END * page + below(page);
	case PC_GUARD:
		return base + PG_GUARD * page + below(page);
	case PC_NULL:
		return 0;
	case PC_LOW:
		return below(2) ? 8 : 0x1000 + below(page);
	case PC_KERNEL:
		return kernel[below(4)] + (below(2) ? 0 : below(1 << 20));
	case PC_NONCANON:
		return below(2) ? 0x0000800000000000ULL :
		       0x8000000000000000ULL + (rnd() >> 2);
	case PC_WRAP:
		return ~0ULL - below(4);
	case PC_TOP:	/* the size field crosses TASK_SIZE_MAX */
		return 0x00007ffffffff000ULL - 1 - below(3);
	default:
		return 0;
	}
}

/* ---- VERIFY's targets ---- */

enum pid_class {
	PID_ZERO, PID_SELF, PID_INIT, PID_PARENT, PID_KTHREAD, PID_ZOMBIE,
	PID_EXITING, PID_NONE, PID_NEG, PID_RANDOM, NR_PID_CLASSES
};

static const char *const pid_class_names[NR_PID_CLASSES] = {
	"0", "self", "init", "parent", "kthread", "zombie", "exiting",
	"nonexistent", "negative", "random",
};

static const unsigned int pid_weights[NR_PID_CLASSES] = {
	[PID_ZERO] = 20, [PID_SELF] = 8, [PID_INIT] = 6, [PID_PARENT] = 4,
	[PID_KTHREAD] = 10, [PID_ZOMBIE] = 10, [PID_EXITING] = 14,
	[PID_NONE] = 10, [PID_NEG] = 8, [PID_RANDOM] = 4,
};

#define MAX_KTHREADS 8
static pid_t kthreads[MAX_KTHREADS];
static int nr_kthreads;
static pid_t zombie_pid, exiting_pid;
static unsigned int exiting_uses;
static unsigned long pid_max, exiting_spawned;

/*
 * Kernel threads that live as long as the system: PF_KTHREAD in
 * /proc/PID/stat (an empty cmdline would also match zombies), kthreadd
 * first, no kworkers (they come and go).
 */
static void find_kthreads(void)
{
	char path[64], buf[512], comm[64], *p;
	unsigned long flags;
	struct dirent *de;
	DIR *d = opendir("/proc");
	FILE *f;

	if (!d)
		die("/proc");
	kthreads[nr_kthreads++] = 2;
	while ((de = readdir(d)) && nr_kthreads < MAX_KTHREADS) {
		pid_t pid = atoi(de->d_name);

		if (pid <= 2)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		f = fopen(path, "r");
		if (!f)
			continue;
		p = fgets(buf, sizeof(buf), f);
		fclose(f);
		if (p)
			p = strrchr(buf, ')');	/* comm may hold ')' too */
		if (!p)
			continue;
		*p = 0;
		snprintf(comm, sizeof(comm), "%s", strchr(buf, '(') + 1);
		/* state ppid pgrp session tty_nr tpgid flags */
		if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
			continue;
		if ((flags & PF_KTHREAD) && strncmp(comm, "kworker", 7))
			kthreads[nr_kthreads++] = pid;
	}
	closedir(d);
}

/* A child that is dead but not reaped: its pid resolves, its mm is gone. */
static void make_zombie(void)
{
	siginfo_t si;

	zombie_pid = fork();
	if (zombie_pid < 0)
		die("fork");
	if (!zombie_pid)
		_exit(0);
	/* WNOWAIT: wait until it is a zombie, but leave it one. */
	if (waitid(P_PID, zombie_pid, &si, WEXITED | WNOWAIT))
		die("waitid");
}

/*
 * A child with a little faulted memory that exits - by itself after a
 * random spin, or killed - while VERIFY calls are aimed at it: they race
 * its exit_mm() and may hold the last reference to its mm.
 */
static void spawn_exiting(void)
{
	unsigned long spin = below(200000), i;
	bool kill_it = below(2);
	volatile unsigned char *mem;	/* the spin must not be optimised out */
	int go[2];
	char c;

	if (exiting_pid > 0)
		waitpid(exiting_pid, NULL, 0);
	if (pipe(go))
		die("pipe");
	fflush(stdout);
	exiting_pid = fork();
	if (exiting_pid < 0)
		die("fork");
	if (!exiting_pid) {
		mem = mmap(NULL, EXITING_PAGES * page, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			_exit(1);
		for (i = 0; i < EXITING_PAGES; i++)
			mem[i * page] = i;
		/* Two VMAs: more for VERIFY to walk (page 0 read-only). */
		mprotect((void *)mem, page, PROT_READ);
		if (write(go[1], "x", 1) != 1)
			_exit(1);
		for (i = 0; i < spin; i++)
			mem[(1 + i % (EXITING_PAGES - 1)) * page]++;
		_exit(0);
	}
	close(go[1]);
	if (read(go[0], &c, 1) != 1)
		die("exiting child");
	close(go[0]);
	if (kill_it)
		kill(exiting_pid, SIGKILL);
	exiting_uses = 0;
	exiting_spawned++;
}

static uint32_t gen_pid(enum pid_class class)
{
	switch (class) {
	case PID_ZERO:
		return 0;
	case PID_SELF:
		return getpid();
	case PID_INIT:
		return 1;
	case PID_PARENT:
		return getppid();
	case PID_KTHREAD:
		return kthreads[below(nr_kthreads)];
	case PID_ZOMBIE:
		return zombie_pid;
	case PID_EXITING:
		if (exiting_pid <= 0 || ++exiting_uses > EXITING_USES)
			spawn_exiting();
		return exiting_pid;
	case PID_NONE:	/* at or above pid_max: never handed out */
		return pid_max + below(PID_MAX_LIMIT + 1 - pid_max);
	case PID_NEG:
		switch (below(3)) {
		case 0: return (uint32_t)-1;
		case 1: return 0x80000000u;
		default: return (uint32_t)-(int32_t)(1 + below(1 << 30));
		}
	default:
		return 1 + below(pid_max - 1);
	}
}

/* ---- capabilities (root mode): dropped from the effective set per call ---- */

enum creds { CR_FULL, CR_NO_PTRACE, CR_NO_ADMIN, NR_CREDS };

static const char *const creds_names[NR_CREDS] = {
	"full", "no-CAP_SYS_PTRACE", "no-CAP_SYS_ADMIN",
};

static const unsigned int creds_weights[NR_CREDS] = { 84, 10, 6 };

static struct __user_cap_data_struct full_caps[2];

static int capget_now(struct __user_cap_data_struct *data)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

static bool has_cap(const struct __user_cap_data_struct *data, int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

static void set_creds(enum creds cr)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int cap = cr == CR_NO_PTRACE ? CAP_SYS_PTRACE : CAP_SYS_ADMIN;

	memcpy(data, full_caps, sizeof(data));
	if (cr != CR_FULL)
		data[cap / 32].effective &= ~(1u << (cap % 32));
	if (syscall(SYS_capset, &hdr, data))
		die("capset");
}

/* ---- one call ---- */

struct call {
	unsigned long index;
	enum cmd_class class;
	int real;		/* CMD_*, or -1: the module does not know it */
	int base;		/* the real command it was derived from */
	uint64_t cmd;		/* as passed to the syscall (64 bits) */
	enum ptr_class pclass;
	uint64_t ptr;
	uint32_t usize;		/* the size field we wrote */
	enum creds creds;
	/* SET_MODE */
	uint32_t mode;
	uint64_t flags;
	/* VERIFY */
	enum pid_class pid_class;
	uint32_t pid;
	uint64_t start, len;
	/* the window of bytes around the struct that we fill and check */
	uint64_t win, win_len;
};

/* Result masks: bit 0 success, bit e errno e (all ours are below 64). */
#define RES_OK	1ULL
#define RES(e)	(1ULL << (e))

struct expect {
	uint64_t allowed;
	/* An EFAULT of copy_to_user(): bytes of [ptr, ptr + size) may change. */
	bool efault_writes;
};

static bool privileged = true;	/* false: -u, every call must be EPERM */
static uint32_t model_mode;	/* what the last successful SET_MODE set */

/*
 * copy_struct_from_user() (include/linux/uaccess.h), as copy_in_sized()
 * calls it with a size already in [ver0, PAGE_SIZE]: a tail beyond the
 * module's struct is scanned first, in address order, and must be zero
 * (-E2BIG, which ctl.c turns into -EINVAL) or faults (-EFAULT); then the
 * known part is copied (-EFAULT).
 */
static int model_copy_in(uint64_t p, uint32_t ksize, uint32_t usize)
{
	uint64_t a, end, next;

	if (usize > ksize) {
		for (a = p + ksize, end = p + usize; a < end; a = next) {
			next = (a | (page - 1)) + 1;
			if (next > end)
				next = end;
			if (!(prot_at(a) & PR))
				return EFAULT;
			if (mem_nonzero(a, next - a))
				return EINVAL;
		}
	}
	if (!range_has(p, usize < ksize ? usize : ksize, PR))
		return EFAULT;
	return 0;
}

/* am_verify() after its input checks: what the target pid allows. */
static uint64_t model_verify_target(const struct call *c)
{
	bool ptrace = c->creds != CR_NO_PTRACE;

	switch (c->pid_class) {
	case PID_ZERO:
	case PID_SELF:		/* our own mm: no ptrace check */
		return RES_OK;
	case PID_INIT:
	case PID_PARENT:	/* root, all capabilities: needs CAP_SYS_PTRACE */
		return ptrace ? RES_OK : RES(EACCES);
	case PID_KTHREAD:	/* no mm; kthreadd never exits, others might */
		return RES(EINVAL) | (c->pid != 2 ? RES(ESRCH) : 0);
	case PID_ZOMBIE:	/* the task exists, its mm is gone */
		return RES(EINVAL);
	case PID_EXITING:	/* not reaped before we move on: never ESRCH */
		return RES(EINVAL) | (ptrace ? RES_OK : RES(EACCES));
	case PID_NONE:
	case PID_NEG:
		return RES(ESRCH);
	default:
		return RES_OK | RES(EINVAL) | RES(ESRCH) | RES(EACCES);
	}
}

/* What ctl.c must answer to @c, from the order in which it validates. */
static void model(const struct call *c, struct expect *x)
{
	const struct cmd_desc *d;
	uint64_t p = c->ptr, allowed;
	int err;

	x->efault_writes = false;
	if (!privileged || c->creds == CR_NO_ADMIN) {
		x->allowed = RES(EPERM);	/* capable() comes before anything */
		return;
	}
	if (c->real < 0) {
		x->allowed = RES(ENOTTY);
		return;
	}
	d = &real_cmds[c->real];
	if (!range_has(p, 4, PR)) {	/* get_user() of the size field */
		x->allowed = RES(EFAULT);
		return;
	}
	if (c->usize < d->ver0 || c->usize > page) {
		x->allowed = RES(EINVAL);
		return;
	}
	if (!d->in) {
		/* copy_to_user() + clear_user() of the caller's whole size */
		x->efault_writes = true;
		x->allowed = range_has(p, c->usize, PW) ? RES_OK : RES(EFAULT);
		return;
	}
	err = model_copy_in(p, d->ksize, c->usize);
	if (err) {
		x->allowed = RES(err);
		return;
	}
	if (c->real == CMD_SET_MODE) {
		x->allowed = c->flags || c->mode >= ANONMERGE_NR_MODES ?
			     RES(EINVAL) : RES_OK;
		return;
	}
	if (c->flags || c->start + c->len < c->start) {
		x->allowed = RES(EINVAL);
		return;
	}
	allowed = model_verify_target(c);
	if (allowed & RES_OK) {
		/* verified, then copied out like GET_INFO */
		x->efault_writes = true;
		allowed &= ~RES_OK;
		allowed |= range_has(p, c->usize, PW) ? RES_OK : RES(EFAULT);
	}
	x->allowed = allowed;
}

/* ---- generating a call ---- */

static uint32_t gen_usize(const struct cmd_desc *d)
{
	uint32_t ks = d->ksize, v0 = d->ver0;

	switch (below(24)) {
	case 0: return 0;
	case 1: return 1 + below(3);
	case 2: return 4 + below(v0 - 4);
	case 3: return v0 - 1;
	case 4: case 5: case 6: case 7: return v0;
	case 8: case 9: case 10: case 11: return ks;
	case 12: return v0 + below(ks - v0 + 1);
	case 13: case 14: return ks + 1 + below(64);	/* a newer caller */
	case 15: return ks + 1 + below(page - ks);
	case 16: return page - below(8);
	case 17: return page;
	case 18: return page + 1;
	case 19: return page + 2 + below(1 << 20);
	case 20: return 0x80000000u | (uint32_t)rnd();
	case 21: return 0xffffffffu;
	default: return (uint32_t)rnd();
	}
}

static const unsigned int cmd_weights[NR_CMD_CLASSES] = {
	[CC_REAL] = 56, [CC_UPPER] = 4, [CC_SIZE] = 8, [CC_DIR] = 6,
	[CC_NR] = 5, [CC_OLD_MAGIC] = 6, [CC_BITFLIP] = 6, [CC_RANDOM] = 9,
};

static uint64_t gen_cmd(struct call *c)
{
	uint32_t real = real_cmds[c->base].cmd, cmd, v;
	static const uint32_t magics[] = { 0xb8, 0xb8, 0xbb, 0xbd, 0x3c };

	switch (c->class) {
	case CC_REAL:
		return real;
	case CC_UPPER:	/* sys_ioctl() takes an unsigned int */
		return (rnd() | 1) << 32 | real;
	case CC_SIZE:
		do {
			switch (below(4)) {
			case 0: v = 0; break;
			case 1: v = ANONMERGE_VERIFY_SIZE_VER1; break;
			case 2: v = real_cmds[c->base].ksize + 1 - below(3); break;
			default: v = below(_IOC_SIZEMASK + 1); break;
			}
		} while (v == _IOC_SIZE(real));
		return (real & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		       v << _IOC_SIZESHIFT;
	case CC_DIR:
		do
			v = below(4);
		while (v == _IOC_DIR(real));
		return (real & ~(_IOC_DIRMASK << _IOC_DIRSHIFT)) |
		       v << _IOC_DIRSHIFT;
	case CC_NR:
		v = below(2) ? below(256) : (below(2) ? 0 : 5);
		if (v >= 1 && v <= NR_REAL)
			v += NR_REAL;
		return (real & ~(_IOC_NRMASK << _IOC_NRSHIFT)) |
		       v << _IOC_NRSHIFT;
	case CC_OLD_MAGIC:
		return (real & ~(_IOC_TYPEMASK << _IOC_TYPESHIFT)) |
		       magics[below(5)] << _IOC_TYPESHIFT;
	case CC_BITFLIP:
		return real ^ 1u << below(32);
	default:
		do
			cmd = (uint32_t)rnd();
		while (vfs_owned(cmd));
		return cmd;
	}
}

static void gen_verify_range(struct call *c)
{
	uint64_t r = 1 + below(1 << 16);

	switch (below(12)) {
	case 0: case 1: case 2: case 3:
		c->start = 0;
		c->len = 0;
		break;
	case 4:		/* our arena */
		c->start = (uintptr_t)arena + below(ARENA_PAGES * page);
		c->len = below(ARENA_PAGES * page);
		break;
	case 5:		/* near ULONG_MAX: wraps when len > r */
		c->start = ~0ULL - r + 1;
		c->len = r - 1 + below(3);
		break;
	case 6:
		c->start = ~0ULL - below(4);
		c->len = below(2) ? 0 : ~0ULL - below(4);
		break;
	case 7:		/* huge len from a small start: wraps unless 0 */
		c->start = below(3);
		c->len = ~0ULL;
		break;
	case 8:		/* around TASK_SIZE_MAX */
		c->start = 0x00007ffffffff000ULL - page + below(2 * page);
		c->len = below(2) ? 0 : below(1ULL << 40);
		break;
	case 9:
		c->start = rnd();
		c->len = 0;
		break;
	default:
		c->start = rnd();
		c->len = below(2) ? rnd() : below(1ULL << 32);
		break;
	}
}

/* Fill the window around the struct and write the struct's fields. */
static void gen_contents(struct call *c)
{
	const struct cmd_desc *d = &real_cmds[c->base];
	uint64_t body = c->usize, tail;

	if (body > (uint64_t)page + 1)
		body = page + 1;
	if (body < 8)
		body = 8;
	c->win = c->ptr - GUARD;
	c->win_len = body + 2 * GUARD;
	if (!prot_at(c->win) && !prot_at(c->win + c->win_len - 1))
		c->win_len = 0;	/* not in the arena: nothing to fill */
	else
		mem_write(c->win, pool + below(POOL_SIZE - c->win_len),
			  c->win_len);

	/* Fields every in-struct has; output-only garbage stays garbage. */
	c->mode = 0;
	c->flags = 0;
	if (c->base == CMD_SET_MODE) {
		/*
		 * Valid modes one time in eight: each change is a line the
		 * module logs to the (slow, serial) console.
		 */
		switch (below(8)) {
		case 0: c->mode = below(ANONMERGE_NR_MODES); break;
		case 1: c->mode = ANONMERGE_NR_MODES; break;
		case 2: c->mode = 0xffffffffu; break;
		case 3: c->mode = 0x80000000u | (uint32_t)below(3); break;
		default: c->mode = (uint32_t)rnd(); break;
		}
	}
	if (d->in)
		c->flags = below(3) ? 0 : (below(2) ? 1ULL << below(64) : rnd());
	if (c->base == CMD_VERIFY) {
		c->pid = gen_pid(c->pid_class);
		gen_verify_range(c);
		mem_write(c->ptr + offsetof(struct anonmerge_verify, pid),
			  &c->pid, 4);
		mem_write(c->ptr + offsetof(struct anonmerge_verify, start),
			  &c->start, 8);
		mem_write(c->ptr + offsetof(struct anonmerge_verify, len),
			  &c->len, 8);
		mem_write(c->ptr + offsetof(struct anonmerge_verify, flags),
			  &c->flags, 8);
	} else if (c->base == CMD_SET_MODE) {
		mem_write(c->ptr + offsetof(struct anonmerge_set_mode, mode),
			  &c->mode, 4);
		mem_write(c->ptr + offsetof(struct anonmerge_set_mode, flags),
			  &c->flags, 8);
	}
	/* A newer caller's tail: zero, as it must be, three times in four. */
	if (d->in && c->usize > d->ksize && c->usize <= page && below(4)) {
		static const unsigned char zero[8192];

		tail = c->usize - d->ksize;
		mem_write(c->ptr + d->ksize, zero, tail);
		if (!below(4)) {
			unsigned char one = 1 + below(255);

			mem_write(c->ptr + d->ksize + below(tail), &one, 1);
		}
	}
	mem_write(c->ptr, &c->usize, 4);
}

static void gen_call(struct call *c, unsigned long index)
{
	memset(c, 0, sizeof(*c));
	c->index = index;
	c->class = PICK(cmd_weights);
	c->base = below(NR_REAL);
	c->cmd = gen_cmd(c);
	for (c->real = NR_REAL - 1; c->real >= 0; c->real--)
		if ((uint32_t)c->cmd == real_cmds[c->real].cmd)
			break;
	/* the struct a command that is not real gets: its base's layout */
	if (c->real >= 0)
		c->base = c->real;
	c->usize = gen_usize(&real_cmds[c->base]);
	c->pclass = PICK(ptr_weights);
	c->ptr = gen_ptr(c->pclass, c->usize);
	/* drawn in both modes, so that a seed is one sequence of calls */
	c->creds = PICK(creds_weights);
	if (!privileged)
		c->creds = CR_FULL;
	c->pid_class = PICK(pid_weights);
	gen_contents(c);
}

/* ---- reporting ---- */

static unsigned long violations;

static const char *errname(int e)
{
	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case EAGAIN: return "EAGAIN";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	default: return strerror(e);
	}
}

static void describe(const struct call *c, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size,
		     "call %lu: cmd %#" PRIx64 " (%s %s%s) ptr %#" PRIx64
		     " (%s) size %u creds %s", c->index, c->cmd,
		     cmd_class_names[c->class], real_cmds[c->base].name,
		     c->real < 0 ? ", not a module command" : "", c->ptr,
		     ptr_class_names[c->pclass], c->usize,
		     creds_names[c->creds]);
	if (c->base == CMD_SET_MODE && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " mode %u flags %#" PRIx64,
			 c->mode, c->flags);
	else if (c->base == CMD_VERIFY && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - n, " pid %u (%s) start %#" PRIx64
			 " len %#" PRIx64 " flags %#" PRIx64, c->pid,
			 pid_class_names[c->pid_class], c->start, c->len,
			 c->flags);
}

static void mask_names(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;
	int e;

	buf[0] = 0;
	for (e = 0; e < 64 && n + 1 < size; e++)
		if (mask & (1ULL << e))
			n += snprintf(buf + n, size - n, "%s%s", n ? "|" : "",
				      errname(e));
	buf[size - 1] = 0;
}

static void violation(const struct call *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void violation(const struct call *c, const char *fmt, ...)
{
	char desc[512];
	va_list ap;

	if (++violations > MAX_REPORTS)
		return;
	if (c)
		describe(c, desc, sizeof(desc));
	printf("not ok - %s: ", c ? desc : "state");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Summary counts: rows are the real commands, then the other classes. */
#define NR_ROWS (NR_REAL + NR_CMD_CLASSES)
#define NR_ERRS 64
static unsigned long counts[NR_ROWS][NR_ERRS + 1];	/* [.][64]: calls */
static unsigned long ptr_counts[NR_PTR_CLASSES];
static unsigned long pid_counts[NR_PID_CLASSES][NR_ERRS + 1];
static unsigned long creds_counts[NR_CREDS];

/* ---- state checks ---- */

#define NR_COUNTERS (4 + ANONMERGE_NR_MERGE_KINDS + ANONMERGE_NR_REFUSALS)

#define NAME_(id, name) name,
static const char *const merge_names[] = { ANONMERGE_MERGE_KINDS(NAME_) };
static const char *const refusal_names[] = { ANONMERGE_REFUSALS(NAME_) };
#undef NAME_

static char counter_names[NR_COUNTERS][64];
static int sysfs_fd[NR_COUNTERS];
static int sysfs_mode_fd, sysfs_max_fd;
static uint64_t last_stats[NR_COUNTERS];
static bool have_last_stats;
static unsigned long stats_checks, sysfs_checks, mode_checks, mode_changes;
static unsigned long sysfs_idle;	/* brackets where merges/refusals held */
/* copy-out EFAULTs that wrote part of the struct: allowed, and counted */
static unsigned long partial_writes;

static void stats_flat(const struct anonmerge_stats *s, uint64_t *v)
{
	int i;

	v[0] = s->attempts;
	v[1] = s->candidates;
	v[2] = s->dry_run_would_merge;
	v[3] = s->pages_rehomed;
	for (i = 0; i < ANONMERGE_NR_MERGE_KINDS; i++)
		v[4 + i] = s->merges[i];
	for (i = 0; i < ANONMERGE_NR_REFUSALS; i++)
		v[4 + ANONMERGE_NR_MERGE_KINDS + i] = s->refusals[i];
}

static const char *sysfs_dir = "/sys/kernel/mm/anonmerge";

static void open_sysfs(void)
{
	static const char *const top[] = {
		"attempts", "candidates", "dry_run_would_merge",
		"pages_rehomed",
	};
	char path[256];
	int i;

	for (i = 0; i < NR_COUNTERS; i++) {
		if (i < 4)
			snprintf(counter_names[i], sizeof(counter_names[i]),
				 "%s", top[i]);
		else if (i < 4 + ANONMERGE_NR_MERGE_KINDS)
			snprintf(counter_names[i], sizeof(counter_names[i]),
				 "merges/%s", merge_names[i - 4]);
		else
			snprintf(counter_names[i], sizeof(counter_names[i]),
				 "refusals/%s", refusal_names[i - 4 -
				 ANONMERGE_NR_MERGE_KINDS]);
		snprintf(path, sizeof(path), "%s/%s", sysfs_dir,
			 counter_names[i]);
		/* Kept open: a pread at 0 shows the value anew (seq_file). */
		sysfs_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (sysfs_fd[i] < 0)
			die(path);
	}
	sysfs_mode_fd = open("/sys/kernel/mm/anonmerge/mode", O_RDONLY);
	sysfs_max_fd = open("/sys/kernel/mm/anonmerge/max_rehome_pages",
			    O_RDONLY);
	if (sysfs_mode_fd < 0 || sysfs_max_fd < 0)
		die("sysfs mode");
}

static void sysfs_str(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n <= 0)
		die("sysfs read");
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

static void sysfs_counters(uint64_t *v)
{
	char buf[32];
	int i;

	for (i = 0; i < NR_COUNTERS; i++) {
		sysfs_str(sysfs_fd[i], buf, sizeof(buf));
		v[i] = strtoull(buf, NULL, 10);
	}
}

static const char *mode_name(uint32_t mode)
{
	static const char *const names[] = {
#define NAME_(id, name) name,
		ANONMERGE_MODES(NAME_)
#undef NAME_
	};

	return mode < ANONMERGE_NR_MODES ? names[mode] : "?";
}

/* Counters from a GET_STATS must not be below the ones seen before. */
static void stats_monotonic(const struct call *c, const uint64_t *v)
{
	int i;

	stats_checks++;
	if (have_last_stats)
		for (i = 0; i < NR_COUNTERS; i++)
			if (v[i] < last_stats[i])
				violation(c, "GET_STATS %s went down: %" PRIu64
					  " -> %" PRIu64, counter_names[i],
					  last_stats[i], v[i]);
	memcpy(last_stats, v, sizeof(last_stats));
	have_last_stats = true;
}

static int get_stats(struct anonmerge_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
	return ioctl(dev_fd, ANONMERGE_IOC_GET_STATS, s);
}

static int get_info(struct anonmerge_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(dev_fd, ANONMERGE_IOC_GET_INFO, info);
}

static int set_mode(uint32_t mode)
{
	struct anonmerge_set_mode m = { .size = sizeof(m), .mode = mode };

	return ioctl(dev_fd, ANONMERGE_IOC_SET_MODE, &m);
}

/*
 * Root: sysfs between two GET_STATS.  Every counter only grows, so a
 * sysfs value read between two snapshots lies between them; on an idle
 * system (merges and refusals do not move) that means equal.
 */
static void sysfs_bracket(void)
{
	struct anonmerge_stats s;
	uint64_t lo[NR_COUNTERS], mid[NR_COUNTERS], hi[NR_COUNTERS];
	int i;

	if (get_stats(&s))
		die("GET_STATS");
	stats_flat(&s, lo);
	stats_monotonic(NULL, lo);
	sysfs_counters(mid);
	if (get_stats(&s))
		die("GET_STATS");
	stats_flat(&s, hi);
	stats_monotonic(NULL, hi);
	sysfs_checks++;
	for (i = 4; i < NR_COUNTERS && lo[i] == hi[i]; i++)
		;
	sysfs_idle += i == NR_COUNTERS;
	for (i = 0; i < NR_COUNTERS; i++)
		if (mid[i] < lo[i] || mid[i] > hi[i])
			violation(NULL, "sysfs %s = %" PRIu64 ", outside the "
				  "GET_STATS around it [%" PRIu64 ", %" PRIu64
				  "]", counter_names[i], mid[i], lo[i], hi[i]);
}

/* Unprivileged: sysfs only, which must grow and keep mode and limit. */
static uint64_t sysfs_last[NR_COUNTERS];
static char start_mode[32], start_max[32];

static void sysfs_unprivileged(void)
{
	uint64_t v[NR_COUNTERS];
	char buf[32];
	int i;

	sysfs_counters(v);
	sysfs_checks++;
	for (i = 0; i < NR_COUNTERS; i++)
		if (v[i] < sysfs_last[i])
			violation(NULL, "sysfs %s went down: %" PRIu64 " -> %"
				  PRIu64, counter_names[i], sysfs_last[i],
				  v[i]);
	memcpy(sysfs_last, v, sizeof(v));
	sysfs_str(sysfs_mode_fd, buf, sizeof(buf));
	if (strcmp(buf, start_mode))
		violation(NULL, "mode changed from %s to %s", start_mode, buf);
	sysfs_str(sysfs_max_fd, buf, sizeof(buf));
	if (strcmp(buf, start_max))
		violation(NULL, "max_rehome_pages changed from %s to %s",
			  start_max, buf);
}

/* The module's mode must be the model's after every SET_MODE. */
static void check_mode(const struct call *c)
{
	struct anonmerge_info info;
	char buf[32];

	mode_checks++;
	if (!privileged) {
		sysfs_str(sysfs_mode_fd, buf, sizeof(buf));
		if (strcmp(buf, start_mode))
			violation(c, "unprivileged SET_MODE changed the mode "
				  "from %s to %s", start_mode, buf);
		return;
	}
	if (get_info(&info))
		die("GET_INFO");
	if (info.mode != model_mode) {
		violation(c, "mode is %u, want %u", info.mode, model_mode);
		model_mode = info.mode;	/* one report, not one per call */
	}
}

static struct anonmerge_info first_info;
static struct utsname uts;

/* The output of a successful call, read back from the arena. */
static void check_success(const struct call *c)
{
	const struct cmd_desc *d = &real_cmds[c->real];
	uint32_t n = c->usize < d->ksize ? c->usize : d->ksize;
	union {
		struct anonmerge_info info;
		struct anonmerge_set_mode sm;
		struct anonmerge_stats st;
		struct anonmerge_verify v;
		unsigned char b[1];
	} o;
	uint64_t v[NR_COUNTERS];
	int i;

	if (!d->out)
		return;
	mem_read(c->ptr, &o, n);
	if (o.info.size != n)
		violation(c, "size field says %u, want %u", o.info.size, n);
	if (c->usize > n && mem_nonzero(c->ptr + n, c->usize - n))
		violation(c, "bytes [%u, %u) not zeroed", n, c->usize);

	switch (c->real) {
	case CMD_INFO:
		if (o.info.abi_version != ANONMERGE_ABI_VERSION ||
		    o.info.kernel_line != first_info.kernel_line ||
		    o.info.features != first_info.features ||
		    strcmp(o.info.kernel_release, uts.release) ||
		    memcmp(o.info.module_version, first_info.module_version,
			   sizeof(o.info.module_version)))
			violation(c, "GET_INFO fields differ: abi %u line %#x "
				  "features %#llx release '%.64s'",
				  o.info.abi_version, o.info.kernel_line,
				  (unsigned long long)o.info.features,
				  o.info.kernel_release);
		if (o.info.mode != model_mode)
			violation(c, "GET_INFO mode %u, want %u", o.info.mode,
				  model_mode);
		break;
	case CMD_STATS:
		if (o.st.nr_merge_kinds != ANONMERGE_NR_MERGE_KINDS ||
		    o.st.nr_refusals != ANONMERGE_NR_REFUSALS || o.st.pad)
			violation(c, "GET_STATS header: %u kinds, %u reasons, "
				  "pad %u", o.st.nr_merge_kinds,
				  o.st.nr_refusals, o.st.pad);
		/* Unused slots are zero: no stale kernel bytes leak. */
		for (i = ANONMERGE_NR_MERGE_KINDS; i < ANONMERGE_MAX_MERGE_KINDS;
		     i++)
			if (o.st.merges[i])
				violation(c, "merges[%d] = %llu", i,
					  (unsigned long long)o.st.merges[i]);
		for (i = ANONMERGE_NR_REFUSALS; i < ANONMERGE_MAX_REFUSALS; i++)
			if (o.st.refusals[i])
				violation(c, "refusals[%d] = %llu", i,
					  (unsigned long long)o.st.refusals[i]);
		stats_flat(&o.st, v);
		stats_monotonic(c, v);
		break;
	case CMD_VERIFY:
		if (o.v.pid != c->pid || o.v.start != c->start ||
		    o.v.len != c->len || o.v.flags)
			violation(c, "VERIFY does not echo its input: pid %u "
				  "start %#llx len %#llx flags %#llx",
				  o.v.pid, (unsigned long long)o.v.start,
				  (unsigned long long)o.v.len,
				  (unsigned long long)o.v.flags);
		if (o.v.bad_anon_vma || o.v.bad_index || o.v.bad_vma ||
		    (n >= ANONMERGE_VERIFY_SIZE_VER1 &&
		     (o.v.bad_rmap || o.v.bad_pgoff)))
			violation(c, "VERIFY found violations: bad_anon_vma "
				  "%llu bad_index %llu bad_vma %llu bad_rmap "
				  "%llu bad_pgoff %llu",
				  (unsigned long long)o.v.bad_anon_vma,
				  (unsigned long long)o.v.bad_index,
				  (unsigned long long)o.v.bad_vma,
				  (unsigned long long)o.v.bad_rmap,
				  (unsigned long long)o.v.bad_pgoff);
		/* Our whole address space has faulted anonymous memory. */
		if ((c->pid_class == PID_ZERO || c->pid_class == PID_SELF) &&
		    !c->start && !c->len && (!o.v.vmas || !o.v.pages))
			violation(c, "VERIFY of self saw %llu VMAs, %llu pages",
				  (unsigned long long)o.v.vmas,
				  (unsigned long long)o.v.pages);
		break;
	}
}

/* ---- the loop ---- */

static unsigned char *before;	/* the window before the call */

static void run_call(struct call *c, unsigned long index)
{
	struct expect x;
	uint64_t change_lo = 0, change_hi = 0, off;
	int rc, err, row;
	char want[128];

	gen_call(c, index);
	model(c, &x);
	if (c->win_len)
		mem_read(c->win, before, c->win_len);
	if (c->creds != CR_FULL)
		set_creds(c->creds);
	errno = 0;
	/* syscall(): glibc's ioctl() would not pass the upper 32 bits */
	rc = syscall(SYS_ioctl, dev_fd, c->cmd, c->ptr);
	err = rc ? errno : 0;
	if (c->creds != CR_FULL)
		set_creds(CR_FULL);

	row = NR_REAL + (int)c->class;
	if ((c->class == CC_REAL || c->class == CC_UPPER) && c->real >= 0)
		row = c->real;
	counts[row][NR_ERRS]++;
	counts[row][err < NR_ERRS ? err : NR_ERRS - 1]++;
	ptr_counts[c->pclass]++;
	creds_counts[c->creds]++;
	if (c->real == CMD_VERIFY) {
		pid_counts[c->pid_class][NR_ERRS]++;
		pid_counts[c->pid_class][err < NR_ERRS ? err : NR_ERRS - 1]++;
	}
	if (verbose) {
		char desc[512];

		describe(c, desc, sizeof(desc));
		printf("# %s -> %s\n", desc, errname(err));
	}

	if ((rc != 0 && rc != -1) || (rc && (!err || err >= NR_ERRS)) ||
	    !(x.allowed & (rc ? RES(err) : RES_OK))) {
		mask_names(x.allowed, want, sizeof(want));
		violation(c, "returned %d (%s), want %s", rc, errname(err), want);
	}

	/*
	 * Where the module may write: the caller's struct, when it copies
	 * out (SET_MODE never does), on success or when that copy faulted.
	 */
	if (c->real >= 0 && real_cmds[c->real].out &&
	    (!rc || (err == EFAULT && x.efault_writes))) {
		change_lo = c->ptr;
		change_hi = c->ptr + c->usize;
	}
	if (c->win_len) {
		uint64_t a = c->win;

		/* bytes outside [change_lo, change_hi) of the window */
		if (change_hi > change_lo) {
			uint64_t n1 = change_lo > a ? change_lo - a : 0;
			uint64_t s2 = change_hi - a;

			if (n1 > c->win_len)
				n1 = c->win_len;
			if (for_each_piece(a, n1, piece_differs, before))
				violation(c, "bytes before the struct changed");
			if (s2 < c->win_len &&
			    for_each_piece(a + s2, c->win_len - s2,
					   piece_differs, before + s2))
				violation(c, "bytes after the struct's %u "
					  "changed", c->usize);
			if (rc && for_each_piece(a, c->win_len, piece_differs,
						 before))
				partial_writes++;
		} else if (for_each_piece(a, c->win_len, piece_differs,
					  before)) {
			for (off = 0; off < c->win_len; off++) {
				unsigned char now;

				mem_read(a + off, &now, 1);
				if (now != before[off])
					break;
			}
			violation(c, "failed with %s but changed the buffer "
				  "(first at struct offset %" PRId64 ")",
				  errname(err), (int64_t)(off - GUARD));
		}
	}

	if (!rc && c->real == CMD_SET_MODE) {
		if (model_mode != c->mode)
			mode_changes++;
		model_mode = c->mode;
	}
	if (!rc && c->real >= 0)
		check_success(c);
	if (c->real == CMD_SET_MODE)
		check_mode(c);
}

/* ---- setup, privileges, summary ---- */

static uint32_t found_mode;

/* Leave the system as found even when stopped early. */
static void on_signal(int sig)
{
	if (privileged) {
		set_creds(CR_FULL);
		set_mode(found_mode);
	}
	raise(sig);	/* SA_RESETHAND: the default action now */
}

/* Become @uid with no groups and no capabilities, keeping dev_fd. */
static void drop_to(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		die("setuid");
}

static void unprivileged_checks(uid_t uid)
{
	struct __user_cap_data_struct caps[2];
	char path[128];

	CHECK(getuid() == uid && geteuid() == uid, "running as uid %u (want %u)",
	      getuid(), uid);
	if (capget_now(caps))
		die("capget");
	CHECK(!has_cap(caps, CAP_SYS_ADMIN) && !has_cap(caps, CAP_SYS_PTRACE),
	      "no CAP_SYS_ADMIN, no CAP_SYS_PTRACE");
	CHECK_ERRNO(open(ANONMERGE_DEVICE, O_RDWR), EACCES,
		    "unprivileged open of " ANONMERGE_DEVICE);
	snprintf(path, sizeof(path), "%s/mode", sysfs_dir);
	CHECK_ERRNO(open(path, O_WRONLY), EACCES, "unprivileged open of "
		    "sysfs mode for writing");
	snprintf(path, sizeof(path), "%s/max_rehome_pages", sysfs_dir);
	CHECK_ERRNO(open(path, O_WRONLY), EACCES, "unprivileged open of "
		    "sysfs max_rehome_pages for writing");
}

static void summary(unsigned long calls, double secs)
{
	static const int errs[] = {
		0, EPERM, ESRCH, EACCES, EFAULT, EINVAL, ENOTTY, E2BIG,
		EAGAIN, EINTR,
	};
	unsigned long tot[NR_ERRS] = { 0 }, other;
	int r, i, e;

	for (r = 0; r < NR_ROWS; r++)
		for (e = 0; e < NR_ERRS; e++)
			tot[e] += counts[r][e];
	printf("# %lu calls in %.1f s (%.0f calls/s), %s\n", calls, secs,
	       calls / (secs > 0 ? secs : 1),
	       privileged ? "root" : "unprivileged");
	printf("# results:");
	for (i = 0; i < (int)ARRAY_SIZE(errs); i++)
		if (tot[errs[i]])
			printf(" %s %lu", errname(errs[i]), tot[errs[i]]);
	other = 0;
	for (e = 0; e < NR_ERRS; e++)
		other += tot[e];
	for (i = 0; i < (int)ARRAY_SIZE(errs); i++)
		other -= tot[errs[i]];
	if (other)
		printf(" other %lu", other);
	printf("\n");
	for (r = 0; r < NR_ROWS; r++) {
		if (!counts[r][NR_ERRS])
			continue;
		printf("#   %-18s %6lu:", r < NR_REAL ? real_cmds[r].name :
		       cmd_class_names[r - NR_REAL], counts[r][NR_ERRS]);
		for (e = 0; e < NR_ERRS; e++)
			if (counts[r][e])
				printf(" %s %lu", errname(e), counts[r][e]);
		printf("\n");
	}
	printf("# pointers:");
	for (i = 0; i < NR_PTR_CLASSES; i++)
		printf(" %s %lu", ptr_class_names[i], ptr_counts[i]);
	printf("\n# VERIFY by pid:\n");
	for (i = 0; i < NR_PID_CLASSES; i++) {
		printf("#   %-18s %6lu:", pid_class_names[i],
		       pid_counts[i][NR_ERRS]);
		for (e = 0; e < NR_ERRS; e++)
			if (pid_counts[i][e])
				printf(" %s %lu", errname(e), pid_counts[i][e]);
		printf("\n");
	}
	printf("# creds:");
	for (i = 0; i < NR_CREDS; i++)
		printf(" %s %lu", creds_names[i], creds_counts[i]);
	printf("\n# %lu mode changes, %lu mode checks, %lu GET_STATS checks, "
	       "%lu sysfs checks", mode_changes, mode_checks, stats_checks,
	       sysfs_checks);
	if (privileged)
		printf(" (%lu with merges and refusals still: equal)",
		       sysfs_idle);
	printf(", %lu exiting children, %d kernel threads\n",
	       exiting_spawned, nr_kthreads);
	printf("# %lu copy-out EFAULTs wrote part of the struct (allowed)\n",
	       partial_writes);
}

static void usage(void)
{
	fprintf(stderr, "usage: am_ioctl_fuzz [-s SEED] [-n CALLS] "
		"[-u UID [-d FD]] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long calls = 100000, i;
	uint64_t seed = 0;
	struct anonmerge_stats root_stats;
	uint64_t root_counters[NR_COUNTERS];
	struct timespec t0, t1;
	struct sigaction sa = { .sa_handler = on_signal };
	long uid = -1, fd = -1;
	bool have_seed = false;
	struct call c;
	char buf[64];
	FILE *f;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "s:n:u:d:v")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 'n': calls = strtoul(optarg, NULL, 0); break;
		case 'u': uid = strtol(optarg, NULL, 0); break;
		case 'd': fd = strtol(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc || uid == 0 || (fd >= 0 && uid < 0))
		usage();
	if (!have_seed) {
		clock_gettime(CLOCK_REALTIME, &t0);
		seed = (uint64_t)t0.tv_nsec ^ (uint64_t)t0.tv_sec << 20 ^ getpid();
	}
	rng = seed;
	page = sysconf(_SC_PAGESIZE);
	privileged = uid < 0;
	printf("# am_ioctl_fuzz: seed %" PRIu64 ", %lu calls, %s\n", seed, calls,
	       privileged ? "root" : "unprivileged");

	if (fd >= 0) {
		struct stat a, b;

		if (fstat(fd, &a) || stat(ANONMERGE_DEVICE, &b) ||
		    !S_ISCHR(a.st_mode) || a.st_rdev != b.st_rdev) {
			fprintf(stderr, "am_ioctl_fuzz: -d %ld is not %s\n",
				fd, ANONMERGE_DEVICE);
			return 2;
		}
		dev_fd = fd;
	} else if (geteuid() == 0) {
		dev_fd = open(ANONMERGE_DEVICE, O_RDWR | O_CLOEXEC);
		if (dev_fd < 0)
			die("open " ANONMERGE_DEVICE);
	} else {
		/* am_runas without a descriptor: show why, then give up */
		CHECK_ERRNO(open(ANONMERGE_DEVICE, O_RDWR), EACCES,
			    "unprivileged open of " ANONMERGE_DEVICE);
		fprintf(stderr, "am_ioctl_fuzz: not root: pass -u UID and an "
			"open descriptor of %s with -d FD\n", ANONMERGE_DEVICE);
		return 2;
	}
	if (capget_now(full_caps))
		die("capget");
	if (privileged && (geteuid() != 0 || !has_cap(full_caps, CAP_SYS_ADMIN) ||
			   !has_cap(full_caps, CAP_SYS_PTRACE))) {
		fprintf(stderr, "am_ioctl_fuzz: needs root with CAP_SYS_ADMIN "
			"and CAP_SYS_PTRACE (or -u UID)\n");
		return 2;
	}
	uname(&uts);
	open_sysfs();
	sysfs_str(sysfs_mode_fd, start_mode, sizeof(start_mode));
	sysfs_str(sysfs_max_fd, start_max, sizeof(start_max));
	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (!f || !fgets(buf, sizeof(buf), f))
		die("pid_max");
	fclose(f);
	pid_max = strtoul(buf, NULL, 10);

	/* Root views first: the module's identity, mode and counters. */
	if (geteuid() == 0) {
		if (get_info(&first_info) || get_stats(&root_stats))
			die("GET_INFO/GET_STATS");
		found_mode = model_mode = first_info.mode;
		stats_flat(&root_stats, root_counters);
		CHECK(!strcmp(mode_name(found_mode), start_mode),
		      "GET_INFO mode %s = sysfs mode %s", mode_name(found_mode),
		      start_mode);
	}
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	setup_arena();
	pool = malloc(POOL_SIZE);
	before = malloc(2 * page + 4 * GUARD);
	if (!pool || !before)
		die("malloc");
	for (i = 0; i < (unsigned long)POOL_SIZE; i++)
		pool[i] = rnd();
	find_kthreads();
	make_zombie();

	if (!privileged) {
		if (geteuid() == 0)
			drop_to(uid);
		unprivileged_checks(uid);
		sysfs_counters(sysfs_last);
		if (first_info.size) {
			int k;

			for (k = 0; k < NR_COUNTERS; k++)
				if (sysfs_last[k] < root_counters[k])
					violation(NULL, "sysfs %s %" PRIu64 " below "
						  "root's GET_STATS %" PRIu64,
						  counter_names[k], sysfs_last[k],
						  root_counters[k]);
		}
	} else {
		sysfs_bracket();
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < calls; i++) {
		run_call(&c, i);
		if ((i + 1) % SYSFS_EVERY == 0) {
			if (privileged)
				sysfs_bracket();
			else
				sysfs_unprivileged();
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (exiting_pid > 0)
		waitpid(exiting_pid, NULL, 0);
	waitpid(zombie_pid, NULL, 0);
	summary(calls, t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);

	if (privileged) {
		struct anonmerge_info info;

		sysfs_bracket();
		CHECK(set_mode(found_mode) == 0, "mode %s restored",
		      mode_name(found_mode));
		CHECK(get_info(&info) == 0 && info.mode == found_mode,
		      "GET_INFO mode is %s", mode_name(info.mode));
		sysfs_str(sysfs_mode_fd, buf, sizeof(buf));
		CHECK(!strcmp(buf, start_mode), "sysfs mode is %s (was %s)",
		      buf, start_mode);
	} else {
		sysfs_unprivileged();
		sysfs_str(sysfs_mode_fd, buf, sizeof(buf));
		CHECK(!strcmp(buf, start_mode), "mode unchanged: %s", buf);
		sysfs_str(sysfs_max_fd, buf, sizeof(buf));
		CHECK(!strcmp(buf, start_max), "max_rehome_pages unchanged: %s",
		      buf);
	}
	CHECK(violations == 0, "%lu calls, %lu invariant violations%s", calls,
	      violations, violations > MAX_REPORTS ? " (first ones shown)" : "");
	return check_exit();
}
