// SPDX-License-Identifier: GPL-2.0
/*
 * am_vmawatch: the VMA count of some processes over time, with the slab
 * memory of the caches that VMAs cost.
 *
 *   am_vmawatch [-i MS] NAME...
 *
 * Every MS milliseconds (default 250) until SIGTERM or SIGINT, sums the
 * lines of /proc/PID/maps over every process whose comm starts with one
 * of the NAMEs and prints
 *   SECONDS VMAS PROCS VM_AREA_STRUCT_KIB ANON_VMA_KIB ANON_VMA_CHAIN_KIB
 * SECONDS since the start; the slab figures are active objects times
 * object size from /proc/slabinfo (root only; -1 where unreadable), for
 * the whole system.  One last sample is printed on the signal.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int name_matches(const char *comm, char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strncmp(comm, names[i], strlen(names[i])))
			return 1;
	return 0;
}

/* Lines of /proc/@pid/maps, or -1. */
static long count_lines(const char *pid)
{
	char path[300], buf[1 << 16];
	long lines = 0;
	size_t got, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		for (i = 0; i < got; i++)
			lines += buf[i] == '\n';
	fclose(f);
	return lines;
}

static void slab_kib(long kib[3])
{
	static const char * const caches[3] = {
		"vm_area_struct ", "anon_vma ", "anon_vma_chain "
	};
	unsigned long active, total, size;
	char line[512];
	FILE *f = fopen("/proc/slabinfo", "r");
	int i;

	kib[0] = kib[1] = kib[2] = -1;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < 3; i++)
			if (!strncmp(line, caches[i], strlen(caches[i])) &&
			    sscanf(line + strlen(caches[i]), "%lu %lu %lu",
				   &active, &total, &size) == 3)
				kib[i] = active * size / 1024;
	fclose(f);
}

static void sample(double t0, char **names, int n)
{
	long vmas = 0, procs = 0, lines, kib[3];
	char path[300], comm[64];
	struct dirent *d;
	DIR *proc = opendir("/proc");
	FILE *f;

	while (proc && (d = readdir(proc))) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
		if (!name_matches(comm, names, n))
			continue;
		lines = count_lines(d->d_name);
		if (lines >= 0) {
			vmas += lines;
			procs++;
		}
	}
	if (proc)
		closedir(proc);
	slab_kib(kib);
	printf("%.2f %ld %ld %ld %ld %ld\n", (now_ns() - t0) / 1e9, vmas,
	       procs, kib[0], kib[1], kib[2]);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int opt, ms = 250;
	double t0 = now_ns();

	while ((opt = getopt(argc, argv, "i:")) != -1) {
		if (opt == 'i')
			ms = atoi(optarg);
		else
			return 2;
	}
	if (optind >= argc || ms <= 0) {
		fprintf(stderr, "usage: am_vmawatch [-i MS] NAME...\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		sample(t0, argv + optind, argc - optind);
		usleep(ms * 1000);
	}
	sample(t0, argv + optind, argc - optind);
	return 0;
}
