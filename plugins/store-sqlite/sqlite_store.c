/*
 * The SQLite store: open/close, ping, transactions and the ops
 * table.  Each Kore worker opens its own connection; concurrency is
 * between processes, so writes take the lock up front (BEGIN IMMEDIATE)
 * and wait up to busy_timeout_ms for it.
 *
 * Built with -DPGL_STORE_MEMORY the same code is the memory store: a
 * private ":memory:" database, non-persistent and for one process.  One
 * engine means identical semantics, transactions and constraint behaviour
 * in both, with no second implementation to drift from the first.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sqlite_store.h"


/*
 * mkdir -p of dir (a modifiable copy): each missing level, 0750.  The
 * host's src/util/mkdirs.c does the same, but a plugin links only its own
 * sources and its client library.
 */
static int
mkdirs(char *dir)
{
	struct stat	st;
	char		*p;

	for (p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char	c = *p;

			*p = '\0';
			if (mkdir(dir, 0750) == -1 && (errno != EEXIST ||
			    stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))) {
				if (errno == EEXIST)
					errno = ENOTDIR;
				*p = c;
				return (-1);
			}
			*p = c;
		}
		if (*p == '\0')
			return (0);
	}
}

/*
 * The database's directory is created when missing (a fresh install's
 * state directory is empty, a fresh clone has no ./data).  SQLite's own
 * message for a directory it cannot use is "unable to open database
 * file", which does not say which file: name it here.
 */
static int
ensure_directory(const char *path, struct pgl_err *err)
{
	char		dir[PATH_MAX];
	const char	*slash;
	size_t		len;

	if ((slash = strrchr(path, '/')) == NULL || slash == path)
		return (PGL_OK);
	len = (size_t)(slash - path);
	if (len >= sizeof(dir))
		return (store_err(err, PGL_EINVAL, "sqlite: path too long"));
	memcpy(dir, path, len);
	dir[len] = '\0';
	if (mkdirs(dir) == -1)
		return (store_err(err, PGL_EINVAL, "sqlite: cannot open %s: "
		    "cannot create directory %s: %s", path, dir,
		    strerror(errno)));
	return (PGL_OK);
}

static int
exec_sql(struct pgl_store *s, const char *sql, struct pgl_err *err)
{
	int	rc;

	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK)
		return (store_sqlite_err(s, err, rc));
	return (PGL_OK);
}

static int
journal_mode_once(struct pgl_store *s, const char *sql, char *got,
    size_t len)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		rc;

	if ((rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return (rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mode = (const char *)sqlite3_column_text(st, 0);
		(void)snprintf(got, len, "%s", mode != NULL ? mode : "?");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return (rc);
}

/*
 * Switching a new database to WAL needs an exclusive lock, and SQLite
 * answers SQLITE_BUSY at once, without the busy handler, when several
 * workers open the same fresh file together (measured: about one open in
 * sixteen with eight workers).  So it is retried here for up to
 * busy_timeout_ms.  The answer is the mode now in force: WAL can be
 * refused (some network filesystems), and running without it silently
 * would let one writer stall every reader.
 */
static int
set_journal_mode(struct pgl_store *s, const struct sqlite_options *o,
    struct pgl_err *err)
{
	char	sql[64], got[16];
	int	rc, waited;

	(void)snprintf(sql, sizeof(sql), "PRAGMA journal_mode=%s",
	    o->journal_mode);
	for (waited = 0;; waited += 10) {
		rc = journal_mode_once(s, sql, got, sizeof(got));
		if ((rc & 0xff) != SQLITE_BUSY || waited >= o->busy_timeout_ms)
			break;
		sqlite3_sleep(10);
	}
	if (rc != SQLITE_OK)
		return (store_sqlite_err(s, err, rc));
	/* In memory, the mode is always "memory". */
#if !defined(PGL_STORE_MEMORY)
	if (strcasecmp(got, o->journal_mode) != 0)
		return (store_err(err, PGL_EINVAL, "sqlite: journal_mode %s "
		    "refused (database stays in %s)", o->journal_mode, got));
#endif
	return (PGL_OK);
}

/* copy_assets_bulk gives every copy a fresh id inside one INSERT ...
 * SELECT; this is the id: a UUID v4 in its 8-4-4-4-12 text form. */
static void
uuid_v4(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		b[16];
	char			out[37], *p = out;
	int			i;

	(void)argc;
	(void)argv;
	sqlite3_randomness(sizeof(b), b);
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 0x0f];
	}
	sqlite3_result_text(ctx, out, 36, SQLITE_TRANSIENT);
}

static uint64_t
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

/*
 * Waiting for another worker's write lock.  SQLite's own handler sleeps
 * 1, 2, 5, 10, ... ms between tries, while a commit here holds the lock
 * for a few hundred microseconds: a worker that found it taken slept
 * past its release, and served none of its connections meanwhile
 * (measured: more sleeps than commits in a commit storm).  So: tries
 * 25 us apart, then 100 us, then 1 ms after the first 100 ms, up to
 * busy_timeout_ms in all.  Not at all in try_begin.
 */
