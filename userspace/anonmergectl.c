// SPDX-License-Identifier: GPL-2.0
/*
 * anonmergectl: control tool for the anonmerge module.
 *
 *   anonmergectl [OPTIONS] COMMAND [ARGS] [OPTIONS]
 *   OPTIONS := -j|--json | -p|--pretty | -d|--device PATH | -h | -V
 *   COMMAND := status | enable | disable | dry-run | stats |
 *              verify PID [ADDR LEN] | version | help
 *
 * Commands may be abbreviated to any unambiguous prefix (bpftool style).
 * Under -j every result, error included, is one JSON value on stdout (the
 * schema is doc/anonmergectl.schema.json); the exit status is one of the
 * EXIT_* below, documented in print_usage() and anonmergectl(8).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
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

/* Exit statuses: scripts tell the failures apart by these alone. */
#define EXIT_OK		0	/* success */
#define EXIT_FAIL	1	/* the operation failed: ioctl error, permission */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NO_MODULE	3	/* module not loaded, or not this tool's ABI */
#define EXIT_VIOLATION	4	/* verify ran and found violations */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define MSG_MAX 512

static const char *dev_path = ANONMERGE_DEVICE;
static int json_output;

#define NAME(id, name) name,
static const char *const merge_kind_names[] = {
	ANONMERGE_MERGE_KINDS(NAME)
};

static const char *const refusal_names[] = { ANONMERGE_REFUSALS(NAME) };
static const char *const mode_names[] = { ANONMERGE_MODES(NAME) };

#undef NAME

/* Every counter the ABI defines has a name here. */
static_assert(ARRAY_SIZE(merge_kind_names) == ANONMERGE_NR_MERGE_KINDS,
	      "merge kind names");
static_assert(ARRAY_SIZE(refusal_names) == ANONMERGE_NR_REFUSALS,
	      "refusal names");

struct feature {
	unsigned int bit;
	const char *name;
};

#define FEATURE(id, bit, name) { bit, name },
static const struct feature features[] = { ANONMERGE_FEATURES(FEATURE) };

#undef FEATURE

/* Any of these means the module merges something on this kernel line. */
#define FEATURES_MERGE (ANONMERGE_FEAT_MERGE_EXISTING | \
			ANONMERGE_FEAT_MERGE_NEW | ANONMERGE_FEAT_MERGE_MREMAP)

/*
 * Report an error: text on stderr, or under -j one {"error": ...} object
 * on stdout and nothing on stderr (bpftool's p_err()), so that a caller
 * parsing stdout always gets a JSON document.  Called at most once per
 * run, just before the command returns its exit status.
 */
static void __printf(1, 2) p_err(const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!json_output) {
		fprintf(stderr, "anonmergectl: %s\n", msg);
		return;
	}
	json_begin_object(NULL);
	json_str("error", msg);
	json_end_object();
	json_finish();
}

/* Print a complete JSON document; a writer failure is a failed command. */
static int json_done(void)
{
	if (!json_finish())
		return EXIT_OK;
	p_err("cannot write the JSON output");
	return EXIT_FAIL;
}

static const char *mode_name(unsigned int mode)
{
	if (mode >= ARRAY_SIZE(mode_names))
		return "unknown";
	return mode_names[mode];
}

/*
 * "6.12" from ANONMERGE_LINE_* (major << 16 | minor << 8), so that a line
 * newer than this tool still prints as what it is.
 */
static const char *line_name(unsigned int line, char *buf, size_t size)
{
	if (!line)
		return "unknown";
	snprintf(buf, size, "%u.%u", line >> 16, (line >> 8) & 0xff);
	return buf;
}

/* A feature's name; "bit<N>" for one this tool predates. */
static const char *feature_name(unsigned int bit, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(features); i++)
		if (features[i].bit == bit)
			return features[i].name;
	snprintf(buf, size, "bit%u", bit);
	return buf;
}

