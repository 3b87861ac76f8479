/*
 * The log's sync left to the host (store ABI 1.21, defer_log_sync).
 *
 * With synchronous = FULL, the default, every COMMIT syncs the WAL before
 * it returns, on the caller's thread: a worker's event loop, where the
 * reads it serves wait behind the sync.  Deferred, commits run under
 * NORMAL (their frames written to the WAL, not synced) and the host
 * syncs the WAL file on another thread before it answers them.  That is
 * enough: fdatasync of the WAL makes every frame in it durable, so every
 * commit before it, and a frame a checkpoint has already copied out of
 * the WAL was synced with the database by that checkpoint, before the
 * WAL could be reused.  The WAL file keeps its inode while this handle
 * is open (SQLite deletes it when the last connection closes); the
 * descriptor is checked against the path anyway.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sqlite_store.h"

/* The WAL's descriptor, opened or checked again: 0, or -1 (none: no WAL
 * file yet, or it cannot be opened). */
static int
wal_fd(struct pgl_store *s)
{
	const char	*db = sqlite3_db_filename(s->db, "main");
	char		 path[4096];
	struct stat	 byname, byfd;
	int		 n;

	if (db == NULL || *db == '\0')
		return (-1);
	n = snprintf(path, sizeof(path), "%s-wal", db);
	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &byname) == -1)
		return (-1);
	if (s->wal_fd != -1 && fstat(s->wal_fd, &byfd) == 0 &&
	    byfd.st_dev == byname.st_dev && byfd.st_ino == byname.st_ino)
		return (0);
	sqlite_log_sync_close(s);
	s->wal_fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return (s->wal_fd == -1 ? -1 : 0);
}

int
sqlite_defer_log_sync(struct pgl_store *s, int on, int *fd,
    struct pgl_err *err)
{
	if (fd != NULL)
		*fd = -1;
	if (!sqlite3_get_autocommit(s->db))
		return (store_err(err, PGL_EINVAL, STORE_NAME
		    ": the log's sync cannot change inside a transaction"));
	/* Commits that never synced (NORMAL, OFF) or not a WAL file: the
	 * host has nothing to sync, and nothing changes. */
	if (!s->wal || (strcmp(s->synchronous, "FULL") != 0 &&
	    strcmp(s->synchronous, "EXTRA") != 0))
		return (PGL_OK);
	if (!on)
		return (sqlite_set_synchronous(s, s->synchronous, err));
	/* Without the WAL's descriptor the commits stay synced here. */
	if (fd == NULL || wal_fd(s) == -1)
		return (PGL_OK);
	if (sqlite_set_synchronous(s, "NORMAL", err) != PGL_OK)
		return (err->code);
	*fd = s->wal_fd;
	return (PGL_OK);
}

void
sqlite_log_sync_close(struct pgl_store *s)
{
	if (s->wal_fd != -1)
		(void)close(s->wal_fd);
	s->wal_fd = -1;
}
