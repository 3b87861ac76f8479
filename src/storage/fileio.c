/*
 * Local-disk FileIO, confined to a root (fileio.h has the rules).
 *
 * Path text is only the first gate: a location that passes
 * pgl_location_within() can still lead anywhere through a symbolic link
 * planted below the root.  So every operation opens the root once and
 * resolves the rest from that descriptor, refusing every link on the way
 * and at the end:
 *
 *   openat2(rootfd, rel, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 *           RESOLVE_NO_MAGICLINKS)                  Linux >= 5.6
 *   openat(dirfd, component, O_NOFOLLOW), one component at a time
 *                                                   everywhere else
 *
 * openat2 arrived in Linux 5.6; older kernels answer ENOSYS, and some
 * container seccomp profiles answer EPERM.  One probe per process picks
 * the resolver.  Both refuse the same things: the walk never hands the
 * kernel more than one component, and opens it with O_NOFOLLOW.
 *
 * Files are then created, linked, renamed and deleted with the *at()
 * calls relative to the descriptor of their (confined) directory, so a
 * link swapped in after the check is never followed: the descriptor
 * already names the real directory.
 *
 * Kept whole, over 600 lines: every operation goes through the one
 * descriptor walk below; kept together so that none can skip it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "storage/fileio.h"
#include "util/location.h"

#define RESOLVE_FLAGS	(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | \
			 RESOLVE_NO_MAGICLINKS)
#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#define DIR_MODE	0750
#define FILE_MODE	0600
#define MSG_PATH_MAX	150	/* bytes of a path quoted in a message */

/* -1 not probed yet, 1 openat2, 0 the O_NOFOLLOW walk. */
static int	resolver = -1;
static int	forced_walk;

/* A location resolved against its root. */
struct target {
	const char	*location;	/* as given, for messages */
	const char	*rel;		/* below the root ("" is the root) */
	int		 rootfd;
};

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

static void
close_keep_errno(int fd)
{
	int	e = errno;

	if (fd != -1)
		(void)close(fd);
	errno = e;
}

/* At most MSG_PATH_MAX bytes of s, cut on a UTF-8 boundary. */
static int
msg_len(const char *s, size_t len)
{
	if (len <= MSG_PATH_MAX)
		return ((int)len);
	len = MSG_PATH_MAX;
	while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
		len--;
	return ((int)len);
}

/*
 * The one refusal: names the link (the first len bytes of location, or
 * all of it when exact is 0 and the link could not be pinned down) and
 * nothing about its target, so every link at that place reads the same.
 */
static int
refuse(struct pgl_err *err, const char *location, size_t len, int exact)
{
	return (fail(err, PGL_EINVAL, "refused: %.*s %s a symbolic link; "
	    "links inside the catalog's storage are never followed",
	    msg_len(location, len), location, exact ? "is" :
	    "passes through"));
}

void
pgl_file_force_walk(int on)
{
	forced_walk = on;
	resolver = -1;
}

static int
have_openat2(void)
{
	struct open_how	 how;
	const char	*env;
	long		 fd;
	int		 dirfd;

	if (resolver != -1)
		return (resolver);
	env = getenv("PGL_FILEIO_NO_OPENAT2");
	if (forced_walk || (env != NULL && *env != '\0' &&
	    strcmp(env, "0") != 0)) {
		resolver = 0;
		return (resolver);
	}
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_FLAGS;
	/* "." below a descriptor of "/": RESOLVE_BENEATH refuses absolute
	 * paths.  Any failure (ENOSYS before 5.6, EPERM under some seccomp
	 * profiles, EINVAL for flags a kernel does not know): walk. */
	if ((dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		resolver = 0;
		return (resolver);
	}
	fd = syscall(SYS_openat2, dirfd, ".", &how, sizeof(how));
	(void)close(dirfd);
	resolver = fd >= 0;
	if (fd >= 0)
		(void)close((int)fd);
	return (resolver);
}

const char *
pgl_file_resolver(void)
{
	return (have_openat2() ? "openat2" : "walk");
}

static int
is_link(int dirfd, const char *name)
{
	struct stat	st;

	return (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode));
}

