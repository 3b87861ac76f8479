/*
 * FileIO: read, write and delete the files a catalog owns (Iceberg
 * metadata JSON) at a location URI.  Local-disk locations (absolute paths
 * and file://) are served here; object stores plug in behind the same
 * calls (s3:// arrives with the object-storage issue and is refused with
 * PGL_EUNSUPPORTED until then).
 */
#ifndef PGL_FILEIO_H
#define PGL_FILEIO_H

#include <stddef.h>

#include "pangolin/plugin.h"

#define PGL_FILE_MAX	(64 * 1024 * 1024)	/* refuse larger metadata */

/*
 * Write data atomically: a temporary file in the same directory, fsync,
 * then a rename that never replaces an existing file (metadata files are
 * immutable), then fsync of the directory.  Missing directories are
 * created.  An existing file is PGL_EEXISTS.
 */
int	pgl_file_write(const char *location, const void *data, size_t len,
	    struct pgl_err *);

/* Read a whole file (at most max bytes) into a malloc'd, NUL-terminated
 * buffer.  A missing file is PGL_ENOTFOUND. */
int	pgl_file_read(const char *location, size_t max, char **data,
	    size_t *len, struct pgl_err *);

/* Delete a file; a missing file is not an error. */
int	pgl_file_delete(const char *location, struct pgl_err *);

#endif