/* Features as a JSON array of names under @key. */
static void json_features(const char *key, __u64 features)
{
	char buf[16];
	unsigned int bit;

	json_begin_array(key);
	for (bit = 0; bit < 64; bit++)
		if (features & (1ULL << bit))
			json_str(NULL, feature_name(bit, buf, sizeof(buf)));
	json_end_array();
}

/* Features as the text "stats dry-run ...", "(none)" if there are none. */
static void print_features(const char *prefix, __u64 features)
{
	char buf[16];
	unsigned int bit;

	fputs(prefix, stdout);
	if (!features)
		fputs(" (none)", stdout);
	for (bit = 0; bit < 64; bit++)
		if (features & (1ULL << bit))
			printf(" %s", feature_name(bit, buf, sizeof(buf)));
	putchar('\n');
}

/*
 * Open the device and fetch its GET_INFO.  On failure, fill @msg and
 * return the exit status it calls for; reporting is left to the caller
 * because `version` shows a missing module as information, not an error.
 */
static int probe_device(int *fdp, struct anonmerge_info *info, char *msg,
			size_t size)
{
	int fd = open(dev_path, O_RDWR | O_CLOEXEC);
	int err;

	if (fd < 0) {
		err = errno;
		/* ENODEV, ENXIO: a stale node with no driver behind it. */
		if (err == ENOENT || err == ENODEV || err == ENXIO) {
			snprintf(msg, size,
				 "%s: %s: is the anonmerge module loaded? (modprobe anonmerge)",
				 dev_path, strerror(err));
			return EXIT_NO_MODULE;
		}
		if (err == EACCES || err == EPERM)
			snprintf(msg, size,
				 "cannot open %s: permission denied (needs root with CAP_SYS_ADMIN)",
				 dev_path);
		else
			snprintf(msg, size, "cannot open %s: %s", dev_path,
				 strerror(err));
		return EXIT_FAIL;
	}
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	if (ioctl(fd, ANONMERGE_IOC_GET_INFO, info)) {
		err = errno;
		close(fd);
		/*
		 * Not knowing GET_INFO: another driver, or a module of
		 * another ABI (ABI 2 moved the ioctl magic, so ABI 1 and 2
		 * do not even share GET_INFO's number).
		 */
		if (err == ENOTTY) {
			snprintf(msg, size,
				 "%s does not answer GET_INFO: not the anonmerge device, or a module with another ABI than this tool's (%u)",
				 dev_path, ANONMERGE_ABI_VERSION);
			return EXIT_NO_MODULE;
		}
		if (err == EPERM)
			snprintf(msg, size,
				 "GET_INFO: permission denied (needs CAP_SYS_ADMIN)");
		else
			snprintf(msg, size, "GET_INFO: %s", strerror(err));
		return EXIT_FAIL;
	}
	/* Strings from a module of another build: never read past them. */
	info->kernel_release[sizeof(info->kernel_release) - 1] = 0;
	info->module_version[sizeof(info->module_version) - 1] = 0;
	*fdp = fd;
	return EXIT_OK;
}

/*
 * Open the device of a module that speaks this tool's ABI.  Checked on
 * every command, because the structs' size fields cover growth, not a
 * changed meaning, and a mismatch is better named than misread.
 */
static int open_device(int *fdp, struct anonmerge_info *info)
{
	char msg[MSG_MAX];
	int ret = probe_device(fdp, info, msg, sizeof(msg));

	if (ret) {
		p_err("%s", msg);
		return ret;
	}
	if (info->abi_version != ANONMERGE_ABI_VERSION) {
		close(*fdp);
		p_err("module anonmerge %s has ABI %u, this anonmergectl ABI %u: install matching versions",
		      info->module_version, info->abi_version,
		      ANONMERGE_ABI_VERSION);
		return EXIT_NO_MODULE;
	}
	return EXIT_OK;
}

