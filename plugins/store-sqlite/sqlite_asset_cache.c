/*
 * Asset lookups answered from memory while the database has not changed.
 *
 * loadTable's one store query is an asset lookup, and on SQLite it was
 * most of what the request cost beyond sending the answer: a read
 * transaction (two fcntl() locks on the WAL index), the statement, and
 * the copy of the row.  The row is the same until some connection commits
 * a write, so each connection keeps the rows it read, tagged with the
 * database's change count, and answers from them while the count stands.
 *
 * The count lives in a small file beside the database ("<db>-pgl"),
 * mapped shared by every Pangolin process that opens it, and is bumped
 * from SQLite's WAL hook, which runs after a commit is in the WAL and
 * visible to readers.  A reader reads the count before its query, so a
 * row it caches is never older than the count it is tagged with: a
 * commit that lands in between only makes the tag look old, and the next
 * lookup reads again.  Inside a transaction the cache is not used (the
 * transaction's own writes are not counted until it commits).
 *
 * One count for every commit emptied every connection's rows at each
 * commit, and in a commit storm every loadTable read its row again (5 %
 * of the event loops' time).  So an entry is tagged with two other
 * counts instead, the asset's own and one for all assets, which only a
 * commit that changed it (or something that moves every lookup) bumps
 * (sqlite_asset_notes.c); and a commit's own rows are kept as it left
 * them where nothing can have moved since, so that a table's next commit
 * does not read again what its last one wrote.  The one count stays for
 * the credential cache.
 *
 * Only Pangolin's own commits are counted: a program that writes the
 * database behind Pangolin's back (the sqlite3 shell, or a Pangolin
 * older than the asset counts) is seen once an entry's TTL ends,
 * ENTRY_TTL_MS.  Not WAL, or no file: no cache.
 *
 * The rows themselves are kept in the table both SQL stores share
 * (sql_asset_rows.c), at most [store.options] asset_cache_bytes of them
 * (8 MiB by default; 1,024 rows before issue 69); this file keeps only
 * the rule of when one may answer.
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sql_asset_rows.h"
#include "sqlite_store.h"

#define ENTRY_TTL_MS	2000
#define MAP_BYTES	64
#define CHECKPOINT_FRAMES	1000	/* SQLite's own default */

struct asset_cache {
	volatile uint64_t	*version;	/* shared, in the map */
	struct asset_notes	*notes;		/* NULL: no entry is kept */
	struct sql_rows		*rows;		/* NULL: none kept */
};

static void	kept(struct pgl_store *, const char *const [5],
		    const struct asset_row *, uint64_t, uint64_t);

static uint64_t
mono_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/*
 * After every commit of this connection: count it, then checkpoint as
 * SQLite's own hook (which this one replaces) would.  Checkpointing less
 * often was tried: while other workers keep reading, the WAL is restarted
 * only by a writer that finds it fully checkpointed, so it grew without
 * end (400 MiB in 20 s of commits).
 */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct pgl_store	*s = arg;

	__atomic_add_fetch(s->assets->version, 1, __ATOMIC_SEQ_CST);
	if (s->assets->notes != NULL)
		sqlite_asset_notes_committed(s->assets->notes, s, kept);
	if (frames >= CHECKPOINT_FRAMES)
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return (SQLITE_OK);
}

void
sqlite_asset_cache_open(struct pgl_store *s, size_t budget)
{
	const char	*path;
	sqlite3_stmt	*st;
	int		 wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		wal = strcasecmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	path = sqlite3_db_filename(s->db, "main");
	if (!wal || path == NULL || *path == '\0' ||
	    (s->assets = calloc(1, sizeof(*s->assets))) == NULL)
		return;
	if ((s->assets->version = sqlite_map_beside(path, "-pgl",
	    MAP_BYTES)) == NULL) {
		free(s->assets);
		s->assets = NULL;
		return;
	}
	s->assets->notes = sqlite_asset_notes_open(s->db, path);
	s->assets->rows = sql_rows_new(budget);
	sqlite3_wal_hook(s->db, on_commit, s);
}

void
sqlite_asset_cache_failed(struct pgl_store *s)
{
	if (s->assets != NULL && !sqlite3_get_autocommit(s->db))
		sqlite_asset_notes_failed(s->assets->notes);
}

volatile uint64_t *
sqlite_change_count(struct pgl_store *s)
{
	return (s->assets != NULL ? s->assets->version : NULL);
}

void
sqlite_asset_cache_close(struct pgl_store *s)
{
	if (s->assets == NULL)
		return;
	sqlite3_wal_hook(s->db, NULL, NULL);
	sqlite_asset_notes_close(s->db, s->assets->notes);
	sql_rows_free(s->assets->rows);
	(void)munmap((void *)s->assets->version, MAP_BYTES);
	free(s->assets);
	s->assets = NULL;
}

/* A row this connection's commit left, the newest under its counts. */
static void
kept(struct pgl_store *s, const char *const name[5],
    const struct asset_row *row, uint64_t all, uint64_t own)
{
	char	 buf[SQL_ROW_KEY_MAX], *key;

	if ((key = sql_asset_key(name, buf, sizeof(buf))) != NULL)
		sql_rows_put(s->assets->rows, key, all, own,
		    mono_ms() + ENTRY_TTL_MS, row->text, row->created_at_ms,
		    row->updated_at_ms);
}

int
sqlite_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	const char	*names[5] = { tenant, catalog, branch, ns, name };
	char		 buf[SQL_ROW_KEY_MAX], *key;
	uint64_t	 all, own;
	int		 rc;

	if (s->assets == NULL || s->assets->notes == NULL ||
	    s->assets->rows == NULL || !sqlite3_get_autocommit(s->db) ||
	    (key = sql_asset_key(names, buf, sizeof(buf))) == NULL)
		return (sql_get_asset(s, a, tenant, catalog, branch, ns, name,
		    out, err));
	/* Read before the query: a row is never older than its tags. */
	sqlite_asset_notes_counts(s->assets->notes, tenant, catalog, ns, name,
	    &all, &own);
	if (sql_rows_get_asset(s->assets->rows, s->host, a, key, all, own,
	    mono_ms(), out) == 0)
		return (PGL_OK);
	rc = sql_get_asset(s, a, tenant, catalog, branch, ns, name, out, err);
	if (rc == PGL_OK)
		sql_rows_put_asset(s->assets->rows, key, all, own,
		    mono_ms() + ENTRY_TTL_MS, out);
	return (rc);
}