static int
busy_wait(void *arg, int count)
{
	struct pgl_store	*s = arg;
	struct timespec		 ts = { 0, 0 };
	uint64_t		 now = now_us(), waited;

	if (s->no_wait)
		return (0);
	if (count == 0)
		s->busy_since_us = now;
	waited = now - s->busy_since_us;
	if (waited >= (uint64_t)s->busy_timeout_ms * 1000)
		return (0);
	ts.tv_nsec = count < 16 ? 25000 : waited < 100000 ? 100000 : 1000000;
	(void)nanosleep(&ts, NULL);
	return (1);
}

/*
 * The connection's page cache, and its map of the file (issue 69): with
 * SQLite's 2 MB of a million tables' 1.4 GB file, a load of a table not
 * kept read four or five B-tree pages with pread(), 10 % of a worker's
 * time.  The index's inner pages fit in a few MB; the rest the kernel's
 * page cache holds, which mmap_mb maps instead of copying (0: off, as
 * SQLite's default: an I/O error on a mapped page is a signal).
 */
static int
page_cache(struct pgl_store *s, const struct sqlite_options *o,
    struct pgl_err *err)
{
	char	sql[80];
	int	rc;

	(void)snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%lld",
	    (long long)o->page_cache_mb * 1024);
	if ((rc = exec_sql(s, sql, err)) != PGL_OK)
		return (rc);
	(void)snprintf(sql, sizeof(sql), "PRAGMA mmap_size=%lld",
	    (long long)o->mmap_mb << 20);
	return (exec_sql(s, sql, err));
}

static int
configure(struct pgl_store *s, const struct sqlite_options *o,
    struct pgl_err *err)
{
	int	rc;

	sqlite3_extended_result_codes(s->db, 1);
	s->busy_timeout_ms = o->busy_timeout_ms;
	sqlite3_busy_handler(s->db, busy_wait, s);
	/*
	 * Before the journal mode: switching a new file to WAL writes its
	 * header, after which auto_vacuum no longer takes without a VACUUM,
	 * so every new database was made NONE and then rewritten by each
	 * process at its first open (four VACUUMs at a server's first start).
	 */
	if ((rc = sqlite_auto_vacuum(s, o->path, err)) != PGL_OK)
		return (rc);
	if ((rc = set_journal_mode(s, o, err)) != PGL_OK)
		return (rc);
	if ((rc = sqlite_set_synchronous(s, o->synchronous, err)) != PGL_OK)
		return (rc);
	if ((rc = exec_sql(s, "PRAGMA foreign_keys=ON", err)) != PGL_OK)
		return (rc);
	if ((rc = page_cache(s, o, err)) != PGL_OK)
		return (rc);
	rc = sqlite3_create_function(s->db, "pgl_uuid_v4", 0, SQLITE_UTF8,
	    NULL, uuid_v4, NULL, NULL);
	if (rc != SQLITE_OK)
		return (store_sqlite_err(s, err, rc));
	return (sqlite_migrate(s, err));
}

static int
connect_db(struct pgl_store *s, const struct sqlite_options *o,
    struct pgl_err *err)
{
	const char	*path = o->path;
	int		rc;

	if (path == NULL)	/* the memory store: never has a path */
		path = ":memory:";
	else if ((rc = ensure_directory(path, err)) != PGL_OK)
		return (rc);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return (store_err(err, rc == SQLITE_NOMEM ? PGL_ENOMEM :
		    PGL_EINVAL, STORE_NAME ": cannot open %s: %s", path,
		    s->db != NULL ? sqlite3_errmsg(s->db) :
		    sqlite3_errstr(rc)));
	return (PGL_OK);
}

static void
sqlite_close(struct pgl_store *s)
{
	if (s == NULL)
		return;
	sqlite_cred_cache_close(s);
	sqlite_asset_cache_close(s);
	sqlite_log_sync_close(s);
	store_finalize(s);
	sqlite3_close(s->db);
	free(s);
}

static int
sqlite_open(const struct pgl_host *host, const struct pgl_kv *opts,
    size_t nopts, struct pgl_store **out, struct pgl_err *err)
{
	struct sqlite_options	o;
	struct pgl_store	*s;
	int			rc;

	*out = NULL;
	if (host == NULL || host->abi_major != PGL_HOST_ABI_MAJOR)
		return (store_err(err, PGL_EINVAL,
		    STORE_NAME ": host ABI major %d, expected %d",
		    host != NULL ? host->abi_major : -1, PGL_HOST_ABI_MAJOR));
	if ((rc = sqlite_parse_options(opts, nopts, &o, err)) != PGL_OK)
		return (rc);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	s->host = host;
	s->synchronous = o.synchronous;
	s->wal_fd = -1;
	if ((rc = connect_db(s, &o, err)) == PGL_OK)
		rc = configure(s, &o, err);
	if (rc != PGL_OK) {
		sqlite_close(s);
		return (rc);
	}
	sqlite_asset_cache_open(s, (size_t)o.asset_cache_bytes);
	s->wal = s->assets != NULL;	/* it opens for a WAL file only */
	*out = s;
	return (PGL_OK);
}