/*
 * The next component of *p into comp (advancing *p past it and any
 * slashes): 1, or 0 at the end, or -1 with errno for a name that is too
 * long or is "." or ".." (the text gate refuses those already; the walk
 * must not depend on it).
 */
static int
next_component(const char **p, char comp[NAME_MAX + 1])
{
	const char	*s = *p, *end;
	size_t		 n;

	while (*s == '/')
		s++;
	if (*s == '\0')
		return (0);
	if ((end = strchr(s, '/')) == NULL)
		end = s + strlen(s);
	if ((n = (size_t)(end - s)) > NAME_MAX) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(comp, s, n);
	comp[n] = '\0';
	if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0) {
		errno = EXDEV;
		return (-1);
	}
	while (*end == '/')
		end++;
	*p = end;
	return (1);
}

/*
 * The fallback resolver: every directory on the way opened with
 * O_NOFOLLOW | O_DIRECTORY from its parent's descriptor, the last
 * component with flags | O_NOFOLLOW.  O_DIRECTORY | O_NOFOLLOW on a link
 * fails with ENOTDIR, so a failure is asked whether the name was a link
 * and then reported as ELOOP, the error openat2 gives.
 */
static int
walk_open(int dirfd, const char *rel, int flags, mode_t mode)
{
	char		 comp[NAME_MAX + 1];
	const char	*p = rel;
	int		 cur = dirfd, fd, rc, last, e;

	for (;;) {
		if ((rc = next_component(&p, comp)) <= 0) {
			if (rc == 0)
				errno = ENOENT;
			break;
		}
		last = *p == '\0';
		fd = last ? openat(cur, comp, flags | O_NOFOLLOW | O_CLOEXEC,
		    mode) : openat(cur, comp, DIR_FLAGS);
		if (fd == -1) {
			e = errno;
			if (e != ELOOP && is_link(cur, comp))
				e = ELOOP;
			errno = e;
			break;
		}
		if (cur != dirfd)
			(void)close(cur);
		if (last)
			return (fd);
		cur = fd;
	}
	if (cur != dirfd)
		close_keep_errno(cur);
	return (-1);
}

/* Open rel below dirfd without following any link; -1 with errno. */
static int
open_beneath(int dirfd, const char *rel, int flags, mode_t mode)
{
	struct open_how	how;
	long		fd;

	if (!have_openat2())
		return (walk_open(dirfd, rel, flags, mode));
	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_FLAGS;
	fd = syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
	return ((int)fd);
}

/*
 * Open the directory rel below rootfd ("" is the root itself); with
 * create, missing directories are made (mkdir -p): each with mkdirat() in
 * its parent's descriptor, then opened again without following links, so
 * a link swapped in after the mkdirat is refused, never followed, and a
 * dangling link is never "created through".
 */
static int
open_dir(int rootfd, const char *rel, int create)
{
	char		 comp[NAME_MAX + 1];
	const char	*p = rel;
	int		 cur, fd, rc;

	if (*rel == '\0')
		return (openat(rootfd, ".", DIR_FLAGS));
	fd = open_beneath(rootfd, rel, O_RDONLY | O_DIRECTORY, 0);
	if (fd != -1 || errno != ENOENT || !create)
		return (fd);
	if ((cur = openat(rootfd, ".", DIR_FLAGS)) == -1)
		return (-1);
	while ((rc = next_component(&p, comp)) == 1) {
		fd = open_beneath(cur, comp, O_RDONLY | O_DIRECTORY, 0);
		if (fd == -1 && errno == ENOENT) {
			if (mkdirat(cur, comp, DIR_MODE) == -1 &&
			    errno != EEXIST) {
				close_keep_errno(cur);
				return (-1);
			}
			fd = open_beneath(cur, comp, O_RDONLY | O_DIRECTORY,
			    0);
		}
		close_keep_errno(cur);
		if (fd == -1)
			return (-1);
		cur = fd;
	}
	if (rc == -1) {
		close_keep_errno(cur);
		return (-1);
	}
	return (cur);
}

