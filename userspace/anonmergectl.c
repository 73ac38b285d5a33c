// SPDX-License-Identifier: GPL-2.0
/*
 * anonmergectl: control tool for the anonmerge module.
 *
 *   anonmergectl [-j|--json] [-d DEVICE] COMMAND
 *   COMMAND := status | enable | disable | dry-run | stats |
 *              verify PID [ADDR LEN] | version | help
 *
 * Commands may be abbreviated to any unambiguous prefix (bpftool style).
 * Exit status: 0 success, 1 failure (module missing, permission, ioctl
 * error), 2 usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/anonmerge.h>

#include "json.h"

#ifndef TOOL_VERSION
#error "TOOL_VERSION comes from dkms.conf through the Makefile"
#endif

#define EXIT_USAGE 2
#define UNUSED __attribute__((unused))

static const char *dev_path = ANONMERGE_DEVICE;
static int json_output;

#define KIND_NAME(id, name) name,
static const char *const merge_kind_names[] = {
	ANONMERGE_MERGE_KINDS(KIND_NAME)
};
#undef KIND_NAME

#define REFUSAL_NAME(id, name) name,
static const char *const refusal_names[] = {
	ANONMERGE_REFUSALS(REFUSAL_NAME)
};
#undef REFUSAL_NAME

/* Every counter the ABI defines has a name here. */
_Static_assert(sizeof(merge_kind_names) / sizeof(merge_kind_names[0]) ==
	       ANONMERGE_NR_MERGE_KINDS, "merge kind names");
_Static_assert(sizeof(refusal_names) / sizeof(refusal_names[0]) ==
	       ANONMERGE_NR_REFUSALS, "refusal names");

#define MODE_NAME(id, name) name,
static const char *const mode_names[] = { ANONMERGE_MODES(MODE_NAME) };
#undef MODE_NAME

static const char *mode_name(unsigned int mode)
{
	if (mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		return "unknown";
	return mode_names[mode];
}

static const char *line_name(unsigned int line)
{
	switch (line) {
	case ANONMERGE_LINE_6_1:
		return "6.1";
	case ANONMERGE_LINE_6_12:
		return "6.12";
	case ANONMERGE_LINE_7_2:
		return "7.2";
	default:
		return "unknown";
	}
}

/* Open the control device, explaining the usual failures. */
static int open_device(void)
{
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		fprintf(stderr,
			"anonmergectl: %s does not exist: is the anonmerge module loaded? (modprobe anonmerge)\n",
			dev_path);
	else if (errno == EACCES || errno == EPERM)
		fprintf(stderr,
			"anonmergectl: cannot open %s: permission denied (needs root with CAP_SYS_ADMIN)\n",
			dev_path);
	else
		fprintf(stderr, "anonmergectl: cannot open %s: %s\n", dev_path,
			strerror(errno));
	return -1;
}

static int do_ioctl(unsigned long cmd, void *arg, const char *what)
{
	int fd = open_device();
	int ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, cmd, arg);
	if (ret < 0) {
		if (errno == EPERM)
			fprintf(stderr,
				"anonmergectl: %s: permission denied (needs CAP_SYS_ADMIN)\n",
				what);
		else
			fprintf(stderr, "anonmergectl: %s: %s\n", what,
				strerror(errno));
	}
	close(fd);
	return ret;
}

static int get_info(struct anonmerge_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return do_ioctl(ANONMERGE_IOC_GET_INFO, info, "GET_INFO");
}

static int cmd_status(int argc UNUSED,
		       char **argv UNUSED)
{
	struct anonmerge_info info;

	if (get_info(&info))
		return 1;
	if (json_output) {
		json_begin_object(NULL);
		json_u64("abi_version", info.abi_version);
		json_str("kernel_line", line_name(info.kernel_line));
		json_str("kernel_release", info.kernel_release);
		json_str("module_version", info.module_version);
		json_str("mode", mode_name(info.mode));
		json_u64("features", info.features);
		json_end_object();
		json_finish();
		return 0;
	}
	printf("module:   anonmerge %s (ABI %u)\n", info.module_version,
	       info.abi_version);
	printf("kernel:   %s (line %s)\n", info.kernel_release,
	       line_name(info.kernel_line));
	printf("mode:     %s\n", mode_name(info.mode));
	printf("features: %#llx\n", (unsigned long long)info.features);
	return 0;
}