/* One ioctl on an open device; returns an exit status, error reported. */
static int do_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	int err;

	if (!ioctl(fd, cmd, arg))
		return EXIT_OK;
	err = errno;
	if (err == ENOTTY) {
		p_err("%s: not supported by this module (ABI mismatch?)", what);
		return EXIT_NO_MODULE;
	}
	/* VERIFY's EACCES is the /proc/PID/maps rule, not the device's. */
	if (err == EPERM)
		p_err("%s: permission denied (needs CAP_SYS_ADMIN)", what);
	else if (err == EACCES && cmd == ANONMERGE_IOC_VERIFY)
		p_err("%s: permission denied (needs ptrace read access to the process)",
		      what);
	else
		p_err("%s: %s", what, strerror(err));
	return EXIT_FAIL;
}

static int cmd_status(int argc, char **argv)
{
	struct anonmerge_info info;
	const char *line;
	char buf[16];
	int fd, ret;

	ret = open_device(&fd, &info);
	if (ret)
		return ret;
	close(fd);
	line = line_name(info.kernel_line, buf, sizeof(buf));
	if (json_output) {
		json_begin_object(NULL);
		json_u64("abi_version", info.abi_version);
		json_str("kernel_line", line);
		json_str("kernel_release", info.kernel_release);
		json_str("module_version", info.module_version);
		json_str("mode", mode_name(info.mode));
		json_features("features", info.features);
		json_end_object();
		return json_done();
	}
	printf("module:   anonmerge %s (ABI %u)\n", info.module_version,
	       info.abi_version);
	printf("kernel:   %s (line %s)\n", info.kernel_release, line);
	printf("mode:     %s\n", mode_name(info.mode));
	print_features("features:", info.features);
	return EXIT_OK;
}

static int set_mode(unsigned int mode)
{
	struct anonmerge_set_mode req = {
		.size = sizeof(req),
		.mode = mode,
	};
	struct anonmerge_info info;
	__u64 needs = 0;
	char line[16];
	int fd, ret;

	ret = open_device(&fd, &info);
	if (ret)
		return ret;
	ret = do_ioctl(fd, ANONMERGE_IOC_SET_MODE, &req, "SET_MODE");
	close(fd);
	if (ret)
		return ret;
	if (json_output) {
		json_begin_object(NULL);
		json_str("mode", mode_name(mode));
		json_end_object();
		return json_done();
	}
	printf("mode: %s\n", mode_name(mode));
	/*
	 * The mode is set either way, but on a line whose merging is not
	 * done yet "on" would otherwise look like it did something.
	 */
	if (mode == ANONMERGE_MODE_ON)
		needs = FEATURES_MERGE;
	else if (mode == ANONMERGE_MODE_DRY_RUN)
		needs = ANONMERGE_FEAT_DRY_RUN;
	if (needs && !(info.features & needs))
		fprintf(stderr,
			"anonmergectl: note: mode %s has no effect on kernel line %s yet (see the features in 'anonmergectl status')\n",
			mode_name(mode),
			line_name(info.kernel_line, line, sizeof(line)));
	return EXIT_OK;
}

static int cmd_enable(int argc, char **argv)
{
	return set_mode(ANONMERGE_MODE_ON);
}

static int cmd_disable(int argc, char **argv)
{
	return set_mode(ANONMERGE_MODE_OFF);
}

static int cmd_dry_run(int argc, char **argv)
{
	return set_mode(ANONMERGE_MODE_DRY_RUN);
}

/*
 * A counter's name: this tool's, or "<prefix><N>" for one added by a
 * newer module (lists only grow), so that no count is dropped.
 */
static const char *counter_name(const char *const *names, unsigned int nr,
				const char *prefix, unsigned int i, char *buf,
				size_t size)
{
	if (i < nr)
		return names[i];
	snprintf(buf, size, "%s%u", prefix, i);
	return buf;
}

static unsigned int min_u32(unsigned int a, unsigned int b)
{
	return a < b ? a : b;
}

