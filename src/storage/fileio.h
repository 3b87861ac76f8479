/*
 * FileIO: create, write, read, stat, list, delete and rename the files a
 * catalog owns (Iceberg metadata JSON) at a location URI.  Local-disk
 * locations (absolute paths and file://) are served here; object stores
 * plug in behind the same calls later (s3://, s3a://, gs:// and abfss://
 * are refused with PGL_EINVAL, a 400 naming the scheme, until then).
 *
 * Every call is confined to a root, the catalog's storage location:
 *
 *  1. Text gate: the location must pass pgl_location_check (no "." or
 *     ".." segments) and lie inside the root segment-wise.
 *  2. Descriptor gate: the root is opened once (its last component must
 *     not be a symbolic link) and the rest of the path is resolved from
 *     that directory descriptor without following any symbolic link:
 *     openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *     RESOLVE_NO_MAGICLINKS, or, where openat2 is missing (Linux before
 *     5.6 answers ENOSYS; some seccomp filters answer EPERM), a
 *     component-by-component openat(O_NOFOLLOW) walk.  Directories are
 *     created with mkdirat() relative to such descriptors.
 *
 * Policy: no symbolic link below the root is ever used, whether it points
 * outside the root or stays inside it.  A path through a link (or naming
 * a link) is PGL_EINVAL with one message that names the link's location
 * and says nothing about its target, so a link to /etc/passwd and a
 * dangling link are refused with the same bytes.  The catalog itself
 * never creates links, so a link there was planted by someone else.
 */
#ifndef PGL_FILEIO_H
#define PGL_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"

/* The default of [storage] max_metadata_file_bytes: larger is refused. */
#define PGL_FILE_MAX	(64 * 1024 * 1024)

/*
 * In every call, root is the storage location the file must lie in (the
 * catalog's); NULL or a non-local root refuses every local location.
 */

/*
 * Write a new file durably: created under its name (O_EXCL, never an
 * existing file or link: metadata files are immutable), written, fsynced,
 * then its directory fsynced.  Callers name only files nothing reads yet
 * (a crash mid-write leaves an orphan).  Missing directories are created.
 * An existing file is PGL_EEXISTS.
 */
int	pgl_file_write(const char *root, const char *location,
	    const void *data, size_t len, struct pgl_err *);

/* Read a whole regular file (at most max bytes) into a malloc'd,
 * NUL-terminated buffer.  A missing file is PGL_ENOTFOUND. */
int	pgl_file_read(const char *root, const char *location, size_t max,
	    char **data, size_t *len, struct pgl_err *);

/* Delete a file; a missing file is not an error.  Never a directory. */
int	pgl_file_delete(const char *root, const char *location,
	    struct pgl_err *);
/* pgl_file_delete of n locations: the root and each directory opened
 * once; the first error in err, the rest still deleted. */
int	pgl_file_delete_many(const char *root, const char *const *locs,
	    size_t n, struct pgl_err *);

/* Create a directory and its missing parents (mkdir -p). */
int	pgl_file_mkdirs(const char *root, const char *location,
	    struct pgl_err *);

/* Rename a file; never replaces (PGL_EEXISTS).  Both ends are confined. */
int	pgl_file_rename(const char *root, const char *from, const char *to,
	    struct pgl_err *);

enum pgl_file_type {
	PGL_FILE_REG,
	PGL_FILE_DIR,
	PGL_FILE_LINK,		/* reported, never followed */
	PGL_FILE_OTHER
};

struct pgl_file_info {
	enum pgl_file_type	type;
	uint64_t		size;
	int64_t			mtime_ms;
};

/*
 * What is at location, without following it if it is a link (the path
 * leading to it must be free of links).  A missing name is PGL_ENOTFOUND.
 */
int	pgl_file_stat(const char *root, const char *location,
	    struct pgl_file_info *, struct pgl_err *);

/*
 * Call fn for every entry of the directory at location (the root itself
 * included), "." and ".." excepted, in directory order; links are
 * reported as PGL_FILE_LINK and not followed.  A non-zero return from fn
 * stops the listing (not an error).  A missing directory is PGL_ENOTFOUND.
 */
typedef int	(*pgl_file_list_fn)(void *arg, const char *name,
		    const struct pgl_file_info *);
int	pgl_file_list(const char *root, const char *location,
	    pgl_file_list_fn fn, void *arg, struct pgl_err *);

/*
 * How paths are resolved in this process: "openat2" or "walk" (the
 * O_NOFOLLOW fallback).  Chosen at first use by probing openat2; the
 * environment variable PGL_FILEIO_NO_OPENAT2=1 forces the walk.
 */
const char	*pgl_file_resolver(void);

/* Test hook: 1 forces the walk, 0 returns to probing. */
void	pgl_file_force_walk(int);

#endif
