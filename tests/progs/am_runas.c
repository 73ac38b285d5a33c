// SPDX-License-Identifier: GPL-2.0
/* am_runas UID COMMAND...: run a command as an unprivileged uid/gid. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	uid_t uid;

	if (argc < 3) {
		fprintf(stderr, "usage: am_runas UID COMMAND...\n");
		return 2;
	}
	uid = (uid_t)strtoul(argv[1], NULL, 0);
	if (setgid(uid) || setuid(uid)) {
		perror("am_runas: setuid");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("am_runas: exec");
	return 127;
}