static int cmd_stats(int argc, char **argv)
{
	struct anonmerge_stats st;
	struct anonmerge_info info;
	unsigned int nr_kinds, nr_refusals, i;
	char buf[24];
	int fd, ret;

	ret = open_device(&fd, &info);
	if (ret)
		return ret;
	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	ret = do_ioctl(fd, ANONMERGE_IOC_GET_STATS, &st, "GET_STATS");
	close(fd);
	if (ret)
		return ret;
	nr_kinds = min_u32(st.nr_merge_kinds, ANONMERGE_MAX_MERGE_KINDS);
	nr_refusals = min_u32(st.nr_refusals, ANONMERGE_MAX_REFUSALS);

	if (json_output) {
		json_begin_object(NULL);
		json_u64("attempts", st.attempts);
		json_u64("candidates", st.candidates);
		json_u64("dry_run_would_merge", st.dry_run_would_merge);
		json_u64("pages_rehomed", st.pages_rehomed);
		json_begin_object("merges");
		for (i = 0; i < nr_kinds; i++)
			json_u64(counter_name(merge_kind_names,
					      ANONMERGE_NR_MERGE_KINDS, "merge",
					      i, buf, sizeof(buf)),
				 st.merges[i]);
		json_end_object();
		json_begin_object("refusals");
		for (i = 0; i < nr_refusals; i++)
			json_u64(counter_name(refusal_names,
					      ANONMERGE_NR_REFUSALS, "refusal",
					      i, buf, sizeof(buf)),
				 st.refusals[i]);
		json_end_object();
		json_end_object();
		return json_done();
	}
	printf("attempts:            %llu\n", (unsigned long long)st.attempts);
	printf("candidates:          %llu\n", (unsigned long long)st.candidates);
	printf("dry_run_would_merge: %llu\n",
	       (unsigned long long)st.dry_run_would_merge);
	printf("pages_rehomed:       %llu\n",
	       (unsigned long long)st.pages_rehomed);
	printf("merges:\n");
	for (i = 0; i < nr_kinds; i++)
		printf("  %-22s %llu\n",
		       counter_name(merge_kind_names, ANONMERGE_NR_MERGE_KINDS,
				    "merge", i, buf, sizeof(buf)),
		       (unsigned long long)st.merges[i]);
	printf("refusals:\n");
	for (i = 0; i < nr_refusals; i++)
		printf("  %-22s %llu\n",
		       counter_name(refusal_names, ANONMERGE_NR_REFUSALS,
				    "refusal", i, buf, sizeof(buf)),
		       (unsigned long long)st.refusals[i]);
	return EXIT_OK;
}

/*
 * The tool's own version is useful without the module, and with a module
 * of another ABI it is what the operator needs to see: so version reports
 * a missing or mismatched module in its output and still exits 0.
 */
