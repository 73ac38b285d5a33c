// SPDX-License-Identifier: GPL-2.0
/*
 * Every bad-input case of the /dev/anonmerge ioctl ABI: each must fail
 * with its documented errno and leave the module's mode unchanged.
 * Runs as root in the test VM with the module loaded.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/anonmerge.h>
#include <linux/capability.h>

#include "check.h"

static int dev_fd;

static unsigned int current_mode(void)
{
	struct anonmerge_info info = { .size = sizeof(info) };

	if (ioctl(dev_fd, ANONMERGE_IOC_GET_INFO, &info))
		die("GET_INFO");
	return info.mode;
}

static int set_mode_raw(int fd, uint32_t size, uint32_t mode, uint64_t flags)
{
	struct anonmerge_set_mode req = {
		.size = size, .mode = mode, .flags = flags,
	};

	return ioctl(fd, ANONMERGE_IOC_SET_MODE, &req);
}

static void test_device_node(void)
{
	struct stat st;

	CHECK(stat(ANONMERGE_DEVICE, &st) == 0, "device node exists");
	CHECK(S_ISCHR(st.st_mode), "device node is a character device");
	CHECK((st.st_mode & 07777) == 0600, "device mode is 0600 (got %o)",
	      st.st_mode & 07777);
}

static void test_info(void)
{
	struct anonmerge_info info;
	unsigned char big[512];
	struct utsname uts;
	size_t i;
	int zero_tail = 1;

	memset(&info, 0xff, sizeof(info));
	info.size = sizeof(info);
	CHECK(ioctl(dev_fd, ANONMERGE_IOC_GET_INFO, &info) == 0, "GET_INFO");
	CHECK(info.size == ANONMERGE_INFO_SIZE_VER0, "GET_INFO size %u",
	      info.size);
	CHECK(info.abi_version == ANONMERGE_ABI_VERSION, "ABI version %u",
	      info.abi_version);
	uname(&uts);
	CHECK(!strcmp(info.kernel_release, uts.release),
	      "kernel release '%s' matches uname", info.kernel_release);
	CHECK(info.kernel_line == ANONMERGE_LINE_6_1 ||
	      info.kernel_line == ANONMERGE_LINE_6_12 ||
	      info.kernel_line == ANONMERGE_LINE_7_2,
	      "kernel line %#x is a supported one", info.kernel_line);
	CHECK(info.features & ANONMERGE_FEAT_STATS, "features include stats");

	/* A caller with a newer, larger struct: tail zeroed, size = known. */
	memset(big, 0xaa, sizeof(big));
	*(uint32_t *)big = sizeof(big);
	CHECK(ioctl(dev_fd, ANONMERGE_IOC_GET_INFO, big) == 0,
	      "GET_INFO with a larger struct");
	CHECK(*(uint32_t *)big == ANONMERGE_INFO_SIZE_VER0,
	      "larger struct: size reports %u bytes filled", *(uint32_t *)big);
	for (i = ANONMERGE_INFO_SIZE_VER0; i < sizeof(big); i++)
		zero_tail &= big[i] == 0;
	CHECK(zero_tail, "larger struct: unknown tail zeroed");
}

static void test_stats(void)
{
	struct anonmerge_stats st = { .size = sizeof(st) };

	CHECK(ioctl(dev_fd, ANONMERGE_IOC_GET_STATS, &st) == 0, "GET_STATS");
	CHECK(st.size == ANONMERGE_STATS_SIZE_VER0, "GET_STATS size %u",
	      st.size);
	CHECK(st.nr_refusals == ANONMERGE_NR_REFUSALS, "%u refusal reasons",
	      st.nr_refusals);
	CHECK(st.nr_merge_kinds == ANONMERGE_NR_MERGE_KINDS, "%u merge kinds",
	      st.nr_merge_kinds);
}

static void test_set_mode(void)
{
	unsigned int m;

	for (m = ANONMERGE_MODE_OFF; m <= ANONMERGE_MODE_ON; m++) {
		CHECK(set_mode_raw(dev_fd, 16, m, 0) == 0, "SET_MODE %u", m);
		CHECK(current_mode() == m, "mode reads back as %u", m);
	}
	CHECK(set_mode_raw(dev_fd, 16, ANONMERGE_MODE_OFF, 0) == 0,
	      "SET_MODE off");
}

/* Every invalid call below must leave mode at this value. */
#define KEEP_MODE ANONMERGE_MODE_DRY_RUN

