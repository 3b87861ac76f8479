/*
 * A dispatcher thread's lease name, and whether its process is gone
 * (lease_owner.h).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/lease_owner.h"

/* "<boot id>.<pid namespace inode>", or "" when either is unknown. */
static void
machine_key(char *buf, size_t len)
{
	struct stat	 st;
	char		 boot[64];
	FILE		*fp;
	size_t		 n;

	buf[0] = '\0';
	if ((fp = fopen("/proc/sys/kernel/random/boot_id", "r")) == NULL)
		return;
	if (fgets(boot, sizeof(boot), fp) == NULL)
		boot[0] = '\0';
	(void)fclose(fp);
	n = strcspn(boot, "\n");
	boot[n] = '\0';
	if (n == 0 || stat("/proc/self/ns/pid", &st) == -1)
		return;
	(void)snprintf(buf, len, "%s.%llu", boot,
	    (unsigned long long)st.st_ino);
}

int
pgl_lease_owner_make(char *buf, size_t len)
{
	char	host[64], key[96];
	int	n;

	if (gethostname(host, sizeof(host)) == -1)
		(void)snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	machine_key(key, sizeof(key));
	n = snprintf(buf, len, "%s:%d:%lx@%s", host, (int)getpid(),
	    (unsigned long)pthread_self(), key);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

int
pgl_lease_owner_gone(const char *owner)
{
	const char	*at, *p;
	char		 key[96], *end;
	long		 pid;

	if (owner == NULL || (at = strrchr(owner, '@')) == NULL)
		return (0);
	machine_key(key, sizeof(key));
	if (key[0] == '\0' || strcmp(at + 1, key) != 0)
		return (0);
	/* The pid: between the first ':' after the host and the next. */
	if ((p = strchr(owner, ':')) == NULL || p > at)
		return (0);
	errno = 0;
	pid = strtol(p + 1, &end, 10);
	if (errno != 0 || end == p + 1 || *end != ':' || pid <= 0)
		return (0);
	if (pid == (long)getpid())
		return (0);	/* a thread of ours: alive */
	return (kill((pid_t)pid, 0) == -1 && errno == ESRCH);
}
