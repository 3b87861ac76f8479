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
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sqlite_store.h"

#define ENTRY_TTL_MS	2000
#define TEXTS		10	/* the text fields of struct pgl_asset */
#define MAP_BYTES	64
#define CHECKPOINT_FRAMES	1000	/* SQLite's own default */

struct asset_entry {
	char			*key;	/* tenant \x1f catalog \x1f ... */
	uint64_t		 all;	/* the counts it was read under */
	uint64_t		 own;
	uint64_t		 expires_ms;
	char			*text[TEXTS];
	int64_t			 created_at_ms;
	int64_t			 updated_at_ms;
};

struct asset_cache {
	volatile uint64_t	*version;	/* shared, in the map */
	struct asset_notes	*notes;		/* NULL: no entry is kept */
	struct asset_entry	 slot[ASSET_CACHE_SLOTS];
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
sqlite_asset_cache_open(struct pgl_store *s)
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
sqlite_asset_cache_close(struct pgl_store *s)
{
	size_t	i;

	if (s->assets == NULL)
		return;
	sqlite3_wal_hook(s->db, NULL, NULL);
	sqlite_asset_notes_close(s->db, s->assets->notes);
	for (i = 0; i < ASSET_CACHE_SLOTS; i++)
		entry_clear(&s->assets->slot[i]);
	(void)munmap((void *)s->assets->version, MAP_BYTES);
	free(s->assets);
	s->assets = NULL;
}

/* The key: the five names, each ended by a unit separator. */
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
slot_of(const char *key)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return ((size_t)(h & (ASSET_CACHE_SLOTS - 1)));
}

/* The asset's text fields, in the entry's order. */
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
keep_texts(struct asset_entry *e, const char *key, uint64_t all,
    uint64_t own, const char *const text[TEXTS], int64_t created_at_ms,
    int64_t updated_at_ms)
{
	size_t	i;

	entry_clear(e);
	if ((e->key = strdup(key)) == NULL)
		return;
	for (i = 0; i < TEXTS; i++) {
		if (text[i] != NULL && (e->text[i] = strdup(text[i])) == NULL) {
			entry_clear(e);
			return;
		}
	}
	e->created_at_ms = created_at_ms;
	e->updated_at_ms = updated_at_ms;
	e->all = all;
	e->own = own;
	e->expires_ms = mono_ms() + ENTRY_TTL_MS;
}

static void
keep(struct asset_entry *e, const char *key, uint64_t all, uint64_t own,
    struct pgl_asset *as)
{
	const char	**f[TEXTS], *text[TEXTS];
	size_t		  i;

	fields(as, f);
	for (i = 0; i < TEXTS; i++)
		text[i] = *f[i];
	keep_texts(e, key, all, own, text, as->created_at_ms,
	    as->updated_at_ms);
}

/* A row this connection's commit left, the newest under its counts. */
static void
kept(struct pgl_store *s, const char *const name[5],
    const struct asset_row *row, uint64_t all, uint64_t own)
{
	char	 buf[2048], *key;

	if ((key = make_key(name, buf, sizeof(buf))) != NULL)
		keep_texts(&s->assets->slot[slot_of(key)], key, all, own,
		    row->text, row->created_at_ms, row->updated_at_ms);
}

int
sqlite_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	const char		*names[5] = { tenant, catalog, branch, ns, name };
	struct asset_entry	*e;
	char			 buf[2048], *key;
	uint64_t		 all, own;
	int			 rc;

	if (s->assets == NULL || s->assets->notes == NULL ||
	    !sqlite3_get_autocommit(s->db) ||
	    tenant == NULL || catalog == NULL || branch == NULL ||
	    ns == NULL || name == NULL ||
	    (key = make_key(names, buf, sizeof(buf))) == NULL)
		return (sql_get_asset(s, a, tenant, catalog, branch, ns, name,
		    out, err));
	/* Read before the query: a row is never older than its tags. */
	sqlite_asset_notes_counts(s->assets->notes, tenant, catalog, ns, name,
	    &all, &own);
	e = &s->assets->slot[slot_of(key)];
	if (e->key != NULL && e->all == all && e->own == own &&
	    strcmp(e->key, key) == 0 && mono_ms() < e->expires_ms &&
	    hit(s, a, e, out) == 0)
		return (PGL_OK);
	rc = sql_get_asset(s, a, tenant, catalog, branch, ns, name, out, err);
	if (rc == PGL_OK)
		keep(e, key, all, own, out);
	return (rc);
}
