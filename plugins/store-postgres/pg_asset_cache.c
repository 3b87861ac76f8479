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
 * delivered (start()).  asset_cache_slots = 0 ([store.options]) turns it
 * all off.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_store.h"

#define TEXTS		10	/* the text fields of struct pgl_asset */
#define KEY_MAX		2048

struct asset_entry {
	char		*key;	/* tenant \x1f catalog \x1f branch ... */
	uint64_t	 all;	/* the counts it was read under */
	uint64_t	 own;
	char		*text[TEXTS];
	int64_t		 created_at_ms;
	int64_t		 updated_at_ms;
};


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
pg_assets_open(struct pgl_store *s, int slots, struct pgl_err *err)
{
	struct pg_assets	*c;

	if (slots == 0)
		return (PGL_OK);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->slot = calloc((size_t)slots, sizeof(*c->slot))) == NULL) {
		free(c);
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	}
	c->nslots = (size_t)slots;
	s->assets = c;
	return (PGL_OK);
}

static void
entry_clear(struct asset_entry *e)
{
	size_t	i;

	free(e->key);
	for (i = 0; i < TEXTS; i++)
		free(e->text[i]);
	memset(e, 0, sizeof(*e));
}

void
pg_assets_close(struct pgl_store *s)
{
	size_t	i;

	if (s->assets == NULL)
		return;
	for (i = 0; i < s->assets->nslots; i++)
		entry_clear(&s->assets->slot[i]);
	free(s->assets->slot);
	free(s->assets);
	s->assets = NULL;
}

/* Everything kept may be stale: a new connection, a lost one. */
static void
forget(struct pg_assets *c)
{
	c->all++;
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

static char *
make_key(const char *const name[5], char *buf, size_t size)
{
	size_t	i, len, off = 0;

	for (i = 0; i < 5; i++) {
		len = strlen(name[i]);
		if (off + len + 1 >= size)
			return (NULL);
		memcpy(buf + off, name[i], len);
		off += len;
		buf[off++] = '\x1f';
	}
	buf[off] = '\0';
	return (buf);
}

static size_t
slot_of(const struct pg_assets *c, const char *key)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return ((size_t)(h & (c->nslots - 1)));
}

static void
fields(struct pgl_asset *as, const char **f[TEXTS])
{
	f[0] = &as->id;
	f[1] = &as->catalog;
	f[2] = &as->branch;
	f[3] = &as->ns;
	f[4] = &as->name;
	f[5] = &as->kind;
	f[6] = &as->location;
	f[7] = &as->metadata_location;
	f[8] = &as->properties;
	f[9] = &as->origin;
}

static int
hit(struct pgl_store *s, struct pgl_arena *a, const struct asset_entry *e,
    struct pgl_asset *out)
{
	const char	**f[TEXTS];
	size_t		  i;

	fields(out, f);
	for (i = 0; i < TEXTS; i++) {
		*f[i] = NULL;
		if (e->text[i] != NULL &&
		    (*f[i] = s->host->arena_strdup(a, e->text[i])) == NULL)
			return (-1);
	}
	out->created_at_ms = e->created_at_ms;
	out->updated_at_ms = e->updated_at_ms;
	return (0);
}

static void
keep(struct asset_entry *e, const char *key, uint64_t all, uint64_t own,
    struct pgl_asset *as)
{
	const char	**f[TEXTS];
	size_t		  i;

	entry_clear(e);
	if ((e->key = strdup(key)) == NULL)
		return;
	fields(as, f);
	for (i = 0; i < TEXTS; i++) {
		if (*f[i] != NULL && (e->text[i] = strdup(*f[i])) == NULL) {
			entry_clear(e);
			return;
		}
	}
	e->created_at_ms = as->created_at_ms;
	e->updated_at_ms = as->updated_at_ms;
	e->all = all;
	e->own = own;
}

int
postgres_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	const char		*names[5] = { tenant, catalog, branch, ns, name };
	struct pg_assets	*c = s->assets;
	struct asset_entry	*e;
	char			 buf[KEY_MAX], *key;
	uint64_t		 all, own;
	size_t			 i;
	int			 rc;

	if (c == NULL || tenant == NULL || catalog == NULL ||
	    branch == NULL || ns == NULL || name == NULL ||
	    (key = make_key(names, buf, sizeof(buf))) == NULL ||
	    !trusted(s, a))
		return (sql_get_asset(s, a, tenant, catalog, branch, ns, name,
		    out, err));
	/* Read before the query: a row is never older than its tags. */
	i = pg_asset_count_of(tenant, catalog, ns, name);
	all = c->all;
	own = c->counts[i];
	e = &c->slot[slot_of(c, key)];
	if (e->key != NULL && e->all == all && e->own == own &&
	    strcmp(e->key, key) == 0 && hit(s, a, e, out) == 0) {
		return (PGL_OK);
	}
	rc = sql_get_asset(s, a, tenant, catalog, branch, ns, name, out, err);
	/* Notes that came with the answer may be of this row. */
	if (rc == PGL_OK && c->gen == s->gen && c->all == all &&
	    c->counts[i] == own)
		keep(e, key, all, own, out);
	return (rc);
}
