/*
 * mkdir -p for directories named by configuration (the SQLite file's
 * directory, the default warehouse root): a fresh install or a fresh
 * clone starts without them, and refusing to start over a missing empty
 * directory only made the operator type mkdir.  Paths a client sends are
 * never created through here (storage/fileio.c confines those).
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>

#include "util/mkdirs.h"

static int
mkdir_one(const char *dir, mode_t mode)
{
	struct stat	st;

	if (mkdir(dir, mode) == 0)
		return (0);
	if (errno != EEXIST)
		return (-1);
	/* EEXIST on a file is not a directory we can use. */
	if (stat(dir, &st) == -1)
		return (-1);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return (-1);
	}
	return (0);
}

int
pgl_mkdirs(const char *path, mode_t mode)
{
	char	buf[PATH_MAX], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (mkdir_one(buf, mode) == -1)
			return (-1);
		*p = '/';
	}
	return (mkdir_one(buf, mode));
}