static int cmd_version(int argc, char **argv)
{
	struct anonmerge_info info;
	char msg[MSG_MAX];
	int fd, ret;

	ret = probe_device(&fd, &info, msg, sizeof(msg));
	if (!ret)
		close(fd);
	if (json_output) {
		json_begin_object(NULL);
		json_str("tool_version", TOOL_VERSION);
		json_u64("tool_abi_version", ANONMERGE_ABI_VERSION);
		if (!ret) {
			json_str("module_version", info.module_version);
			json_u64("module_abi_version", info.abi_version);
			json_features("module_features", info.features);
		} else if (ret != EXIT_NO_MODULE || access(dev_path, F_OK) == 0) {
			/* There is a device, but it could not be asked. */
			json_str("module_error", msg);
		}
		json_end_object();
		return json_done();
	}
	printf("anonmergectl %s (ABI %u)\n", TOOL_VERSION,
	       ANONMERGE_ABI_VERSION);
	if (!ret) {
		printf("module anonmerge %s (ABI %u)%s\n", info.module_version,
		       info.abi_version,
		       info.abi_version == ANONMERGE_ABI_VERSION ?
		       "" : ": ABI mismatch, install matching versions");
		print_features("features:", info.features);
	} else if (ret == EXIT_NO_MODULE && access(dev_path, F_OK)) {
		printf("module not loaded\n");
	} else {
		printf("module: %s\n", msg);
	}
	return EXIT_OK;
}

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: anonmergectl [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Commands (any unambiguous prefix works):\n"
		"  status    module version, kernel line, mode and features\n"
		"  enable    merge VMAs split only by an exclusive anon_vma\n"
		"  disable   stock kernel behaviour (the default)\n"
		"  dry-run   count what would merge, change nothing\n"
		"  stats     counters: attempts, merges, refusals by reason\n"
		"  verify PID [ADDR LEN]\n"
		"            check the reverse map of a process\n"
		"  version   tool and module versions (exit 0 without the module)\n"
		"  help      this text\n"
		"\n"
		"Options (before or after the command):\n"
		"  -j, --json          JSON output; errors as {\"error\": ...} on stdout\n"
		"  -p, --pretty        indented JSON (implies -j)\n"
		"  -d, --device PATH   control device (default %s)\n"
		"  -h, --help          this text\n"
		"  -V, --version       same as the version command\n"
		"\n"
		"Features (status, version):",
		ANONMERGE_DEVICE);
	for (i = 0; i < ARRAY_SIZE(features); i++)
		fprintf(out, " %s", features[i].name);
	fprintf(out,
		"\n"
		"\n"
		"Exit status:\n"
		"  %d  success\n"
		"  %d  the operation failed (permission denied, ioctl error)\n"
		"  %d  usage error\n"
		"  %d  module not loaded, or its ABI is not this tool's\n"
		"  %d  verify found violations\n",
		EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_NO_MODULE, EXIT_VIOLATION);
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
	struct anonmerge_info info;
	unsigned long long pid, start = 0, len = 0;
	unsigned long long bad;
	int fd, ret;

	if (argc != 1 && argc != 3) {
		p_err("usage: verify PID [ADDR LEN]");
		return EXIT_USAGE;
	}
	if (parse_u64(argv[0], &pid) || pid > 0x7fffffff) {
		p_err("bad pid '%s'", argv[0]);
		return EXIT_USAGE;
	}
	if (argc == 3 && (parse_u64(argv[1], &start) ||
			  parse_u64(argv[2], &len))) {
		p_err("bad range '%s %s'", argv[1], argv[2]);
		return EXIT_USAGE;
	}

	ret = open_device(&fd, &info);
	if (ret)
		return ret;
	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	v.pid = (__u32)pid;
	v.start = start;
	v.len = len;
	ret = do_ioctl(fd, ANONMERGE_IOC_VERIFY, &v, "VERIFY");
	close(fd);
	if (ret)
		return ret;
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
		ret = json_done();
		if (ret)
			return ret;
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
	return bad ? EXIT_VIOLATION : EXIT_OK;
}

/* Under -j, help is the JSON null: bpftool's answer, not an error. */
static int cmd_help(int argc, char **argv)
{
	if (json_output) {
		json_null(NULL);
		return json_done();
	}
	print_usage(stdout);
	return EXIT_OK;
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

#define MAX_ARGS 3

/*
 * The command line, parsed whole before anything is reported, so that a
 * -j anywhere on it decides the form of a usage error too.
 */
struct cmdline {
	const struct command *cmd;
	char *args[MAX_ARGS];
	int nargs;
	char err[MSG_MAX];	/* the first usage error, "" if none */
	int show_usage;		/* print the usage text with the error */
};

static void __printf(2, 3) cmdline_error(struct cmdline *cl,
					 const char *fmt, ...)
{
	va_list ap;

	if (cl->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(cl->err, sizeof(cl->err), fmt, ap);
	va_end(ap);
}

/* Exact name, else the only command the word is a prefix of. */
static const struct command *find_command(struct cmdline *cl,
					  const char *word)
{
	const struct command *found = NULL;
	char names[MSG_MAX] = "";
	size_t i, len = strlen(word);
	int matches = 0;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(word, commands[i].name))
			return &commands[i];
		if (len && !strncmp(word, commands[i].name, len)) {
			found = &commands[i];
			snprintf(names + strlen(names),
				 sizeof(names) - strlen(names), "%s%s",
				 matches++ ? ", " : "", commands[i].name);
		}
	}
	if (matches > 1) {
		cmdline_error(cl, "'%s' is ambiguous: %s", word, names);
		return NULL;
	}
	if (!found)
		cmdline_error(cl, "unknown command '%s' (try 'anonmergectl help')",
			      word);
	return found;
}

