/*
 * Migration 24 of pg_migrations.c: search at a million assets (issue
 * 69), as SQLite's migration 24 (sqlite_schema_search.c) keeps its
 * answers and changes only how the text index is kept.
 *
 * The trigram index asset_search_trgm (pg_schema_gov.c) was made with
 * GIN's fast update: new entries wait in a pending list that every
 * search reads from end to end, and that only a VACUUM or 4 MB of them
 * (gin_pending_list_limit) merges into the index.  autovacuum comes
 * after a fifth of a table's rows were inserted, so on a big catalog it
 * never came: the scale bench's catalog of 1,000,000 assets had 298-349
 * pending pages (12,849-14,049 entries), read by both the page and the
 * total of every search (a whole name: 355 buffers and 7-33 ms of index
 * scan; merged, 57 buffers and 1.2-1.8 ms; search p50/p99 at a million
 * 24.2/49.0 ms before, 4.95/10.2 after, 1.3/7.5 at a thousand).
 * Without fast update each asset's ten or so trigrams go into the index
 * as it is written, and what is pending now is merged at once.
 *
 * The merge takes seconds at most (4 MB of entries; 65 pages of the
 * million's in 39 ms); from LOUD assets on the log says so before and
 * after (a new schema, or a test's, says nothing).  An index made later
 * (pg_ensure_text_index) has no fast update from the start.
 */
#include <stdint.h>

#include "pg_store.h"

#define LOUD	10000

const char pg_search_index_sql[] =
	"DO $$ BEGIN"
	"  IF to_regclass('asset_search_trgm') IS NOT NULL THEN"
	"    ALTER INDEX asset_search_trgm SET (fastupdate = off);"
	"  END IF;"
	"END $$";

static const char HAS_INDEX[] =
	"SELECT (to_regclass('asset_search_trgm') IS NOT NULL)::int";
/* The planner's estimate: a count of a million rows is not needed to
 * choose whether to log. */
static const char ROWS[] =
	"SELECT greatest(reltuples, 0)::bigint FROM pg_class"
	" WHERE oid = to_regclass('asset_search')";
static const char MERGE[] =
	"SELECT gin_clean_pending_list(to_regclass('asset_search_trgm'))";

int
pg_search_index_step(struct pgl_store *s, struct pgl_err *err)
{
	uint64_t	has = 0, rows = 0, pages = 0;
	int64_t		t0 = store_now_ms();
	int		rc;

	if ((rc = store_count(s, err, HAS_INDEX, &has, "")) != PGL_OK ||
	    !has || (rc = store_count(s, err, ROWS, &rows, "")) != PGL_OK)
		return (rc);
	if (rows >= LOUD)
		s->host->log(PGL_LOG_INFO, STORE_NAME ": migration 24: merging "
		    "the search text index's pending entries (about %llu "
		    "assets)", (unsigned long long)rows);
	if ((rc = store_count(s, err, MERGE, &pages, "")) != PGL_OK)
		return (rc);
	if (rows >= LOUD)
		s->host->log(PGL_LOG_INFO, STORE_NAME ": migration 24: %llu "
		    "pending pages merged in %lld ms",
		    (unsigned long long)pages,
		    (long long)(store_now_ms() - t0));
	return (PGL_OK);
}