static int set_mode(unsigned int mode)
{
	struct anonmerge_set_mode req = {
		.size = sizeof(req),
		.mode = mode,
	};

	if (do_ioctl(ANONMERGE_IOC_SET_MODE, &req, "SET_MODE"))
		return 1;
	if (json_output) {
		json_begin_object(NULL);
		json_str("mode", mode_name(mode));
		json_end_object();
		json_finish();
	} else {
		printf("mode: %s\n", mode_name(mode));
	}
	return 0;
}

static int cmd_enable(int argc UNUSED,
		       char **argv UNUSED)
{
	return set_mode(ANONMERGE_MODE_ON);
}

static int cmd_disable(int argc UNUSED,
		        char **argv UNUSED)
{
	return set_mode(ANONMERGE_MODE_OFF);
}

static int cmd_dry_run(int argc UNUSED,
		        char **argv UNUSED)
{
	return set_mode(ANONMERGE_MODE_DRY_RUN);
}

static unsigned int min_u32(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

static int cmd_stats(int argc UNUSED,
		      char **argv UNUSED)
{
	struct anonmerge_stats st;
	unsigned int nr_kinds, nr_refusals, i;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	if (do_ioctl(ANONMERGE_IOC_GET_STATS, &st, "GET_STATS"))
		return 1;
	/* Only names this tool knows; a newer module may count more. */
	nr_kinds = min_u32(st.nr_merge_kinds, ANONMERGE_NR_MERGE_KINDS);
	nr_refusals = min_u32(st.nr_refusals, ANONMERGE_NR_REFUSALS);

	if (json_output) {
		json_begin_object(NULL);
		json_u64("attempts", st.attempts);
		json_u64("candidates", st.candidates);
		json_u64("dry_run_would_merge", st.dry_run_would_merge);
		json_u64("pages_rehomed", st.pages_rehomed);
		json_begin_object("merges");
		for (i = 0; i < nr_kinds; i++)
			json_u64(merge_kind_names[i], st.merges[i]);
		json_end_object();
		json_begin_object("refusals");
		for (i = 0; i < nr_refusals; i++)
			json_u64(refusal_names[i], st.refusals[i]);
		json_end_object();
		json_end_object();
		json_finish();
		return 0;
	}
	printf("attempts:            %llu\n", (unsigned long long)st.attempts);
	printf("candidates:          %llu\n", (unsigned long long)st.candidates);
	printf("dry_run_would_merge: %llu\n",
	       (unsigned long long)st.dry_run_would_merge);
	printf("pages_rehomed:       %llu\n",
	       (unsigned long long)st.pages_rehomed);
	printf("merges:\n");
	for (i = 0; i < nr_kinds; i++)
		printf("  %-22s %llu\n", merge_kind_names[i],
		       (unsigned long long)st.merges[i]);
	printf("refusals:\n");
	for (i = 0; i < nr_refusals; i++)
		printf("  %-22s %llu\n", refusal_names[i],
		       (unsigned long long)st.refusals[i]);
	return 0;
}

static int cmd_version(int argc UNUSED,
		        char **argv UNUSED)
{
	struct anonmerge_info info;
	int have_module;

	/* The tool's own version is useful even without the module. */
	have_module = access(dev_path, F_OK) == 0 && get_info(&info) == 0;
	if (json_output) {
		json_begin_object(NULL);
		json_str("tool_version", TOOL_VERSION);
		json_u64("tool_abi_version", ANONMERGE_ABI_VERSION);
		if (have_module) {
			json_str("module_version", info.module_version);
			json_u64("module_abi_version", info.abi_version);
		}
		json_end_object();
		json_finish();
	} else {
		printf("anonmergectl %s (ABI %u)\n", TOOL_VERSION,
		       ANONMERGE_ABI_VERSION);
		if (have_module)
			printf("module anonmerge %s (ABI %u)\n",
			       info.module_version, info.abi_version);
		else
			printf("module not loaded\n");
	}
	return 0;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "anonmergectl: %s '%s'\n", what, arg);
	return EXIT_USAGE;
}

static int parse_u64(const char *s, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || !*s || *end || *s == '-' ? -1 : 0;
}