/*
 * For the message only: the length of the prefix of t->location that
 * names the first link below the root, 0 if there is none (any more).
 * lstat-style lookups only; nothing is opened through a link.
 */
static size_t
find_link(const struct target *t)
{
	struct stat	 st;
	char		 comp[NAME_MAX + 1];
	const char	*p = t->rel;
	size_t		 at = 0;
	int		 cur, fd;

	if ((cur = openat(t->rootfd, ".", DIR_FLAGS)) == -1)
		return (0);
	while (next_component(&p, comp) == 1) {
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == -1)
			break;
		if (S_ISLNK(st.st_mode)) {
			/* p is past comp and its slashes: back up to comp. */
			at = (size_t)(p - t->location);
			while (at > 0 && t->location[at - 1] == '/')
				at--;
			break;
		}
		if (!S_ISDIR(st.st_mode) || *p == '\0' ||
		    (fd = openat(cur, comp, DIR_FLAGS)) == -1)
			break;
		(void)close(cur);
		cur = fd;
	}
	(void)close(cur);
	return (at);
}

/* Translate errno e from resolving t into err. */
static int
sys_fail(const struct target *t, struct pgl_err *err, int e, int writing)
{
	const char	*loc = t->location;
	size_t		 at;

	if (e == ELOOP || e == EXDEV || e == ENOTDIR) {
		if ((at = find_link(t)) > 0)
			return (refuse(err, loc, at, 1));
		if (e != ENOTDIR)
			return (refuse(err, loc, strlen(loc), 0));
	}
	switch (e) {
	case ENOENT:
		return (fail(err, PGL_ENOTFOUND, "%.200s: not found", loc));
	case ENOTDIR:
		return (fail(err, writing ? PGL_EINVAL : PGL_ENOTFOUND,
		    "%.200s: a parent is not a directory", loc));
	case EEXIST:
		return (fail(err, PGL_EEXISTS, "%.200s: already exists", loc));
	case ENAMETOOLONG:
		return (fail(err, PGL_EINVAL, "%.200s: name too long", loc));
	case EISDIR:
		return (fail(err, PGL_EINVAL, "%.200s: is a directory", loc));
	default:
		return (fail(err, PGL_EINTERNAL, "%.200s: %s", loc,
		    strerror(e)));
	}
}

/* mkdir -p of the root's own path: configuration, taken as given. */
static int
mkdirs_plain(char *dir)
{
	char	*p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, DIR_MODE) == -1 && errno != EEXIST) {
			*p = '/';
			return (-1);
		}
		*p = '/';
	}
	return (mkdir(dir, DIR_MODE) == -1 && errno != EEXIST ? -1 : 0);
}

static int
unsupported(struct pgl_err *err, const char *location)
{
	char	scheme[16];

	pgl_location_scheme(location, scheme, sizeof(scheme));
	return (fail(err, PGL_EINVAL, "location scheme '%s' is not supported "
	    "by this catalog's local storage: %.150s", scheme, location));
}

/*
 * The text gate, then the root's descriptor.  The root's path is the
 * catalog's configuration and is opened as given, except that its last
 * component must not be a link: a catalog directory is created lazily,
 * so a link planted in its place is refused like any other.  With
 * create, a missing root is created.
 */
