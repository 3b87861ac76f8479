#ifndef PGL_MKDIRS_H
#define PGL_MKDIRS_H

#include <sys/types.h>

/*
 * mkdir -p: path and each missing parent, with mode; existing
 * directories are fine.  -1 with errno set (ENAMETOOLONG for a path
 * over PATH_MAX, ENOTDIR when a component is a file).
 */
int	pgl_mkdirs(const char *path, mode_t mode);

#endif