/* verify PID [ADDR LEN]: exit 0 only when no violation was found. */
static int cmd_verify(int argc, char **argv)
{
	struct anonmerge_verify v;
	unsigned long long pid, start = 0, len = 0;
	unsigned long long bad;

	if (argc != 1 && argc != 3) {
		fprintf(stderr, "anonmergectl: usage: verify PID [ADDR LEN]\n");
		return EXIT_USAGE;
	}
	if (parse_u64(argv[0], &pid) || pid > 0x7fffffff)
		return usage_error("bad pid", argv[0]);
	if (argc == 3 && (parse_u64(argv[1], &start) || parse_u64(argv[2], &len)))
		return usage_error("bad range", argv[1]);

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.pid = (__u32)pid;
	v.start = start;
	v.len = len;
	if (do_ioctl(ANONMERGE_IOC_VERIFY, &v, "VERIFY"))
		return 1;
	bad = v.bad_anon_vma + v.bad_index + v.bad_vma + v.bad_rmap +
	      v.bad_pgoff;
	if (json_output) {
		json_begin_object(NULL);
		json_u64("pid", v.pid);
		json_u64("vmas", v.vmas);
		json_u64("pages", v.pages);
		json_u64("swapcache", v.swapcache);
		json_u64("skipped", v.skipped);
		json_u64("bad_anon_vma", v.bad_anon_vma);
		json_u64("bad_index", v.bad_index);
		json_u64("bad_vma", v.bad_vma);
		json_u64("bad_rmap", v.bad_rmap);
		json_u64("bad_pgoff", v.bad_pgoff);
		json_end_object();
		json_finish();
	} else {
		printf("pid %u: %llu VMAs, %llu pages, %llu swap-cache folios, %llu skipped\n",
		       v.pid, (unsigned long long)v.vmas,
		       (unsigned long long)v.pages,
		       (unsigned long long)v.swapcache,
		       (unsigned long long)v.skipped);
		printf("bad_anon_vma %llu, bad_index %llu, bad_vma %llu, bad_rmap %llu, bad_pgoff %llu: %s\n",
		       (unsigned long long)v.bad_anon_vma,
		       (unsigned long long)v.bad_index,
		       (unsigned long long)v.bad_vma,
		       (unsigned long long)v.bad_rmap,
		       (unsigned long long)v.bad_pgoff, bad ? "BROKEN" : "ok");
	}
	return bad ? 1 : 0;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: anonmergectl [-j|--json] [-d|--device PATH] COMMAND\n"
		"\n"
		"Commands (any unambiguous prefix works):\n"
		"  status    module version, kernel line and mode\n"
		"  enable    merge VMAs split only by an exclusive anon_vma\n"
		"  disable   stock kernel behaviour (the default)\n"
		"  dry-run   count what would merge, change nothing\n"
		"  stats     counters: attempts, merges, refusals by reason\n"
		"  verify PID [ADDR LEN]\n"
		"            check the reverse map of a process (exit 1 if broken)\n"
		"  version   tool and module versions\n"
		"  help      this text\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

static int cmd_help(int argc UNUSED,
		     char **argv UNUSED)
{
	usage(stdout);
	return 0;
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	int max_args;	/* positional arguments after the command */
};

static const struct command commands[] = {
	{ "status", cmd_status, 0 },   { "enable", cmd_enable, 0 },
	{ "disable", cmd_disable, 0 }, { "dry-run", cmd_dry_run, 0 },
	{ "stats", cmd_stats, 0 },     { "verify", cmd_verify, 3 },
	{ "version", cmd_version, 0 }, { "help", cmd_help, 0 },
};

/* Exact name, else the only command the word is a prefix of. */
static const struct command *find_command(const char *word)
{
	const struct command *found = NULL;
	size_t i, len = strlen(word);

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(word, commands[i].name))
			return &commands[i];
		if (len && !strncmp(word, commands[i].name, len)) {
			if (found) {
				fprintf(stderr,
					"anonmergectl: '%s' is ambiguous (%s, %s, ...)\n",
					word, found->name, commands[i].name);
				return NULL;
			}
			found = &commands[i];
		}
	}
	if (!found)
		fprintf(stderr, "anonmergectl: unknown command '%s'\n", word);
	return found;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	char *args[3];
	int c, nargs;

	while ((c = getopt_long(argc, argv, "+jd:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = 1;
			break;
		case 'd':
			dev_path = optarg;
			break;
		case 'h':
			return cmd_help(0, NULL);
		case 'V':
			return cmd_version(0, NULL);
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return EXIT_USAGE;
	/* "stats -j" is accepted as well as "-j stats". */
	nargs = 0;
	for (c = optind + 1; c < argc; c++) {
		if (!strcmp(argv[c], "-j") || !strcmp(argv[c], "--json"))
			json_output = 1;
		else if (nargs < cmd->max_args)
			args[nargs++] = argv[c];
		else
			return usage_error("unexpected argument", argv[c]);
	}
	return cmd->fn(nargs, args);
}