static int
target_text(struct target *t, const char *root, const char *location,
    char rbuf[PATH_MAX], struct pgl_err *err)
{
	const char	*why, *path, *rpath;
	size_t		 n;

	t->location = location;
	t->rootfd = -1;
	if ((why = pgl_location_check(location)) != NULL)
		return (fail(err, PGL_EINVAL, "%s", why));
	if (!pgl_location_is_local(location))
		return (unsupported(err, location));
	if (root == NULL || !pgl_location_is_local(root) ||
	    pgl_location_check(root) != NULL)
		return (fail(err, PGL_EINVAL, "%.200s: no local storage "
		    "location to hold it", location));
	path = pgl_location_path(location);
	rpath = pgl_location_path(root);
	if (!pgl_location_within(path, rpath))
		return (fail(err, PGL_EINVAL, "%.200s lies outside the "
		    "storage location", location));
	n = strlen(rpath);
	while (n > 1 && rpath[n - 1] == '/')
		n--;
	if (n >= PATH_MAX)
		return (fail(err, PGL_EINVAL, "storage location too long"));
	memcpy(rbuf, rpath, n);
	rbuf[n] = '\0';
	t->rel = path + n;
	while (*t->rel == '/')
		t->rel++;
	return (PGL_OK);
}

static int
target_open(struct target *t, const char *root, const char *location,
    int create, struct pgl_err *err)
{
	char	rbuf[PATH_MAX];
	int	e;

	if (target_text(t, root, location, rbuf, err) != PGL_OK)
		return (err->code);
	t->rootfd = open(rbuf, DIR_FLAGS);
	if (t->rootfd == -1 && errno == ENOENT && create &&
	    mkdirs_plain(rbuf) == 0)
		t->rootfd = open(rbuf, DIR_FLAGS);
	if (t->rootfd != -1)
		return (PGL_OK);
	e = errno;
	if (is_link(AT_FDCWD, rbuf))
		return (refuse(err, location, (size_t)(pgl_location_path(
		    location) - location) + strlen(rbuf), 1));
	if (e == ENOENT)
		return (fail(err, PGL_ENOTFOUND, "%.200s: not found",
		    location));
	return (fail(err, PGL_EINTERNAL, "storage location %.200s: %s", rbuf,
	    strerror(e)));
}

static void
target_close(struct target *t)
{
	if (t->rootfd != -1)
		close_keep_errno(t->rootfd);
	t->rootfd = -1;
}

/* Split t->rel into its directory (into dir) and last name. */
static const char *
split(const struct target *t, char dir[PATH_MAX], struct pgl_err *err)
{
	const char	*slash, *name;
	size_t		 n;

	if ((slash = strrchr(t->rel, '/')) == NULL) {
		dir[0] = '\0';
		name = t->rel;
	} else {
		if ((n = (size_t)(slash - t->rel)) >= PATH_MAX) {
			(void)fail(err, PGL_EINVAL, "location too long");
			return (NULL);
		}
		memcpy(dir, t->rel, n);
		dir[n] = '\0';
		name = slash + 1;
	}
	if (*name == '\0') {
		(void)fail(err, PGL_EINVAL, "%.200s: not a file location",
		    t->location);
		return (NULL);
	}
	return (name);
}

static void
fill_info(const struct stat *st, struct pgl_file_info *info)
{
	if (S_ISREG(st->st_mode))
		info->type = PGL_FILE_REG;
	else if (S_ISDIR(st->st_mode))
		info->type = PGL_FILE_DIR;
	else if (S_ISLNK(st->st_mode))
		info->type = PGL_FILE_LINK;
	else
		info->type = PGL_FILE_OTHER;
	info->size = (uint64_t)st->st_size;
	info->mtime_ms = (int64_t)st->st_mtim.tv_sec * 1000 +
	    st->st_mtim.tv_nsec / 1000000;
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

/*
 * Create name in dirfd (O_EXCL: never an existing file, never through a
 * link), write it, fsync it, then fsync the directory.  The file is made
 * under its final name, not written aside and linked: every name we write
 * is new (a UUID in it) and nothing reads it before the pointer swap that
 * follows names it, so a half-written file left by a crash is an orphan
 * like any other.  Linking would change the directory after the file's
 * fsync, and the directory's fsync would then be a second journal commit
 * (about half the commit rate on ext4, tests/bench/commits.sh).
 */
static int
write_in(const struct target *t, int dirfd, const char *name,
    const void *data, size_t len, struct pgl_err *err)
{
	int	fd, e;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, FILE_MODE);
	if (fd == -1) {
		e = errno;
		if (e == EEXIST && is_link(dirfd, name))
			return (refuse(err, t->location, strlen(t->location),
			    1));
		return (sys_fail(t, err, e, 1));
	}
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		e = errno;
		(void)close(fd);
		(void)unlinkat(dirfd, name, 0);
		return (fail(err, PGL_EINTERNAL, "write %.200s: %s",
		    t->location, strerror(e)));
	}
	(void)close(fd);
	if (fsync(dirfd) == -1)
		return (fail(err, PGL_EINTERNAL, "fsync %.200s: %s",
		    t->location, strerror(errno)));
	return (PGL_OK);
}