/*
 * An option after the command: getopt stops at the command word (so that
 * "verify -1" reaches verify as a bad pid), hence this short list by hand.
 * Returns how many words it took, 0 if @argv[0] is not one.
 */
static int late_option(struct cmdline *cl, char **argv)
{
	const char *a = argv[0];

	if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
		json_output = 1;
		return 1;
	}
	if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
		json_output = 1;
		json_set_pretty(1);
		return 1;
	}
	if (!strncmp(a, "--device=", 9)) {
		dev_path = a + 9;
		return 1;
	}
	if (!strcmp(a, "-d") || !strcmp(a, "--device")) {
		if (!argv[1]) {
			cmdline_error(cl, "option '%s' needs an argument", a);
			return 1;
		}
		dev_path = argv[1];
		return 2;
	}
	return 0;
}

/* getopt's optopt is 0 for a long option: then @word names it. */
static void unknown_option(struct cmdline *cl, int opt, const char *word)
{
	char short_opt[3] = { '-', (char)opt, 0 };

	cmdline_error(cl, "unknown option '%s' (try 'anonmergectl help')",
		      opt ? short_opt : word);
}

static void parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i, n;

	memset(cl, 0, sizeof(*cl));
	opterr = 0;	/* errors are ours to print, as JSON under -j */
	while ((c = getopt_long(argc, argv, "+:jpd:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json_output = 1;
			break;
		case 'p':
			json_output = 1;
			json_set_pretty(1);
			break;
		case 'd':
			dev_path = optarg;
			break;
		case 'h':
			cl->cmd = find_command(cl, "help");
			break;
		case 'V':
			cl->cmd = find_command(cl, "version");
			break;
		case ':':
			cmdline_error(cl, "option '%s' needs an argument",
				      argv[optind - 1]);
			break;
		default:
			unknown_option(cl, optopt, argv[optind - 1]);
			break;
		}
	}
	i = optind;
	if (!cl->cmd) {
		if (i >= argc) {
			cmdline_error(cl, "no command given");
			cl->show_usage = 1;
			return;
		}
		cl->cmd = find_command(cl, argv[i++]);
	}
	/* Past an unknown command, still look for -j ("frob -j"). */
	for (; i < argc; i += n) {
		n = late_option(cl, &argv[i]);
		if (n || !cl->cmd) {
			n = n ? n : 1;
			continue;
		}
		n = 1;
		if (cl->nargs < cl->cmd->max_args && cl->nargs < MAX_ARGS)
			cl->args[cl->nargs++] = argv[i];
		else
			cmdline_error(cl, "unexpected argument '%s'", argv[i]);
	}
}

int main(int argc, char **argv)
{
	struct cmdline cl;
	int ret;

	parse_cmdline(argc, argv, &cl);
	if (cl.err[0]) {
		p_err("%s", cl.err);
		if (cl.show_usage && !json_output)
			print_usage(stderr);
		return EXIT_USAGE;
	}
	ret = cl.cmd->fn(cl.nargs, cl.args);
	/*
	 * A full disk or closed pipe must not pass for success.  stderr is
	 * the only place left to say so, even under -j.
	 */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "anonmergectl: writing output: %s\n",
			strerror(errno));
		if (!ret)
			ret = EXIT_FAIL;
	}
	return ret;
}
