/*
 * Space given back (issue 67).  SQLite keeps a deleted row's pages on its
 * free list and never shrinks the file by itself: 319 MB of scan plans
 * nobody fetched, expired and purged, left the file 319 MB larger for
 * good.  A database here is INCREMENTAL (auto_vacuum): a new one from its
 * first table on, one of before converted once by a VACUUM at open (its
 * whole file rewritten, under the write lock: a one-time cost at the
 * upgrade, logged; where another worker holds the lock meanwhile, the
 * next open tries again).  store_reclaim then gives the free pages back
 * to the file system after a purge (sql_plan_parts.c), a bounded number
 * a call, outside any transaction.  The memory store has no file.
 */
#include <stdio.h>

#include "sqlite_store.h"

/* Pages one reclaim gives back: 64 MiB of 4 KiB pages. */
#define RECLAIM_PAGES	16384

static int64_t
pragma_int(struct pgl_store *s, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

int
sqlite_auto_vacuum(struct pgl_store *s, const char *path, struct pgl_err *err)
{
	int	rc;

	(void)err;
	if (path == NULL || pragma_int(s, "PRAGMA auto_vacuum") == 2)
		return (PGL_OK);
	/* A new database: set before its first table, kept in its header. */
	if (pragma_int(s, "SELECT count(*) FROM sqlite_schema") == 0) {
		(void)sqlite3_exec(s->db, "PRAGMA auto_vacuum=INCREMENTAL", NULL,
		    NULL, NULL);
		return (PGL_OK);
	}
	s->host->log(PGL_LOG_WARN, STORE_NAME ": %s keeps the space of what "
	    "is deleted; rewriting it once (VACUUM) so that it gives the "
	    "space back from now on", path);
	rc = sqlite3_exec(s->db, "PRAGMA auto_vacuum=INCREMENTAL; VACUUM",
	    NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		s->host->log(PGL_LOG_WARN, STORE_NAME ": the VACUUM of %s did "
		    "not run (%s): the next open tries again", path,
		    sqlite3_errmsg(s->db));
	return (PGL_OK);
}

void
store_reclaim(struct pgl_store *s)
{
	char	sql[64];

	if (store_in_tx(s) || pragma_int(s, "PRAGMA auto_vacuum") != 2 ||
	    pragma_int(s, "PRAGMA freelist_count") <= 0)
		return;
	(void)snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)",
	    RECLAIM_PAGES);
	(void)sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	/* The file is cut at a checkpoint; one now, never waiting. */
	(void)sqlite3_exec(s->db, "PRAGMA wal_checkpoint(PASSIVE)", NULL,
	    NULL, NULL);
}