int
pgl_file_write(const char *root, const char *location, const void *data,
    size_t len, struct pgl_err *err)
{
	struct target	 t;
	char		 dir[PATH_MAX];
	const char	*name;
	int		 dirfd, rc;

	if (target_open(&t, root, location, 1, err) != PGL_OK)
		return (err->code);
	if ((name = split(&t, dir, err)) == NULL) {
		target_close(&t);
		return (err->code);
	}
	if ((dirfd = open_dir(t.rootfd, dir, 1)) == -1) {
		rc = sys_fail(&t, err, errno, 1);
		target_close(&t);
		return (rc);
	}
	rc = write_in(&t, dirfd, name, data, len, err);
	(void)close(dirfd);
	target_close(&t);
	return (rc);
}

static int
read_fd(const struct target *t, int fd, size_t max, char **data,
    size_t *len, struct pgl_err *err)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 off = 0;

	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > max)
		return (fail(err, PGL_EINVAL, "%.200s: not a regular file of "
		    "at most %zu bytes", t->location, max));
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		return (fail(err, PGL_ENOMEM, "out of memory"));
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	*data = buf;
	*len = off;
	return (PGL_OK);
}

int
pgl_file_read(const char *root, const char *location, size_t max,
    char **data, size_t *len, struct pgl_err *err)
{
	struct target	t;
	int		fd, rc;

	if (target_open(&t, root, location, 0, err) != PGL_OK)
		return (err->code);
	/* O_NONBLOCK: a FIFO planted here must not hang the worker. */
	if (*t.rel == '\0')
		rc = fail(err, PGL_EINVAL, "%.200s: not a file location",
		    location);
	else if ((fd = open_beneath(t.rootfd, t.rel, O_RDONLY | O_NONBLOCK,
	    0)) == -1)
		rc = sys_fail(&t, err, errno, 0);
	else {
		rc = read_fd(&t, fd, max, data, len, err);
		(void)close(fd);
	}
	target_close(&t);
	return (rc);
}

int
pgl_file_delete(const char *root, const char *location, struct pgl_err *err)
{
	struct target	 t;
	struct stat	 st;
	char		 dir[PATH_MAX];
	const char	*name;
	int		 dirfd, rc = PGL_OK;

	if (target_open(&t, root, location, 0, err) != PGL_OK)
		return (err->code == PGL_ENOTFOUND ? PGL_OK : err->code);
	if ((name = split(&t, dir, err)) == NULL) {
		target_close(&t);
		return (err->code);
	}
	if ((dirfd = open_dir(t.rootfd, dir, 0)) == -1) {
		rc = sys_fail(&t, err, errno, 0);
		target_close(&t);
		return (rc == PGL_ENOTFOUND ? PGL_OK : rc);
	}
	/* unlinkat() would remove a link itself, harmlessly; it is refused
	 * anyway, like every other use of a link. */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			rc = sys_fail(&t, err, errno, 0);
	} else if (S_ISLNK(st.st_mode))
		rc = refuse(err, location, strlen(location), 1);
	else if (S_ISDIR(st.st_mode))
		rc = sys_fail(&t, err, EISDIR, 0);
	else if (unlinkat(dirfd, name, 0) == -1 && errno != ENOENT)
		rc = sys_fail(&t, err, errno, 0);
	(void)close(dirfd);
	target_close(&t);
	return (rc);
}

