// SPDX-License-Identifier: GPL-2.0
/*
 * am_churn [-n ITERATIONS] [-t SECONDS]: drive the kernel's VMA merge path.
 * A faulted 16-page region has its middle page made read-only and back
 * again, so every iteration splits a VMA and merges it (one call of the
 * merge entry point the module hooks).  The data is checked every round;
 * exit 1 if a byte changed or the region did not end as one VMA.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmas.h"

#define NPAGES 16

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long iterations = 1000, i;
	double seconds = 0;
	struct timespec t0, now;
	unsigned char *p;
	size_t len = NPAGES * page, j;
	int opt;

	while ((opt = getopt(argc, argv, "n:t:")) != -1) {
		if (opt == 'n')
			iterations = strtoul(optarg, NULL, 0);
		else if (opt == 't')
			seconds = atof(optarg);
		else
			return 2;
	}
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return perror("mmap"), 2;
	for (j = 0; j < len; j++)
		p[j] = (unsigned char)(j * 7 + 3);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; seconds > 0 || i < iterations; i++) {
		if (mprotect(p + 8 * page, page, PROT_READ) ||
		    mprotect(p + 8 * page, page, PROT_READ | PROT_WRITE))
			return perror("mprotect"), 1;
		if (p[(i * 4099) % len] != (unsigned char)(((i * 4099) % len) * 7 + 3)) {
			fprintf(stderr, "am_churn: data changed at %lu\n", i);
			return 1;
		}
		if (seconds > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - t0.tv_sec +
			    (now.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
				break;
		}
	}
	for (j = 0; j < len; j++) {
		if (p[j] != (unsigned char)(j * 7 + 3)) {
			fprintf(stderr, "am_churn: byte %zu changed\n", j);
			return 1;
		}
	}
	if (count_vmas(p, p + len) != 1) {
		fprintf(stderr, "am_churn: region is %d VMAs, want 1\n",
			count_vmas(p, p + len));
		return 1;
	}
	printf("am_churn: %lu iterations, data intact\n", i);
	return 0;
}
