#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/fileio.h"
#include "util/location.h"

static int
fail(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	err->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return (code);
}

/* The local path of a location, or an error for other schemes. */
static const char *
local_path(const char *location, struct pgl_err *err)
{
	const char	*why;

	if ((why = pgl_location_check(location)) != NULL) {
		(void)fail(err, PGL_EINVAL, "%s", why);
		return (NULL);
	}
	if (!pgl_location_is_local(location)) {
		(void)fail(err, PGL_EUNSUPPORTED, "object storage locations "
		    "are not supported yet: %.200s", location);
		return (NULL);
	}
	return (pgl_location_path(location));
}

static int
mkdirs(char *dir)
{
	char	*p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	return (mkdir(dir, 0750) == -1 && errno != EEXIST ? -1 : 0);
}

static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		data += n;
		len -= (size_t)n;
	}
	return (0);
}

static int
fsync_dir(const char *dir)
{
	int	fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (-1);
	rc = fsync(fd);
	(void)close(fd);
	return (rc);
}

int
pgl_file_write(const char *location, const void *data, size_t len,
    struct pgl_err *err)
{
	const char	*path;
	char		 dir[PATH_MAX], tmp[PATH_MAX + 16], *slash;
	int		 fd;

	if ((path = local_path(location, err)) == NULL)
		return (err->code);
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL || slash == dir)
		return (fail(err, PGL_EINVAL, "bad file location"));
	*slash = '\0';
	if (mkdirs(dir) == -1)
		return (fail(err, PGL_EINTERNAL, "mkdir %s: %s", dir,
		    strerror(errno)));
	(void)snprintf(tmp, sizeof(tmp), "%s/.tmp-XXXXXX", dir);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return (fail(err, PGL_EINTERNAL, "create in %s: %s", dir,
		    strerror(errno)));
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		(void)fail(err, PGL_EINTERNAL, "write %s: %s", tmp,
		    strerror(errno));
		(void)close(fd);
		(void)unlink(tmp);
		return (err->code);
	}
	(void)close(fd);
	/* link() fails on an existing name: a metadata file is never
	 * replaced, even by a racing writer choosing the same name. */
	if (link(tmp, path) == -1) {
		int	e = errno;

		(void)unlink(tmp);
		return (fail(err, e == EEXIST ? PGL_EEXISTS : PGL_EINTERNAL,
		    "%s: %s", path, strerror(e)));
	}
	(void)unlink(tmp);
	if (fsync_dir(dir) == -1)
		return (fail(err, PGL_EINTERNAL, "fsync %s: %s", dir,
		    strerror(errno)));
	return (PGL_OK);
}

int
pgl_file_read(const char *location, size_t max, char **data, size_t *len,
    struct pgl_err *err)
{
	struct stat	 st;
	const char	*path;
	char		*buf;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((path = local_path(location, err)) == NULL)
		return (err->code);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (fail(err, errno == ENOENT ? PGL_ENOTFOUND :
		    PGL_EINTERNAL, "%s: %s", path, strerror(errno)));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max) {
		(void)close(fd);
		return (fail(err, PGL_EINVAL, "%s: not a regular file of at "
		    "most %zu bytes", path, max));
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		(void)close(fd);
		return (fail(err, PGL_ENOMEM, "out of memory"));
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	(void)close(fd);
	buf[off] = '\0';
	*data = buf;
	*len = off;
	return (PGL_OK);
}

int
pgl_file_delete(const char *location, struct pgl_err *err)
{
	const char	*path;

	if ((path = local_path(location, err)) == NULL)
		return (err->code);
	if (unlink(path) == -1 && errno != ENOENT)
		return (fail(err, PGL_EINTERNAL, "%s: %s", path,
		    strerror(errno)));
	return (PGL_OK);
}