static int
cmp_loc(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/*
 * pgl_file_delete of each location, with the root opened once and each
 * directory once for the files in it (the locations sorted, so a
 * directory's files come together): two system calls a file, not seven.
 * The gates are the same: every location's text is checked, its
 * directory opened beneath the root without following a link, a link
 * refused.  The first error is kept in err; missing files are no error.
 */
int
pgl_file_delete_many(const char *root, const char *const *locs, size_t n,
    struct pgl_err *err)
{
	struct target	  t;
	struct pgl_err	  one;
	struct stat	  st;
	const char	**v, *name;
	char		  rbuf[PATH_MAX], dir[PATH_MAX], open_as[PATH_MAX];
	size_t		  i;
	int		  rootfd = -1, dirfd = -1, rc = PGL_OK, r;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return (fail(err, PGL_ENOMEM, "out of memory"));
	memcpy(v, locs, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_loc);
	for (i = 0; i < n; i++) {
		memset(&one, 0, sizeof(one));
		r = PGL_OK;
		if (rootfd == -1) {
			if (target_open(&t, root, v[i], 0, &one) != PGL_OK) {
				r = one.code == PGL_ENOTFOUND ? PGL_OK :
				    one.code;
				goto next;
			}
			rootfd = t.rootfd;
		} else if (target_text(&t, root, v[i], rbuf, &one) != PGL_OK) {
			r = one.code;
			goto next;
		}
		t.rootfd = rootfd;
		if ((name = split(&t, dir, &one)) == NULL) {
			r = one.code;
			goto next;
		}
		if (dirfd == -1 || strcmp(dir, open_as) != 0) {
			if (dirfd != -1)
				(void)close(dirfd);
			(void)memcpy(open_as, dir, sizeof(open_as));
			if ((dirfd = open_dir(rootfd, dir, 0)) == -1) {
				r = sys_fail(&t, &one, errno, 0);
				if (r == PGL_ENOTFOUND)
					r = PGL_OK;
				goto next;
			}
		}
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT)
				r = sys_fail(&t, &one, errno, 0);
		} else if (S_ISLNK(st.st_mode))
			r = refuse(&one, v[i], strlen(v[i]), 1);
		else if (S_ISDIR(st.st_mode))
			r = sys_fail(&t, &one, EISDIR, 0);
		else if (unlinkat(dirfd, name, 0) == -1 && errno != ENOENT)
			r = sys_fail(&t, &one, errno, 0);
next:
		if (r != PGL_OK && rc == PGL_OK) {
			*err = one;
			rc = r;
		}
	}
	if (dirfd != -1)
		(void)close(dirfd);
	if (rootfd != -1)
		(void)close(rootfd);
	free(v);
	return (rc);
}

int
pgl_file_mkdirs(const char *root, const char *location, struct pgl_err *err)
{
	struct target	t;
	int		dirfd, rc = PGL_OK;

	if (target_open(&t, root, location, 1, err) != PGL_OK)
		return (err->code);
	if ((dirfd = open_dir(t.rootfd, t.rel, 1)) == -1)
		rc = sys_fail(&t, err, errno, 1);
	else
		(void)close(dirfd);
	target_close(&t);
	return (rc);
}

/* renameat2(RENAME_NOREPLACE), or link + unlink where a file system
 * does not support it: neither replaces an existing name. */
static int
rename_noreplace(int fromfd, const char *from, int tofd, const char *to)
{
	if (renameat2(fromfd, from, tofd, to, RENAME_NOREPLACE) == 0)
		return (0);
	if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return (-1);
	if (linkat(fromfd, from, tofd, to, 0) == -1)
		return (-1);
	return (unlinkat(fromfd, from, 0));
}