static const char PING[] = "SELECT 1";

static int
sqlite_ping(struct pgl_store *s, struct pgl_err *err)
{
	uint64_t	one;

	return (store_count(s, err, PING, &one, ""));
}

static const char BEGIN_TX[] = "BEGIN IMMEDIATE";
static const char COMMIT_TX[] = "COMMIT";
static const char ROLLBACK_TX[] = "ROLLBACK";

/* IMMEDIATE takes the write lock at once: a deferred transaction that
 * reads and then writes can lose the upgrade to another worker with
 * SQLITE_BUSY, which no amount of waiting resolves. */
static int
sqlite_begin(struct pgl_store *s, struct pgl_err *err)
{
	if (!sqlite3_get_autocommit(s->db))
		return (store_err(err, PGL_EINVAL,
		    STORE_NAME ": a transaction is already open (no nesting)"));
	return (store_exec(s, err, BEGIN_TX, NULL, ""));
}

/*
 * ABI 1.23: BEGIN IMMEDIATE that answers at once when another worker
 * holds the write lock (SQLITE_BUSY: PGL_EUNAVAIL), so that the caller's
 * event loop serves its reads instead of sleeping in busy_wait for as
 * long as the other worker's transaction takes.
 */
static int
sqlite_try_begin(struct pgl_store *s, const char *tenant,
    struct pgl_err *err)
{
	int	rc;

	(void)tenant;	/* the write lock serializes every writer */
	s->no_wait = 1;
	rc = sqlite_begin(s, err);
	s->no_wait = 0;
	return (rc);
}

static int
sqlite_commit(struct pgl_store *s, struct pgl_err *err)
{
	if (sqlite3_get_autocommit(s->db))
		return (store_err(err, PGL_EINVAL,
		    STORE_NAME ": commit without a transaction"));
	return (store_exec(s, err, COMMIT_TX, NULL, ""));
}

/* Rolling back after SQLite already did (it may, on I/O errors) is not
 * an error: the caller's cleanup path must always succeed. */
static int
sqlite_rollback(struct pgl_store *s, struct pgl_err *err)
{
	if (sqlite3_get_autocommit(s->db))
		return (PGL_OK);
	return (store_exec(s, err, ROLLBACK_TX, NULL, ""));
}

int
store_tx_own(struct pgl_store *s, int *owned, struct pgl_err *err)
{
	*owned = sqlite3_get_autocommit(s->db);
	return (*owned ? sqlite_begin(s, err) : PGL_OK);
}

int
store_tx_done(struct pgl_store *s, int owned, int rc, struct pgl_err *err)
{
	struct pgl_err	rb;

	if (!owned)
		return (rc);
	if (rc != PGL_OK) {
		(void)sqlite_rollback(s, &rb);
		return (rc);
	}
	return (sqlite_commit(s, err));
}

int
store_in_tx(const struct pgl_store *s)
{
	return (!sqlite3_get_autocommit(s->db));
}

/* No event lock here: BEGIN IMMEDIATE serializes the writers. */
int
store_event_locked(const struct pgl_store *s, const char *tenant)
{
	(void)s;
	(void)tenant;
	return (0);
}

void
store_event_lock_taken(struct pgl_store *s, const char *tenant)
{
	(void)s;
	(void)tenant;
}

/* Every statement goes through store_runv (sqlite_query.c), which
 * counts it; the migrations and PRAGMAs at open do not. */
static uint64_t
sqlite_round_trips(struct pgl_store *s)
{
	return (s->round_trips);
}

static const struct pgl_store_ops ops = {
	.abi_major = PGL_STORE_ABI_MAJOR,
	.abi_minor = PGL_STORE_ABI_MINOR,
	.name = STORE_NAME,

	.open = sqlite_open,
	.close = sqlite_close,
	.ping = sqlite_ping,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,

	/* Every entity method: plugins/sql-common. */
	SQL_STORE_METHODS,
	/* Data policies and column tags (ABI 1.17): sql_policies.c. */
	SQL_POLICY_METHODS,
	/* The usage ledger (ABI 1.27, issue 67): sql_usage.c. */
	SQL_USAGE_METHODS,

	.round_trips = sqlite_round_trips,
	/* The log's sync off the caller's thread (ABI 1.21). */
	.defer_log_sync = sqlite_defer_log_sync,
	/* A begin that gives way to another worker (ABI 1.23). */
	.try_begin = sqlite_try_begin,
};

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	return (&ops);
}
