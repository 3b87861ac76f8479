/*
 * Asset lookups answered from memory, coherent across servers on one
 * database (issue 69; ARCHITECTURE.md §14, docs/architecture.md "The
 * PostgreSQL asset cache").
 *
 * loadTable's one store query is an asset lookup: on PostgreSQL a round
 * trip the worker's loop waits for, so loads served at 0.26 to 0.43 of
 * SQLite's rate, whose rows are kept per connection and dropped through
 * shared memory (sqlite_asset_cache.c).  Here each connection keeps the
 * rows it read, tagged with counts that notes of changes bump:
 *
 *  - Notes.  A deferred trigger on assets (and on branches, catalogs and
 *    tenants: "all") sends, at the commit of every transaction that
 *    changed a row, NOTIFY pangolin_assets "<schema> <n> <names>", n from
 *    a sequence taken under an advisory lock held to the end of the
 *    commit (pg_schema_notes.c): so the numbers rise in commit order,
 *    the order PostgreSQL delivers notifications in.  Every connection
 *    LISTENs (pg_conn.c) and takes notes in (pg_notes.c: after every
 *    statement, before every request, once a second on an idle worker):
 *    a note bumps its asset's count (or all), and "applied" is the
 *    highest number taken in.
 *
 *  - Read-your-writes.  A commit acknowledged by any server before a
 *    request arrived has its number at most the sequence's value read
 *    after the arrival (the request's "sync").  A row kept is answered
 *    only when this connection has taken in every note up to that value
 *    (applied >= it): then any commit that changed the row since it was
 *    read has bumped its count, and the row is read again.  One sync
 *    serves every request that arrived before it started (the host
 *    gives each request its arrival time, store ABI 1.29 read_after),
 *    so under load one small round trip serves a batch of loads; a
 *    worker's own commit forces the next lookup to sync again.
 *
 * Nothing waits: a note not yet taken in (applied short of the value
 * read) means the row is read from the store, as every lookup was
 * before.  A connection lost, or opened again, may have missed notes:
 * every row kept goes, and applied starts from the sequence's value read
 * under the lock's shared side, when no commit holds a number not yet
 * delivered (start()).  The rows are kept in the table both SQL stores
 * share (sql_asset_rows.c), at most asset_cache_bytes of them
 * ([store.options]; 0 turns it all off); this file keeps only the rule
 * of when a row may answer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_store.h"
#include "sql_asset_rows.h"

/* The sequence's value: the last number taken, 0 before the first. */
static const char NOTES_HEAD[] =
	"SELECT CASE WHEN is_called THEN last_value ELSE 0 END"
	" FROM asset_notes";
/* The same once no commit holds a number it has not delivered. */
static const char NOTES_START[] = "SELECT asset_notes_start()";

static uint64_t
mono_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

int
pg_assets_open(struct pgl_store *s, int bytes, struct pgl_err *err)
{
	struct pg_assets	*c;

	if (bytes == 0)
		return (PGL_OK);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->rows = sql_rows_new((size_t)bytes)) == NULL) {
		free(c);
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	}
	s->assets = c;
	return (PGL_OK);
}

void
pg_assets_close(struct pgl_store *s)
{
	if (s->assets == NULL)
		return;
	sql_rows_free(s->assets->rows);
	free(s->assets);
	s->assets = NULL;
}

/* Everything kept may be stale: a new connection, a lost one. */
static void
forget(struct pg_assets *c)
{
	c->all++;
	sql_rows_clear(c->rows);
	c->applied = 0;
	c->synced_us = 0;
	c->synced_n = 0;
	c->covered = 0;
	c->gen = 0;
}

void
pg_assets_read_after(struct pgl_store *s, uint64_t arrived_us)
{
	struct pg_assets	*c = s->assets;

	if (c == NULL)
		return;
	c->requests = 1;
	c->arrived_us = arrived_us != 0 ? arrived_us : mono_us();
	c->covered = c->synced_us > c->arrived_us;
}

/* A commit of this connection's: its own note must be seen too. */
void
pg_assets_committed(struct pgl_store *s)
{
	if (s->assets != NULL)
		s->assets->covered = 0;
}

static void
head_fill(struct row *r, void *out)
{
	*(int64_t *)out = row_int(r);
}

/* This connection's first lookup: applied from the sequence. */
static int
start(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err)
{
	struct pg_assets	*c = s->assets;
	int64_t			 n = 0;
	int			 rc;

	forget(c);
	if ((rc = store_get(s, a, err, NOTES_START, head_fill, &n, "")) !=
	    PGL_OK)
		return (rc);
	c->gen = s->gen;
	c->applied = (uint64_t)n;
	return (pg_take_notes(s, err));
}

static int
sync(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err)
{
	struct pg_assets	*c = s->assets;
	uint64_t		 at = mono_us();
	int64_t			 n = 0;
	int			 rc;

	if ((rc = store_get(s, a, err, NOTES_HEAD, head_fill, &n, "")) !=
	    PGL_OK)
		return (rc);
	if ((rc = pg_take_notes(s, err)) != PGL_OK)
		return (rc);
	c->synced_us = at;
	c->synced_n = (uint64_t)n;
	c->covered = 1;
	return (PGL_OK);
}

/*
 * 1 when a row kept may answer this request: every note up to the value
 * read after it arrived taken in.  0: the store answers, as it did every
 * lookup before this cache.
 */
static int
trusted(struct pgl_store *s, struct pgl_arena *a)
{
	struct pg_assets	*c = s->assets;
	struct pgl_err		 err;

	/* A handle the host never tells a request's arrival (the task
	 * runner's, a tool's) reads the store: a lookup there would read
	 * the stamp first, a second round trip on a miss. */
	if (!c->requests || s->in_tx || s->tx_lost ||
	    pg_ready(s, &err) != PGL_OK)
		return (0);
	if (c->gen != s->gen && start(s, a, &err) != PGL_OK) {
		forget(c);
		return (0);
	}
	if (!c->covered && sync(s, a, &err) != PGL_OK) {
		forget(c);
		return (0);
	}
	if (c->applied < c->synced_n && pg_take_notes(s, &err) != PGL_OK) {
		forget(c);
		return (0);
	}
	/* A reconnect while syncing: what was kept is gone already. */
	return (c->gen == s->gen && c->applied >= c->synced_n);
}

int
postgres_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	const char		*names[5] = { tenant, catalog, branch, ns, name };
	struct pg_assets	*c = s->assets;
	char			 buf[SQL_ROW_KEY_MAX], *key;
	uint64_t		 all, own;
	size_t			 i;
	int			 rc;

	if (c == NULL ||
	    (key = sql_asset_key(names, buf, sizeof(buf))) == NULL ||
	    !trusted(s, a))
		return (sql_get_asset(s, a, tenant, catalog, branch, ns, name,
		    out, err));
	/* Read before the query: a row is never older than its tags. */
	i = pg_asset_count_of(tenant, catalog, ns, name);
	all = c->all;
	own = c->counts[i];
	if (sql_rows_get_asset(c->rows, s->host, a, key, all, own, 0,
	    out) == 0)
		return (PGL_OK);
	rc = sql_get_asset(s, a, tenant, catalog, branch, ns, name, out, err);
	/* Notes that came with the answer may be of this row. */
	if (rc == PGL_OK && c->gen == s->gen && c->all == all &&
	    c->counts[i] == own)
		sql_rows_put_asset(c->rows, key, all, own, 0, out);
	return (rc);
}
