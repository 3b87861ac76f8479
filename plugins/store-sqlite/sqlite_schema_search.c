/*
 * Migration 24 of sqlite_migrate.c: search at a million assets (issue
 * 69).  Two changes to the text index of migration 10
 * (sqlite_schema_gov.c), whose answers they keep:
 *
 *  - asset_search_tenant, the tenant's rows in name order, also holds
 *    each row's text, whether it is discoverable and its asset id: a
 *    query below a trigram (one or two characters, which FTS5 cannot
 *    answer) reads the index alone, in order, rather than the index and
 *    then each row by rowid (100,000 assets: a count of 200 ms became
 *    22 ms; the page stops at its last hit).
 *  - asset_fts merges its segments sooner (automerge 2, FTS5's default
 *    is 4) and is merged into one segment now: every trigram of a query
 *    is looked up in each segment, and a catalog written one asset a
 *    transaction kept 10 to 15 of them (100,000 assets: a whole name's
 *    page and total, 1.7 ms of CPU in 14 segments, 0.4 ms in one).
 *
 * On a large catalog both take seconds (1,000,000 assets: see
 * docs/benchmarks.md); from LOUD assets on, each says so in the log
 * before and after (a new database, or a test's, says nothing).
 */
#include <stdint.h>

#include "sqlite_store.h"

#define LOUD	10000

static const char COVERING[] =
	"DROP INDEX asset_search_tenant;"
	"CREATE INDEX asset_search_tenant ON asset_search(tenant_id, name,"
	"  catalog_name, namespace, text, discoverable, asset_id);";
static const char MERGE[] =
	"INSERT INTO asset_fts (asset_fts, rank) VALUES ('automerge', 2);"
	"INSERT INTO asset_fts (asset_fts) VALUES ('optimize');";
static const char ROWS[] = "SELECT count(*) FROM asset_search";

static int
timed(struct pgl_store *s, const char *what, const char *sql,
    uint64_t rows, struct pgl_err *err)
{
	int64_t	t0 = store_now_ms();
	char	*msg = NULL;
	int	 rc;

	if (rows >= LOUD)
		s->host->log(PGL_LOG_INFO, STORE_NAME ": migration 24: %s of "
		    "%llu assets", what, (unsigned long long)rows);
	if ((rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg)) != SQLITE_OK) {
		(void)store_err(err, PGL_EINTERNAL, STORE_NAME ": migration "
		    "24 (%s) failed: %s", what, msg != NULL ? msg :
		    sqlite3_errstr(rc));
		sqlite3_free(msg);
		return (PGL_EINTERNAL);
	}
	if (rows >= LOUD)
		s->host->log(PGL_LOG_INFO, STORE_NAME ": migration 24: %s done "
		    "in %lld ms", what, (long long)(store_now_ms() - t0));
	return (PGL_OK);
}

int
sqlite_search_index_step(struct pgl_store *s, struct pgl_err *err)
{
	uint64_t	rows = 0;
	int		rc;

	if ((rc = store_count(s, err, ROWS, &rows, "")) != PGL_OK ||
	    (rc = timed(s, "the search names index (with the text)",
	    COVERING, rows, err)) != PGL_OK)
		return (rc);
	return (timed(s, "merging the search text index", MERGE, rows,
	    err));
}