static void test_bad_input(void)
{
	static const unsigned long cmds[] = {
		ANONMERGE_IOC_GET_INFO, ANONMERGE_IOC_SET_MODE,
		ANONMERGE_IOC_GET_STATS, ANONMERGE_IOC_VERIFY,
	};
	struct anonmerge_verify v;
	unsigned char big[64];
	uint32_t sz;
	size_t i;

	CHECK(set_mode_raw(dev_fd, 16, KEEP_MODE, 0) == 0, "SET_MODE dry-run");

	/* Unknown commands: other number, other magic, other direction. */
	CHECK_ERRNO(ioctl(dev_fd, _IO(ANONMERGE_IOC_MAGIC, 99)), ENOTTY,
		    "unknown ioctl number");
	CHECK_ERRNO(ioctl(dev_fd, _IOR('x', 1, struct anonmerge_info), big),
		    ENOTTY, "foreign ioctl magic");
	CHECK_ERRNO(ioctl(dev_fd, _IOW(ANONMERGE_IOC_MAGIC, 1,
				       struct anonmerge_info), big),
		    ENOTTY, "GET_INFO number with the wrong direction");

	/* Wrong sizes. */
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(big, 0, sizeof(big));
		sz = 4;
		memcpy(big, &sz, sizeof(sz));
		CHECK_ERRNO(ioctl(dev_fd, cmds[i], big), EINVAL,
			    "size 4 (too small)");
		sz = 1u << 20;
		memcpy(big, &sz, sizeof(sz));
		CHECK_ERRNO(ioctl(dev_fd, cmds[i], big), EINVAL,
			    "size 1 MiB (too large)");
		CHECK_ERRNO(ioctl(dev_fd, cmds[i], NULL), EFAULT,
			    "NULL argument");
		CHECK_ERRNO(ioctl(dev_fd, cmds[i], (void *)8), EFAULT,
			    "unmapped argument");
	}

	/* SET_MODE fields. */
	CHECK_ERRNO(set_mode_raw(dev_fd, 16, 3, 0), EINVAL, "mode 3");
	CHECK_ERRNO(set_mode_raw(dev_fd, 16, 0xffffffff, 0), EINVAL,
		    "mode 0xffffffff");
	CHECK_ERRNO(set_mode_raw(dev_fd, 16, ANONMERGE_MODE_ON, 1), EINVAL,
		    "non-zero flags");
	/* A larger struct whose unknown tail is non-zero is refused... */
	memset(big, 0, sizeof(big));
	((struct anonmerge_set_mode *)big)->size = 24;
	((struct anonmerge_set_mode *)big)->mode = ANONMERGE_MODE_ON;
	big[20] = 1;
	CHECK_ERRNO(ioctl(dev_fd, ANONMERGE_IOC_SET_MODE, big), EINVAL,
		    "larger SET_MODE with non-zero tail");
	/* VERIFY fields. */
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.pid = 0x7ffffff0;
	CHECK_ERRNO(ioctl(dev_fd, ANONMERGE_IOC_VERIFY, &v), ESRCH,
		    "VERIFY of a pid that does not exist");
	v.pid = 0;
	v.flags = 1;
	CHECK_ERRNO(ioctl(dev_fd, ANONMERGE_IOC_VERIFY, &v), EINVAL,
		    "VERIFY with non-zero flags");
	v.flags = 0;
	v.start = ~0ULL - 4095;
	v.len = 8192;
	CHECK_ERRNO(ioctl(dev_fd, ANONMERGE_IOC_VERIFY, &v), EINVAL,
		    "VERIFY of a wrapping range");
	v.start = 0;
	v.len = 0;
	v.bad_vma = 77;		/* output fields are not inputs */
	CHECK(ioctl(dev_fd, ANONMERGE_IOC_VERIFY, &v) == 0 && v.vmas > 0 &&
	      !v.bad_vma && !v.bad_index && !v.bad_anon_vma,
	      "VERIFY of self: %llu VMAs, %llu pages, clean",
	      (unsigned long long)v.vmas, (unsigned long long)v.pages);
	CHECK(current_mode() == KEEP_MODE, "mode unchanged by bad calls");
	/* ...one with a zero tail is a valid newer caller. */
	big[20] = 0;
	CHECK(ioctl(dev_fd, ANONMERGE_IOC_SET_MODE, big) == 0,
	      "larger SET_MODE with zero tail accepted");
	CHECK(current_mode() == ANONMERGE_MODE_ON, "mode now on");
	CHECK(set_mode_raw(dev_fd, 16, ANONMERGE_MODE_OFF, 0) == 0,
	      "SET_MODE off");
}