int
pgl_file_rename(const char *root, const char *from, const char *to,
    struct pgl_err *err)
{
	struct target	 f, t;
	struct stat	 st;
	char		 fdir[PATH_MAX], tdir[PATH_MAX];
	const char	*fname, *tname;
	int		 fromfd = -1, tofd = -1, rc;

	if (target_open(&f, root, from, 0, err) != PGL_OK)
		return (err->code);
	if (target_open(&t, root, to, 1, err) != PGL_OK) {
		target_close(&f);
		return (err->code);
	}
	if ((fname = split(&f, fdir, err)) == NULL ||
	    (tname = split(&t, tdir, err)) == NULL)
		rc = err->code;
	else if ((fromfd = open_dir(f.rootfd, fdir, 0)) == -1)
		rc = sys_fail(&f, err, errno, 0);
	else if ((tofd = open_dir(t.rootfd, tdir, 1)) == -1)
		rc = sys_fail(&t, err, errno, 1);
	else if (fstatat(fromfd, fname, &st, AT_SYMLINK_NOFOLLOW) == -1)
		rc = sys_fail(&f, err, errno, 0);
	else if (S_ISLNK(st.st_mode))
		rc = refuse(err, from, strlen(from), 1);
	else if (!S_ISREG(st.st_mode))
		rc = fail(err, PGL_EINVAL, "%.200s: not a regular file", from);
	else if (rename_noreplace(fromfd, fname, tofd, tname) == -1) {
		if (errno == EEXIST && is_link(tofd, tname))
			rc = refuse(err, to, strlen(to), 1);
		else
			rc = sys_fail(&t, err, errno, 1);
	} else if (fsync(tofd) == -1 || fsync(fromfd) == -1)
		rc = fail(err, PGL_EINTERNAL, "fsync %.200s: %s", to,
		    strerror(errno));
	else
		rc = PGL_OK;
	if (fromfd != -1)
		(void)close(fromfd);
	if (tofd != -1)
		(void)close(tofd);
	target_close(&t);
	target_close(&f);
	return (rc);
}

int
pgl_file_stat(const char *root, const char *location,
    struct pgl_file_info *info, struct pgl_err *err)
{
	struct target	 t;
	struct stat	 st;
	char		 dir[PATH_MAX];
	const char	*name;
	int		 dirfd, rc = PGL_OK;

	if (target_open(&t, root, location, 0, err) != PGL_OK)
		return (err->code);
	if (*t.rel == '\0') {
		if (fstat(t.rootfd, &st) == -1)
			rc = sys_fail(&t, err, errno, 0);
		else
			fill_info(&st, info);
		target_close(&t);
		return (rc);
	}
	if ((name = split(&t, dir, err)) == NULL) {
		target_close(&t);
		return (err->code);
	}
	if ((dirfd = open_dir(t.rootfd, dir, 0)) == -1)
		rc = sys_fail(&t, err, errno, 0);
	else {
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			rc = sys_fail(&t, err, errno, 0);
		else
			fill_info(&st, info);
		(void)close(dirfd);
	}
	target_close(&t);
	return (rc);
}

int
pgl_file_list(const char *root, const char *location, pgl_file_list_fn fn,
    void *arg, struct pgl_err *err)
{
	struct target		 t;
	struct pgl_file_info	 info;
	struct dirent		*de;
	struct stat		 st;
	DIR			*d;
	int			 dirfd, rc = PGL_OK;

	if (target_open(&t, root, location, 0, err) != PGL_OK)
		return (err->code);
	if ((dirfd = open_dir(t.rootfd, t.rel, 0)) == -1) {
		rc = sys_fail(&t, err, errno, 0);
		target_close(&t);
		return (rc);
	}
	if ((d = fdopendir(dirfd)) == NULL) {
		rc = sys_fail(&t, err, errno, 0);
		(void)close(dirfd);
		target_close(&t);
		return (rc);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Gone since readdir: not an entry any more. */
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		fill_info(&st, &info);
		if (fn(arg, de->d_name, &info) != 0)
			break;
	}
	(void)closedir(d);
	target_close(&t);
	return (rc);
}