/* Drop capability @cap from the effective set while staying uid 0. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].effective &= ~(1u << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

static int drop_sys_admin(void)
{
	return drop_cap(CAP_SYS_ADMIN);
}

static void child_without_cap(void)
{
	struct anonmerge_info info = { .size = sizeof(info) };
	struct anonmerge_stats st = { .size = sizeof(st) };
	struct anonmerge_verify v = { .size = sizeof(v) };
	int fd;

	if (drop_sys_admin())
		die("capset");
	fd = open(ANONMERGE_DEVICE, O_RDWR);
	CHECK(fd >= 0, "uid 0 without CAP_SYS_ADMIN can open the node");
	CHECK_ERRNO(ioctl(fd, ANONMERGE_IOC_GET_INFO, &info), EPERM,
		    "GET_INFO without CAP_SYS_ADMIN");
	CHECK_ERRNO(ioctl(fd, ANONMERGE_IOC_GET_STATS, &st), EPERM,
		    "GET_STATS without CAP_SYS_ADMIN");
	CHECK_ERRNO(set_mode_raw(fd, 16, ANONMERGE_MODE_ON, 0), EPERM,
		    "SET_MODE without CAP_SYS_ADMIN");
	CHECK_ERRNO(ioctl(fd, ANONMERGE_IOC_VERIFY, &v), EPERM,
		    "VERIFY without CAP_SYS_ADMIN");
	CHECK_ERRNO(ioctl(fd, _IO(ANONMERGE_IOC_MAGIC, 99)), EPERM,
		    "unknown ioctl without CAP_SYS_ADMIN");
	exit(check_exit());
}

static void child_nobody(void)
{
	if (setgid(65534) || setuid(65534))
		die("setuid");
	CHECK_ERRNO(open(ANONMERGE_DEVICE, O_RDWR), EACCES,
		    "open as uid 65534");
	CHECK_ERRNO(open(ANONMERGE_DEVICE, O_RDONLY), EACCES,
		    "read-only open as uid 65534");
	exit(check_exit());
}

static void run_child(void (*fn)(void), const char *what)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid)
		fn();
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", what);
}

/*
 * VERIFY reads another process's memory layout: like /proc/PID/maps it
 * needs ptrace read access on top of CAP_SYS_ADMIN.  A process of another
 * uid is out of reach without CAP_SYS_PTRACE.
 */
static pid_t other_uid_pid;

static void child_without_ptrace(void)
{
	struct anonmerge_verify v = { .size = sizeof(v), .pid = other_uid_pid };
	int fd = open(ANONMERGE_DEVICE, O_RDWR);

	if (fd < 0 || drop_cap(CAP_SYS_PTRACE))
		die("open/capset");
	CHECK_ERRNO(ioctl(fd, ANONMERGE_IOC_VERIFY, &v), EACCES,
		    "VERIFY of another uid's process without CAP_SYS_PTRACE");
	v.pid = 0;
	CHECK(ioctl(fd, ANONMERGE_IOC_VERIFY, &v) == 0,
	      "VERIFY of itself without CAP_SYS_PTRACE");
	exit(check_exit());
}

static void test_verify_access(void)
{
	struct anonmerge_verify v = { .size = sizeof(v) };
	int go[2];
	char c;

	if (pipe(go))
		die("pipe");
	other_uid_pid = fork();
	if (other_uid_pid < 0)
		die("fork");
	if (!other_uid_pid) {
		if (setgid(65534) || setuid(65534))
			die("setuid");
		if (read(go[0], &c, 1) < 0)
			die("read");
		exit(0);
	}
	run_child(child_without_ptrace, "no CAP_SYS_PTRACE: VERIFY of another uid EACCES");
	v.pid = other_uid_pid;
	CHECK(ioctl(dev_fd, ANONMERGE_IOC_VERIFY, &v) == 0,
	      "VERIFY of another uid's process with CAP_SYS_PTRACE");
	if (write(go[1], "x", 1) != 1)
		die("write");
	waitpid(other_uid_pid, NULL, 0);
}

static void test_permissions(void)
{
	CHECK(set_mode_raw(dev_fd, 16, KEEP_MODE, 0) == 0, "SET_MODE dry-run");
	run_child(child_without_cap, "no CAP_SYS_ADMIN: every ioctl EPERM");
	run_child(child_nobody, "non-root: open EACCES");
	test_verify_access();
	CHECK(current_mode() == KEEP_MODE,
	      "mode unchanged by unprivileged callers");
	CHECK(set_mode_raw(dev_fd, 16, ANONMERGE_MODE_OFF, 0) == 0,
	      "SET_MODE off");
}

int main(void)
{
	dev_fd = open(ANONMERGE_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev_fd < 0)
		die("open " ANONMERGE_DEVICE);
	test_device_node();
	test_info();
	test_stats();
	test_set_mode();
	test_bad_input();
	test_permissions();
	return check_exit();
}
